py -m venv .venv
.venv\Scripts\activate.bat
python -m pip install -e ".[lab]"
jupyter lab --port 8888 exercises
