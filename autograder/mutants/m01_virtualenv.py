"""Topic 01: realistic wrong solutions and adversarial submissions.

Used by the tests (each mutant must lose exactly `loses`) and by `make grade-demo`, which
builds a synthetic class from them. MUTANTS: {name: ({solution grade_id: new source}, loses)}.
ADVERSARIES: {name: (notebook code, seconds the grader may take at most)}.
"""

# Realistic wrong solutions: each replaces one solution cell and must lose exactly these checks.
MUTANTS = {
    "freeze without PEP 503 normalisation": (
        {"parse_freeze": '''
def parse_freeze(text):
    packages = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "-e")):
            continue
        sep = " @ " if " @ " in line else "=="
        name, value = line.split(sep, 1)
        packages[name.strip().lower()] = value.strip()
    return packages
'''}, {"freeze-normalise"}),
    "freeze that chokes on comments and -e lines": (
        {"parse_freeze": '''
import re
def parse_freeze(text):
    packages = {}
    for line in text.strip().splitlines():
        sep = " @ " if " @ " in line else "=="
        name, value = line.split(sep, 1)
        packages[re.sub(r"[-_.]+", "-", name).lower()] = value
    return packages
'''}, {"freeze-skip"}),
    "freeze that ignores direct references": (
        {"parse_freeze": '''
import re
def parse_freeze(text):
    packages = {}
    for line in text.splitlines():
        line = line.strip()
        if "==" in line and not line.startswith(("#", "-e")):
            name, version = line.split("==", 1)
            packages[re.sub(r"[-_.]+", "-", name).lower()] = version
    return packages
'''}, {"freeze-direct-url"}),
    "versions compared as strings": (
        {"unsatisfied": '''
import operator
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
       "==": operator.eq, "!=": operator.ne, "~=": operator.ge}
def unsatisfied(requirements, installed):
    missing = []
    for line in requirements:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate():
            continue
        version = installed.get(canonicalize_name(req.name))
        if version is None or not all(OPS[s.operator](version, s.version) for s in req.specifier):
            missing.append(line)
    return missing
'''}, {"unsatisfied-versions"}),
    "markers ignored": (
        {"unsatisfied": '''
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
def unsatisfied(requirements, installed):
    missing = []
    for line in requirements:
        req = Requirement(line)
        version = installed.get(canonicalize_name(req.name))
        if version is None or not req.specifier.contains(Version(version), prereleases=True):
            missing.append(line)
    return missing
'''}, {"unsatisfied-markers"}),
    "names looked up without normalising": (
        {"unsatisfied": '''
from packaging.requirements import Requirement
from packaging.version import Version
def unsatisfied(requirements, installed):
    missing = []
    for line in requirements:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate():
            continue
        version = installed.get(req.name)
        if version is None or not req.specifier.contains(Version(version), prereleases=True):
            missing.append(line)
    return missing
'''}, {"unsatisfied-names"}),
    "forward slashes on Windows (the lecture notes' slip)": (
        {"activation_command": '''
def activation_command(os_name, shell, venv_dir=".venv"):
    if os_name in ("linux", "macos") and shell in ("bash", "zsh"):
        return f"source {venv_dir}/bin/activate"
    if os_name in ("linux", "macos") and shell == "fish":
        return f"source {venv_dir}/bin/activate.fish"
    if os_name == "windows" and shell == "cmd":
        return f"./{venv_dir}/Scripts/activate.bat"
    if os_name == "windows" and shell == "powershell":
        return f"./{venv_dir}/Scripts/Activate.ps1"
    raise ValueError(shell)
'''}, {"activate-windows"}),
    "a guess instead of an error for unknown shells": (
        {"activation_command": '''
def activation_command(os_name, shell, venv_dir=".venv"):
    if os_name == "windows":
        if shell == "powershell":
            return f"{venv_dir}\\\\Scripts\\\\Activate.ps1"
        return f"{venv_dir}\\\\Scripts\\\\activate.bat"
    if shell == "fish":
        return f"source {venv_dir}/bin/activate.fish"
    return f"source {venv_dir}/bin/activate"
'''}, {"activate-unknown"}),
    "returns the environment folder, not its interpreter": (
        {"create_venv": '''
import venv
def create_venv(path):
    venv.create(path, with_pip=False)
    return str(path)
'''}, {"venv-create"}),
    "only looks at the running interpreter": (
        {"in_virtualenv": '''
import sys
def in_virtualenv(prefix=None, base_prefix=None):
    return sys.prefix != sys.base_prefix
'''}, {"venv-detect"}),
}



