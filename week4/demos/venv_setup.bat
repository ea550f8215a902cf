py -m venv .venv
.venv\Scripts\activate.bat
python -m pip install -e ".[lab]"
python -m week4.lab exercises
