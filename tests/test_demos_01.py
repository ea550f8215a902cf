"""The code the docs show for topic 01 and the site's foundation pages, run for real.

Every file in week4/demos/ that a page includes is run here (Python through a subprocess, the
shell script through bash) or, for commands that cannot run on this machine (Windows, fish),
compared with the topic's reference solution. Example outputs the docs print are regenerated
and compared; refresh them after a deliberate change with

    .venv/bin/python tests/test_demos_01.py --regen
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from helpers import EXERCISES, mutate, week4
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from autograder.mutants.m01_virtualenv import MUTANTS

ROOT = Path(__file__).resolve().parent.parent
DEMOS = ROOT / "week4" / "demos"
TOPIC = "01-virtualenv"
SOLUTION = ROOT / "solutions" / TOPIC / f"{TOPIC}.ipynb"

# What the docs may include from week4/demos/, and the test that vouches for each file.
COVERED = {
    "venv_info.py": "test_venv_info_inside_the_course_venv",
    "load_data.py": "test_load_data_prints_shape_missing_values_and_the_leak",
    "venv_versions.pycon": "test_packaging_session_gives_the_shown_answers",
    "venv_create.py": "test_venv_create_makes_an_environment_with_its_own_prefix",
    "venv_commands.sh": "test_venv_commands_script_runs_offline",
    "venv_commands.fish": "test_fish_commands_match_the_reference_and_the_bash_script",
    "venv_commands.bat": "test_windows_commands_match_the_reference_solution",
    "venv_commands.ps1": "test_windows_commands_match_the_reference_solution",
    "venv_setup.bat": "test_windows_setup_installs_what_make_setup_installs",
    "venv_setup.ps1": "test_windows_setup_installs_what_make_setup_installs",
    "venv_requirements.txt": "test_requirements_example_is_valid_and_fits_the_course_env",
    "venv_freeze_example.txt": "test_freeze_example_has_the_shape_pip_freeze_prints",
    "scoreboard_01.txt": "test_scoreboard_example_is_current",
    "scoreboard_01.ko.txt": "test_scoreboard_example_is_current",
    "check_01.json": "test_json_example_is_current",
}


def run(args, *, env=None, timeout=600, cwd=ROOT) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=timeout, check=False)
    assert proc.returncode == 0, f"{args} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    return proc


def outside_any_venv() -> dict:
    """Our environment as a fresh terminal would have it: no venv active, base Python first."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT", "PYTHONHOME", "PYTHONPATH")}
    keep = [p for p in env.get("PATH", "").split(os.pathsep)
            if p and not (Path(p).parent / "pyvenv.cfg").exists()]
    env["PATH"] = os.pathsep.join([str(Path(sys.base_prefix) / "bin"), *keep])
    return env


def base_python() -> Path:
    """The interpreter the course venv was made from (outside any virtual environment)."""
    return Path(sys._base_executable)


# --- week4/demos/venv_info.py -------------------------------------------------------------

def info(python) -> dict[str, str]:
    env = outside_any_venv()
    out = run([python, DEMOS / "venv_info.py"], env=env).stdout
    return dict(line.split(":", 1) for line in out.splitlines())


def test_venv_info_inside_the_course_venv():
    got = {k: v.strip() for k, v in info(sys.executable).items()}
    assert got["in a venv"] == "True"
    assert Path(got["prefix"]) == Path(sys.prefix)
    assert Path(got["base_prefix"]) == Path(sys.base_prefix)
    # Running the venv's interpreter directly works without activation.
    assert got["VIRTUAL_ENV"] == "(not set)"


def test_venv_info_outside_any_venv():
    got = {k: v.strip() for k, v in info(base_python()).items()}
    assert got["in a venv"] == "False"
    assert got["prefix"] == got["base_prefix"]


# --- week4/demos/load_data.py -------------------------------------------------------------

