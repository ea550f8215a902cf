"""The docs site builds strictly, every link a check gives exists, and the pages tell the truth.

Pages covered by the code-block rules: docs/*.md, docs/reference/*.md, docs/instructors/*.md
(the per-topic instructor notes) and the topic 01 page.
A fenced block there must be one of:
- snippets (`--8<-- "week4/demos/..."`) of files that a test runs or checks (topic 01's:
  tests/test_demos_01.py, COVERED; others: a tests/test_*.py that names the file);
- a mermaid diagram;
- a verbatim excerpt of a repository file named in its title (`title="path"`);
- shell commands that are real: `make` targets, `week4` invocations the CLI accepts;
- a `week4` usage synopsis that names exactly the options the CLI has.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import week4
from test_demos_01 import COVERED, reference_activation

from autograder.runner import check_infos
from autograder.jail import base_env
from autograder.sandbox import DEFAULT_MEMORY_MB
from autograder.topics import ALL_TOPICS, TOPICS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted([*DOCS.glob("*.md"), *(DOCS / "reference").glob("*.md"),
                *(DOCS / "instructors").glob("*.md"), DOCS / "topics" / "01-virtualenv.md"])
TOPIC01_ANCHORS = {"detect", "pip-freeze", "requirements", "create-programmatically", "activate"}


def page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


# --- the build -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    problems = [line for line in proc.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    assert proc.returncode == 0, "mkdocs build --strict failed:\n" + "\n".join(
        problems or proc.stderr.splitlines()[-20:])
    return out


def html_ids(site: Path, md_page: str) -> set[str]:
    """The element ids of the built page for docs/<md_page> (directory URLs)."""
    html = site / md_page.removesuffix(".md") / "index.html"
    if md_page == "index.md":
        html = site / "index.html"
    assert html.is_file(), f"{md_page} was not built"
    return set(re.findall(r'\sid="([^"]+)"', html.read_text(encoding="utf-8")))


def test_site_builds_strictly(site):
    assert (site / "index.html").is_file()
    assert (site / "topics" / "01-virtualenv" / "index.html").is_file()


@pytest.mark.parametrize("topic_id", [t.id for t in ALL_TOPICS])
def test_every_check_links_to_an_anchor_that_exists(site, topic_id):
    if topic_id not in TOPICS:
        pytest.skip(f"{topic_id} has no checks yet")
    broken = []
    for info in check_infos(TOPICS[topic_id]):
        match = re.fullmatch(r"docs/topics/([\w.-]+\.md)#([\w-]+)", info.docs)
        if not match:
            broken.append(f"{info.id}: docs={info.docs!r} is not 'docs/topics/<page>.md#anchor'")
        elif match[2] not in html_ids(site, f"topics/{match[1]}"):
            broken.append(f"{info.id}: no #{match[2]} on docs/topics/{match[1]}")
    assert not broken, f"{topic_id}:\n" + "\n".join(broken)


def test_topic01_anchors_are_explicit_heading_ids():
    text = page("topics/01-virtualenv.md")
    declared = set(re.findall(r"^#{2,6} .*\{#([\w-]+)\}\s*$", text, re.MULTILINE))
    used = {i.docs.partition("#")[2] for i in check_infos(TOPICS["01-virtualenv"])}
    assert used <= declared and TOPIC01_ANCHORS <= declared


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_links_between_pages_reach_their_anchors(site, path):
    here = path.relative_to(DOCS)
    broken = []
    for target, anchor in re.findall(r"\]\(([\w./-]*\.md)?#([\w-]+)\)", path.read_text()):
        md = posixpath.normpath(posixpath.join(here.parent.as_posix(), target)) if target \
            else here.as_posix()
        if anchor not in html_ids(site, md):
            broken.append(f"({target}#{anchor})")
    assert not broken, f"{here}: links to missing anchors: {broken}"


# --- fenced code blocks ---------------------------------------------------------------------

FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


def fenced_blocks(text: str):
    """(line number, info string, body lines) of every fenced block, bodies dedented."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, fence, info = match["indent"], match["fence"], match["info"].strip()
        body, j = [], i + 1
        while j < len(lines) and not re.fullmatch(rf"\s*{fence[0]}{{{len(fence)},}}\s*", lines[j]):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j].strip())
            j += 1
        yield i + 1, info, body
        i = j + 1


