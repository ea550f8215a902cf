py -m venv .venv
.venv\Scripts\Activate.ps1
(Get-Command python).Source
python -m pip install flask
python -m pip freeze > requirements.txt
deactivate
