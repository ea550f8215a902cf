"""Checks for topic 01: virtual environments.

Inputs marked hidden=True never appear in the notebook, so hard-coding the notebook's
examples does not pass. Each check isolates one rule, so one mistake costs only its points.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from autograder.checking import CheckFailed, check, expect_equal

TOPIC = "01-virtualenv"
DOCS = "docs/topics/01-virtualenv.md"

# Every function here answers in milliseconds (create_venv in seconds at most).
CALL_TIMEOUT = 3
LOAD_TIMEOUT = 10
BUDGET = 20


# --- in_virtualenv -------------------------------------------------------------------------

@check("venv-detect", points=2, docs=f"{DOCS}#detect",
       hint="Compare the two prefixes: a virtual environment has its own sys.prefix, while "
            "sys.base_prefix still points at the Python it was made from. With no arguments, "
            "use the values of the running Python.")
def test_detect_virtualenv(nb):
    cases = [
        (("/srv/shop/env", "/usr/local"), True),
        (("/usr", "/usr"), False),
        (("C:\\Users\\mina\\proj\\.venv", "C:\\Python312"), True),
        (("/home/venv-fan/python3.12", "/home/venv-fan/python3.12"), False),
    ]
    for (prefix, base), expected in cases:
        got = nb.call("in_virtualenv", prefix, base, shown="in_virtualenv(prefix, base_prefix)")
        expect_equal(got, expected, "in_virtualenv(prefix, base_prefix) on a hidden pair",
                     given=(prefix, base), hidden=True)
    # With no arguments it describes the running Python: the child runs the grader's own
    # interpreter, so the grader knows the right answer.
    got = nb.call("in_virtualenv", shown="in_virtualenv()")
    expect_equal(got, sys.prefix != sys.base_prefix,
                 "in_virtualenv() for the Python that runs the grader")


# --- parse_freeze ----------------------------------------------------------------------------

@check("freeze-pins", points=1, docs=f"{DOCS}#pip-freeze",
       hint="Each line of `pip freeze` is `name==version`; split once at '=='.")
def test_freeze_pins(nb):
    text = "flask==3.0.3\nitsdangerous==2.2.0\nwerkzeug==3.0.4\n"
    expected = {"flask": "3.0.3", "itsdangerous": "2.2.0", "werkzeug": "3.0.4"}
    expect_equal(nb.call("parse_freeze", text), expected, "parse_freeze on three pins",
                 hidden=True)


@check("freeze-normalise", points=1, docs=f"{DOCS}#pip-freeze",
       hint="PEP 503: lower-case the name and replace every run of '-', '_' and '.' with "
            "a single '-' (re.sub(r'[-_.]+', '-', name).lower()).")
def test_freeze_normalises_names(nb):
    text = "Jinja2==3.1.4\nTyping_Extensions==4.12.2\nzope.interface==7.0.3\nruamel.yaml.clib==0.2.8\n"
    expected = {"jinja2": "3.1.4", "typing-extensions": "4.12.2", "zope-interface": "7.0.3",
                "ruamel-yaml-clib": "0.2.8"}
    expect_equal(nb.call("parse_freeze", text), expected,
                 "parse_freeze on names with capitals, '_' and '.'", hidden=True)


@check("freeze-skip", points=1, docs=f"{DOCS}#pip-freeze",
       hint="Skip blank lines, lines starting with '#', and editable installs ('-e ...').")
def test_freeze_skips_noise(nb):
    text = ("# Editable install with no version control (tools==0.1)\n"
            "-e /home/mina/tools\n\n"
            "click==8.1.7\n"
            "## !! Could not determine repository location\n"
            "   \n"
            "-e git+https://example.org/repo.git@abc123#egg=repo\n"
            "blinker==1.8.2\n")
    expected = {"click": "8.1.7", "blinker": "1.8.2"}
    expect_equal(nb.call("parse_freeze", text), expected,
                 "parse_freeze on output with comments, blank and -e lines", hidden=True)


@check("freeze-direct-url", points=1, docs=f"{DOCS}#pip-freeze",
       hint="A line `name @ url` is a direct reference: the value is the URL.")
def test_freeze_direct_reference(nb):
    text = ("markupsafe==2.1.5\n"
            "course-tools @ file:///home/mina/wheels/course_tools-0.2-py3-none-any.whl\n"
            "numpy==2.1.1\n")
    expected = {"markupsafe": "2.1.5",
                "course-tools": "file:///home/mina/wheels/course_tools-0.2-py3-none-any.whl",
                "numpy": "2.1.1"}
    expect_equal(nb.call("parse_freeze", text), expected,
                 "parse_freeze on a `name @ url` line", hidden=True)


# --- unsatisfied -------------------------------------------------------------------------------

@check("unsatisfied-versions", points=2, docs=f"{DOCS}#requirements",
       hint="Use packaging: Requirement(line).specifier.contains(Version(installed)). "
            "Versions are not strings: 1.10 is newer than 1.9.")
def test_unsatisfied_versions(nb):
    requirements = ["flask>=3.0", "requests<2", "numpy==1.26.4", "pandas",
                    "scipy>=1.9,<2", "rich~=13.0", "urllib3!=2.2.0"]
    installed = {"flask": "3.0.3", "requests": "2.32.3", "numpy": "1.26.4",
                 "scipy": "1.10.1", "rich": "13.7.1", "urllib3": "2.2.0"}
    expected = ["requests<2", "pandas", "urllib3!=2.2.0"]
    expect_equal(nb.call("unsatisfied", requirements, installed), expected,
                 "unsatisfied(...) on a hidden requirement list", hidden=True)


@check("unsatisfied-names", points=1, docs=f"{DOCS}#requirements",
       hint="Normalise the requirement's name (PEP 503) before looking it up in `installed`.")
def test_unsatisfied_normalises_names(nb):
    requirements = ["Flask>=3", "typing_extensions>=4.0", "Zope.Interface", "Missing_Pkg>=1"]
    installed = {"flask": "3.0.3", "typing-extensions": "4.12.2", "zope-interface": "7.0.3"}
    expect_equal(nb.call("unsatisfied", requirements, installed), ["Missing_Pkg>=1"],
                 "unsatisfied(...) with names spelled differently from pip freeze", hidden=True)


@check("unsatisfied-markers", points=1, docs=f"{DOCS}#requirements",
       hint="A requirement whose environment marker is false here does not apply: "
            "skip it when `req.marker` exists and `req.marker.evaluate()` is False.")
def test_unsatisfied_markers(nb):
    requirements = ["flask>=3", 'tomli>=2; python_version < "3.0"',
                    'requests>=2; python_version >= "3.8"']
    installed = {"flask": "3.0.3"}
    expect_equal(nb.call("unsatisfied", requirements, installed),
                 ['requests>=2; python_version >= "3.8"'],
                 "unsatisfied(...) with environment markers", hidden=True)


# --- create_venv -------------------------------------------------------------------------------

@check("venv-create", points=2, docs=f"{DOCS}#create-programmatically",
       hint="venv.create(path) makes the environment; return the path of its interpreter: "
            "path/bin/python (Windows: path\\Scripts\\python.exe).")
def test_create_venv(nb):
    target = nb.workdir / f"made-by-grader-{uuid.uuid4().hex[:8]}"
    got = nb.call("create_venv", str(target), timeout=15, shown=f"create_venv({target.name!r})")
    if not isinstance(got, str):
        raise CheckFailed("create_venv must return the interpreter's path as a str",
                          expected="a str", found=got)
    python = Path(got)
    if not python.is_absolute():
        python = nb.workdir / python
    if not (target / "pyvenv.cfg").is_file():
        raise CheckFailed(f"no virtual environment was created at the given path "
                          f"({target.name}/pyvenv.cfg is missing)")
    if not python.is_file():
        raise CheckFailed("create_venv returned a path that is not a file; return the "
                          "interpreter inside the environment", found=got)
    probe = "import json, sys; print(json.dumps([sys.prefix, sys.base_prefix]))"
    try:
        out = subprocess.run([str(python), "-c", probe], capture_output=True, text=True,
                             timeout=30, env={"PATH": os.environ.get("PATH", "")}).stdout
        prefix, base = json.loads(out.strip().splitlines()[-1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError, TypeError):
        raise CheckFailed("the returned path is not a working Python interpreter",
                          found=got) from None
    if os.path.realpath(prefix) != os.path.realpath(target) or prefix == base:
        raise CheckFailed("the returned interpreter does not belong to the new environment",
                          expected=str(target), found=prefix)


# --- activation_command -----------------------------------------------------------------------

@check("activate-posix", points=1, docs=f"{DOCS}#activate",
       hint="macOS and Linux: `source DIR/bin/activate` (fish: `source DIR/bin/activate.fish`).")
def test_activate_posix(nb):
    cases = [(("linux", "bash", "env"), "source env/bin/activate"),
             (("macos", "zsh", ".venv"), "source .venv/bin/activate"),
             (("linux", "fish", "venv-3.12"), "source venv-3.12/bin/activate.fish")]
    for args, expected in cases:
        got = nb.call("activation_command", *args, shown="activation_command(...)")
        expect_equal(got, expected, "activation_command on a hidden macOS/Linux case",
                     given=args, hidden=True)


@check("activate-windows", points=1, docs=f"{DOCS}#activate",
       hint="Windows uses backslashes and a Scripts folder: cmd runs DIR\\Scripts\\activate.bat, "
            "PowerShell runs DIR\\Scripts\\Activate.ps1.")
def test_activate_windows(nb):
    cases = [(("windows", "cmd", "env"), "env\\Scripts\\activate.bat"),
             (("windows", "powershell", "my-venv"), "my-venv\\Scripts\\Activate.ps1")]
    for args, expected in cases:
        got = nb.call("activation_command", *args, shown="activation_command(...)")
        expect_equal(got, expected, "activation_command on a hidden Windows case",
                     given=args, hidden=True)


@check("activate-unknown", points=1, docs=f"{DOCS}#activate",
       hint="Raise ValueError for an operating system or shell you do not support, "
            "instead of guessing a command that will not work.")
def test_activate_rejects_unknown(nb):
    for args in [("windows", "fish", "env"), ("plan9", "rc", "env"), ("linux", "cmd", "env")]:
        reply = nb.run("activation_command", *args)
        if reply.ok or reply.error.get("type") != "ValueError":
            found = reply.value if reply.ok else reply.explain()
            raise CheckFailed("activation_command on an unsupported OS/shell should raise "
                              "ValueError", given=args, expected="ValueError", found=found,
                              hidden=True)
