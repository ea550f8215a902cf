"""Checks for topic 01: virtual environments.

Inputs marked hidden=True never appear in the notebook, so hard-coding the notebook's
examples does not pass. Each check isolates one rule, so one mistake costs only its points.

Practice mode (no key) uses the fixed inputs written below. Grading mode draws every input
from `nb.inputs.rng(check id)` within this space (see `gen_*`):

- package names: 1-3 parts of letters and digits joined by '-', '_' or '.' (runs of them
  too), in random case; versions: 1-3 numbers, with a part >= 10 where string order lies;
- requirement specifiers: ==, !=, >=, <=, <, >, ~= and ranges, satisfied or not at random,
  always at least one of each kind; markers on python_version, os_name and
  platform_python_implementation, true and false ones;
- venv paths and folder names: random words, POSIX and Windows style;
- shells and operating systems: the supported pairs, and unsupported ones (with supported
  ones as a control, in both modes, so that raising ValueError for everything does not pass).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import random
import re
import string

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from autograder.jail import Jail
from autograder.jail import run as run_jailed
from autograder.sandbox import child_env
from autograder.checking import N_, CheckFailed, check, expect_equal, messages

TOPIC = "01-virtualenv"
_ = messages(TOPIC)
DOCS = "docs/topics/01-virtualenv.md"

# Every function here answers in milliseconds (create_venv in seconds at most).
CALL_TIMEOUT = 3
LOAD_TIMEOUT = 10
BUDGET = 20


# --- grading-mode input generators (trusted: they run in the grader) -----------------------

WORDS = ["shop", "mina", "proj", "data", "lab", "api", "jun", "seoul", "venv", "env", "work",
         "ml", "tools", "site", "core", "py", "blue", "kiwi", "zeta", "omega"]


def word(rng: random.Random) -> str:
    return rng.choice(WORDS) + ("" if rng.random() < 0.5 else str(rng.randrange(2, 99)))


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def gen_name(rng: random.Random, messy: bool = False) -> str:
    """A distribution name; `messy`: capitals and '_' / '.' runs that PEP 503 folds."""
    parts = [rng.choice(string.ascii_lowercase) + "".join(
        rng.choice(string.ascii_lowercase + string.digits) for _ in range(rng.randrange(2, 8)))
        for _ in range(rng.randrange(1, 4) if not messy else rng.randrange(2, 4))]
    if not messy:
        return "-".join(parts)
    seps = [rng.choice(["_", ".", "-_", "__", "._", "-"]) for _ in parts[1:]]
    if all(s == "-" for s in seps):
        seps[0] = "_"
    name = parts[0] + "".join(sep + part for sep, part in zip(seps, parts[1:]))
    name = "".join(c.upper() if rng.random() < 0.4 else c for c in name)
    return name[0].upper() + name[1:]


def gen_version(rng: random.Random) -> str:
    return ".".join(str(rng.randrange(0, 30)) for _ in range(rng.randrange(1, 4)))


def unique_names(rng: random.Random, count: int, messy: bool = False) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = gen_name(rng, messy)
        if canonical(name) not in {canonical(n) for n in names}:
            names.append(name)
    return names


def pin_lines(rng: random.Random, count: int, messy: bool = False) -> tuple[list[str], dict]:
    names = unique_names(rng, count, messy)
    pins = {n: gen_version(rng) for n in names}
    return [f"{n}=={v}" for n, v in pins.items()], {canonical(n): v for n, v in pins.items()}


def freeze_pins(rng):
    lines, expected = pin_lines(rng, rng.randrange(3, 7))
    return "\n".join(lines) + "\n", expected


def freeze_messy(rng):
    lines, expected = pin_lines(rng, rng.randrange(3, 7), messy=True)
    return "\n".join(lines) + "\n", expected


def freeze_noise(rng):
    lines, expected = pin_lines(rng, rng.randrange(2, 5))
    noise = [f"# Editable install with no version control ({gen_name(rng)}=={gen_version(rng)})",
             f"-e /home/{word(rng)}/{word(rng)}", "", "   ", f"## !! {word(rng)} {word(rng)}",
             f"-e git+https://example.org/{word(rng)}.git@{rng.randrange(16**6):06x}"
             f"#egg={gen_name(rng)}"]
    chosen = rng.sample(noise, rng.randrange(3, len(noise) + 1))
    if not any(line.startswith("-e") for line in chosen):
        chosen.append(noise[1])
    mixed = lines + chosen
    rng.shuffle(mixed)
    return "\n".join(mixed) + "\n", expected


def freeze_urls(rng):
    count = rng.randrange(2, 5)
    urls = rng.randrange(1, 3)
    names = unique_names(rng, count + urls)
    pins = {n: gen_version(rng) for n in names[:count]}
    lines = [f"{n}=={v}" for n, v in pins.items()]
    expected = {canonical(n): v for n, v in pins.items()}
    for name in names[count:]:
        url = rng.choice([f"file:///home/{word(rng)}/wheels/{name.replace('-', '_')}-"
                          f"{gen_version(rng)}-py3-none-any.whl",
                          f"https://example.org/{word(rng)}/{name}.tar.gz",
                          f"git+https://example.org/{word(rng)}/{name}.git@v{gen_version(rng)}"])
        lines.insert(rng.randrange(len(lines) + 1), f"{name} @ {url}")
        expected[canonical(name)] = url
    return "\n".join(lines) + "\n", expected


def spec_for(rng: random.Random, installed: str, satisfied: bool) -> str:
    """A specifier that `installed` satisfies or not, as asked."""
    v = Version(installed)
    candidates = []
    for _attempt in range(40):
        op = rng.choice(["==", "!=", ">=", "<=", "<", ">", "~=", "range"])
        other = gen_version(rng) if rng.random() < 0.5 else ".".join(
            str(max(0, int(p) + rng.randrange(-2, 3))) for p in installed.split("."))
        if op == "~=" and "." not in other:
            other += ".0"
        if op == "==" and rng.random() < 0.5:
            other = installed
        spec = f">={other},<{gen_version(rng)}" if op == "range" else f"{op}{other}"
        try:
            ok = SpecifierSet(spec).contains(v, prereleases=True)
        except Exception:
            continue
        if ok == satisfied:
            return spec
        candidates.append(spec)
    return f"=={installed}" if satisfied else f"!={installed}"


def gen_unsatisfied(rng: random.Random):
    """(requirements, installed, expected) for the versions check."""
    names = unique_names(rng, rng.randrange(6, 9))
    installed, requirements, expected = {}, [], []
    # the trap of comparing versions as strings: 1.10 is newer than 1.9
    major, minor = rng.randrange(0, 9), rng.randrange(10, 19)
    trap = names.pop()
    installed[trap] = f"{major}.{minor}.{rng.randrange(0, 9)}"
    requirements.append(f"{trap}>={major}.{rng.randrange(2, 10)}")
    missing = names.pop()  # not installed at all
    line = missing + (rng.choice(["", f">={gen_version(rng)}"]))
    requirements.append(line)
    expected.append(line)
    for index, name in enumerate(names):
        version = gen_version(rng)
        installed[name] = version
        satisfied = index % 2 == 0 if index < 2 else rng.random() < 0.5
        line = f"{name}{spec_for(rng, version, satisfied)}"
        requirements.append(line)
        if not satisfied:
            expected.append(line)
    order = list(range(len(requirements)))
    rng.shuffle(order)
    requirements = [requirements[i] for i in order]
    expected = [r for r in requirements if r in expected]
    return requirements, installed, expected


def gen_unsatisfied_names(rng: random.Random):
    names = unique_names(rng, rng.randrange(3, 6), messy=True)
    missing = unique_names(rng, 1, messy=True)[0]
    while canonical(missing) in {canonical(n) for n in names}:
        missing = gen_name(rng, messy=True)
    installed = {}
    requirements = []
    for name in names:
        version = gen_version(rng)
        installed[canonical(name)] = version
        requirements.append(name + rng.choice(["", f"=={version}", f">={version}"]))
    line = missing + rng.choice(["", f">={gen_version(rng)}"])
    requirements.insert(rng.randrange(len(requirements) + 1), line)
    return requirements, installed, [line]


FALSE_MARKERS = ['python_version < "3.0"', 'python_version < "2.7"', 'python_version <= "3.5"',
                 'platform_python_implementation == "Jython"',
                 'platform_python_implementation == "IronPython"', 'python_version >= "4"']
TRUE_MARKERS = ['python_version >= "3.8"', 'python_version > "3"',
                'platform_python_implementation != "Jython"', 'python_version >= "3.6"']


def gen_markers(rng: random.Random):
    markers = [m for m in FALSE_MARKERS + TRUE_MARKERS + ['os_name == "nt"', 'os_name != "nt"']]
    names = unique_names(rng, rng.randrange(4, 7))
    installed, requirements, expected = {}, [], []
    # at least one unmet requirement whose marker is false, and one whose marker is true
    plan = [False, True] + [rng.random() < 0.5 for _ in names[2:]]
    for index, (name, marker_true) in enumerate(zip(names, plan)):
        pool = [m for m in markers if Marker(m).evaluate() == marker_true]
        version = gen_version(rng)
        line = f"{name}>={version}; {rng.choice(pool)}"
        met = index >= 2 and rng.random() < 0.4
        if met:
            installed[name] = version
        requirements.append(line)
        if marker_true and not met:
            expected.append(line)
    return requirements, installed, expected


def folder(rng: random.Random) -> str:
    return rng.choice([".venv", "venv", "env", ".env"]) if rng.random() < 0.3 else \
        rng.choice(["", "."]) + "-".join(word(rng) for _ in range(rng.randrange(1, 3)))


def posix_cases(rng: random.Random) -> list:
    cases = []
    for os_name, shell in rng.sample([(o, s) for o in ("linux", "macos")
                                      for s in ("bash", "zsh", "fish")], 3):
        d = folder(rng)
        cases.append(((os_name, shell, d),
                      f"source {d}/bin/activate" + (".fish" if shell == "fish" else "")))
    return cases


def windows_cases(rng: random.Random) -> list:
    cases = []
    for shell in rng.sample(["cmd", "powershell", "cmd", "powershell"], 3):
        d = folder(rng)
        cases.append((("windows", shell, d), d + ("\\Scripts\\activate.bat" if shell == "cmd"
                                                  else "\\Scripts\\Activate.ps1")))
    return cases


def unknown_cases(rng: random.Random) -> list:
    unsupported = [("windows", "fish"), ("windows", "bash"), ("windows", "zsh"),
                   ("linux", "cmd"), ("macos", "powershell"), ("plan9", "rc"),
                   ("freebsd", "tcsh"), ("linux", "nushell"), ("dos", "cmd"), ("haiku", "bash")]
    return [(os_name, shell, folder(rng)) for os_name, shell in rng.sample(unsupported, 3)]


def venv_pairs(rng: random.Random) -> list:
    cases = []
    for index in range(rng.randrange(4, 7)):
        windows = rng.random() < 0.3
        user = word(rng)
        base = (f"C:\\Python3{rng.randrange(8, 14)}" if windows else
                rng.choice(["/usr", "/usr/local", f"/opt/python3.{rng.randrange(8, 14)}",
                            f"/home/{user}/.pyenv/versions/3.{rng.randrange(8, 14)}"]))
        inside = index % 2 == 0 if index < 2 else rng.random() < 0.5
        if inside:
            prefix = (f"C:\\Users\\{user}\\{word(rng)}\\{folder(rng)}" if windows else
                      f"/home/{user}/{word(rng)}/{folder(rng)}")
        else:
            prefix = base
        cases.append(((prefix, base), inside))
    return cases


# --- in_virtualenv -------------------------------------------------------------------------

@check("venv-detect", points=2, docs=f"{DOCS}#detect",
       hint=N_("A virtual environment has its own `sys.prefix` while its `sys.base_prefix` "
               "still points at the Python it was made from: how do the two compare inside and "
               "outside an environment? With no arguments, describe the Python that is running."),
       code=N_("Fill a missing argument from `sys.prefix` or `sys.base_prefix`, then return "
               "`prefix != base_prefix`."))
def test_detect_virtualenv(nb):
    cases = [
        (("/srv/shop/env", "/usr/local"), True),
        (("/usr", "/usr"), False),
        (("C:\\Users\\mina\\proj\\.venv", "C:\\Python312"), True),
        (("/home/venv-fan/python3.12", "/home/venv-fan/python3.12"), False),
    ] if nb.inputs.practice else venv_pairs(nb.inputs.rng("venv-detect"))
    for (prefix, base), expected in cases:
        got = nb.call("in_virtualenv", prefix, base, shown="in_virtualenv(prefix, base_prefix)")
        expect_equal(got, expected, _("{call} on a hidden pair").format(
                         call="in_virtualenv(prefix, base_prefix)"),
                     given=(prefix, base), hidden=True)
    # With no arguments it describes the running Python: the child runs the grader's own
    # interpreter, so the grader knows the right answer.
    got = nb.call("in_virtualenv", shown="in_virtualenv()")
    expect_equal(got, sys.prefix != sys.base_prefix,
                 _("{call} for the Python that runs the grader").format(call="in_virtualenv()"))


# --- parse_freeze ----------------------------------------------------------------------------

@check("freeze-pins", points=1, docs=f"{DOCS}#pip-freeze",
       hint=N_("What does one line of `pip freeze` hold, and where does the name end and the "
               "version begin?"),
       code=N_("Each line is `name==version`: split it once at '==' "
               "(`name, version = line.split('==', 1)`)."))
def test_freeze_pins(nb):
    text = "flask==3.0.3\nitsdangerous==2.2.0\nwerkzeug==3.0.4\n"
    expected = {"flask": "3.0.3", "itsdangerous": "2.2.0", "werkzeug": "3.0.4"}
    if nb.inputs.grading:
        text, expected = freeze_pins(nb.inputs.rng("freeze-pins"))
    expect_equal(nb.call("parse_freeze", text), expected,
                 _("{name} on three pins").format(name="parse_freeze"), hidden=True)


@check("freeze-normalise", points=1, docs=f"{DOCS}#pip-freeze",
       hint=N_("pip treats names that differ only in capitals and separators as one package: "
               "read how PEP 503 normalises a name."),
       code=N_("Lower-case the name and replace every run of '-', '_' and '.' with a single "
               "'-': `re.sub(r'[-_.]+', '-', name).lower()`."))
def test_freeze_normalises_names(nb):
    text = "Jinja2==3.1.4\nTyping_Extensions==4.12.2\nzope.interface==7.0.3\nruamel.yaml.clib==0.2.8\n"
    expected = {"jinja2": "3.1.4", "typing-extensions": "4.12.2", "zope-interface": "7.0.3",
                "ruamel-yaml-clib": "0.2.8"}
    if nb.inputs.grading:
        text, expected = freeze_messy(nb.inputs.rng("freeze-normalise"))
    expect_equal(nb.call("parse_freeze", text), expected,
                 _("{name} on names with capitals, '_' and '.'").format(name="parse_freeze"),
                 hidden=True)


@check("freeze-skip", points=1, docs=f"{DOCS}#pip-freeze",
       hint=N_("Real `pip freeze` output holds more than pins: which kinds of lines (comments, "
               "blank lines, editable installs) have no version to report?"),
       code=N_("Strip each line and skip it when it is empty or starts with '#' or '-e' "
               "(`line.startswith(('#', '-e'))`)."))
def test_freeze_skips_noise(nb):
    text = ("# Editable install with no version control (tools==0.1)\n"
            "-e /home/mina/tools\n\n"
            "click==8.1.7\n"
            "## !! Could not determine repository location\n"
            "   \n"
            "-e git+https://example.org/repo.git@abc123#egg=repo\n"
            "blinker==1.8.2\n")
    expected = {"click": "8.1.7", "blinker": "1.8.2"}
    if nb.inputs.grading:
        text, expected = freeze_noise(nb.inputs.rng("freeze-skip"))
    expect_equal(nb.call("parse_freeze", text), expected,
                 _("{name} on output with comments, blank and -e lines").format(
                     name="parse_freeze"), hidden=True)


@check("freeze-direct-url", points=1, docs=f"{DOCS}#pip-freeze",
       hint=N_("A package installed from a file or a URL is a direct reference, not a pin: "
               "what does its line look like, and what then takes the place of the version?"),
       code=N_("A line `name @ url` is split once at ' @ ' "
               "(`name, value = line.split(' @ ', 1)`): the value is the URL."))
def test_freeze_direct_reference(nb):
    text = ("markupsafe==2.1.5\n"
            "course-tools @ file:///home/mina/wheels/course_tools-0.2-py3-none-any.whl\n"
            "numpy==2.1.1\n")
    expected = {"markupsafe": "2.1.5",
                "course-tools": "file:///home/mina/wheels/course_tools-0.2-py3-none-any.whl",
                "numpy": "2.1.1"}
    if nb.inputs.grading:
        text, expected = freeze_urls(nb.inputs.rng("freeze-direct-url"))
    expect_equal(nb.call("parse_freeze", text), expected,
                 _("{name} on a `name @ url` line").format(name="parse_freeze"), hidden=True)


# --- unsatisfied -------------------------------------------------------------------------------

@check("unsatisfied-versions", points=2, docs=f"{DOCS}#requirements",
       hint=N_("Versions are not strings: compared as text, 1.10 comes before 1.9. Let the "
               "`packaging` library read each requirement and compare the versions for you."),
       code=N_("`Requirement(line).specifier.contains(Version(version))` says whether an "
               "installed version satisfies a line; a package missing from `installed` never "
               "does."))
def test_unsatisfied_versions(nb):
    requirements = ["flask>=3.0", "requests<2", "numpy==1.26.4", "pandas",
                    "scipy>=1.9,<2", "rich~=13.0", "urllib3!=2.2.0"]
    installed = {"flask": "3.0.3", "requests": "2.32.3", "numpy": "1.26.4",
                 "scipy": "1.10.1", "rich": "13.7.1", "urllib3": "2.2.0"}
    expected = ["requests<2", "pandas", "urllib3!=2.2.0"]
    if nb.inputs.grading:
        requirements, installed, expected = gen_unsatisfied(nb.inputs.rng("unsatisfied-versions"))
    expect_equal(nb.call("unsatisfied", requirements, installed), expected,
                 _("{call} on a hidden requirement list").format(call="unsatisfied(...)"),
                 hidden=True)


@check("unsatisfied-names", points=1, docs=f"{DOCS}#requirements",
       hint=N_("A requirement may spell a name with capitals, underscores or dots that "
               "`pip freeze` spells differently: compare names the way pip does (PEP 503)."),
       code=N_("Look the name up as `canonicalize_name(req.name)` (from `packaging.utils`), "
               "with the keys of `installed` normalised the same way."))
def test_unsatisfied_normalises_names(nb):
    requirements = ["Flask>=3", "typing_extensions>=4.0", "Zope.Interface", "Missing_Pkg>=1"]
    installed = {"flask": "3.0.3", "typing-extensions": "4.12.2", "zope-interface": "7.0.3"}
    expected = ["Missing_Pkg>=1"]
    if nb.inputs.grading:
        requirements, installed, expected = gen_unsatisfied_names(
            nb.inputs.rng("unsatisfied-names"))
    expect_equal(nb.call("unsatisfied", requirements, installed), expected,
                 _("{call} with names spelled differently from pip freeze").format(
                     call="unsatisfied(...)"), hidden=True)


@check("unsatisfied-markers", points=1, docs=f"{DOCS}#requirements",
       hint=N_("A requirement can carry an environment marker (PEP 508), the condition after "
               "the semicolon: does the requirement apply when that condition is false for the "
               "running Python?"),
       code=N_("Skip a requirement when `req.marker` is set and `req.marker.evaluate()` is "
               "False."))
def test_unsatisfied_markers(nb):
    requirements = ["flask>=3", 'tomli>=2; python_version < "3.0"',
                    'requests>=2; python_version >= "3.8"']
    installed = {"flask": "3.0.3"}
    expected = ['requests>=2; python_version >= "3.8"']
    if nb.inputs.grading:
        requirements, installed, expected = gen_markers(nb.inputs.rng("unsatisfied-markers"))
    expect_equal(nb.call("unsatisfied", requirements, installed), expected,
                 _("{call} with environment markers").format(call="unsatisfied(...)"),
                 hidden=True)


# --- create_venv -------------------------------------------------------------------------------

@check("venv-create", points=2, docs=f"{DOCS}#create-programmatically",
       hint=N_("The standard library's `venv` module creates virtual environments from code. "
               "Where in the new folder does the environment keep its own interpreter, on macOS "
               "and Linux and on Windows?"),
       code=N_("Call `venv.create(path)`, then return the absolute path of `bin/python` inside "
               "it (Windows: `Scripts\\python.exe`)."))
def test_create_venv(nb):
    target = nb.workdir / f"made-by-grader-{uuid.uuid4().hex[:8]}"
    got = nb.call("create_venv", str(target), timeout=15, shown=f"create_venv({target.name!r})")
    if not isinstance(got, str):
        raise CheckFailed(_("{name} must return the interpreter's path as a str").format(
                          name="create_venv"), expected=_("a str"), found=got)
    python = Path(got)
    if not python.is_absolute():
        python = nb.workdir / python
    if not (target / "pyvenv.cfg").is_file():
        raise CheckFailed(_("no virtual environment was created at the given path "
                            "({file} is missing)").format(file=f"{target.name}/pyvenv.cfg"))
    if not python.is_file():
        raise CheckFailed(_("{name} returned a path that is not a file; return the "
                            "interpreter inside the environment").format(name="create_venv"),
                          found=got)
    probe = "import json, sys; print(json.dumps([sys.prefix, sys.base_prefix]))"
    # The returned path is the student's: it runs only inside a sandbox, never in the grader.
    jail = Jail(nb.sandbox.scratch, workdir=nb.workdir, writable=False, course=[])
    try:
        _code, out, _err = run_jailed(jail, [str(python), "-c", probe], env=child_env(),
                                      cwd=nb.workdir, timeout=30)
        prefix, base = json.loads(out.strip().splitlines()[-1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError, TypeError):
        raise CheckFailed(_("the returned path is not a working Python interpreter"),
                          found=got) from None
    if os.path.realpath(prefix) != os.path.realpath(target) or prefix == base:
        raise CheckFailed(_("the returned interpreter does not belong to the new environment"),
                          expected=str(target), found=prefix)


# --- activation_command -----------------------------------------------------------------------

@check("activate-posix", points=1, docs=f"{DOCS}#activate",
       hint=N_("On macOS and Linux the activate script must run inside the current shell: which "
               "command does that, in which folder of the environment is the script, and which "
               "shell has a script of its own?"),
       code=N_("`source DIR/bin/activate`, and for fish `source DIR/bin/activate.fish`, with "
               "the given folder as DIR."))
def test_activate_posix(nb):
    cases = [(("linux", "bash", "env"), "source env/bin/activate"),
             (("macos", "zsh", ".venv"), "source .venv/bin/activate"),
             (("linux", "fish", "venv-3.12"), "source venv-3.12/bin/activate.fish")]
    if nb.inputs.grading:
        cases = posix_cases(nb.inputs.rng("activate-posix"))
    for args, expected in cases:
        got = nb.call("activation_command", *args, shown="activation_command(...)")
        expect_equal(got, expected, _("{name} on a hidden macOS/Linux case").format(
                         name="activation_command"), given=args, hidden=True)


@check("activate-windows", points=1, docs=f"{DOCS}#activate",
       hint=N_("On Windows the environment's scripts live in another folder, paths use another "
               "separator, and each of the two Windows shells runs a script of its own: see the "
               "table in the docs."),
       code=N_("cmd runs `DIR\\Scripts\\activate.bat`, PowerShell runs "
               "`DIR\\Scripts\\Activate.ps1`."))
def test_activate_windows(nb):
    cases = [(("windows", "cmd", "env"), "env\\Scripts\\activate.bat"),
             (("windows", "powershell", "my-venv"), "my-venv\\Scripts\\Activate.ps1")]
    if nb.inputs.grading:
        cases = windows_cases(nb.inputs.rng("activate-windows"))
    for args, expected in cases:
        got = nb.call("activation_command", *args, shown="activation_command(...)")
        expect_equal(got, expected, _("{name} on a hidden Windows case").format(
                         name="activation_command"), given=args, hidden=True)


@check("activate-unknown", points=1, docs=f"{DOCS}#activate",
       hint=N_("Asked for an operating system or shell you do not support, should the function "
               "guess a command or refuse? Which built-in exception says an argument has a bad "
               "value?"),
       code=N_("End the function with `raise ValueError(...)` for every other combination, "
               "instead of guessing a command that will not work."))
def test_activate_rejects_unknown(nb):
    unknown = [("windows", "fish", "env"), ("plan9", "rc", "env"), ("linux", "cmd", "env")]
    supported = [(("linux", "bash", "env"), "source env/bin/activate"),
                 (("windows", "powershell", "env"), "env\\Scripts\\Activate.ps1")]
    if nb.inputs.grading:
        rng = nb.inputs.rng("activate-unknown")
        unknown = unknown_cases(rng)
        supported = posix_cases(rng) + windows_cases(rng)
    # The rule builds on answering the supported pairs: raising ValueError for everything is
    # no rule, so one correct command (macOS/Linux or Windows) must come back first.
    for args, expected in supported:
        reply = nb.run("activation_command", *args)
        if reply.ok and reply.value == expected:
            break
        if not reply.ok and reply.error.get("type") != "ValueError":  # unwritten, missing, hung
            raise CheckFailed(nb.failure("activation_command", reply, "activation_command(...)"))
    else:
        raise CheckFailed(_("could not test this rule because {name} gives no correct "
                            "command for a supported OS and shell (see {posix} and "
                            "{windows})").format(name="activation_command",
                                                 posix="activate-posix",
                                                 windows="activate-windows"), hidden=True)
    for args in unknown:
        reply = nb.run("activation_command", *args)
        if reply.ok or reply.error.get("type") != "ValueError":
            found = reply.value if reply.ok else reply.explain()
            raise CheckFailed(_("{name} on an unsupported OS/shell should raise {error}").format(
                                  name="activation_command", error="ValueError"),
                              given=args, expected="ValueError", found=found, hidden=True)
