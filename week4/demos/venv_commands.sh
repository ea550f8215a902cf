#!/usr/bin/env bash
# Topic 01 demo: the life of a virtual environment, typed as you would type it in bash or zsh.
# docs/topics/01-virtualenv.md shows its sections; tests/test_demos_01.py runs the whole file.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# --8<-- [start:create]
python3 -m venv .venv
# --8<-- [end:create]

# --8<-- [start:activate]
source .venv/bin/activate
# --8<-- [end:activate]

# --8<-- [start:which]
which python
python -c "import sys; print(sys.prefix)"
# --8<-- [end:which]

# --8<-- [start:install]
python -m pip install flask
# --8<-- [end:install]

# --8<-- [start:freeze]
python -m pip freeze > requirements.txt
cat requirements.txt
# --8<-- [end:freeze]

# --8<-- [start:deactivate]
deactivate
which python3
# --8<-- [end:deactivate]

# --8<-- [start:reproduce]
python3 -m venv .venv-copy
source .venv-copy/bin/activate
python -m pip install -r requirements.txt
python -m pip freeze | diff - requirements.txt && echo "same packages, same versions"
deactivate
# --8<-- [end:reproduce]
