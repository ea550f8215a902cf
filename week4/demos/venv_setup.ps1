py -m venv .venv
.venv\Scripts\Activate.ps1
python -m pip install -e ".[lab]"
python -m week4.lab exercises
