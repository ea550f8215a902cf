py -m venv .venv
.venv\Scripts\Activate.ps1
python -m pip install -e ".[lab]"
jupyter lab --port 8888 exercises
