"""Catalogues of wrong and hostile submissions, one module per topic (`m<nn>_<name>.py`).

They prove the checks fair (tests) and populate the demo class (`make grade-demo`).
"""

import importlib
import pkgutil


def catalogue(topic_id: str):
    """The catalogue module for a topic ('01-virtualenv' -> m01_virtualenv), or None."""
    name = "m" + topic_id.replace("-", "_")
    if any(m.name == name for m in pkgutil.iter_modules(__path__)):
        return importlib.import_module(f"{__name__}.{name}")
    return None
