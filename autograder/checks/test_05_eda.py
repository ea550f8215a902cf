"""Checks for topic 05: exploratory data analysis of the Titanic data.

How they work. Every graded function takes a DataFrame, so the grader cannot send its input
as JSON. Instead it sends a *variant spec* (`{"steps": [...], "seed": n}`); trusted code in the
sandbox child (autograder/sandboxed/eda.py) builds that table with autograder/sandboxed/variants.py, calls
the student's function on it and sends back plain data (a figure comes back as its title,
labels and bars). The grader builds the same table from the same spec and computes the expected
answer with the reference code below. The variants (shuffled rows, a random subsample, extra
missing values, renamed category labels) make an answer typed in from the full table fail.

Each function is called once, on all of its cases, in one request; the checks for that
function share the outcome and each judges one rule, so one mistake costs only its points.
Inputs other than the shipped table are hidden: the public message names the variant but
shows no expected values.

Practice mode (no key) uses the fixed cases of FUNCTIONS below (the shipped table and four
variants with public seeds). Grading mode replaces them by `generated(nb)`: the same
functions and arguments, on variants drawn from the key: every table is a random sample
(55-85 % of the rows) plus a random choice of shuffle, holes (0-25 % extra missing per
column) and relabel (new labels for sex and embarked, drawn from a word list, Korean words
included), with 64-bit seeds. `leakage_columns(df)` also gets its columns renamed (names
drawn from the key, the same word list for every column, so a name tells nothing), reordered
and some left out (one of the two leaks in at least one case), so it must find the leaks from
the data. No graded input is the shipped table then, so answers looked up from the shipped
data fail.
"""

from __future__ import annotations

import functools
import json
import math
import time
from dataclasses import dataclass, field
from itertools import pairwise

import pandas as pd
from scipy.stats import chi2_contingency

from autograder.checking import N_, CheckFailed, check, messages, short
from autograder.sandbox import Reply
from autograder.sandboxed import variants
from autograder.sandboxed.eda import fingerprint

TOPIC = "05-eda"
_ = messages(TOPIC)
DOCS = "docs/topics/05-eda.md"

# Honest answers take milliseconds on 1309 rows; the child imports pandas, scipy and
# matplotlib before any student code is timed (sandboxed.eda.prepare).
CALL_TIMEOUT = 10
LOAD_TIMEOUT = 30
BUDGET = 90
CASE_SECONDS = 2.0     # per call of a student function (an alarm inside the child)
PREPARE_SECONDS = 15.0  # imports and building the tables, once per child

RATE_TOL = 1e-6
PERCENT_TOL = 0.01      # percentage points: rounding to 2 decimals is fine
P_VALUE_RTOL = 1e-6

# The inputs. REAL is the shipped table; the others are hidden variants of it.
REAL = None
SHUFFLED = {"steps": ["shuffle"], "seed": 11}
SAMPLE = {"steps": ["sample"], "seed": 23}
HOLES = {"steps": ["shuffle", "holes"], "seed": 37}
RELABELED = {"steps": ["sample", "relabel"], "seed": 41}
NEW = variants.relabel_map(RELABELED["seed"])
RENAMED = {"steps": ["sample", "columns"], "seed": 53}

NUMERIC_TEXT = ["age", "fare", "body"]   # hold '?' in the CSV
CATEGORIES = ["sex", "embarked"]
INTEGERS = ["pclass", "survived", "sibsp", "parch"]
TEXT = ["name", "ticket", "cabin", "boat", "home.dest"]

# A variant (autograder/sandboxed/variants.py) in words, for the messages, in the grading
# process's language.
STEP_WORDS = {
    "shuffle": N_("rows shuffled"),
    "sample": N_("a random {share} of the rows (index labels kept)"),
    "holes": N_("extra missing values injected"),
    "relabel": N_("category labels of sex and embarked renamed"),
    "columns": N_("columns renamed and reordered (only survived keeps its name)"),
}


def describe(spec: dict | None) -> str:
    """The variant `spec` in words: "a hidden variant (rows shuffled, ...)"."""
    if not spec or not spec.get("steps"):
        return _("the shipped data")
    share = f"{variants.SAMPLE_FRACTION:.0%}"
    steps = ", ".join(_(STEP_WORDS[s]).format(share=share) for s in spec["steps"])
    return _("a hidden variant ({steps})").format(steps=steps)


@dataclass(frozen=True)
class Case:
    spec: dict | None
    args: tuple = ()

    @property
    def hidden(self) -> bool:
        return variants.is_hidden(self.spec)

    def where(self) -> str:
        return describe(self.spec)


@dataclass(frozen=True)
class Function:
    name: str
    run: str            # how sandboxed.eda calls it and reads its result
    cases: tuple
    signature: str = "df"

    def shown(self, case: Case) -> str:
        if self.run == "load":
            return "load_data(path)"
        if self.run == "plain":
            return f"{self.name}()"
        args = "".join(f", {a!r}" for a in case.args)
        return f"{self.name}({self.signature}{args})"


