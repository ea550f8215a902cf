"""A client of the running service: JSON over HTTP, with nothing but the standard library.

    python -m week4.serving.client [BASE_URL]      # default: http://127.0.0.1:8000
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request

# --8<-- [start:client]
ROSE = {"pclass": 1, "sex": "female", "age": 17, "sibsp": 1, "parch": 1, "fare": 100.0,
        "embarked": "S"}
JACK = {"pclass": 3, "sex": "male", "age": 20, "sibsp": 0, "parch": 0, "fare": None,
        "embarked": "S"}


def call(base: str, method: str, path: str, payload=None) -> tuple[int, dict]:
    """Send one request; return the status code and the decoded JSON answer."""
    data = None if payload is None else json.dumps(payload).encode("utf-8")
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:  # a 4xx or 5xx answer still carries JSON
        return error.code, json.load(error)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    base = args[0] if args else "http://127.0.0.1:8000"
    for method, path, payload in [
        ("GET", "/health", None),
        ("POST", "/predict", ROSE),
        ("POST", "/predict", {**JACK, "age": -20, "cabin": "F"}),
        ("POST", "/predict/batch", {"passengers": [ROSE, JACK]}),
    ]:
        status, answer = call(base.rstrip("/"), method, path, payload)
        print(f"{method} {path} -> {status} {json.dumps(answer)}")
    return 0
# --8<-- [end:client]


if __name__ == "__main__":
    sys.exit(main())