def test_load_data_prints_shape_missing_values_and_the_leak():
    out = run([sys.executable, DEMOS / "load_data.py"]).stdout
    assert "shape: (1309, 14)" in out
    missing = dict(re.findall(r"^(\S+)\s+(\d+)$", out.split("missing values:")[1]
                              .split("survival rate")[0], re.MULTILINE))
    assert missing == {"age": "263", "fare": "1", "cabin": "1014", "embarked": "2",
                       "boat": "823", "body": "1188", "home.dest": "564"}
    leak = out.split("survival rate by 'has a lifeboat':")[1]
    assert re.search(r"^False\s+0\.028$", leak, re.MULTILINE) and re.search(r"^True\s+0\.981$", leak, re.MULTILINE)


# --- week4/demos/venv_versions.pycon --------------------------------------------------------

def test_packaging_session_gives_the_shown_answers():
    proc = run([sys.executable, "-m", "doctest", "-v", DEMOS / "venv_versions.pycon"])
    assert "0 failed" in proc.stdout


# --- week4/demos/venv_create.py -------------------------------------------------------------

def test_venv_create_makes_an_environment_with_its_own_prefix():
    out = run([sys.executable, DEMOS / "venv_create.py"], timeout=120).stdout
    cfg = dict(line.split(" = ", 1) for line in out.splitlines() if " = " in line)
    assert cfg["include-system-site-packages"] == "false"
    assert cfg["version"] == ".".join(map(str, sys.version_info[:3]))
    assert Path(cfg["home"]).resolve() == Path(sys._base_executable).parent.resolve()
    python = re.search(r"^the new interpreter: (.+)$", out, re.MULTILINE)[1]
    flag, prefix = re.search(r"^in a venv, prefix: (\S+) (.+)$", out, re.MULTILINE).groups()
    assert flag == "True"
    assert Path(python).parent.parent == Path(prefix)
    assert Path(prefix).name == "demo-env"


# --- week4/demos/venv_commands.sh ----------------------------------------------------------

def requirement_closure(name: str) -> dict[str, importlib.metadata.Distribution]:
    """The installed distribution `name` and everything it needs here, by canonical name."""
    todo, found = [name], {}
    while todo:
        dist = importlib.metadata.distribution(todo.pop())
        key = canonicalize_name(dist.metadata["Name"])
        if key in found:
            continue
        found[key] = dist
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return found


def repack(dist: importlib.metadata.Distribution, into: Path) -> Path:
    """Zip an installed distribution back into a wheel, so pip can install it offline."""
    info_dir = next(f.parts[0] for f in dist.files if f.parts[0].endswith(".dist-info"))
    tag = next(line.split(":", 1)[1].strip() for line in dist.read_text("WHEEL").splitlines()
               if line.startswith("Tag:"))
    name = canonicalize_name(dist.metadata["Name"]).replace("-", "_")
    path = into / f"{name}-{dist.version}-{tag}.whl"
    records = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for file in dist.files:
            if file.parts[0] == ".." or "__pycache__" in file.parts:
                continue  # console scripts and bytecode: pip makes its own
            if file.parts[0] == info_dir and file.name in {"RECORD", "INSTALLER", "REQUESTED",
                                                           "direct_url.json"}:
                continue  # written by the installer, not part of a wheel
            data = Path(dist.locate_file(file)).read_bytes()
            wheel.writestr(file.as_posix(), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            records.append(f"{file.as_posix()},sha256={digest.decode()},{len(data)}")
        wheel.writestr(f"{info_dir}/RECORD", "\n".join([*records, f"{info_dir}/RECORD,,"]) + "\n")
    return path


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory) -> Path:
    """Flask and its dependencies as wheels, rebuilt from the course venv: no network needed."""
    folder = tmp_path_factory.mktemp("wheelhouse")
    for dist in requirement_closure("flask").values():
        repack(dist, folder)
    return folder