FUNCTIONS = {f.name: f for f in [
    Function("load_data", "load", (Case(REAL), Case(HOLES), Case(RELABELED))),
    Function("missing_report", "frame", (Case(REAL), Case(HOLES), Case(SAMPLE))),
    Function("survival_rate_by", "series", (
        Case(REAL, ("sex",)), Case(REAL, ("pclass",)), Case(REAL, ("embarked",)),
        Case(RELABELED, ("sex",)), Case(HOLES, ("embarked",)), Case(SAMPLE, ("pclass",)))),
    Function("fill_missing_age", "filled", (Case(REAL), Case(HOLES), Case(RELABELED))),
    Function("one_hot", "onehot", (
        Case(REAL, (["sex", "embarked"],)), Case(RELABELED, (["sex", "embarked"],)),
        Case(SAMPLE, (["pclass"],)))),
    Function("survival_correlations", "series", (Case(REAL), Case(HOLES), Case(SAMPLE))),
    Function("compare_survival", "dict", (
        Case(REAL, ("sex", "female", "male")), Case(REAL, ("embarked", "Q", "S")),
        Case(RELABELED, ("sex", NEW["sex"]["female"], NEW["sex"]["male"])),
        Case(SAMPLE, ("pclass", 1, 3)), Case(HOLES, ("embarked", "C", "S")))),
    Function("plot_survival_rate", "figure", (
        Case(REAL, ("pclass",)), Case(RELABELED, ("sex",)), Case(SHUFFLED, ("embarked",)))),
    Function("leakage_columns", "dict", (Case(REAL), Case(RENAMED))),
]}


# --- reference answers, computed here in the grader on the grader's own copy of the table ---

@functools.lru_cache(maxsize=64)
def _table(key: str) -> pd.DataFrame:
    return variants.build(json.loads(key))


def table(spec) -> pd.DataFrame:
    return _table(json.dumps(spec, sort_keys=True)).copy()


def ref_missing(df: pd.DataFrame) -> dict[str, tuple[int, float]]:
    counts = df.isna().sum()
    return {str(c): (int(n), 100.0 * n / len(df)) for c, n in counts.items() if n > 0}


def ref_rates(df: pd.DataFrame, column: str) -> dict:
    rates = df.groupby(column, observed=True)["survived"].mean()
    return {variants.canon(k): float(v) for k, v in rates.items()}


def ref_age_medians(df: pd.DataFrame) -> pd.Series:
    """The age each passenger gets: the median of their (pclass, sex) group."""
    return df.groupby(["pclass", "sex"], observed=True)["age"].transform("median")


def ref_indicators(df: pd.DataFrame, columns: list[str]) -> dict[str, list[int]]:
    out = {}
    for column in columns:
        for value in sorted(df[column].dropna().unique().tolist(), key=str):
            out[f"{column}_{value}"] = (df[column] == value).fillna(False).astype(int).tolist()
    return out


def ref_correlations(df: pd.DataFrame) -> dict[str, float]:
    numeric = df.select_dtypes("number")
    r = numeric.drop(columns="survived").corrwith(numeric["survived"]).dropna()
    return {str(k): float(v) for k, v in r.items()}


# A column leaks the outcome when having a value at all almost settles it: among the rows where
# it is known, this share or more survived, or this share or more died (boat: 98 %, body: 0 %
# survived; the honest columns stay between 38 % and 66 %).
LEAK_SHARE = 0.9


def ref_leaks(df: pd.DataFrame) -> list[str]:
    leaks = []
    for column in df.columns.drop("survived"):
        known = df[column].notna()
        if known.any():
            rate = df.loc[known, "survived"].mean()
            if rate >= LEAK_SHARE or rate <= 1 - LEAK_SHARE:
                leaks.append(str(column))
    return sorted(leaks)


def ref_compare(df: pd.DataFrame, column: str, a, b) -> dict:
    counts = []
    for value in (a, b):
        survived = df.loc[(df[column] == value).fillna(False), "survived"]
        counts.append([int(survived.sum()), int(len(survived) - survived.sum())])
    return {"rate_a": counts[0][0] / sum(counts[0]), "rate_b": counts[1][0] / sum(counts[1]),
            "p_values": [float(chi2_contingency(counts).pvalue),
                         float(chi2_contingency(counts, correction=False).pvalue)]}


# --- calling the student's functions ---------------------------------------------------------

@dataclass
class Outcome:
    case: Case
    status: str                     # ok | wrong | error | timeout | skipped | failed
    value: object = None
    error: dict = field(default_factory=dict)
    message: str = ""               # "failed": why the request did not work; "wrong": what came back


# --- grading mode: the cases drawn from the key -------------------------------------------------

LABEL_WORDS = ["F", "M", "woman", "man", "W", "H", "femme", "homme", "여성", "남성", "donna",
               "uomo", "x1", "y2", "Frau", "Mann", "mujer", "hombre", "k", "n", "she", "he"]
PORT_WORDS = ["Cherbourg", "Queenstown", "Southampton", "c", "q", "s", "CHE", "QUE", "SOU",
              "셰르부르", "퀸스타운", "사우샘프턴", "port-1", "port-2", "port-3", "A", "B", "Z"]
HOLE_COLUMNS = ["age", "fare", "embarked", "cabin", "home.dest"]
# The shipped table's columns, and the words grading mode renames them with (any column may get
# any word, so a name says nothing about what the column holds).
COLUMNS = ["pclass", "survived", "name", "sex", "age", "sibsp", "parch", "ticket", "fare",
           "cabin", "embarked", "boat", "body", "home.dest"]
