"""A trained pipeline on disk: model.skops, model.onnx and metadata.json, with their hashes.

Loading refuses a file whose SHA-256 differs from the one recorded at save time, and a skops
file that needs a type outside `TRUSTED_TYPES`. Neither format runs code when it is read:
skops builds only trusted types, and an ONNX file is a graph of operators, not Python.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import sklearn
import skops.io as sio

from .schema import CATEGORICAL, FEATURES, NUMERIC
from .trust import TRUSTED_TYPES

MODEL_FILE = "model.skops"
ONNX_FILE = "model.onnx"
METADATA_FILE = "metadata.json"
FEATURE_TYPES = {"pclass": "integer", "sex": "string", "age": "number", "sibsp": "integer",
                 "parch": "integer", "fare": "number", "embarked": "string"}


class ModelFileError(RuntimeError):
    """A model file that must not be loaded: changed since saving, or untrusted content."""


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --8<-- [start:save]
def save(pipeline, model_dir: str | Path, metrics: dict) -> dict:
    """Write the pipeline (skops and ONNX) and metadata.json; return the metadata."""
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    sio.dump(pipeline, model_dir / MODEL_FILE)
    (model_dir / ONNX_FILE).write_bytes(to_onnx_bytes(pipeline))
    metadata = {
        "model_file": MODEL_FILE,
        "sha256": sha256_of(model_dir / MODEL_FILE),
        "onnx_file": ONNX_FILE,
        "onnx_sha256": sha256_of(model_dir / ONNX_FILE),
        "sklearn_version": sklearn.__version__,
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "features": [{"name": name, "type": FEATURE_TYPES[name]} for name in FEATURES],
        "metrics": metrics,
    }
    (model_dir / METADATA_FILE).write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    return metadata
# --8<-- [end:save]


def read_metadata(model_dir: str | Path) -> dict:
    return json.loads((Path(model_dir) / METADATA_FILE).read_text(encoding="utf-8"))


def verified(model_dir: str | Path, name_key: str, hash_key: str) -> Path:
    """The path of a model file whose bytes still match the recorded SHA-256."""
    metadata = read_metadata(model_dir)
    path = Path(model_dir) / metadata[name_key]
    if sha256_of(path) != metadata[hash_key]:
        raise ModelFileError(f"{path} changed since it was saved (SHA-256 mismatch); "
                             "refusing to load it")
    return path


# --8<-- [start:load]
def load_pipeline(model_dir: str | Path):
    """The scikit-learn pipeline, if its file is unchanged and holds only trusted types."""
    path = verified(model_dir, "model_file", "sha256")
    unknown = [t for t in sio.get_untrusted_types(file=path) if t not in TRUSTED_TYPES]
    if unknown:
        raise ModelFileError(f"{path} needs types we do not trust: {unknown}")
    return sio.load(path, trusted=TRUSTED_TYPES)
# --8<-- [end:load]


# --8<-- [start:onnx]
def to_onnx_bytes(pipeline) -> bytes:
    """Convert the fitted pipeline to ONNX: one named input per column, as served."""
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    inputs = ([(name, FloatTensorType([None, 1])) for name in NUMERIC]
              + [(name, StringTensorType([None, 1])) for name in CATEGORICAL])
    # zipmap=False: probabilities as one float matrix instead of a dict per row.
    options = {id(pipeline.steps[-1][1]): {"zipmap": False}}
    return to_onnx(pipeline, initial_types=inputs, options=options,
                   target_opset=17).SerializeToString()
# --8<-- [end:onnx]
