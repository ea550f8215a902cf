"""Hidden variants of the Titanic table, built the same way in the grader and in the child.

The grader sends a plain spec such as `{"steps": ["sample", "relabel"], "seed": 41}`; the
sandbox child builds the table from it and hands it to the student's function, while the
grader builds the very same table to compute the expected answer with its own reference
code. Nothing but the spec crosses the process boundary. Steps:

- `shuffle`  rows in a random order, with a fresh 0..n-1 index;
- `sample`   a random 70% of the rows, keeping their original index labels (so the
             index has gaps, as after any filter);
- `holes`    extra missing values in age, fare, embarked, cabin and home.dest;
- `relabel`  the category labels of `sex` and `embarked` renamed (e.g. "F"/"M");
- `columns`  the columns renamed and put in a new order; only `survived` keeps its name (for
             `leakage_columns(df)`, which must then find the leaks from the data). It comes
             last, after the steps that need the usual column names.

An answer that was computed once on the full table and typed in fails on every variant.

In grading mode the grader also draws, from the secret key, what the spec may override:
`"fraction"` (the share `sample` keeps), `"holes"` ({column: share} for `holes`) and
`"labels"` ({"sex": {"female": .., "male": ..}, "embarked": {"C": .., "Q": .., "S": ..}} for
`relabel`) and `"columns"` ([[old name, new name], ...] in the new order, for `columns`; a
column not listed is left out). Without them the fixed defaults below apply (practice mode).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

SAMPLE_FRACTION = 0.7
# Extra share of rows made missing per column by the `holes` step.
HOLES = {"age": 0.15, "fare": 0.03, "embarked": 0.03, "cabin": 0.05, "home.dest": 0.05}
SEX_LABELS = [("F", "M"), ("woman", "man"), ("Female", "Male"), ("f", "m")]
PORT_LABELS = [("Cherbourg", "Queenstown", "Southampton"), ("c", "q", "s"), ("CHE", "QUE", "SOU")]


@functools.lru_cache(maxsize=1)
def _base() -> pd.DataFrame:
    from week4.data import load_titanic

    return load_titanic()


def base() -> pd.DataFrame:
    """A fresh copy of the shipped table."""
    return _base().copy()


def is_hidden(spec: dict | None) -> bool:
    return bool(spec and spec.get("steps"))


def relabel_map(seed: int, spec: dict | None = None) -> dict[str, dict[str, str]]:
    """The new labels the `relabel` step gives, per column: {"sex": {"female": "F", ...}}."""
    if spec and spec.get("labels"):
        return {column: dict(mapping) for column, mapping in spec["labels"].items()}
    rng = np.random.default_rng([seed, 7])  # its own stream: independent of the other steps
    female, male = SEX_LABELS[rng.integers(len(SEX_LABELS))]
    c, q, s = PORT_LABELS[rng.integers(len(PORT_LABELS))]
    return {"sex": {"female": female, "male": male}, "embarked": {"C": c, "Q": q, "S": s}}


def _shuffle(df: pd.DataFrame, rng, spec: dict) -> pd.DataFrame:
    return df.iloc[rng.permutation(len(df))].reset_index(drop=True)


def _sample(df: pd.DataFrame, rng, spec: dict) -> pd.DataFrame:
    size = round(len(df) * float(spec.get("fraction", SAMPLE_FRACTION)))
    return df.iloc[np.sort(rng.choice(len(df), size=size, replace=False))]


def _holes(df: pd.DataFrame, rng, spec: dict) -> pd.DataFrame:
    df = df.copy()
    shares = spec.get("holes") or HOLES
    for column in HOLES:  # a fixed order: the spec's dict may arrive with its keys sorted
        df[column] = df[column].mask(rng.random(len(df)) < float(shares.get(column, 0.0)))
    return df


def _relabel(df: pd.DataFrame, rng, spec: dict) -> pd.DataFrame:
    df = df.copy()
    for column, mapping in relabel_map(int(spec.get("seed", 0)), spec).items():
        df[column] = df[column].cat.rename_categories(mapping)
    return df


def _columns(df: pd.DataFrame, rng, spec: dict) -> pd.DataFrame:
    pairs = spec.get("columns")
    if not pairs:  # practice: every other column becomes column_1, column_2, ... at random
        others = [c for c in df.columns if c != "survived"]
        order = [others[i] for i in rng.permutation(len(others))]
        pairs = [[old, f"column_{n}"] for n, old in enumerate(order, 1)]
        pairs.insert(int(rng.integers(len(pairs) + 1)), ["survived", "survived"])
    return df[[old for old, _ in pairs]].set_axis([new for _, new in pairs], axis=1)


STEPS = {"shuffle": _shuffle, "sample": _sample, "holes": _holes, "relabel": _relabel,
         "columns": _columns}


def build(spec: dict | None) -> pd.DataFrame:
    """The table a spec describes (a new object each call; the caller may change it)."""
    df = base()
    if not spec:
        return df
    rng = np.random.default_rng(int(spec.get("seed", 0)))
    for step in spec.get("steps", []):
        df = STEPS[step](df, rng, spec)
    return df


def canon(value):
    """A group label in a form both sides compare alike: numbers as float, the rest as text.

    `1`, `1.0`, `np.int64(1)` and the tick label "1" all name class 1; "female" is "female".
    """
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        return text
