python3 -m venv .venv
source .venv/bin/activate.fish
which python
python -m pip install flask
deactivate