LEAKS = ["boat", "body"]
COLUMN_WORDS = ["alpha", "beta", "gamma", "delta", "kappa", "sigma", "omega", "north", "south",
                "east", "west", "red", "blue", "green", "amber", "ivory", "teal", "col", "var",
                "field", "x", "y", "z", "q", "k", "가", "나", "다", "라", "마", "하늘", "바다",
                "구름", "나무", "열", "항목", "값", "기록"]


def gen_spec(rng, *, relabel: bool | None = None, holes: bool | None = None) -> dict:
    """A variant: always a sample; shuffle, holes and relabel at random unless asked."""
    steps = ["sample"]
    if rng.random() < 0.5:
        steps.insert(rng.randrange(2), "shuffle")
    if holes if holes is not None else rng.random() < 0.5:
        steps.append("holes")
    if relabel if relabel is not None else rng.random() < 0.3:
        steps.append("relabel")
    spec = {"steps": steps, "seed": rng.randrange(2 ** 63),
            "fraction": round(rng.uniform(0.55, 0.85), 3)}
    if "holes" in steps:
        spec["holes"] = {c: round(rng.uniform(0.0, 0.25), 3) for c in HOLE_COLUMNS}
        spec["holes"][rng.choice(HOLE_COLUMNS)] = round(rng.uniform(0.08, 0.25), 3)
    if "relabel" in steps:
        female, male = rng.sample(LABEL_WORDS, 2)
        c, q, s = rng.sample(PORT_WORDS, 3)
        spec["labels"] = {"sex": {"female": female, "male": male},
                          "embarked": {"C": c, "Q": q, "S": s}}
    return spec


def gen_columns(rng, *, drop: str | None = None) -> list[list[str]]:
    """[[old, new], ...] for the `columns` step: every column but `drop` and up to three honest
    ones, in a random order, renamed from COLUMN_WORDS; survived keeps its name."""
    kept = [c for c in COLUMNS if c not in ("survived", drop)]
    for column in rng.sample([c for c in kept if c not in LEAKS], rng.randrange(4)):
        kept.remove(column)
    rng.shuffle(kept)
    names: set[str] = set()
    pairs = []
    for column in kept:
        name = ""
        while not name or name in names:
            name = f"{rng.choice(COLUMN_WORDS)}{rng.choice(['_', '', '-', ' '])}{rng.randrange(1000)}"
        names.add(name)
        pairs.append([column, name])
    pairs.insert(rng.randrange(len(pairs) + 1), ["survived", "survived"])
    return pairs


def renamed(rng, spec: dict, drop: str | None = None) -> dict:
    return {**spec, "steps": [*spec["steps"], "columns"], "columns": gen_columns(rng, drop=drop)}


def sex_pair(spec: dict) -> tuple:
    labels = variants.relabel_map(spec["seed"], spec) if "relabel" in spec["steps"] else None
    return (labels["sex"]["female"], labels["sex"]["male"]) if labels else ("female", "male")


def port_pair(spec: dict, rng) -> tuple:
    a, b = rng.sample(["C", "Q", "S"], 2)
    if "relabel" in spec["steps"]:
        labels = variants.relabel_map(spec["seed"], spec)["embarked"]
        return labels[a], labels[b]
    return a, b


def generated(nb) -> dict[str, Function]:
    """FUNCTIONS with every case drawn from the key (grading mode)."""
    rng = nb.inputs.rng("cases")
    spec = functools.partial(gen_spec, rng)
    relabeled, holes = spec(relabel=True), spec(holes=True)
    compare = [Case(relabeled, ("sex", *sex_pair(relabeled)))]
    for column in rng.sample(["embarked", "pclass", "sex"], 3):
        variant = spec()
        args = (column, *rng.sample([1, 2, 3], 2)) if column == "pclass" else \
            (column, *sex_pair(variant)) if column == "sex" else \
            (column, *port_pair(variant, rng))
        compare.append(Case(variant, args))
    columns = ["sex", "pclass", "embarked"]
    leaks = (Case(renamed(rng, spec())), Case(renamed(rng, spec(), rng.choice(LEAKS))),
             Case(renamed(rng, spec(), rng.choice([None, *LEAKS]))))
    return {f.name: f for f in [
        Function("load_data", "load", (Case(holes), Case(relabeled), Case(spec()))),
        Function("missing_report", "frame", (Case(spec(holes=True)), Case(spec()),
                                             Case(spec()))),
        Function("survival_rate_by", "series", tuple(
            [Case(relabeled, ("sex",)), Case(spec(holes=True), ("embarked",))]
            + [Case(spec(), (c,)) for c in rng.sample(columns, 3)])),
        Function("fill_missing_age", "filled", (Case(holes), Case(relabeled),
                                                Case(spec(holes=True)))),
        Function("one_hot", "onehot", (
            Case(relabeled, (["sex", "embarked"],)), Case(spec(), (["pclass"],)),
            Case(spec(holes=True), (rng.sample(["embarked", "sex", "pclass"], 2),)))),
        Function("survival_correlations", "series", (Case(holes), Case(spec()), Case(spec()))),
        Function("compare_survival", "dict", tuple(compare)),
        Function("plot_survival_rate", "figure", (
            Case(spec(), (rng.choice(columns),)), Case(relabeled, ("sex",)),
            Case(spec(), ("embarked",)))),
        Function("leakage_columns", "dict", leaks),
    ]}


