"""Train the lecture's Titanic pipeline and save it for serving.

    python -m week4.serving.train [MODEL_DIR]     # default: artifacts/serving

Writes MODEL_DIR/model.skops, MODEL_DIR/model.onnx and MODEL_DIR/metadata.json.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from week4.data import load_titanic

from . import artifacts
from .schema import CATEGORICAL, FEATURES, MISSING, NUMERIC, columns

DEFAULT_DIR = "artifacts/serving"
TARGET = "survived"
LEAKS = ["boat", "body"]  # recorded after the sinking: never features


# --8<-- [start:pipeline]
def build_pipeline() -> Pipeline:
    """Every preprocessing step lives here, so it is saved, and served, with the model."""
    prepare = ColumnTransformer([
        ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), NUMERIC),
        ("categorical", make_pipeline(
            SimpleImputer(missing_values=MISSING, strategy="most_frequent"),
            OneHotEncoder(handle_unknown="ignore")), CATEGORICAL),
    ])
    return Pipeline([("prepare", prepare), ("model", LogisticRegression(max_iter=1000))])


def table_rows(df: pd.DataFrame) -> list[dict]:
    """The table's passengers as request-like dicts (None when unknown): training takes the
    same road through `columns()` as a request does."""
    part = df[FEATURES].astype(object)
    return part.where(part.notna(), None).to_dict("records")


def model_input(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(columns(rows))
# --8<-- [end:pipeline]


def train(df: pd.DataFrame) -> Pipeline:
    return build_pipeline().fit(model_input(table_rows(df)), df[TARGET].to_numpy())


def train_and_save(model_dir: str, seed: int = 0) -> dict:
    """Train on 80% of the passengers, validate on the rest, save everything; return metadata."""
    data = load_titanic()
    train_part, valid_part = train_test_split(data, test_size=0.2, random_state=seed,
                                              stratify=data[TARGET])
    pipeline = train(train_part)
    predicted = pipeline.predict(model_input(table_rows(valid_part)))
    metrics = {"accuracy": round(float(np.mean(predicted == valid_part[TARGET].to_numpy())), 4),
               "n_train": len(train_part), "n_validation": len(valid_part)}
    return artifacts.save(pipeline, model_dir, metrics)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m week4.serving.train", description=__doc__)
    parser.add_argument("model_dir", nargs="?", default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    metadata = train_and_save(args.model_dir)
    print(f"saved to {args.model_dir}: validation accuracy {metadata['metrics']['accuracy']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
