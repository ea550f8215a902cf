"""What a student reads exists in Korean and English: every `_("...")`/`N_("...")` message of the
code is in its Korean gettext catalog, translated, with the same placeholders (week4/i18n.py).

Catalogs (domains): `week4` for the command line, the scoreboard and the grader's shared
sentences; one per topic for its checks (`autograder/checks/test_<nn>_<name>.py`)."""

from __future__ import annotations

import re
import string

import pytest
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from helpers import ROOT

from autograder.runner import check_infos
from autograder.topics import TOPICS
from week4 import i18n

HANGUL = re.compile(r"[\uac00-\ud7a3]")
DOMAINS = ["week4", *sorted(TOPICS)]


def check_file(topic: str):
    return TOPICS[topic].check_file


def code_messages(domain: str) -> set[str]:
    """Every message of a domain's code, found the way `make i18n` finds them."""
    found = set()
    if domain == "week4":  # as `make i18n` does: babel.cfg's mapping over the repository
        with open(ROOT / "babel.cfg", encoding="utf-8") as fh:
            method_map, options_map = parse_mapping_cfg(fh)
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT, method_map, options_map):
            found.add(message if isinstance(message, str) else message[0])
    else:
        for _line, message, _comments, _context in extract_from_file("python", check_file(domain)):
            found.add(message if isinstance(message, str) else message[0])
    return found


def po_path(domain: str):
    return ROOT / "week4" / "locale" / "ko" / "LC_MESSAGES" / f"{domain}.po"


def catalog(domain: str) -> dict[str, tuple[str, set]]:
    with open(po_path(domain), "rb") as fh:
        return {m.id: (m.string, set(m.flags)) for m in read_po(fh) if m.id}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_there_are_messages_to_check():
    assert len(code_messages("week4")) >= 80
    for topic in TOPICS:  # a hint and a code hint per check at least
        assert len(code_messages(topic)) >= 2 * 10, topic


def test_the_checks_are_not_in_the_shared_catalog():
    """Each topic's hints are in its own catalog only (babel.cfg leaves autograder/checks/ out)."""
    shared = code_messages("week4")
    for topic in TOPICS:
        hints = {i.hint for i in check_infos(TOPICS[topic])} | {i.code for i in check_infos(TOPICS[topic])}
        assert not shared & hints, topic


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_of_the_code_is_translated_to_korean(domain):
    ko = catalog(domain)
    code = code_messages(domain)
    missing = sorted(m for m in code if not ko.get(m, ("", set()))[0])
    assert not missing, f"not in {domain}.po (run 'make i18n' and translate): {missing}"
    fuzzy = sorted(m for m, (_, flags) in ko.items() if "fuzzy" in flags)
    assert not fuzzy, f"translations to review (marked fuzzy): {fuzzy}"
    obsolete = sorted(set(ko) - code)
    assert not obsolete, f"in {domain}.po but no longer in the code: {obsolete}"


# Korean output keeps identifiers, code and commands, never untranslated sentences: what is
# left after removing placeholders, code spans, quotes, parentheses of English and paths must
# hold no two English words in a row.
KEPT = re.compile(r"\{[^}]*\}|`[^`]*`|\([A-Za-z ,./'-]+\)|'[^']*'|\"[^\"]*\"|--[a-z-]+|"
                  r"[\w.-]+/[\w./#-]*|%\([a-z_]+\)[sr]")


@pytest.mark.parametrize("domain", DOMAINS)
def test_translations_keep_the_placeholders_and_read_in_korean(domain):
    for english, (korean, _) in catalog(domain).items():
        assert fields(korean) == fields(english), (english, korean)
        assert HANGUL.search(korean) or not HANGUL.search(english), english
        if re.search(r"[A-Za-z]{3,}", re.sub(r"\{[^}]*\}", "", english)) and not (
                korean == english and re.fullmatch(r"[\w.-]+", english)):  # a name: nbgrader
            assert HANGUL.search(korean), (english, korean)
        words = KEPT.sub("", korean)
        assert not re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", words), korean


@pytest.mark.parametrize("lang", i18n.LANGS)
@pytest.mark.parametrize("domain", DOMAINS)
def test_each_language_renders_every_message(lang, domain):
    _ = i18n.t(lang, domain)
    for message in code_messages(domain):
        assert _(message)
        if lang == "ko" and re.search(r"[A-Za-z]{3,}", re.sub(r"\{[^}]*\}", "", message)) \
                and not re.fullmatch(r"[\w.-]+", message):
            assert HANGUL.search(_(message)), message