def functions(nb) -> dict[str, Function]:
    if nb.inputs.practice:
        return FUNCTIONS
    cache = nb.__dict__.setdefault("eda_generated", {})
    if nb.inputs not in cache:
        cache[nb.inputs] = generated(nb)
    return cache[nb.inputs]


def outcomes(nb, name: str) -> list[Outcome]:
    """The function's results on all its cases: one request per function per grading."""
    cache = nb.__dict__.setdefault("eda_outcomes", {})
    if (name, nb.inputs) not in cache:
        cache[(name, nb.inputs)] = _request(nb, functions(nb)[name])
    return cache[(name, nb.inputs)]


def _request(nb, func: Function) -> list[Outcome]:
    cases = [{"run": func.run, "spec": c.spec, "args": list(c.args)} for c in func.cases]
    remaining = nb.deadline - time.monotonic()
    if remaining <= 0:
        message = _("was not run: grading time for this topic is used up (earlier calls hung)")
        return [Outcome(c, "failed", message=message) for c in func.cases]
    limit = min(PREPARE_SECONDS + len(cases) * (CASE_SECONDS + 1), max(remaining, 1.0))
    reply = nb.sandbox.helper("autograder.sandboxed.eda:evaluate", func.name, cases,
                              CASE_SECONDS, timeout=limit)
    if not reply.ok:
        message = nb.failure(func.name, reply, f"{func.name}(...)")
        if reply.status == "timeout":
            nb.hung.add(func.name)
        return [Outcome(c, "failed", message=message) for c in func.cases]
    values = reply.value
    if not isinstance(values, list) or len(values) != len(cases) \
            or not all(isinstance(v, dict) for v in values):
        message = _("{call} gave the grader a reply it cannot read").format(
            call=f"{func.name}(...)")
        return [Outcome(c, "failed", message=message) for c in func.cases]
    return [Outcome(c, str(v.get("status")), v.get("value"),
                    v.get("error") if isinstance(v.get("error"), dict) else {},
                    str(v.get("message", "")))
            for c, v in zip(func.cases, values)]


def results(nb, name: str):
    """Yield (case, value) per case; fail the check at the first case that did not run."""
    func = FUNCTIONS[name]
    for outcome in outcomes(nb, name):
        case = outcome.case
        if outcome.status == "ok":
            yield case, outcome.value
            continue
        if outcome.status == "failed":
            raise CheckFailed(outcome.message)
        call = func.shown(case)
        if outcome.status == "wrong":
            raise CheckFailed(_("{call} on {variant}: {what}").format(
                call=call, variant=case.where(), what=outcome.message))
        if outcome.status == "timeout":
            why = Reply("timeout", seconds=CASE_SECONDS).explain()
        elif outcome.status == "skipped":
            why = _("was not run: the function did not finish on an earlier input")
        else:
            why = Reply("error", error=outcome.error).explain()
        if func.run == "plain":
            raise CheckFailed(_("{call} {why}").format(call=call, why=why))
        raise CheckFailed(_("{call} on {variant} {why}").format(
            call=call, variant=case.where(), why=why))


def fail(func: str, case: Case, what: str, *, expected=None, found=None):
    """Fail saying which call on which input went wrong and how."""
    message = _("{call} on {variant}: {what}").format(
        call=FUNCTIONS[func].shown(case), variant=case.where(), what=what)
    if expected is None and found is not None:
        # Only the student's own output to show: it is never secret.
        raise CheckFailed(_("{message} (found {found})").format(
            message=message, found=short(found)), hidden=case.hidden)
    raise CheckFailed(message, expected=expected, found=found, hidden=case.hidden)


def shown_label(group):
    """A group label as the student knows it: class 1, not 1.0."""
    return int(group) if isinstance(group, float) and group.is_integer() else group


def get(value, key: str, kind, func: str, case: Case):
    """value[key], which must be of `kind`; the helper's output has a fixed shape."""
    if not isinstance(value, dict) or not isinstance(value.get(key), kind):
        fail(func, case, _("the result has no readable {key}").format(key=repr(key)))
    return value[key]


def close(a, b, tol: float) -> bool:
    return isinstance(a, (int, float)) and not isinstance(a, bool) and math.isfinite(a) \
        and abs(a - b) <= tol


def pairs(value, func: str, case: Case) -> list[tuple]:
    """A Series as [(label, value)], labels in canonical form, missing values left out."""
    index = get(value, "index", list, func, case)
    values = get(value, "values", list, func, case)
    return [(variants.canon(k), v) for k, v in zip(index, values) if v is not None]


# --- load_data --------------------------------------------------------------------------------

@check("load-missing", points=1, docs=f"{DOCS}#dtypes",
       hint=N_("Look at the raw lines the notebook prints: how does this file write down a value "
               "that was never recorded? Unless `pd.read_csv` is told that marker, the numeric "
               "columns that hold it are read as text."),
       code=N_("Tell the reader the marker: `pd.read_csv(path, na_values=['?'], "
               "keep_default_na=False)` reads every '?' (and only that) as NaN, so age, fare and "
               "body become float columns."))
