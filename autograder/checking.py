"""What a check is: a pytest test marked with an id, points, two hints and a docs link.

    _ = messages(TOPIC)

    @check("freeze-basic", points=1,
           hint=N_("What does one line of `pip freeze` hold, and which part is the name?"),
           code=N_("Split each line at '==' (`line.split('==', 1)`)."),
           docs="docs/topics/01-virtualenv.md#pip-freeze")
    def test_freeze_basic(nb):
        got = nb.call("parse_freeze", "flask==3.0.0\\n")
        expect_equal(got, {"flask": "3.0.0"}, "parse_freeze('flask==3.0.0')")

Hints come in two stages: `hint` is the concept hint (what to think about; never the code that
solves the check), shown on the scoreboard and in check cells; `code` is the code-level hint,
shown only when asked (`week4 hint CHECK-ID`, or `hint(...)` in a notebook cell).

Every sentence a student reads is English in the code and translated by the topic's gettext
catalog (`week4/locale/ko/LC_MESSAGES/<topic>.po`): hints are marked with `N_` and translated
when shown; messages are written `_("{what} is not right").format(what=...)`, with
`_ = messages(TOPIC)` translating into the grading process's language (`WEEK4_LANG`).

A check fails by raising `CheckFailed`; its message says what was expected and what was
found. `hidden=True` marks inputs the notebook never shows: the nbgrader feedback then keeps
only the public part of the message.

In grading mode (a secret key, see `autograder.keys`) no message may carry a hidden input, an
expected value or anything the student's code chose to echo: `grading_message` replaces every
failure by the rule that failed (`safe`, when the raiser gave one) or by a fixed sentence.
"""

from __future__ import annotations

import builtins
import math
from dataclasses import dataclass

import pytest

from week4.i18n import N_, current, t  # noqa: F401 (N_ is re-exported for the check modules)

_ = current()  # the grader's shared sentences live in the week4 catalog


def messages(topic: str):
    """The `_` of a topic's check module: translates with the topic's catalog, into the
    language of the grading process (see `week4.i18n.current`)."""
    return current(topic)


@dataclass(frozen=True)
class CheckInfo:
    id: str
    points: float
    hint: str   # the concept hint, in English (translate with `hint_in`)
    docs: str
    code: str = ""  # the code-level hint, shown only when asked
    topic: str = ""


def hint_in(info: CheckInfo, lang: str, which: str = "hint") -> str:
    """A hint of `info` in `lang` ("hint": the concept hint; "code": the code-level hint)."""
    text = getattr(info, which)
    return t(lang, info.topic)(text) if text else text


class CheckFailed(AssertionError):
    """A check's verdict: the rule that failed, and (optionally) expected vs found."""

    def __init__(self, message: str, *, expected=None, found=None, given=None,
                 hidden: bool = False, show_values: bool = True, safe: str | None = None):
        """`given` names the input that failed; with `hidden=True` it stays out of feedback.

        `safe` is what grading mode may show: text with no input, value or student output."""
        self.public = message
        self.safe = safe
        detail = " " + _("(input: {input})").format(input=short(given)) \
            if given is not None else ""
        if show_values and (expected is not None or found is not None):
            detail += "; " + _("expected {expected}, found {found}").format(
                expected=short(expected), found=short(found))
        self.hidden = hidden
        super().__init__(message + detail)


def check(check_id: str, *, points: float, hint: str, docs: str, code: str = ""):
    """Mark a pytest test function as a graded check (see the module's docstring)."""

    def decorate(func):
        # the topic (its catalog) is the TOPIC of the module that defines the check
        info = CheckInfo(check_id, points, hint, docs, code, func.__globals__.get("TOPIC", ""))
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
        raise CheckFailed(_("{what} is not right").format(what=what), expected=expected,
                          found=found, given=given, hidden=hidden)


def expect_close(found, expected: float, what: str, *, tol: float = 1e-6,
                 hidden: bool = False) -> None:
    """Fail unless `found` is a number within `tol` of `expected`."""
    if isinstance(found, bool) or not isinstance(found, (int, float)) or not math.isfinite(found) \
            or abs(found - expected) > tol:
        raise CheckFailed(_("{what} is not within {tol} of the right value").format(
            what=what, tol=f"{tol:g}"), expected=expected, found=found, hidden=hidden)


def rule_failed() -> str:
    """What grading mode says when a check fails for a reason other than a failed call."""
    return _("this rule does not hold on the grader's hidden inputs (what it checks is in the "
             "hint below)")


def not_written() -> str:
    return _("is not written yet (it raises NotImplementedError)")
BUILTIN_ERRORS = frozenset(name for name, value in vars(builtins).items()
                           if isinstance(value, type) and issubclass(value, BaseException))


def safe_reply(name: str, reply) -> str:
    """A failed call in words that carry nothing the student's code chose (grading mode).

    An exception's message could echo the hidden input, and so could the name of an exception
    class made up at run time: only built-in exception names are shown.
    """
    what = f"{name}(...)"
    status = getattr(reply, "status", "")
    if status == "timeout":
        return _("{what} did not finish in time (an infinite loop, or waiting for input?)").format(
            what=what)
    if status == "crashed":
        return _("{what} stopped the grading process (os._exit, a crash, or too much "
                 "memory?)").format(what=what)
    kind = (getattr(reply, "error", None) or {}).get("type")
    if kind == "NotImplementedError":
        return f"{what} {not_written()}"
    if kind == "LookupError":
        return _("{what} is missing: the notebook does not define it (or its cell "
                 "failed)").format(what=what)
    if isinstance(kind, str) and kind in BUILTIN_ERRORS:
        return _("{what} raised {error} on a hidden input").format(what=what, error=kind)
    return _("{what} raised an exception on a hidden input").format(what=what)


def grading_message(exc: BaseException | None) -> str:
    """The whole message grading mode gives for a failed check."""
    safe = getattr(exc, "safe", None)
    if isinstance(exc, CheckFailed) and safe:
        return safe
    if isinstance(exc, CheckFailed):
        return rule_failed()
    return _("the check itself failed ({error}); please report it").format(
        error=type(exc).__name__)
