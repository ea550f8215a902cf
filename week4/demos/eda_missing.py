"""Topic 05 demo: four ways to deal with missing ages, and what each one costs.

Run it: `python -m week4.demos.eda_missing`. tests/test_05_eda_docs.py checks the numbers the
page quotes.
"""

from __future__ import annotations

import pandas as pd

from week4.data import load_titanic


# --8<-- [start:strategies]
def drop_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Keep only passengers whose age is known."""
    return df.dropna(subset=["age"])


def fill_global_median(df: pd.DataFrame) -> pd.DataFrame:
    """Every missing age becomes the median of all known ages."""
    return df.assign(age=df["age"].fillna(df["age"].median()))


def fill_group_median(df: pd.DataFrame) -> pd.DataFrame:
    """Every missing age becomes the median of its (pclass, sex) group."""
    groups = df.groupby(["pclass", "sex"], observed=True)
    medians = groups["age"].transform("median")  # one value per row
    return df.assign(age=df["age"].fillna(medians))


def add_missing_indicator(df: pd.DataFrame) -> pd.DataFrame:
    """Remember where the gaps were: a gap can carry information too."""
    missing = df["age"].isna().astype(int)
    return fill_group_median(df).assign(age_missing=missing)
# --8<-- [end:strategies]


# --8<-- [start:mode]
def fill_mode(df: pd.DataFrame, column: str) -> pd.DataFrame:
    """A categorical column: fill with its most frequent value."""
    mode = df[column].mode().iloc[0]
    return df.assign(**{column: df[column].fillna(mode)})
# --8<-- [end:mode]


# --8<-- [start:compare]
def compare_strategies(df: pd.DataFrame) -> pd.DataFrame:
    """What each strategy does: rows, age spread, class mix and gap."""
    rows = {}
    strategies = [("drop rows", drop_rows),
                  ("global median", fill_global_median),
                  ("group median", fill_group_median)]
    for name, strategy in strategies:
        out = strategy(df)
        by_class = out.groupby("pclass")["age"].median()
        rows[name] = {
            "rows": len(out),
            "age std": out["age"].std(),
            "third class share": (out["pclass"] == 3).mean(),
            "median age 1st - 3rd class": by_class[1] - by_class[3],
        }
    return pd.DataFrame(rows).T
# --8<-- [end:compare]


def missing_by_group(df: pd.DataFrame, column: str, by: str) -> pd.Series:
    """Share of `column` that is missing in each group of `by`: is the gap random?"""
    return df[column].isna().groupby(df[by], observed=True).mean()


def main() -> None:
    titanic = load_titanic()
    print(compare_strategies(titanic).round(3).to_string())
    print(missing_by_group(titanic, "age", "pclass").round(3).to_string())
    print(missing_by_group(titanic, "age", "survived").round(3).to_string())
    print(fill_mode(titanic, "embarked")["embarked"].value_counts().to_string())


if __name__ == "__main__":
    main()