def test_load_reads_question_marks_as_missing(nb):
    for case, value in results(nb, "load_data"):
        expected = table(case.spec)
        shape = get(value, "shape", list, "load_data", case)
        if shape != list(expected.shape):
            fail("load_data", case, _("the table does not have the file's rows and columns"),
                 expected=list(expected.shape), found=shape)
        dtypes = get(value, "dtypes", dict, "load_data", case)
        for column in NUMERIC_TEXT:
            if dtypes.get(column) != "float":
                fail("load_data", case, _("column {column} should hold numbers (float, NaN for "
                                          "'?'), so '?' must be read as missing").format(
                                              column=repr(column)),
                     expected="float", found=dtypes.get(column))
        missing = get(value, "missing", dict, "load_data", case)
        for column, count in expected.isna().sum().items():
            if missing.get(column) != int(count):
                fail("load_data", case, _("the number of missing values in {column} is "
                                          "wrong").format(column=repr(column)),
                     expected=int(count), found=missing.get(column))
        categories = get(value, "categories", dict, "load_data", case)
        for column, labels in categories.items():
            if "?" in labels:
                fail("load_data", case, _("'?' is a category of {column}; it marks a missing "
                                          "value, not a value").format(column=repr(column)),
                     found=labels)


@check("load-dtypes", points=1, docs=f"{DOCS}#dtypes",
       hint=N_("Which columns hold a few labels that repeat and have no order, which hold whole "
               "numbers, and which hold free text? The reader can be given the dtype of a column "
               "instead of guessing it."),
       code=N_("Give `pd.read_csv` a dtype dict, `dtype={'sex': 'category', 'embarked': "
               "'category'}`; pclass, survived, sibsp and parch stay integers, and name, ticket, "
               "cabin, boat and home.dest stay text."))
def test_load_gives_useful_dtypes(nb):
    wanted = {**{c: "category" for c in CATEGORIES}, **{c: "int" for c in INTEGERS},
              **{c: "text" for c in TEXT}}
    for case, value in results(nb, "load_data"):
        dtypes = get(value, "dtypes", dict, "load_data", case)
        wrong = {c: dtypes.get(c) for c, kind in wanted.items() if dtypes.get(c) != kind}
        if wrong:
            fail("load_data", case, _("some columns have the wrong kind of dtype"),
                 expected={c: wanted[c] for c in wrong}, found=wrong)


# --- missing_report -----------------------------------------------------------------------------

def report_rows(value, case: Case, column: str) -> dict:
    """{column name: value of `column`} from the report, failing if the report is unusable."""
    columns = get(value, "columns", list, "missing_report", case)
    data = get(value, "data", dict, "missing_report", case)
    if column not in columns or not isinstance(data.get(column), list):
        fail("missing_report", case, _("the report needs a column named {column}").format(
            column=repr(column)), found=columns)
    index = get(value, "index", list, "missing_report", case)
    return dict(zip([str(i) for i in index], data[column]))


@check("missing-counts", points=1, docs=f"{DOCS}#missing-values",
       hint=N_("Count the missing values column by column, keep only the columns that have any, "
               "and put the column with the most first."),
       code=N_("`df.isna().sum()` counts per column; keep the counts above 0 and sort them with "
               "`sort_values(ascending=False)`."))
def test_missing_report_counts(nb):
    for case, value in results(nb, "missing_report"):
        expected = ref_missing(table(case.spec))
        counts = report_rows(value, case, "count")
        if set(counts) != set(expected):
            fail("missing_report", case, _("the report should list exactly the columns that "
                                           "have missing values"),
                 expected=sorted(expected), found=sorted(counts))
        for name, (count, _percent) in expected.items():
            if not close(counts[name], count, 0):
                fail("missing_report", case, _("the count for {name} is wrong").format(
                    name=repr(name)), expected=count, found=counts[name])
        order = [counts[name] for name in counts]
        if any(a < b for a, b in pairwise(order)):
            fail("missing_report", case, _("rows are not sorted by count, largest first"),
                 found=list(counts))


@check("missing-percent", points=1, docs=f"{DOCS}#missing-values",
       hint=N_("A percentage of what? Each column's share is its own missing count out of that "
               "column's values, not out of every cell of the table."),
       code=N_("`100 * count / len(df)`: divide by the number of rows, not by `df.size`."))
def test_missing_report_percent(nb):
    for case, value in results(nb, "missing_report"):
        expected = ref_missing(table(case.spec))
        percents = report_rows(value, case, "percent")
        judged = [name for name in expected if name in percents]
        if not judged:
            fail("missing_report", case, _("no row of the report names a column with missing "
                                           "values"),
                 expected=sorted(expected), found=sorted(percents))
        for name in judged:
            if not close(percents[name], expected[name][1], PERCENT_TOL):
                fail("missing_report", case, _("the percent for {name} is not within {tol} of "
                                               "{formula}").format(
                                                   name=repr(name), tol=PERCENT_TOL,
                                                   formula="100 * count / rows"),
                     expected=round(expected[name][1], 4), found=percents[name])


# --- survival_rate_by ---------------------------------------------------------------------------

@check("rate-by-group", points=2, docs=f"{DOCS}#group-rates",
       hint=N_("The outcome column is an indicator of survival: what does its mean over a group "
               "tell you? Compute it from the df you are given; the checks use hidden variants, "
               "so numbers typed in from the full table fail."),
       code=N_("`df.groupby(column, observed=True)['survived'].mean()`."))
