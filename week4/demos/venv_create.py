"""Create a virtual environment from Python code, then ask its interpreter where it lives.

`python -m venv DIR` does the same: it is a thin command-line wrapper around this module.
"""

import subprocess
import sys
import sysconfig
import tempfile
import venv
from pathlib import Path

with tempfile.TemporaryDirectory() as tmp:
    target = Path(tmp) / "demo-env"
    venv.create(target, with_pip=False)  # with_pip=True also installs pip: a few seconds more

    # pyvenv.cfg is what makes the folder an environment: it names the Python underneath.
    print((target / "pyvenv.cfg").read_text())

    # The "venv" install scheme knows the layout: bin/ here, Scripts\ on Windows.
    scripts = Path(sysconfig.get_path("scripts", scheme="venv", vars={"base": str(target)}))
    python = scripts / ("python.exe" if sys.platform == "win32" else "python")
    probe = "import sys; print(sys.prefix != sys.base_prefix, sys.prefix)"
    answer = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True)
    print("the new interpreter:", python)
    print("in a venv, prefix:", answer.stdout.strip())