def test_venv_commands_script_runs_offline(wheelhouse):
    env = outside_any_venv() | {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse),
                                "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    out = run(["bash", DEMOS / "venv_commands.sh"], env=env, timeout=240).stdout
    lines = out.splitlines()

    # After `source .venv/bin/activate`, `python` is the environment's own interpreter.
    which = next(i for i, line in enumerate(lines) if line.endswith("/.venv/bin/python"))
    venv_dir = Path(lines[which]).parent.parent
    assert lines[which + 1] == str(venv_dir), "sys.prefix should be the .venv folder"

    # pip freeze pins Flask and everything it pulled in, with exact versions.
    pins = dict(re.findall(r"^([A-Za-z0-9._-]+)==(\S+)$", out, re.MULTILINE))
    expected = {key: dist.version for key, dist in requirement_closure("flask").items()}
    assert {canonicalize_name(k): v for k, v in pins.items()} == expected
    assert len(pins) == 7, "docs/topics/01-virtualenv.md#pip-freeze says Flask gives seven lines"

    # After `deactivate`, python3 comes from outside the environment again.
    after = next(line for line in lines if line.endswith("/python3"))
    assert not after.startswith(str(venv_dir.parent))

    # A second environment built from requirements.txt has exactly the same packages.
    assert "same packages, same versions" in lines


# --- fish and Windows: compared with the topic's reference solution ------------------------

REFERENCE = r"""
import json, sys
nb = json.load(open(sys.argv[1], encoding="utf-8"))
ns = {}
for cell in nb["cells"]:
    if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") in ("imports", "activation_command"):
        src = cell["source"]
        exec("".join(src) if isinstance(src, list) else src, ns)
print(json.dumps([ns["activation_command"](*case) for case in json.loads(sys.argv[2])]))
"""


def reference_activation(*cases: tuple[str, str, str]) -> list[str]:
    """activation_command(...) of the solution notebook, run in a separate process."""
    proc = run([sys.executable, "-c", REFERENCE, SOLUTION, json.dumps(cases)])
    return json.loads(proc.stdout)


def lines_of(name: str) -> list[str]:
    return (DEMOS / name).read_text(encoding="utf-8").splitlines()


def bash_commands() -> set[str]:
    return {line for line in lines_of("venv_commands.sh") if line and not line.startswith("#")}


def test_fish_commands_match_the_reference_and_the_bash_script(tmp_path):
    [activate] = reference_activation(("linux", "fish", ".venv"))
    fish = lines_of("venv_commands.fish")
    assert activate in fish
    # Everything else is typed exactly as in bash, which test_venv_commands... runs.
    assert set(fish) - {activate} <= bash_commands()
    # The script the command names is one that venv really writes.
    venv.create(tmp_path / ".venv", with_pip=False)
    assert (tmp_path / activate.split()[1]).is_file()
    if shutil.which("fish"):
        run(["fish", "-c", f"cd {tmp_path}; {activate}; and test -n \"$VIRTUAL_ENV\""])


def test_windows_commands_match_the_reference_solution():
    cmd, powershell = reference_activation(("windows", "cmd", ".venv"),
                                           ("windows", "powershell", ".venv"))
    assert cmd == ".venv\\Scripts\\activate.bat"  # the notes' ./venv/Scripts/... is wrong
    assert powershell == ".venv\\Scripts\\Activate.ps1"
    common = ["py -m venv .venv", "python -m pip install flask",
              "python -m pip freeze > requirements.txt", "deactivate"]
    assert lines_of("venv_commands.bat") == [common[0], cmd, "where python", *common[1:]]
    assert lines_of("venv_commands.ps1") == [common[0], powershell, "(Get-Command python).Source",
                                             *common[1:]]
    # pip, freeze and deactivate are typed the same everywhere: bash runs them for real.
    assert set(common[1:]) <= bash_commands()


def makefile_recipe(target: str) -> str:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", text, re.MULTILINE)
    assert match, f"no rule for {target} in the Makefile"
    return match[1]


def test_windows_setup_installs_what_make_setup_installs():
    cmd, powershell = reference_activation(("windows", "cmd", ".venv"),
                                           ("windows", "powershell", ".venv"))
    extras = re.search(r"pip install --quiet -e '([^']+)'", makefile_recipe("$(VENV)/.student"))[1]
    lab = re.search(r"\$\(BIN\)/(python -m week4.lab .*)", makefile_recipe("lab"))[1].strip()
    for name, activate in (("venv_setup.bat", cmd), ("venv_setup.ps1", powershell)):
        assert lines_of(name) == ["py -m venv .venv", activate,
                                  f'python -m pip install -e "{extras}"', lab], name