def test_survival_rate_by_group(nb):
    for case, value in results(nb, "survival_rate_by"):
        expected = ref_rates(table(case.spec), *case.args)
        found = dict(pairs(value, "survival_rate_by", case))
        if set(found) != set(expected):
            fail("survival_rate_by", case, _("the groups are not the values of the column"),
                 expected=sorted(str(shown_label(g)) for g in expected),
                 found=sorted(str(shown_label(g)) for g in found))
        for group, rate in expected.items():
            if not close(found[group], rate, RATE_TOL):
                fail("survival_rate_by", case,
                     _("the survival rate of group {group} is wrong").format(
                         group=repr(shown_label(group))),
                     expected=round(rate, 6), found=found[group])


# --- fill_missing_age ---------------------------------------------------------------------------

def filled_rows(value, case: Case) -> dict:
    """{row label: filled age}, failing when rows or the age column went missing."""
    func = "fill_missing_age"
    given = table(case.spec)
    index = get(value, "index", list, func, case)
    if len(index) != len(given) or set(index) != set(given.index.tolist()):
        fail(func, case, _("the result must keep every row of the input (same index labels)"),
             expected=_("{n} rows").format(n=len(given)),
             found=_("{n} rows").format(n=len(index)))
    ages = get(value, "age", list, func, case)
    return dict(zip(index, ages))


@check("impute-keeps-rows", points=1, docs=f"{DOCS}#imputation",
       hint=N_("Fill the gaps instead of dropping rows: every row and column stays, no age is "
               "missing afterwards, and known ages and other columns are untouched."),
       code=N_("Replace only the gaps of the age column, on a copy: "
               "`out['age'] = out['age'].fillna(medians)` keeps every row and every known age."))
def test_fill_keeps_rows_and_known_values(nb):
    func = "fill_missing_age"
    for case, value in results(nb, func):
        given = table(case.spec)
        ages = filled_rows(value, case)
        columns = get(value, "columns", list, func, case)
        if sorted(map(str, columns)) != sorted(given.columns):
            fail(func, case, _("the result must have the same columns as the input"),
                 expected=list(given.columns), found=columns)
        still = [label for label, age in ages.items() if age is None]
        if still:
            fail(func, case, _("{n} ages are still missing").format(n=len(still)),
                 found=_("rows {labels}").format(labels=short(still[:5])))
        for label, age in given["age"].dropna().items():
            if not close(ages[label], age, 1e-9):
                fail(func, case, _("the known age in row {label} was changed").format(
                    label=repr(label)), expected=age, found=ages[label])
        order = get(value, "index", list, func, case)
        prints = get(value, "fingerprints", dict, func, case)
        for column in given.columns.drop("age"):
            if prints.get(column) != fingerprint(given.loc[order, column]):
                fail(func, case, _("column {column} was changed; only age should be").format(
                    column=repr(column)))


@check("impute-copy", points=1, docs=f"{DOCS}#imputation",
       hint=N_("The caller's table is not yours to change: which pandas operations change a "
               "DataFrame in place, and how do you get one of your own to change and return?"),
       code=N_("Start with `out = df.copy()`, fill the gaps of `out` and return it; `df` stays "
               "as it was."))
def test_fill_leaves_input_alone(nb):
    func = "fill_missing_age"
    for case, value in results(nb, func):
        # Leaving the input alone builds on doing something to the gaps: `return df` (or a
        # copy with every gap still there) changes nothing and is no rule.
        gaps = int(table(case.spec)["age"].isna().sum())
        ages = get(value, "age", list, func, case)
        if gaps and sum(age is None for age in ages) >= gaps:
            fail(func, case, _("could not test this rule because the result still has all "
                               "{gaps} missing ages: the function fills none of them (see "
                               "{check})").format(gaps=gaps, check="impute-keeps-rows"))
        if get(value, "input_changed", bool, func, case):
            fail(func, case, _("the function changed the table it was given; return a new one"))


@check("impute-group-median", points=2, docs=f"{DOCS}#imputation",
       hint=N_("Which passengers are most alike in age? Give each missing age the median of the "
               "passengers with the same class and sex; `groupby` with `transform` hands every "
               "row the value of its group."),
       code=N_("`df.groupby(['pclass', 'sex'], observed=True)['age'].transform('median')` gives "
               "every row its group's median; pass it to `fillna`."))
def test_fill_uses_group_median(nb):
    func = "fill_missing_age"
    for case, value in results(nb, func):
        given = table(case.spec)
        ages = get(value, "age", list, func, case)
        index = get(value, "index", list, func, case)
        filled = dict(zip(index, ages))
        medians = ref_age_medians(given)
        for label in given.index[given["age"].isna()]:
            if label not in filled:
                fail(func, case, _("row {label}, whose age was missing, is not in the "
                                   "result").format(label=repr(label)))
            if filled[label] is None or not close(filled[label], medians[label], 1e-9):
                row = given.loc[label]
                fail(func, case, _("row {label} (pclass {pclass}, sex {sex}) did not get its "
                                   "group's median age").format(
                                       label=repr(label), pclass=row["pclass"],
                                       sex=repr(row["sex"])),
                     expected=float(medians[label]), found=filled[label])


# --- one_hot --------------------------------------------------------------------------------------

