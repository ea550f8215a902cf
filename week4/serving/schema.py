"""What a request may contain, and how validated passengers become the model's input columns.

Training goes through `columns()` too (see `train.table_rows`), so the server cannot prepare
its input differently from training: there is one code path, not two copies of it.
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, with_config
from typing_extensions import TypedDict

FEATURES = ["pclass", "sex", "age", "sibsp", "parch", "fare", "embarked"]
NUMERIC = ["pclass", "age", "sibsp", "parch", "fare"]
CATEGORICAL = ["sex", "embarked"]
MISSING = ""          # a missing category; skl2onnx's imputer needs a string, not NaN
MAX_BATCH = 10_000

# --8<-- [start:passenger]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0)]


@with_config(ConfigDict(extra="forbid", strict=True))  # no guessing: "3" is not 3
class Passenger(TypedDict):
    pclass: Literal[1, 2, 3]
    sex: Literal["female", "male"]
    age: NonNegative | None          # required, but null when unknown
    sibsp: Count
    parch: Count
    fare: NonNegative | None
    embarked: Literal["C", "Q", "S"] | None


@with_config(ConfigDict(extra="forbid", strict=True))
class Batch(TypedDict):
    passengers: Annotated[list[Passenger], Field(max_length=MAX_BATCH)]


# A TypeAdapter validates the raw JSON bytes in one call (parsing included), and a TypedDict
# yields plain dicts: no model object per row.
PASSENGER = TypeAdapter(Passenger)
BATCH = TypeAdapter(Batch)
# --8<-- [end:passenger]


def error_details(exc: ValidationError) -> dict[str, str]:
    """pydantic's errors as {"field": "message"}; inside a batch: {"passengers.3.age": ...}."""
    return {".".join(str(p) for p in err["loc"]) or "body": err["msg"] for err in exc.errors()}


def too_many(exc: ValidationError) -> bool:
    return any(err["type"] == "too_long" and tuple(err["loc"]) == ("passengers",)
               for err in exc.errors())


# --8<-- [start:columns]
def columns(rows: list[dict]) -> dict[str, np.ndarray]:
    """Validated passengers as one array per feature: the input of both backends.

    Numbers become float64 with NaN for null; categories stay strings with "" for null.
    No filling, scaling or encoding happens here: that is the pipeline's job.
    """
    data = {name: np.array([row[name] for row in rows], dtype=np.float64) for name in NUMERIC}
    for name in CATEGORICAL:
        data[name] = np.array([row[name] or MISSING for row in rows], dtype=object)
    return data
# --8<-- [end:columns]
