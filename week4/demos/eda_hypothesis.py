"""Topic 05 demo: a hypothesis, the group rates behind it, and a chi-square test.

Run it: `python -m week4.demos.eda_hypothesis`. tests/test_05_eda_docs.py checks the numbers
the page quotes.
"""

from __future__ import annotations

import pandas as pd
from scipy.stats import chi2_contingency

from week4.data import load_titanic


# --8<-- [start:rates]
def survival_table(df: pd.DataFrame, column: str) -> pd.DataFrame:
    """Passengers, survivors and survival rate per value of `column`."""
    grouped = df.groupby(column, observed=True)["survived"]
    return pd.DataFrame({"passengers": grouped.size(),
                         "survivors": grouped.sum(),
                         "rate": grouped.mean()})
# --8<-- [end:rates]


# --8<-- [start:chi-square]
def chi_square(df: pd.DataFrame, column: str, a, b) -> dict:
    """Two groups: survival rates and a chi-square test of independence."""
    rows = df[df[column].isin([a, b])]
    # A 2x2 table of counts: groups a, b down; died (0), survived (1) across
    table = pd.crosstab(rows[column].astype(object), rows["survived"])
    table = table.loc[[a, b]]
    result = chi2_contingency(table)  # with Yates' correction for 2x2
    rates = table[1] / table.sum(axis=1)
    return {"rate_a": rates[a], "rate_b": rates[b],
            "difference": rates[a] - rates[b],
            "p_value": result.pvalue,
            "expected": result.expected_freq.round(1).tolist()}
# --8<-- [end:chi-square]


# --8<-- [start:within-class]
def rates_within(df: pd.DataFrame, column: str, within: str) -> pd.DataFrame:
    """Survival rate by `column`, inside each value of `within`."""
    return df.pivot_table(index=within, columns=column, values="survived",
                          aggfunc="mean", observed=True)
# --8<-- [end:within-class]


def main() -> None:
    titanic = load_titanic()
    print(survival_table(titanic, "sex").round(3).to_string())
    print(survival_table(titanic, "pclass").round(3).to_string())
    print(chi_square(titanic, "embarked", "C", "S"))
    print(chi_square(titanic, "embarked", "Q", "S"))
    print(rates_within(titanic, "embarked", "pclass").round(3).to_string())


if __name__ == "__main__":
    main()