@check("onehot-columns", points=1, docs=f"{DOCS}#one-hot",
       hint=N_("One new indicator column per value, named after the column and the value, and "
               "the original column dropped so that the table does not hold the same fact twice; "
               "pandas has a function for exactly this, `get_dummies`."),
       code=N_("`pd.get_dummies(df, columns=columns)` makes the columns column_value (sex_female, "
               "sex_male, ...) and drops the original ones."))
def test_one_hot_columns(nb):
    for case, value in results(nb, "one_hot"):
        given = table(case.spec)
        (columns,) = case.args
        expected = [c for c in given.columns if c not in columns]
        expected += list(ref_indicators(given, columns))
        found = [str(c) for c in get(value, "columns", list, "one_hot", case)]
        if sorted(found) != sorted(expected):
            extra = sorted(set(found) - set(expected))
            lacking = sorted(set(expected) - set(found))
            fail("one_hot", case, _("the columns are not right")
                 + (_("; these should not be there: {names}").format(names=short(extra))
                    if extra else "")
                 + (_("; these are missing: {names}").format(names=short(lacking))
                    if lacking else ""))


@check("onehot-values", points=1, docs=f"{DOCS}#one-hot",
       hint=N_("An indicator is set exactly on the rows that have its value; a row whose value is "
               "missing has none of that column's indicators set, and the rows keep their order."),
       code=N_("`pd.get_dummies` does this already (with `dtype=int` the indicators are 0/1); a "
               "NaN row gets 0 in every indicator of its column."))
def test_one_hot_values(nb):
    for case, value in results(nb, "one_hot"):
        given = table(case.spec)
        expected = ref_indicators(given, *case.args)
        index = get(value, "index", list, "one_hot", case)
        new = get(value, "new", dict, "one_hot", case)
        if index != given.index.tolist():
            fail("one_hot", case, _("the rows must stay as they were (same index, same order)"))
        judged = [name for name in expected if name in new]
        if not judged:
            fail("one_hot", case, _("none of the indicator columns is there"),
                 expected=sorted(expected), found=sorted(new))
        for name in judged:
            if not isinstance(new[name], list):
                fail("one_hot", case, _("column {name} should hold 0/1 values").format(
                    name=repr(name)), found=new[name])
            if [float(v) if isinstance(v, (int, float)) else v for v in new[name]] \
                    != [float(v) for v in expected[name]]:
                fail("one_hot", case, _("column {name} is not 1 exactly where the row has that "
                                        "value").format(name=repr(name)))


# --- survival_correlations ------------------------------------------------------------------

@check("corr-values", points=1, docs=f"{DOCS}#correlation",
       hint=N_("The Pearson correlation of the outcome with every other numeric column: first "
               "keep the numeric columns only, then leave the outcome itself out (it goes "
               "perfectly with itself)."),
       code=N_("`numeric = df.select_dtypes('number')`, then "
               "`numeric.drop(columns='survived').corrwith(numeric['survived'])`."))
def test_correlation_values(nb):
    for case, value in results(nb, "survival_correlations"):
        expected = ref_correlations(table(case.spec))
        found = {str(k): v for k, v in pairs(value, "survival_correlations", case)}
        if set(found) != set(expected):
            fail("survival_correlations", case, _("the entries should be the numeric columns "
                                                  "other than survived (a NaN entry may be left "
                                                  "out)"),
                 expected=sorted(expected), found=sorted(found))
        for name, r in expected.items():
            if not close(found[name], r, RATE_TOL):
                fail("survival_correlations", case,
                     _("the correlation of {name} is wrong").format(name=repr(name)),
                     expected=round(r, 6), found=found[name])


@check("corr-order", points=1, docs=f"{DOCS}#correlation",
       hint=N_("Strongest first, whatever the sign: is a strong negative correlation weaker than "
               "a weak positive one? Order by size, ignoring the sign."),
       code=N_("Sort by absolute value, largest first: "
               "`r.reindex(r.abs().sort_values(ascending=False).index)`."))
