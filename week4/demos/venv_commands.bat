py -m venv .venv
.venv\Scripts\activate.bat
where python
python -m pip install flask
python -m pip freeze > requirements.txt
deactivate
