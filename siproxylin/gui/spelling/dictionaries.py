"""Dictionaries through Enchant: what is installed, checks, suggestions, personal words.

Enchant (pyenchant and its C library) is optional and loaded on first use: without
it ``Dictionaries.available`` is False and every language is missing, which the
caller reports. A language is installed when Enchant lists its exact tag.

Words the user adds go to one personal word list for all languages, a file the
app owns (under its data folder, so it is as private as the rest of its data);
Enchant's own per-user lists in ``~/.config/enchant`` are never written. Without
a file, added words last for the session like ignored ones. Results are cached
per language, so re-checking a long message costs a dictionary lookup only for
words not seen before. No Qt; imports the standard library and ``enchant``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)

FALLBACK = "en_US"
CACHE_LIMIT = 50_000  # words per language; the cache starts over beyond it
SUGGESTIONS = 6


def load_enchant() -> ModuleType | None:
    """The ``enchant`` module, or None when it or its C library is missing."""
    try:
        import enchant  # noqa: PLC0415 (optional, and slow to load: only when used)
    except (ImportError, OSError) as error:
        log.warning("spell checking unavailable: %s", error)
        return None
    module: ModuleType = enchant
    return module


class Dictionary:
    """One language's checks and suggestions (cached), through ``Dictionaries``."""

    def __init__(self, tag: str, backend: Any, owner: Dictionaries) -> None:
        self.tag = tag
        self._backend = backend
        self._owner = owner
        self._cache: dict[str, bool] = {}
        self.lookups = 0  # words asked of Enchant (not answered by the cache)

    def check(self, word: str) -> bool:
        """Whether ``word`` is spelled right (or added, or ignored)."""
        known = self._cache.get(word)
        if known is None:
            known = word in self._owner.accepted or self._ask(word)
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = known
        return known

    def _ask(self, word: str) -> bool:
        self.lookups += 1
        try:
            return bool(self._backend.check(word))
        except (ValueError, UnicodeError) as error:  # a word the backend cannot take
            log.debug("not checked: %s", error)
            return True

    def suggest(self, word: str) -> list[str]:
        """Likely corrections of ``word``, best first."""
        try:
            found = self._backend.suggest(word)
        except (ValueError, UnicodeError):
            return []
        return [str(item) for item in found][:SUGGESTIONS]

    def forget(self) -> None:
        """Drop cached results (a word was added or ignored)."""
        self._cache.clear()

    def keep(self, word: str, *, persist: bool) -> None:
        """Accept ``word``: in the personal list file, or for this session."""
        if persist:
            self._backend.add(word)
        else:
            self._backend.add_to_session(word)


class Dictionaries:
    """The installed dictionaries, opened on demand, with the personal word list.

    Args:
        personal: The personal word list file; None keeps added words in memory.
        load: Loads Enchant (tests pass a loader that fails).
    """

    def __init__(
        self,
        personal: Path | None = None,
        *,
        load: Callable[[], ModuleType | None] = load_enchant,
    ) -> None:
        self._personal = personal
        self._load = load
        self._enchant: ModuleType | None = None
        self._loaded = False
        self._installed: frozenset[str] = frozenset()
        self._open: dict[str, Dictionary] = {}
        self.accepted: set[str] = set()  # ignored (and, without a file, added) words

    def _module(self) -> ModuleType | None:
        if not self._loaded:
            self._loaded = True
            self._enchant = self._load()
            if self._enchant is not None:
                self._installed = frozenset(str(tag) for tag in self._enchant.list_languages())
        return self._enchant

    @property
    def available(self) -> bool:
        """Whether Enchant could be loaded."""
        return self._module() is not None

    def installed(self) -> frozenset[str]:
        """The language tags with a dictionary (``en_US``, ``de_DE``, ``ar``…)."""
        self._module()
        return self._installed

    def has(self, tag: str) -> bool:
        """Whether ``tag`` has a dictionary."""
        return tag in self.installed()

    def get(self, tag: str) -> Dictionary | None:
        """The dictionary of ``tag``, opened once; None when it is not installed."""
        opened = self._open.get(tag)
        if opened is not None:
            return opened
        enchant = self._module()
        if enchant is None or tag not in self._installed:
            return None
        try:
            backend = self._open_backend(enchant, tag)
        except (OSError, enchant.errors.Error) as error:
            log.warning("dictionary %s could not be opened: %s", tag, error)
            return None
        opened = Dictionary(tag, backend, self)
        self._open[tag] = opened
        return opened

    def _open_backend(self, enchant: ModuleType, tag: str) -> Any:
        personal = self._personal
        if personal is None:
            return enchant.Dict(tag)
        _create(personal)
        return enchant.DictWithPWL(tag, str(personal))

    def add(self, word: str) -> None:
        """Accept ``word`` in every language from now on (kept in the personal list)."""
        opened = list(self._open.values())
        if self._personal is None:
            self.accepted.add(word)
        elif opened:
            # One file for all languages: written once, the other open ones told now
            # rather than when Enchant notices the file changed.
            opened[0].keep(word, persist=True)
            for other in opened[1:]:
                other.keep(word, persist=False)
        else:
            _create(self._personal)
            with self._personal.open("a", encoding="utf-8") as file:
                file.write(f"{word}\n")
        self._forget()

    def ignore(self, word: str) -> None:
        """Accept ``word`` until the app is closed."""
        self.accepted.add(word)
        self._forget()

    def _forget(self) -> None:
        for dictionary in self._open.values():
            dictionary.forget()


def _create(personal: Path) -> None:
    """The personal list and its folder, readable by the owner only."""
    personal.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    personal.touch(mode=0o600, exist_ok=True)


def default_language(installed: frozenset[str], system: str) -> str:
    """The language to check when the user chose none: the system's, else ``en_US``.

    Args:
        installed: The tags with a dictionary.
        system: The system locale's name (``de_DE``, ``pt_BR``, ``C``…).

    Returns:
        The system locale's tag, or another of its language (``de_DE`` for
        ``de_AT``), else ``en_US``.
    """
    name = system.split(".", maxsplit=1)[0].split("@", maxsplit=1)[0].replace("-", "_")
    if name in installed:
        return name
    language = name.split("_")[0]
    for tag in (f"{language}_{language.upper()}", language):
        if tag in installed:
            return tag
    variants = sorted(tag for tag in installed if tag.split("_")[0] == language)
    return variants[0] if variants else FALLBACK