def test_correlation_order(nb):
    for case, value in results(nb, "survival_correlations"):
        found = [(k, v) for k, v in pairs(value, "survival_correlations", case)
                 if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if len(found) < 2:
            fail("survival_correlations", case, _("there is nothing to order: expected one "
                                                  "entry per numeric column"), found=found)
        sizes = [abs(v) for _k, v in found]
        if any(a < b - 1e-12 for a, b in pairwise(sizes)):
            fail("survival_correlations", case, _("entries are not ordered by absolute value, "
                                                  "largest first"),
                 found=[k for k, _v in found])


# --- compare_survival ---------------------------------------------------------------------------

def comparison(value, case: Case) -> dict:
    if not isinstance(value, dict):
        fail("compare_survival", case, _("the result must be a dict"), found=value)
    for key in ("rate_a", "rate_b", "difference", "p_value"):
        if key not in value:
            fail("compare_survival", case, _("the dict has no key {key}").format(key=repr(key)),
                 expected=["rate_a", "rate_b", "difference", "p_value"], found=sorted(value))
    return value


@check("compare-rates", points=1, docs=f"{DOCS}#hypothesis-test",
       hint=N_("Each rate is the survival rate of the rows whose column holds that group's "
               "value, and the difference is the first group's rate minus the second's."),
       code=N_("rate_a is `df.loc[df[column] == a, 'survived'].mean()` (likewise rate_b), and "
               "difference is `rate_a - rate_b`."))
def test_compare_rates(nb):
    for case, value in results(nb, "compare_survival"):
        found = comparison(value, case)
        expected = ref_compare(table(case.spec), *case.args)
        expected["difference"] = expected["rate_a"] - expected["rate_b"]
        for key in ("rate_a", "rate_b", "difference"):
            if not close(found[key], expected[key], RATE_TOL):
                fail("compare_survival", case, _("{key} is wrong").format(key=key),
                     expected=round(expected[key], 6), found=found[key])


@check("compare-pvalue", points=1, docs=f"{DOCS}#hypothesis-test",
       hint=N_("A chi-square test of independence works on a table of counts: two groups by two "
               "outcomes (lived, died). Which function of `scipy.stats` takes such a table?"),
       code=N_("Build the 2x2 counts `[[survived_a, died_a], [survived_b, died_b]]` and pass "
               "them to `scipy.stats.chi2_contingency`; its `pvalue` is the answer."))
def test_compare_p_value(nb):
    for case, value in results(nb, "compare_survival"):
        found = comparison(value, case)["p_value"]
        choices = ref_compare(table(case.spec), *case.args)["p_values"]
        if not any(close(found, p, P_VALUE_RTOL * p) for p in choices):
            fail("compare_survival", case, _("p_value is not the chi-square test's p-value"),
                 expected=_("{p} (or {p_plain} without Yates' correction)").format(
                     p=f"{choices[0]:.6g}", p_plain=f"{choices[1]:.6g}"),
                 found=found)


# --- plot_survival_rate ---------------------------------------------------------------------------

def figure(value, case: Case) -> dict:
    func = "plot_survival_rate"
    if not isinstance(value, dict) or not value.get("axes"):
        fail(func, case, _("the figure has no axes to look at"))
    return value


@check("plot-labels", points=1, docs=f"{DOCS}#plots",
       hint=N_("Return the figure itself, not its axes, with a title and a label on each axis; "
               "the course's rule is that a function which returns a figure makes it with "
               "`Figure`."),
       code=N_("`fig = Figure()` and `ax = fig.subplots()`, then `ax.set_title`, `ax.set_xlabel` "
               "and `ax.set_ylabel`, and `return fig`."))
def test_plot_has_title_and_labels(nb):
    func = "plot_survival_rate"
    for case, value in results(nb, func):
        fig = figure(value, case)
        if not str(fig.get("title") or "").strip() and not str(fig.get("suptitle") or "").strip():
            fail(func, case, _("the figure has no title"))
        for axis in ("xlabel", "ylabel"):
            if not str(fig.get(axis) or "").strip():
                fail(func, case, _("the axes have no {axis}-axis label").format(axis=axis[0]))


@check("plot-bars", points=2, docs=f"{DOCS}#plots",
       hint=N_("One bar per group, labelled with the group's value, as tall as the group's "
               "survival rate: a share of the group, not a count of survivors."),
       code=N_("`rates = df.groupby(column, observed=True)['survived'].mean()`, then "
               "`ax.bar([str(v) for v in rates.index], rates.to_numpy())`."))
def test_plot_bars_are_rates(nb):
    func = "plot_survival_rate"
    for case, value in results(nb, func):
        bars = figure(value, case).get("bars")
        if not isinstance(bars, list) or not all(isinstance(b, dict) for b in bars):
            fail(func, case, _("the figure's bars cannot be read"))
        expected = ref_rates(table(case.spec), *case.args)
        if len(bars) != len(expected):
            fail(func, case, _("there should be one bar per group"),
                 expected=len(expected), found=len(bars))
        by_label = {variants.canon(b.get("label")): b for b in bars if b.get("label") is not None}
        for group, rate in expected.items():
            bar = by_label.get(group)
            if bar is None:
                fail(func, case, _("no bar is labelled {group} on the x-axis").format(
                         group=repr(shown_label(group))),
                     found=[b.get("label") if b.get("label") is not None else
                            _("a bar at x={x} with no tick label under it").format(x=b.get("x"))
                            for b in bars])
            if not close(bar.get("height"), rate, RATE_TOL):
                fail(func, case, _("the bar of group {group} should be as tall as its survival "
                                   "rate").format(group=repr(shown_label(group))),
                     expected=round(rate, 6), found=bar.get("height"))


# --- leakage_columns -------------------------------------------------------------------------------

@check("leakage", points=1, docs=f"{DOCS}#leakage",
       hint=N_("A leak was recorded because of the outcome: among the rows where the column has "
               "a value, (almost) everybody lived or (almost) nobody did. Judge each column "
               "by its data with the notebook's threshold, not by its name: the checks rename "
               "the columns."),
       code=N_("For each column but survived: `known = df[column].notna()`; the column leaks "
               "when `df.loc[known, 'survived'].mean()` is at least 0.9 or at most 0.1."))
def test_leakage_columns(nb):
    func = "leakage_columns"
    for case, value in results(nb, func):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            fail(func, case, _("the result must be a list of column names"), found=value)
        expected = ref_leaks(table(case.spec))
        if sorted(value) != expected:
            fail(func, case, _("the list is not exactly the columns whose known values (almost) "
                               "all go with one outcome"), expected=expected, found=sorted(value))