SNIPPET = re.compile(r'--8<-- "(?P<path>[^":]+)(?::[^"]*)?"')


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-z0-9-]+):.*## ", (ROOT / "Makefile").read_text(), re.MULTILINE))


def make_variables() -> set[str]:
    return set(re.findall(r"^([A-Z_]+)\s*\?=", (ROOT / "Makefile").read_text(), re.MULTILINE))


def synopsis_problem(text: str) -> str | None:
    """None if a usage synopsis (`week4 SUB [--option X] ...`) names exactly SUB's options."""
    words = text.split()
    if len(words) < 2 or words[1] not in check_parser():
        return f"not a week4 sub-command: {text}"
    shown = set(re.findall(r"--[a-z-]+", text))
    parser = check_parser()[words[1]]
    # A command with sub-commands of its own (`week4 export gradescope ...`, `week4 key new`).
    nested = next((a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"), None)
    if nested is not None and len(words) > 2 and words[2] in nested.choices:
        parser = nested.choices[words[2]]
    actual = {o for a in parser._actions for o in a.option_strings
              if o.startswith("--")} - {"--help"}
    return None if shown == actual else \
        f"synopsis of week4 {words[1]} shows {sorted(shown)}, the CLI has {sorted(actual)}"


def command_problem(line: str, mention: bool = False) -> str | None:
    """None if `line` is a command that works as shown, else why not.

    With `mention` (inline code in prose), naming a sub-command and some of its options, such as
    `week4 grade --shard`, is fine too.
    """
    line = line.strip()
    if not line or line.startswith("#") or line == "cd week4":
        return None
    if re.fullmatch(r"git clone <[a-z-]+> week4", line):
        return None
    words = shlex.split(line)
    if words[0] == "make":
        for word in words[1:]:
            var = re.fullmatch(r"([A-Z_]+)=\S+", word)
            if not (word in make_targets() or (var and var[1] in make_variables())
                    or word == "--version"):
                return f"{word!r} is not a make target or variable of the Makefile"
        return None
    if words[0] in ("week4", ".venv/bin/week4"):
        if "[" in line:
            return synopsis_problem(line)
        problem = week4_problem(words[1:])
        if problem and mention and words[1:] and words[1] in check_parser():
            options = {o for a in check_parser()[words[1]]._actions for o in a.option_strings}
            if all(w in options for w in words[2:] if w.startswith("-")):
                return None
        return problem
    return f"not a command the docs tests know how to check: {line}"


def week4_problem(args: list[str]) -> str | None:
    from week4.cli import UsageError, build_parser

    try:
        parsed = build_parser().parse_args(args)
    except SystemExit as exc:  # --help prints and exits 0
        return None if exc.code == 0 else f"week4 {' '.join(args)}: exit {exc.code}"
    except UsageError as exc:
        return f"week4 {' '.join(args)}: {exc}"
    ids = {t.id for t in ALL_TOPICS}
    for topic in getattr(parsed, "topics", []):
        if topic not in ids and not re.fullmatch(r"[A-Z]+", topic):
            return f"unknown topic {topic!r}"
    return None


def excerpt_problem(body: list[str], path: Path) -> str | None:
    """None if `body` appears verbatim (at any one indentation) in the file at `path`."""
    if not path.is_file():
        return f"{path.relative_to(ROOT)} does not exist"
    texts = [path.read_text(encoding="utf-8")]
    if path.suffix == ".ipynb":
        for cell in json.loads(texts[0])["cells"]:
            src = cell.get("source", "")
            texts.append("".join(src) if isinstance(src, list) else src)
    while body and not body[-1].strip():
        body = body[:-1]
    if not body:
        return "an empty block"
    for text in texts:
        lines = text.splitlines()
        for i in range(len(lines) - len(body) + 1):
            if not lines[i].endswith(body[0]):
                continue
            prefix = lines[i][: len(lines[i]) - len(body[0])]
            if prefix.strip():
                continue
            if all(lines[i + k] == prefix + b or (not b and not lines[i + k].strip())
                   for k, b in enumerate(body)):
                return None
    return f"not a verbatim excerpt of {path.relative_to(ROOT)}"


def other_tests_text() -> str:
    """The text of the other test modules: a demo they name is one they run or check."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests").glob("test_*.py"))
                     if p.name != "test_docs.py")


def block_problem(info: str, body: list[str]) -> str | None:
    lang = info.split()[0] if info else ""
    content = [line for line in body if line.strip()]
    if content and all(SNIPPET.fullmatch(line.strip()) for line in content):
        for line in content:
            target = SNIPPET.fullmatch(line.strip())["path"]
            name = target.removeprefix("week4/demos/")
            if target == name or not (name in COVERED or name in other_tests_text()):
                return f"includes {target}, which no test runs (name it in a tests/test_*.py)"
        return None
    if lang == "mermaid":
        return None if content and content[0].split()[0] in ("flowchart", "graph",
                                                             "sequenceDiagram") else \
            "mermaid block without a diagram type"
    joined = " ".join(line.strip() for line in content)
    if lang in ("", "text", "sh") and joined.startswith("week4 ") and "[" in joined:
        return synopsis_problem(joined)
    title = re.search(r'title="([^"]+)"', info)
    if title:
        return excerpt_problem(body, ROOT / title[1])
    if lang == "sh":
        problems = [p for p in map(command_problem, content) if p]
        return "; ".join(problems) or None
    return "written inline: include it from week4/demos/ with a snippet"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_code_blocks_come_from_tested_files(path):
    problems = []
    for lineno, info, body in fenced_blocks(path.read_text(encoding="utf-8")):
        problem = block_problem(info, body)
        if problem:
            problems.append(f"{path.relative_to(ROOT)}:{lineno}: {problem}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_commands_in_the_text_are_real(path):
    spans = re.findall(r"`((?:make|week4|\.venv/bin/week4) [^`\n]+)`", path.read_text())
    problems = [f"`{span}`: {p}" for span in spans if (p := command_problem(span, mention=True))]
    assert not problems, "\n".join(problems)


def test_every_demo_file_is_covered_by_a_test():
    import test_demos_01

    demos = ROOT / "week4" / "demos"
    for name, test in COVERED.items():
        assert (demos / name).is_file(), name
        assert callable(getattr(test_demos_01, test, None)), f"{name}: no test named {test}"


# --- the topic 01 page ------------------------------------------------------------------------

def test_activation_table_matches_the_reference_solution():
    oses = {"macOS": "macos", "Linux": "linux", "Windows": "windows"}
    shells = {"bash": "bash", "zsh": "zsh", "fish": "fish", "cmd": "cmd",
              "PowerShell": "powershell"}
    rows = re.findall(r"^\| ((?:macOS|Linux|Windows)[^|]*)\| ([^|]+)\| `([^`]+)` \|$",
                      page("topics/01-virtualenv.md"), re.MULTILINE)
    cases, shown = [], []
    for os_names, shell_names, command in rows:
        for os_name in os_names.split(","):
            for shell in shell_names.split(","):
                cases.append((oses[os_name.strip()], shells[shell.strip()], ".venv"))
                shown.append(command)
    assert len(cases) == 8, rows  # 2 systems x 3 POSIX shells + cmd + PowerShell
    assert reference_activation(*cases) == shown


def test_challenge_table_names_every_check_and_its_section():
    text = page("topics/01-virtualenv.md")
    challenge = text[text.index("## Challenge"):]
    linked = {}
    for anchor, ids in re.findall(r"^\s*\| `\w+\([^)]*\)` \| \[[^\]]+\]\(#([\w-]+)\) \| (.+) \|$",
                                  challenge, re.MULTILINE):
        for check_id in re.findall(r"`([\w-]+)`", ids):
            linked[check_id] = anchor
    infos = check_infos(TOPICS["01-virtualenv"])
    assert linked == {i.id: i.docs.partition("#")[2] for i in infos}


def test_topic01_page_keeps_the_carpentries_layout():
    text = page("topics/01-virtualenv.md")
    assert text.index('!!! abstract "Objectives"') < text.index("## ")
    assert text.rindex('!!! success "Key points"') > text.rindex("## ")
    assert "exercises/01-virtualenv/01-virtualenv.ipynb" in text
    assert "`make check`" in text and "`week4 check 01-virtualenv`" in text


# --- readability: code that fits the column -------------------------------------------------

COLUMN = 80  # characters of code that fit the content column at 1280 px without wrapping


def included_lines(snippet: str) -> list[str]:
    """The lines a `--8<--` snippet shows: a whole file or one [start:name]/[end:name] section."""
    path, _, section = snippet.partition(":")
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    if not section or section[0].isdigit():
        return [line for line in lines if "--8<--" not in line]
    start = lines.index(f"# --8<-- [start:{section}]")
    return lines[start + 1:lines.index(f"# --8<-- [end:{section}]")]


@pytest.mark.parametrize("topic_id", ["03-cloud", "05-eda"])
def test_demo_code_shown_on_the_page_fits_the_column(topic_id):
    """The demos the course writes for these pages fit; longer lines elsewhere wrap (below)."""
    text = page(f"topics/{topic_id}.md")
    wide = [f"{snippet}: {line}" for snippet in re.findall(r'--8<-- "(week4/demos/[^"]+)"', text)
            for line in included_lines(snippet) if len(line) > COLUMN]
    assert not wide, "\n".join(wide)


def test_long_code_lines_wrap_instead_of_overflowing():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "line_spans: __span" in config and "assets/vendor/code-wrap.css" in config
    css = (ROOT / "week4" / "docs_assets" / "code-wrap.css").read_text(encoding="utf-8")
    assert "pre-wrap" in css and 'span[id^="__span"]' in css


# --- glossary and instructor notes ----------------------------------------------------------

def test_every_topic_page_links_its_glossary_section_and_instructor_notes():
    glossary = page("glossary.md")
    for topic in ALL_TOPICS:
        number = topic.id[:2]
        assert f"{{#topic-{number}}}" in glossary, f"no glossary section for {topic.id}"
        assert (DOCS / "instructors" / f"{topic.id}.md").is_file(), topic.id
        for prefix in ("", "ko/"):
            text = page(f"{prefix}topics/{topic.id}.md")
            assert f"](../glossary.md#topic-{number})" in text, (prefix, topic.id)
            assert f"](../instructors/{topic.id}.md)" in text, (prefix, topic.id)


@pytest.mark.parametrize("topic_id", [t.id for t in ALL_TOPICS])
def test_instructor_notes_have_pacing_a_script_misconceptions_and_demos(topic_id):
    text = page(f"instructors/{topic_id}.md")
    for anchor in ("pacing", "live-coding", "misconceptions", "demo"):
        assert f"{{#{anchor}}}" in text, f"{topic_id}: no #{anchor} section"
    if topic_id in TOPICS:  # every check a misconception names is a real check of the topic
        ids = {i.id for i in check_infos(TOPICS[topic_id])}
        section = text[text.index("{#misconceptions}"):text.index("{#demo}")]
        named = {c for row in re.findall(r"^\| .+ \| (.+) \| .+ \|$", section, re.MULTILINE)
                 for c in re.findall(r"`([\w-]+)`", row)}
        assert named and named <= ids, named - ids


def test_topic_pages_troubleshoot_what_students_meet():
    expected = {
        "02-flask-rest": ["Address already in use", "Connection refused", "Content-Type",
                          "308 Permanent Redirect"],
        "03-cloud": ["NoRegionError", "IllegalLocationConstraintException", "WORKER TIMEOUT",
                     "Connection in use"],
        "04-serving": ["UntrustedTypesFoundException", "WORKER TIMEOUT", "Content-Type",
                       "Address already in use"],
    }
    for topic_id, symptoms in expected.items():
        for prefix in ("", "ko/"):
            text = page(f"{prefix}topics/{topic_id}.md")
            section = text[text.index("{#troubleshooting}"):]
            section = section[:section.index("\n## ")]
            missing = [s for s in symptoms if s not in section]
            assert not missing, f"{prefix}{topic_id}: troubleshooting lacks {missing}"


# --- home page -----------------------------------------------------------------------------

def test_topic_table_lists_every_topic_and_claims_only_live_ones():
    rows = re.findall(r"^\| (\d\d) \| ([^|]+)\| \[[^\]]+\]\(topics/([\w-]+)\.md\) \| "
                      r"`exercises/([\w-]+)/` \| ([a-z ]+) \|$", page("index.md"), re.MULTILINE)
    assert [row[2] for row in rows] == [t.id for t in ALL_TOPICS]
    for number, _title, docs_page, folder, status in rows:
        topic = next(t for t in ALL_TOPICS if t.id.startswith(number))
        assert docs_page == folder == topic.id
        assert status in ("available", "in progress")
        if status == "available":  # never promise a topic the grader does not have
            assert topic.id in TOPICS and (ROOT / "exercises" / topic.id).is_dir(), topic.id


def test_repository_layout_names_real_folders():
    folders = re.findall(r"^\| `([\w.-]+)/` \|", page("index.md"), re.MULTILINE)
    assert len(folders) >= 6
    for folder in folders:
        assert (ROOT / folder).is_dir(), folder


# --- grading and CLI reference ---------------------------------------------------------------

def test_grading_page_states_the_real_limits():
    text = page("grading.md")
    assert f"memory limit** of {DEFAULT_MEMORY_MB // 1024} GB" in text
    allow_list = re.search(r"allow-list \((.+?)\)", text, re.DOTALL)[1]
    for name in re.findall(r"`([A-Z_]+)`", allow_list):
        assert name in base_env(None), name
    from autograder.notebook import RUN_BODY_MAGICS
    rule = re.search(r"\*\*Other cell magics\*\*(.+?)run the cell's code once", text, re.DOTALL)[1]
    skipped, run_once = rule.split("skip the whole cell")
    assert set(re.findall(r"`%%(\w+)`", run_once)) <= RUN_BODY_MAGICS
    assert not set(re.findall(r"`%%(\w+)`", skipped)) & RUN_BODY_MAGICS


def check_parser():
    from week4.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    return sub.choices


@pytest.mark.parametrize("command", ["check", "hint", "grade", "merge"])
def test_cli_reference_covers_every_option(command):
    text = page("reference/cli.md")
    start = text.index(f"`week4 {command}` {{#week4-{command}}}")
    section = text[start:text.index("\n## ", start) if command in ("check", "hint") else
                   text.find("\n### ", start + 1)]
    # a row names its option, or its short and long forms: | `-v`, `--verbose` |
    documented = {option for cell in re.findall(r"^\| (`(?:\\\||[^|])*`) \|", section,
                                                       re.MULTILINE)
                  for option in re.findall(r"`(--?[a-z-]+)", cell)}
    actual = {s for a in check_parser()[command]._actions for s in a.option_strings}
    assert documented == actual


def test_cli_reference_names_every_subcommand():
    assert set(check_parser()) == {"check", "hint", "grade", "merge", "key", "doctor", "export"}, \
        "a new week4 sub-command: document it in docs/reference/cli.md and add it above"


def test_make_target_table_matches_make_help():
    text = page("reference/cli.md")
    documented = set(re.findall(r"^\| `make ([a-z0-9-]+)` \|", text, re.MULTILINE))
    assert documented == make_targets()


@pytest.mark.parametrize("args, status", [
    (["check", "01-virtualenv"], 0),
    (["check", "01-virtualenv", "--fail-under", "100"], 1),
    (["check", "no-such-topic"], 2),
    (["check", "--submission", "no/such/folder"], 2),
    (["check", "--fail-under", "150"], 2),
], ids=["graded", "below-threshold", "unknown-topic", "missing-folder", "bad-percentage"])
def test_exit_statuses_are_as_documented(args, status):
    for name in ("grading.md", "reference/cli.md"):
        assert re.search(rf"^\| `{status}` \|", page(name), re.MULTILINE), (name, status)
    proc = week4(*args, timeout=300)
    assert proc.returncode == status, proc.stderr
    if status == 2:
        assert len(proc.stderr.strip().splitlines()) == 1


# --- data dictionary --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def titanic():
    from week4.data import load_titanic
    return load_titanic()


def test_data_dictionary_matches_the_loaded_data(titanic):
    rows = re.findall(r"^\| `([\w.]+)` \| [^|]+ \| `(\w+)` \| [^|]+ \| (\d+) \|$",
                      page("reference/data-dictionary.md"), re.MULTILINE)
    assert [r[0] for r in rows] == list(titanic.columns)
    for column, dtype, missing in rows:
        assert str(titanic[column].dtype) == dtype, column
        assert int(titanic[column].isna().sum()) == int(missing), column


def test_data_dictionary_figures_are_computed_from_the_data(titanic):
    text = " ".join(page("reference/data-dictionary.md").split())
    boat, body = titanic["boat"].notna(), titanic["body"].notna()
    assert (f"Of the {boat.sum()} passengers with a `boat`, {titanic.survived[boat].sum()} "
            f"survived") in text
    assert f"of the {body.sum()} with a `body` number, none did" in text
    assert titanic.survived[body].sum() == 0
    cabin = titanic["cabin"].isna().groupby(titanic["pclass"]).mean()
    age = titanic["age"].isna().groupby(titanic["survived"]).mean()
    pct = lambda x: f"{round(100 * x)}%"
    assert (f"`cabin` is missing for {pct(cabin[1])} of first-class passengers but for "
            f"{pct(cabin[2])} of second-class and {pct(cabin[3])} of third-class ones") in text
    assert (f"`age` is missing for {pct(age[0])} of those who died and {pct(age[1])} of those "
            f"who survived") in text


# --- contributing: the rules it states hold for every live topic ------------------------------

@pytest.mark.parametrize("topic_id", [t.id for t in ALL_TOPICS])
def test_each_check_has_one_test_cell_with_the_same_points(topic_id):
    if topic_id not in TOPICS:
        pytest.skip(f"{topic_id} has no checks yet")
    topic = TOPICS[topic_id]
    notebook = ROOT / "solutions" / topic.id / topic.notebook_name
    assert notebook.is_file(), f"{topic.id} has checks but no source notebook"
    cells = {}
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade") or meta.get("solution"):
            continue
        check_id, points = meta["grade_id"], meta.get("points")
        assert check_id not in cells, f"two test cells for {check_id}"
        cells[check_id] = points
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        unit = "point" if points == 1 else "points"
        assert source == (f'# Check "{check_id}" ({points:g} {unit}): graded by the course '
                          f'autograder.\nfrom autograder.cell import check\n'
                          f'check("{topic.id}", "{check_id}")'), check_id
    assert cells == {i.id: i.points for i in check_infos(topic)}
