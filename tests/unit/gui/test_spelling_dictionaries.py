"""Dictionaries without Qt: the default language, the cache, missing Enchant, added words."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import cast

from siproxylin.gui.spelling.dictionaries import Dictionaries, default_language

INSTALLED = frozenset({"en_US", "de_DE", "de_AT", "ar", "es_AR", "es_ES", "ru_RU"})


def test_the_default_follows_the_system_locale() -> None:
    assert default_language(INSTALLED, "de_DE.UTF-8") == "de_DE"
    assert default_language(INSTALLED, "de_CH") == "de_DE"  # another German
    assert default_language(INSTALLED, "es_MX") == "es_ES"
    assert default_language(INSTALLED, "ar_EG") == "ar"
    assert default_language(INSTALLED, "ru-RU") == "ru_RU"


def test_the_default_falls_back_to_american_english() -> None:
    assert default_language(INSTALLED, "C") == "en_US"
    assert default_language(INSTALLED, "") == "en_US"
    assert default_language(INSTALLED, "fi_FI") == "en_US"
    assert default_language(frozenset(), "de_DE") == "en_US"


class FakeBackend:
    """Knows a few words; counts what it is asked."""

    def __init__(self, known: set[str]) -> None:
        self.known = known
        self.asked: list[str] = []

    def check(self, word: str) -> bool:
        self.asked.append(word)
        return word in self.known

    def suggest(self, word: str) -> list[str]:
        return sorted(self.known)

    def add_to_session(self, word: str) -> None:
        self.known.add(word)


def fake_enchant(backend: FakeBackend) -> ModuleType:
    module = SimpleNamespace(
        list_languages=lambda: ["en_US"],
        Dict=lambda tag: backend,
        errors=SimpleNamespace(Error=RuntimeError),
    )
    return cast("ModuleType", module)


def test_each_word_is_asked_once_per_language() -> None:
    backend = FakeBackend({"hello"})
    dictionaries = Dictionaries(load=lambda: fake_enchant(backend))
    english = dictionaries.get("en_US")
    assert english is not None
    for _ in range(100):
        assert english.check("hello")
        assert not english.check("helo")
    assert backend.asked == ["hello", "helo"]
    assert english.lookups == 2


def test_ignored_words_are_accepted_everywhere() -> None:
    backend = FakeBackend({"hello"})
    dictionaries = Dictionaries(load=lambda: fake_enchant(backend))
    english = dictionaries.get("en_US")
    assert english is not None
    assert not english.check("Siproxylin")
    dictionaries.ignore("Siproxylin")
    assert english.check("Siproxylin")
    dictionaries.add("Qasync")  # no personal file: for the session
    assert english.check("Qasync")


def test_without_enchant_every_language_is_missing() -> None:
    dictionaries = Dictionaries(load=lambda: None)
    assert not dictionaries.available
    assert dictionaries.installed() == frozenset()
    assert dictionaries.get("en_US") is None
    assert not dictionaries.has("en_US")


def test_a_language_without_a_dictionary_is_missing() -> None:
    dictionaries = Dictionaries()
    assert dictionaries.available
    assert dictionaries.get("xx_YY") is None
    assert dictionaries.get("en_US") is not None


def test_added_words_are_kept_in_the_personal_file(tmp_path: Path) -> None:
    personal = tmp_path / "spelling" / "personal.dic"
    first = Dictionaries(personal)
    english, german = first.get("en_US"), first.get("de_DE")
    assert english is not None
    assert german is not None
    assert not english.check("Siproxylin")
    assert not german.check("Siproxylin")
    first.add("Siproxylin")
    assert english.check("Siproxylin")
    assert german.check("Siproxylin")  # one list for every language
    assert "Siproxylin" in personal.read_text(encoding="utf-8").split()
    assert personal.stat().st_mode & 0o077 == 0
    again = Dictionaries(personal).get("ru_RU")
    assert again is not None
    assert again.check("Siproxylin")


def test_a_word_added_before_any_dictionary_opens_is_kept(tmp_path: Path) -> None:
    personal = tmp_path / "personal.dic"
    Dictionaries(personal).add("Siproxylin")
    assert personal.stat().st_mode & 0o077 == 0
    english = Dictionaries(personal).get("en_US")
    assert english is not None
    assert english.check("Siproxylin")


def test_suggestions_come_from_the_dictionary() -> None:
    english = Dictionaries().get("en_US")
    assert english is not None
    assert "spelling" in english.suggest("speling")
