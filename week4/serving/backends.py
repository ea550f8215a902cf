"""Two interchangeable ways to run the same model: scikit-learn itself, or ONNX Runtime.

Both take the dict of column arrays that `schema.columns()` builds and return the predicted
labels and the probability of survival, so the app does not care which one it holds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import artifacts
from .schema import CATEGORICAL, NUMERIC


# --8<-- [start:backends]
class SklearnBackend:
    """The pipeline as trained: exact, but scikit-learn checks its input on every call."""

    name = "sklearn"

    def __init__(self, model_dir):
        self.pipeline = artifacts.load_pipeline(model_dir)
        self.survived = list(self.pipeline.classes_).index(1)

    def predict(self, data: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        proba = self.pipeline.predict_proba(pd.DataFrame(data))
        return self.pipeline.classes_[proba.argmax(axis=1)], proba[:, self.survived]


class OnnxBackend:
    """The same pipeline converted to an ONNX graph, run by ONNX Runtime's C++ kernels."""

    name = "onnx"

    def __init__(self, model_dir):
        import onnxruntime as ort

        path = artifacts.verified(model_dir, "onnx_file", "onnx_sha256")
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # gunicorn runs one process per core already
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), options,
                                            providers=["CPUExecutionProvider"])

    def predict(self, data: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        feeds = {name: data[name].astype(np.float32).reshape(-1, 1) for name in NUMERIC}
        feeds.update({name: data[name].reshape(-1, 1) for name in CATEGORICAL})
        labels, proba = self.session.run(None, feeds)
        return labels, proba[:, 1]
# --8<-- [end:backends]


BACKENDS = {"sklearn": SklearnBackend, "onnx": OnnxBackend}


def load_backend(name: str, model_dir):
    try:
        backend = BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown backend {name!r}; choose one of {sorted(BACKENDS)}") from None
    return backend(model_dir)
