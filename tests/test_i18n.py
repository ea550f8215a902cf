"""What a student reads exists in Korean and English: every `_("...")` message of the code is in
the Korean gettext catalog, translated, with the same placeholders (week4/i18n.py)."""

from __future__ import annotations

import re
import string

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from helpers import ROOT

from week4 import i18n

PO = ROOT / "week4" / "locale" / "ko" / "LC_MESSAGES" / "week4.po"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def code_messages() -> set[str]:
    """Every message the code marks with _(), found the way `make i18n` finds them."""
    found = set()
    for folder in ("week4", "autograder"):
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT / folder, method_map=[("**.py", "python")]):
            found.add(message if isinstance(message, str) else message[0])
    return found


def catalog() -> dict[str, tuple[str, set]]:
    with open(PO, "rb") as fh:
        return {m.id: (m.string, set(m.flags)) for m in read_po(fh) if m.id}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_there_are_messages_to_check():
    assert len(code_messages()) >= 20


def test_every_message_of_the_code_is_translated_to_korean():
    ko = catalog()
    missing = sorted(m for m in code_messages() if not ko.get(m, ("", set()))[0])
    assert not missing, f"not in {PO.name} (run 'make i18n' and translate): {missing}"
    fuzzy = sorted(m for m, (_, flags) in ko.items() if "fuzzy" in flags)
    assert not fuzzy, f"translations to review (marked fuzzy): {fuzzy}"
    obsolete = sorted(set(ko) - code_messages())
    assert not obsolete, f"in {PO.name} but no longer in the code: {obsolete}"


def test_translations_keep_the_placeholders_and_read_in_korean():
    for english, (korean, _) in catalog().items():
        assert fields(korean) == fields(english), (english, korean)
        assert HANGUL.search(korean) or not HANGUL.search(english), english
        # Korean output keeps identifiers and commands, never untranslated sentences
        words = re.sub(r"\{[^}]*\}|\([A-Za-z ]+\)|'[^']*'|--[a-z-]+|[a-z0-9_.-]+/[\w./#-]*",
                       "", korean)
        assert not re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", words), korean


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_each_language_renders_every_message(lang):
    _ = i18n.t(lang)
    for message in code_messages():
        assert _(message)
