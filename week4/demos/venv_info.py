"""Which Python is running, and is it inside a virtual environment?

Run it with different interpreters and compare:

    python3 week4/demos/venv_info.py
    .venv/bin/python week4/demos/venv_info.py
"""

import os
import sys

print("executable: ", sys.executable)       # the interpreter file that is running
print("prefix:     ", sys.prefix)           # where this environment's packages live
print("base_prefix:", sys.base_prefix)      # the Python installation underneath
print("in a venv:  ", sys.prefix != sys.base_prefix)
# Set by `activate` only; running .venv/bin/python directly leaves it unset.
print("VIRTUAL_ENV:", os.environ.get("VIRTUAL_ENV", "(not set)"))
