"""The language a student reads: Korean or English, chosen in one place.

The choice: `--lang ko|en`, else `$WEEK4_LANG`, else the locale (`LC_ALL`, `LC_MESSAGES`,
`LANG`: `ko_KR.UTF-8` gives Korean, `en_US.UTF-8` English), else `COURSE_LANG`.

Messages are written in English in the code as `_("...")` (with `_ = t(lang)`), and translated
by gettext catalogs that Babel extracts, updates and compiles (`make i18n`; `make check` and
`make test` compile them). One catalog (domain) per part, all under `week4/locale/<lang>/LC_MESSAGES/`:

- `week4.po`: the command line, the scoreboard and the grader's shared sentences;
- `<topic>.po` (`01-virtualenv.po`, ...): one topic's check messages and hints, next to which the
  topic's checks are written (`autograder/checks/test_<nn>_<name>.py`).

Placeholders are named (`{score}`), so a translation may put them in any order.
"""

from __future__ import annotations

import gettext
import os
from functools import lru_cache
from pathlib import Path

LANGS = ("ko", "en")
COURSE_LANG = "ko"  # the course's students are Korean
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "week4"
LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG")


def choose(given: str | None = None) -> str:
    """The language code to use; ValueError for a `--lang`/`$WEEK4_LANG` we do not speak."""
    for text in (given, os.environ.get("WEEK4_LANG")):
        if text:
            code = text.strip().lower().replace("-", "_").split("_")[0]
            if code not in LANGS:
                raise ValueError(f"unknown language {text!r}; choose from: {', '.join(LANGS)}")
            return code
    for var in LOCALE_VARS:  # the first one set decides, as in POSIX
        value = os.environ.get(var)
        if value:
            code = value.lower().split("_")[0].split(".")[0]
            return code if code in LANGS else COURSE_LANG
    return COURSE_LANG


@lru_cache(maxsize=None)
def translations(lang: str, domain: str = DOMAIN) -> gettext.NullTranslations:
    """The catalog of `domain` for `lang`; English is the source language (no catalog)."""
    if lang == "en":
        return gettext.NullTranslations()
    mo = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.mo"
    po = mo.with_suffix(".po")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with open(mo, "rb") as fh:
            return gettext.GNUTranslations(fh)
    if not po.exists():
        return gettext.NullTranslations()
    return _from_po(po)  # not compiled yet (or stale): read the source catalog


def _from_po(po: Path) -> gettext.NullTranslations:
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(po, "rb") as fh:
        catalog = read_po(fh)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def t(lang: str, domain: str = DOMAIN):
    """The translating function for `lang`. Bind it to `_` where messages are written,
    `_ = t(lang)`, so that Babel's extractor finds every `_("...")`."""
    return translations(lang, domain).gettext


def current(domain: str = DOMAIN):
    """A `_` that translates into the language chosen *when it is called* (`choose()`, from the
    environment): for messages written where no `lang` is at hand, such as the checks, which
    run in the grading process that `week4 check --lang` starts with `WEEK4_LANG` set."""
    def _(message: str) -> str:
        try:
            lang = choose()
        except ValueError:
            lang = COURSE_LANG
        return translations(lang, domain).gettext(message)
    return _


def N_(message: str) -> str:
    """Marks a message for the catalog without translating it yet (a hint written at import
    time, translated when it is shown in the reader's language)."""
    return message
