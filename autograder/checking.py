"""What a check is: a pytest test marked with an id, points, a hint and a docs link.

    @check("freeze-basic", points=1, hint="Split each line at '=='.",
           docs="docs/topics/01-virtualenv.md#pip-freeze")
    def test_freeze_basic(nb):
        got = nb.call("parse_freeze", "flask==3.0.0\\n")
        expect_equal(got, {"flask": "3.0.0"}, "parse_freeze('flask==3.0.0')")

A check fails by raising `CheckFailed`; its message says what was expected and what was
found. `hidden=True` marks inputs the notebook never shows: the nbgrader feedback then keeps
only the public part of the message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class CheckInfo:
    id: str
    points: float
    hint: str
    docs: str


class CheckFailed(AssertionError):
    """A check's verdict: the rule that failed, and (optionally) expected vs found."""

    def __init__(self, message: str, *, expected=None, found=None, given=None,
                 hidden: bool = False, show_values: bool = True):
        """`given` names the input that failed; with `hidden=True` it stays out of feedback."""
        self.public = message
        detail = f" (input: {short(given)})" if given is not None else ""
        if show_values and (expected is not None or found is not None):
            detail += f"; expected {short(expected)}, found {short(found)}"
        self.hidden = hidden
        super().__init__(message + detail)


def check(check_id: str, *, points: float, hint: str, docs: str):
    """Mark a pytest test function as a graded check."""
    info = CheckInfo(check_id, points, hint, docs)

    def decorate(func):
        func.check_info = info
        return pytest.mark.week4_check(info)(func)

    return decorate


def checks_in(module) -> list[CheckInfo]:
    """The checks a module defines, in source order."""
    funcs = [f for f in vars(module).values() if hasattr(f, "check_info")]
    funcs.sort(key=lambda f: f.__code__.co_firstlineno)
    return [f.check_info for f in funcs]


def short(value, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def expect_equal(found, expected, what: str, *, given=None, hidden: bool = False) -> None:
    """Fail unless `found == expected`, comparing plain data only."""
    if type(found) is not type(expected) or found != expected:
        raise CheckFailed(f"{what} is not right", expected=expected, found=found, given=given,
                          hidden=hidden)


def expect_close(found, expected: float, what: str, *, tol: float = 1e-6,
                 hidden: bool = False) -> None:
    """Fail unless `found` is a number within `tol` of `expected`."""
    if isinstance(found, bool) or not isinstance(found, (int, float)) or not math.isfinite(found) \
            or abs(found - expected) > tol:
        raise CheckFailed(f"{what} is not within {tol:g} of the right value",
                          expected=expected, found=found, hidden=hidden)
