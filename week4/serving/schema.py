"""What a request may contain, and how validated passengers become the model's input columns.

Requests are validated the one way the course teaches (the docs page and exercise 04 alike):
a pydantic model per body, `Passenger` and `Batch`, checked with `model_validate_json` on the
raw request bytes, so parsing and validation are one call in pydantic's compiled core.

Training goes through `columns()` too (see `train.table_rows`), so the server cannot prepare
its input differently from training: there is one code path, not two copies of it.
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

FEATURES = ["pclass", "sex", "age", "sibsp", "parch", "fare", "embarked"]
NUMERIC = ["pclass", "age", "sibsp", "parch", "fare"]
CATEGORICAL = ["sex", "embarked"]
MISSING = ""          # a missing category; skl2onnx's imputer needs a string, not NaN
MAX_BATCH = 10_000

# --8<-- [start:passenger]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0)]


class Passenger(BaseModel):
    """One passenger: every field required, null when unknown."""
    # Unknown fields are errors; no guessing: "3" is not 3.
    model_config = ConfigDict(extra="forbid", strict=True)

    pclass: Literal[1, 2, 3]
    sex: Literal["female", "male"]
    age: NonNegative | None
    sibsp: Count
    parch: Count
    fare: NonNegative | None
    embarked: Literal["C", "Q", "S"] | None


class Batch(BaseModel):
    """The body of POST /predict/batch."""
    model_config = ConfigDict(extra="forbid", strict=True)

    passengers: Annotated[list[Passenger], Field(max_length=MAX_BATCH)]
# --8<-- [end:passenger]


def error_details(exc: ValidationError) -> dict[str, str]:
    """pydantic's errors as {"field": "message"}; inside a batch: {"passengers.3.age": ...}."""
    return {".".join(str(p) for p in err["loc"]) or "body": err["msg"] for err in exc.errors()}


def too_many(exc: ValidationError) -> bool:
    return any(err["type"] == "too_long" and tuple(err["loc"]) == ("passengers",)
               for err in exc.errors())


# --8<-- [start:columns]
def columns(rows: list[dict]) -> dict[str, np.ndarray]:
    """Passengers (plain dicts) as one array per feature: the input of
    both backends. Numbers become float64 with NaN for null; categories
    stay strings with "" for null. No filling, scaling or encoding here:
    that is the pipeline's job.
    """
    data = {name: np.array([row[name] for row in rows], dtype=np.float64)
            for name in NUMERIC}
    for name in CATEGORICAL:
        data[name] = np.array([row[name] or MISSING for row in rows],
                              dtype=object)
    return data
# --8<-- [end:columns]