# --- requirements and freeze examples -------------------------------------------------------

def requirement_lines(name: str) -> list[str]:
    """The requirement lines of a requirements file, comments removed as pip removes them."""
    lines = (re.sub(r"(^|\s)#.*$", "", line).strip() for line in lines_of(name))
    return [line for line in lines if line]


def test_requirements_example_is_valid_and_fits_the_course_env():
    reqs = [Requirement(line) for line in requirement_lines("venv_requirements.txt")]
    assert any(r.marker for r in reqs) and any(len(r.specifier) > 1 for r in reqs)
    for req in reqs:
        if req.marker is not None and not req.marker.evaluate():
            continue
        installed = importlib.metadata.version(req.name)
        assert req.specifier.contains(Version(installed), prereleases=True), (req, installed)


def test_freeze_example_has_the_shape_pip_freeze_prints():
    names, previous = [], ""
    for line in lines_of("venv_freeze_example.txt"):
        if line.startswith("-e "):
            # An editable install: pip names it in the comment line just above.
            names.append(re.fullmatch(r"# Editable install .*\((\S+)==\S+\)", previous)[1])
        elif not line.startswith("#"):
            req = Requirement(line)
            assert req.url or (len(req.specifier) == 1
                               and next(iter(req.specifier)).operator == "=="), line
            names.append(req.name)
        previous = line
    # pip freeze sorts by name, ignoring case.
    assert names == sorted(names, key=lambda n: canonicalize_name(n))


# --- example outputs in docs/grading.md and docs/reference/cli.md ---------------------------

def exercise_cell(grade_id: str) -> str:
    """A cell as the released exercise has it (a student who has not started yet)."""
    nb = json.loads((EXERCISES / TOPIC / f"{TOPIC}.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    raise KeyError(grade_id)


def example_outputs(folder: Path) -> dict[str, str]:
    """What `week4 check` prints for a half-done notebook: one topic not started, one slip.
    It runs where a student would, with the notebook in `exercises/`, in both languages."""
    guess, _ = MUTANTS["a guess instead of an error for unknown shells"]
    mutate(TOPIC, guess | {"unsatisfied": exercise_cell("unsatisfied")}, folder / "exercises")
    outputs = {}
    for name, lang in (("scoreboard_01.txt", "en"), ("scoreboard_01.ko.txt", "ko")):
        board = week4("check", TOPIC, "--submission", "exercises", "--lang", lang, cwd=folder)
        assert board.returncode == 0, board.stderr
        outputs[name] = board.stdout
    data = week4("check", TOPIC, "--submission", "exercises", "--json", cwd=folder)
    assert data.returncode == 0, data.stderr
    outputs["check_01.json"] = data.stdout
    return outputs


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, str]:
    return example_outputs(tmp_path_factory.mktemp("half-done"))


STALE = "is out of date: run '.venv/bin/python tests/test_demos_01.py --regen' and review the diff"


@pytest.mark.parametrize("name", ["scoreboard_01.txt", "scoreboard_01.ko.txt"])
def test_scoreboard_example_is_current(outputs, name):
    assert (DEMOS / name).read_text() == outputs[name], f"week4/demos/{name} {STALE}"
    assert "[FAIL] activate-unknown" in outputs[name]


def test_json_example_is_current(outputs):
    assert (DEMOS / "check_01.json").read_text() == outputs["check_01.json"], \
        f"week4/demos/check_01.json {STALE}"
    data = json.loads(outputs["check_01.json"])
    assert set(data) == {"score", "max", "topics"}
    check = data["topics"][TOPIC]["checks"][0]
    assert set(check) == {"id", "points", "max", "passed", "message", "hint", "docs"}


if __name__ == "__main__" and sys.argv[1:] == ["--regen"]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for name, text in example_outputs(Path(tmp)).items():
            (DEMOS / name).write_text(text)
            print(f"wrote week4/demos/{name}")