# Adversarial submissions: none may earn a point, crash the grader or hang it.
ALL_FUNCS = ["in_virtualenv", "parse_freeze", "unsatisfied", "create_venv", "activation_command"]


def every_function(body: str) -> str:
    return "\n".join(f"def {name}(*args, **kwargs):\n    {body}\n" for name in ALL_FUNCS)


ADVERSARIES = {
    "infinite loop in every function": ("import time\n" + every_function("while True: pass"), 30),
    "infinite loop while loading": ("while True:\n    pass\n" + every_function("return None"), 20),
    "sys.exit(0) in every function": ("import sys\n" + every_function("sys.exit(0)"), 20),
    "os._exit(0) in every function": ("import os\n" + every_function("os._exit(0)"), 30),
    "os._exit(0) while loading": ("import os\nos._exit(0)\n" + every_function("return True"), 20),
    "objects that equal everything": ('''
class Anything(dict):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __hash__(self): return 0
class Truthy(str):
    def __eq__(self, other): return True
''' + every_function("return Anything()").replace(
        "def activation_command(*args, **kwargs):\n    return Anything()",
        "def activation_command(*args, **kwargs):\n    return Truthy('x')"), 20),
    "monkeypatching pytest and the grader": ('''
import sys, pytest, autograder.checking, autograder.runner, autograder.results
pytest.main = lambda *a, **k: 0
autograder.checking.expect_equal = lambda *a, **k: None
autograder.runner.grade_topic = lambda *a, **k: None
autograder.results.CheckResult.passed = True
''' + every_function("return None"), 20),
    "fake result files and forged replies": ('''
import json, os, pathlib
fake = {"score": 15, "max": 15, "passed": True}
for place in [pathlib.Path.cwd(), pathlib.Path.cwd().parent, pathlib.Path("/tmp")]:
    try:
        (place / "results.json").write_text(json.dumps(fake))
        (place / "week4-results.json").write_text(json.dumps(fake))
    except OSError:
        pass
# write guessed replies on every open file descriptor, hoping one is the reply pipe
for fd in range(3, 64):
    for i in range(1, 40):
        try:
            os.write(fd, (json.dumps({"id": i, "ok": True, "value": True}) + "\\n").encode())
        except OSError:
            break
''' + every_function("return True"), 20),
}


# Real-world shapes graded in process (tests/test_fair_checks.py): {name: ({grade_id: source},
# the checks it must lose)}. venv-create needs a sandbox and is left out there.
FAIR = {
    # A submission that refuses everything: an error-path check must not pay for it.
    "every function raises ValueError": ({
        "in_virtualenv": "def in_virtualenv(prefix=None, base_prefix=None):\n"
                         "    raise ValueError(prefix)\n",
        "parse_freeze": "def parse_freeze(text):\n    raise ValueError(text)\n",
        "unsatisfied": "def unsatisfied(requirements, installed):\n"
                       "    raise ValueError(requirements)\n",
        "activation_command": "def activation_command(os_name, shell, venv_dir='.venv'):\n"
                              "    raise ValueError(f'{shell} on {os_name}')\n"},
        {"venv-detect", "freeze-pins", "freeze-normalise", "freeze-skip", "freeze-direct-url",
         "unsatisfied-versions", "unsatisfied-names", "unsatisfied-markers", "activate-posix",
         "activate-windows", "activate-unknown"}),
    # Only activation raises: everything else is right, and activate-unknown is not earned.
    "activation_command raises ValueError for every shell": ({
        "activation_command": "def activation_command(os_name, shell, venv_dir='.venv'):\n"
                              "    raise ValueError(f'unsupported: {shell} on {os_name}')\n"},
        {"activate-posix", "activate-windows", "activate-unknown"}),
}
