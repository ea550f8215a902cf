"""Topic 05 demo: a first look at the whole table, then at one feature.

Run it: `python -m week4.demos.eda_explore`. The docs include parts of this file between the
`--8<--` markers; tests/test_05_eda_docs.py runs every function and checks the numbers the page
quotes.
"""

from __future__ import annotations

import pandas as pd

from week4.data import load_titanic


# --8<-- [start:read]
def read_titanic(path) -> pd.DataFrame:
    """Read the CSV: '?' is missing; two text columns become categories."""
    return pd.read_csv(
        path,
        na_values=["?"],        # the file's own marker for "not recorded"
        keep_default_na=False,  # ...and nothing else: a name "NA" is text
        dtype={"sex": "category", "embarked": "category"},
    )
# --8<-- [end:read]


# --8<-- [start:whole]
def whole_table(df: pd.DataFrame) -> dict:
    """Shape, dtypes, missing values: the first questions about a table."""
    missing = df.isna().sum()
    return {
        "shape": df.shape,                                  # (rows, columns)
        "dtypes": df.dtypes.astype(str).to_dict(),
        "missing": missing[missing > 0].sort_values(ascending=False).to_dict(),
    }
# --8<-- [end:whole]


# --8<-- [start:correlations]
def survival_correlations(df: pd.DataFrame) -> pd.Series:
    """Pearson r of each numeric column with `survived`, largest |r| first."""
    numeric = df.select_dtypes("number")
    r = numeric.drop(columns="survived").corrwith(numeric["survived"])
    order = r.abs().sort_values(ascending=False).index  # NaN sorts last
    return r.reindex(order)
# --8<-- [end:correlations]


# --8<-- [start:feature]
def describe_feature(df: pd.DataFrame, column: str) -> pd.DataFrame:
    """One feature: its summary for those who died (0) and survived (1)."""
    if pd.api.types.is_numeric_dtype(df[column]):
        return df.groupby("survived")[column].describe()
    counts = pd.crosstab(df[column].astype(object), df["survived"],
                         margins=True)
    return counts.assign(rate=counts[1] / counts["All"])
# --8<-- [end:feature]


def main() -> None:
    titanic = load_titanic()
    overview = whole_table(titanic)
    print("shape:", overview["shape"])
    print("missing:", overview["missing"])
    print(survival_correlations(titanic).round(3).to_string())
    print(describe_feature(titanic, "sex").round(3).to_string())
    print(describe_feature(titanic, "age").round(1).to_string())


if __name__ == "__main__":
    main()
