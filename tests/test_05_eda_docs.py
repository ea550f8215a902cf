"""The topic 05 page tells the truth: its code runs, its numbers and figures come from the data.

- every code block on docs/topics/05-eda.md is a snippet of a week4/demos/eda_*.py file that a
  test here runs (COVERED), or a mermaid diagram;
- every number in the page's tables, and the key numbers in its prose, are recomputed here;
- the figures are drawn by week4/demos/eda_figures.py, checked as data (bars, labels), and the
  MkDocs hook week4/docs_hooks_eda.py puts exactly the images the page links to into the site;
- the page keeps the Carpentries layout and links every check's anchor.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.runner import check_infos
from autograder.topics import TOPICS
from week4.data import load_titanic, titanic_csv_path
from week4.demos import (
    eda_encoding,
    eda_explore,
    eda_figures,
    eda_hypothesis,
    eda_missing,
)

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "topics" / "05-eda.md"
TEXT = PAGE.read_text(encoding="utf-8")
FLAT = " ".join(TEXT.split())  # prose with line breaks folded, for sentence checks

# What the page may include from week4/demos/, and the test that runs each file.
COVERED = {
    "eda_explore.py": "test_explore_demo_gives_the_quoted_overview",
    "eda_missing.py": "test_missing_demo_gives_the_strategy_table",
    "eda_encoding.py": "test_encoding_demo_converts_and_encodes",
    "eda_hypothesis.py": "test_hypothesis_demo_gives_the_quoted_rates_and_tests",
    "eda_figures.py": "test_figures_show_what_their_titles_say",
}


@pytest.fixture(scope="module")
def titanic():
    return load_titanic()


def number(text: str) -> float:
    """A number as the page writes it: unicode minus, a trailing %."""
    return float(text.strip().replace("−", "-").rstrip("%"))


def scientific(text: str) -> float:
    """'5.8 × 10⁻¹¹' or '0.65' as a float."""
    mantissa, _, exponent = text.partition(" × 10")
    superscript = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
    return number(mantissa) * 10 ** int(exponent.translate(superscript) or 0)


def table_after(marker: str) -> list[list[str]]:
    """The cells of the first markdown table after `marker`, header and rule left out."""
    lines = TEXT[TEXT.index(marker):].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


# --- code blocks: snippets of tested files ---------------------------------------------------

SNIPPET = re.compile(r'^\s*--8<-- "week4/demos/(?P<file>[\w.]+)(?::(?P<section>[\w-]+))?"\s*$')


def test_every_code_block_is_a_tested_snippet_or_a_diagram():
    blocks = re.findall(r"^```(\w*)[^\n]*\n(.*?)^```", TEXT, re.MULTILINE | re.DOTALL)
    assert len(blocks) >= 10
    for lang, body in blocks:
        if lang == "mermaid":
            assert body.split()[0] == "flowchart"
            continue
        match = SNIPPET.fullmatch(body.strip())
        assert match, f"written inline instead of included from week4/demos/: {body[:80]!r}"
        assert match["file"] in COVERED, match["file"]
        source = (ROOT / "week4" / "demos" / match["file"]).read_text(encoding="utf-8")
        if match["section"]:
            assert f"# --8<-- [start:{match['section']}]" in source, match["section"]
            assert f"# --8<-- [end:{match['section']}]" in source, match["section"]


def test_every_covered_demo_has_its_test():
    for name, test in COVERED.items():
        assert (ROOT / "week4" / "demos" / name).is_file(), name
        assert callable(globals().get(test)), f"{name}: no test named {test}"


@pytest.mark.parametrize("module", [eda_explore, eda_missing, eda_encoding, eda_hypothesis],
                         ids=lambda m: m.__name__.rpartition(".")[2])
def test_demo_runs_as_a_script(module, capsys):
    module.main()  # what `python -m week4.demos.<module>` runs
    assert capsys.readouterr().out.strip()


# --- the numbers the page quotes -----------------------------------------------------------

def test_explore_demo_gives_the_quoted_overview(titanic):
    overview = eda_explore.whole_table(titanic)
    assert overview["shape"] == (1309, 14)
    assert overview["dtypes"]["sex"] == "category" and overview["dtypes"]["age"] == "float64"
    rows = table_after("| column | missing | percent of the column |")
    assert [(r[0].strip("`"), int(r[1])) for r in rows] == list(overview["missing"].items())
    for name, _, percent in rows:
        assert round(100 * overview["missing"][name.strip("`")] / 1309, 1) == number(percent)

    r = eda_explore.survival_correlations(titanic)
    lines = TEXT.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("| $r$ with"))
    header, values = lines[row - 2], lines[row]
    names = [c.strip().strip("`") for c in header.strip("|").split("|")[1:]]
    shown = [c.strip() for c in values.strip("|").split("|")[1:]]
    assert names == list(r.index)
    for name, cell in zip(names, shown):
        assert (cell == "NaN") if name == "body" else round(r[name], 3) == number(cell), name

    sex = eda_explore.describe_feature(titanic, "sex")
    assert round(sex.loc["female", "rate"], 3) == 0.727 and round(sex.loc["male", "rate"], 3) == 0.191
    age = eda_explore.describe_feature(titanic, "age")
    assert (int(age.loc[0, "count"]), round(age.loc[0, "mean"], 1)) == (619, 30.5)
    assert (int(age.loc[1, "count"]), round(age.loc[1, "mean"], 1)) == (427, 28.9)
    assert "619 passengers who died with a known age (mean 30.5 years) and 427 who survived " \
           "(mean 28.9)" in FLAT

    read = eda_explore.read_titanic(titanic_csv_path())
    assert read.isna().sum().to_dict() == titanic.isna().sum().to_dict()


def test_missing_demo_gives_the_strategy_table(titanic):
    table = eda_missing.compare_strategies(titanic)
    rows = table_after("| Strategy | rows | std of age |")
    assert [r[0] for r in rows] == list(table.index)
    for name, n, std, share, gap in rows:
        got = table.loc[name]
        assert (int(got["rows"]), round(got["age std"], 2), round(got["third class share"], 3),
                round(got["median age 1st - 3rd class"], 1)) == \
            (int(n), number(std), number(share), number(gap)), name

    by_class = eda_missing.missing_by_group(titanic, "age", "pclass")
    by_outcome = eda_missing.missing_by_group(titanic, "age", "survived")
    pct = lambda x: f"{100 * x:.1f}%"
    assert (f"`age` is missing for {pct(by_class[3])} of third-class passengers but "
            f"{pct(by_class[1])} of first-class ones, and for {pct(by_outcome[0])} of those who "
            f"died against {pct(by_outcome[1])} of those who survived") in FLAT
    cabin = eda_missing.missing_by_group(titanic, "cabin", "pclass")
    assert f"`cabin` is missing for {round(100 * cabin[1])}% of first class and " \
           f"{round(100 * cabin[3])}% of third" in FLAT
    dropped, kept = table.loc["drop rows"], table.loc["group median"]
    assert (f"({100 * dropped['third class share']:.1f}% instead of "
            f"{100 * kept['third class share']:.1f}%)") in FLAT
    gap = table.loc["global median", "median age 1st - 3rd class"]
    assert f"({gap:g} years instead of {kept['median age 1st - 3rd class']:g})" in FLAT
    medians = titanic.groupby("pclass")["age"].median()
    assert f"median age {medians[1]:g} in first class, {medians[3]:g} in third" in FLAT
    assert f"one global median ({titanic['age'].median():g})" in FLAT

    filled = eda_missing.fill_group_median(titanic)
    assert filled["age"].notna().all() and len(filled) == len(titanic)
    assert titanic["age"].isna().sum() == 263  # the input is untouched
    flagged = eda_missing.add_missing_indicator(titanic)
    assert flagged["age_missing"].sum() == 263
    assert eda_missing.drop_rows(titanic).shape[0] == 1046
    assert eda_missing.fill_mode(titanic, "embarked")["embarked"].value_counts()["S"] == 916
    assert "(`S`, 914 of the 1307 known ports)" in FLAT


def test_encoding_demo_converts_and_encodes(titanic):
    import pandas as pd

    raw = pd.read_csv(eda_encoding.titanic_csv_path(), keep_default_na=False)
    assert not pd.api.types.is_numeric_dtype(raw["age"])  # '?' made it text
    converted = eda_encoding.convert_dtypes(raw)
    assert converted["age"].isna().sum() == 263 and converted["body"].isna().sum() == 1188
    assert isinstance(converted["embarked"].dtype, pd.CategoricalDtype)
    assert converted["embarked"].isna().sum() == 2

    encoded = eda_encoding.one_hot(titanic, ["sex", "embarked"])
    new = ["sex_female", "sex_male", "embarked_C", "embarked_Q", "embarked_S"]
    assert list(encoded.columns[-5:]) == new and "sex" not in encoded and "embarked" not in encoded
    assert all(f"`{c}`" in TEXT for c in new)
    assert encoded.loc[titanic["embarked"].isna(), new[2:]].sum().sum() == 0

    one = titanic.iloc[[0]].astype({"sex": str, "embarked": str})
    assert list(eda_encoding.one_hot(one, ["sex", "embarked"]).columns[-2:]) == \
        ["sex_female", "embarked_S"]
    assert "(`sex_female`, `embarked_S`)" in FLAT
    served = eda_encoding.encode_like_training(one, ["sex", "embarked"], encoded.columns)
    assert list(served.columns) == list(encoded.columns)
    assert served[new].iloc[0].tolist() == [1, 0, 0, 0, 1]
    # a category dtype already keeps every column, as the page says
    assert list(eda_encoding.one_hot(titanic.iloc[[0]], ["sex", "embarked"]).columns[-5:]) == new


def test_hypothesis_demo_gives_the_quoted_rates_and_tests(titanic):
    rows = table_after("| group | passengers | survivors | survival rate |")
    tables = {"sex": eda_hypothesis.survival_table(titanic, "sex"),
              "pclass": eda_hypothesis.survival_table(titanic, "pclass")}
    keys = {"female": ("sex", "female"), "male": ("sex", "male"), "1st class": ("pclass", 1),
            "2nd class": ("pclass", 2), "3rd class": ("pclass", 3)}
    for group, n, survivors, rate in rows:
        if group == "all":
            got = (len(titanic), int(titanic["survived"].sum()), titanic["survived"].mean())
        else:
            column, value = keys[group]
            row = tables[column].loc[value]
            got = (int(row["passengers"]), int(row["survivors"]), row["rate"])
        assert (got[0], got[1], round(got[2], 3)) == (int(n), int(survivors), number(rate)), group

    tests = table_after("| comparison | rate a | rate b | difference | p-value |")
    for comparison, rate_a, rate_b, difference, p_value in tests:
        a, b = re.fullmatch(r"`embarked` (\w) vs (\w)", comparison).groups()
        got = eda_hypothesis.chi_square(titanic, "embarked", a, b)
        assert round(got["rate_a"], 3) == number(rate_a)
        assert round(got["rate_b"], 3) == number(rate_b)
        assert round(got["difference"], 3) == number(difference)
        assert got["p_value"] == pytest.approx(scientific(p_value), rel=0.01), comparison
    c_vs_s = eda_hypothesis.chi_square(titanic, "embarked", "C", "S")
    assert c_vs_s["expected"] == [[166.5, 103.5], [563.5, 350.5]]
    assert "Expected: C 166.5 died, 103.5 survived; S 563.5 died, 350.5 survived" in FLAT
    counts = titanic.groupby("embarked", observed=True)["survived"].agg(["sum", "size"])
    assert (f"Observed: C {counts.loc['C', 'size'] - counts.loc['C', 'sum']} died, "
            f"{counts.loc['C', 'sum']} survived; S {counts.loc['S', 'size'] - counts.loc['S', 'sum']}"
            f" died, {counts.loc['S', 'sum']} survived") in FLAT

    within = eda_hypothesis.rates_within(titanic, "embarked", "pclass")
    for pclass, *rates in table_after("| `pclass` | C | Q | S |"):
        assert [round(within.loc[int(pclass), port], 3) for port in "CQS"] == \
            [number(r) for r in rates]
    import pandas as pd
    mix = pd.crosstab(titanic["embarked"], titanic["pclass"], normalize="index")
    women = pd.crosstab(titanic["embarked"], titanic["sex"], normalize="index")
    assert (f"{round(100 * mix.loc['C', 1])}% of the Cherbourg passengers travelled first class, "
            f"against {round(100 * mix.loc['S', 1])}% of those from Southampton, and "
            f"{round(100 * women.loc['C', 'female'])}% were women, against "
            f"{round(100 * women.loc['S', 'female'])}%") in FLAT


def test_leak_and_prose_figures_are_computed(titanic):
    boat, body = titanic["boat"].notna(), titanic["body"].notna()
    share = titanic.loc[boat, "survived"].mean()
    assert (f"Of the {boat.sum()} passengers with a boat, {titanic.loc[boat, 'survived'].sum()} "
            f"survived ({100 * share:.1f}%)") in FLAT
    assert f"Of the {body.sum()} passengers with one, none survived" in FLAT
    assert titanic.loc[body, "survived"].sum() == 0
    women, men = (titanic.loc[titanic["sex"] == s, "survived"].sum() for s in ("female", "male"))
    assert f"{women} women and {men} men survived" in FLAT
    fares = titanic.groupby("pclass")["fare"].median()
    assert (f"Median fares were {round(fares[1])} pounds in first class, {round(fares[2])} in "
            f"second and {round(fares[3])} in third") in FLAT
    assert f"Fares range from 0 to {round(titanic['fare'].max())} pounds" in FLAT
    kids = titanic[titanic["age"] < 10]["survived"]
    assert kids.mean() > 0.5  # "among children under 10, survivors outnumber the dead"
    twenties = titanic[(titanic["age"] >= 20) & (titanic["age"] < 30)]["survived"]
    assert twenties.mean() < 0.4


def test_kaggle_column_map_names_every_titanic3_column_once(titanic):
    rows = table_after("| titanic3 (this course) | Kaggle `train.csv` | Note |")
    ours = [r[0].strip("`") for r in rows if r[0]]
    assert sorted(ours) == sorted(titanic.columns)
    for ours_cell, kaggle_cell, _ in rows:
        if ours_cell and kaggle_cell:  # the same column, capitalised
            assert kaggle_cell.strip("`").lower() == ours_cell.strip("`"), (ours_cell, kaggle_cell)
    kaggle = [r[1].strip("`") for r in rows if r[1]]
    assert "PassengerId" in kaggle and len(kaggle) == 12  # train.csv's twelve columns
    assert "891" in TEXT and "418" in TEXT and 891 + 418 == len(titanic)
    korean = (ROOT / "docs" / "ko" / "topics" / "05-eda.md").read_text(encoding="utf-8")
    start = korean.index("| titanic3 (이 강의) |")
    ko_rows = [line.split("|")[1:3] for line in korean[start:].splitlines()[2:]
               if line.startswith("|")][:len(rows)]
    assert [[c.strip() for c in r] for r in ko_rows] == [r[:2] for r in rows]


# --- figures -------------------------------------------------------------------------------------

def bars(fig):
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    return dict(zip(labels, [p.get_height() for p in ax.patches]))


def test_figures_show_what_their_titles_say(titanic):
    for column in ("sex", "pclass"):
        fig = eda_figures.survival_rate_bars(titanic, column)
        ax = fig.axes[0]
        assert ax.get_title() == f"Survival rate by {column}"
        assert ax.get_xlabel() == column and ax.get_ylabel() == "survival rate"
        rates = titanic.groupby(column, observed=True)["survived"].mean()
        assert bars(fig) == pytest.approx({str(k): v for k, v in rates.items()})

    hist = eda_figures.age_histogram_by_outcome(titanic).axes[0]
    heights = [p.get_height() for p in hist.patches]
    assert sum(heights) == titanic["age"].notna().sum()  # every known age, in one bar each
    assert [t.get_text() for t in hist.get_legend().get_texts()] == ["died (n=619)",
                                                                     "survived (n=427)"]

    box = eda_figures.fare_box_by_class(titanic).axes[0]
    flat = [line.get_ydata() for line in box.lines if len(line.get_ydata()) == 2]
    medians = [y[0] for y in flat if y[0] == y[1]]  # medians (and caps) are horizontal lines
    positive = titanic[titanic["fare"] > 0].groupby("pclass")["fare"].median()
    assert all(any(abs(m - p) < 1e-9 for m in medians) for p in positive)
    assert box.get_yscale() == "log"

    missing = eda_figures.missing_bars(titanic).axes[0]
    widths = sorted(round(p.get_width(), 6) for p in missing.patches)
    assert widths == sorted(round(100 * n / 1309, 6) for n in titanic.isna().sum() if n)


def test_figures_render_to_stable_svg(titanic):
    draw = eda_figures.FIGURES["survival-by-class.svg"]
    first = eda_figures.to_svg(draw(titanic))
    assert first == eda_figures.to_svg(draw(titanic))  # no dates or random ids: stable builds
    assert first.startswith(b"<?xml") and b"<svg" in first
    assert b"Survival rate by pclass" in first  # text stays text (svg.fonttype "none")


def test_korean_site_gets_korean_titles_and_labels(titanic):
    english, korean = eda_figures.render_all(titanic), eda_figures.render_all(titanic, "ko")
    assert set(english) == set(korean) == set(eda_figures.FIGURES)
    assert english["survival-by-class.svg"] != korean["survival-by-class.svg"]
    assert "생존율" in korean["survival-by-class.svg"].decode()
    for name, draw in eda_figures.FIGURES.items():
        with eda_figures.fonts_for("ko"):
            fig = eda_figures.translate(draw(titanic), eda_figures.KOREAN)
        for ax in fig.axes:
            legend = ax.get_legend()
            words = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel(),
                     *(t.get_text() for t in (legend.get_texts() if legend else []))]
            for text in filter(None, words):
                # every word is Korean, except a column name, which stays as the table spells it
                assert text in titanic.columns or re.search("[가-힣]", text), (name, text)
    with pytest.raises(ValueError):
        eda_figures.render_all(titanic, "fr")


def test_page_links_every_figure_once():
    linked = re.findall(r"!\[[^\]]*\]\(assets/eda/([\w.-]+\.svg)\)", TEXT)
    assert sorted(linked) == sorted(eda_figures.FIGURES)


def test_site_builds_strictly_with_the_figures(tmp_path):
    """A strict build of the real config, with the EDA hook added if mkdocs.yml lacks it.

    The hook must put every figure the page links into the site (strict mode fails on a
    missing image), and the page must carry every anchor a check links to.
    """
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    hooks = [str(ROOT / "week4" / "docs_hooks.py"), str(ROOT / "week4" / "docs_hooks_eda.py")]
    if "week4/docs_hooks_eda.py" in config:
        config_file = ROOT / "mkdocs.yml"
    else:
        config_file = tmp_path / "mkdocs.yml"
        config_file.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {ROOT / 'docs'}\n"
                               "hooks:\n" + "".join(f"  - {h}\n" for h in hooks))
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
                           str(config_file), "-d", str(site)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)
    problems = [line for line in proc.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    assert proc.returncode == 0, "\n".join(problems or proc.stderr.splitlines()[-20:])
    for name in eda_figures.FIGURES:
        assert (site / "topics" / "assets" / "eda" / name).is_file(), name
    html = (site / "topics" / "05-eda" / "index.html").read_text(encoding="utf-8")
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    anchors = {i.docs.partition("#")[2] for i in check_infos(TOPICS["05-eda"])}
    assert anchors <= ids, anchors - ids
    assert html.count('src="../assets/eda/') == len(eda_figures.FIGURES)


# --- layout ----------------------------------------------------------------------------------

def test_page_keeps_the_carpentries_layout():
    assert TEXT.index('!!! abstract "Objectives"') < TEXT.index("## ")
    assert TEXT.rindex('!!! success "Key points"') > TEXT.rindex("## ")
    assert "exercises/05-eda/05-eda.ipynb" in TEXT
    assert "`make check`" in TEXT and "`week4 check 05-eda`" in TEXT


def test_check_anchors_are_explicit_heading_ids():
    declared = set(re.findall(r"^#{2,6} .*\{#([\w-]+)\}\s*$", TEXT, re.MULTILINE))
    used = {i.docs.partition("#")[2] for i in check_infos(TOPICS["05-eda"])}
    assert used <= declared, used - declared


def test_challenge_table_names_every_check_and_its_section():
    challenge = TEXT[TEXT.index('"Challenge: the topic 05 notebook"'):]
    linked = {}
    for anchor, ids in re.findall(r"^\s*\| `\w+\([^)]*\)` \| \[[^\]]+\]\(#([\w-]+)\) \| (.+) \|$",
                                  challenge, re.MULTILINE):
        for check_id in re.findall(r"`([\w-]+)`", ids):
            linked[check_id] = anchor
    assert linked == {i.id: i.docs.partition("#")[2] for i in check_infos(TOPICS["05-eda"])}
