"""Topic 05 demo: converting dtypes, and one-hot encoding categorical columns.

Run it: `python -m week4.demos.eda_encoding`. tests/test_05_eda_docs.py runs every function.
"""

from __future__ import annotations

import pandas as pd

from week4.data import load_titanic, titanic_csv_path


# --8<-- [start:convert]
def convert_dtypes(raw: pd.DataFrame) -> pd.DataFrame:
    """From a table read as plain text (no na_values) to useful dtypes."""
    out = raw.copy()
    for column in ["age", "fare", "body"]:
        # "?" cannot become a number: errors="coerce" turns it into NaN.
        out[column] = pd.to_numeric(out[column], errors="coerce")
    for column in ["sex", "embarked"]:
        out[column] = out[column].replace("?", pd.NA).astype("category")
    return out
# --8<-- [end:convert]


# --8<-- [start:one-hot]
def one_hot(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """One 0/1 column per value (sex_female, ...); drops the originals."""
    return pd.get_dummies(df, columns=columns, dtype=int)
# --8<-- [end:one-hot]


# --8<-- [start:serving]
def encode_like_training(new: pd.DataFrame, columns: list[str],
                         training_columns: pd.Index) -> pd.DataFrame:
    """Encode new rows with exactly the training columns, in order.

    One new passenger has one value per column, so get_dummies alone
    would make fewer columns than the model was trained on. A value
    never seen in training gets zeros everywhere.
    """
    encoded = one_hot(new, columns)
    return encoded.reindex(columns=training_columns, fill_value=0)
# --8<-- [end:serving]


def main() -> None:
    raw = pd.read_csv(titanic_csv_path(), keep_default_na=False)
    print(raw[["age", "fare", "sex"]].dtypes.to_string())
    print(convert_dtypes(raw)[["age", "fare", "sex"]].dtypes.to_string())
    titanic = load_titanic()
    encoded = one_hot(titanic, ["sex", "embarked"])
    print(list(encoded.columns))
    # One new passenger, with sex and embarked as plain text (as a web form would send them).
    one = titanic.iloc[[0]].astype({"sex": str, "embarked": str})
    print(list(one_hot(one, ["sex", "embarked"]).columns)[-2:])
    print(list(encode_like_training(one, ["sex", "embarked"], encoded.columns))[-5:])


if __name__ == "__main__":
    main()
