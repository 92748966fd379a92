"""SpellingPresenter: the spell-check language of the open conversation.

Each conversation remembers its language (the ``spelling`` chat preference: a
tag such as ``de_DE``, or ``off``); one never set uses the app's default
(``spelling/default``, else the system locale's language when it has a
dictionary, else ``en_US``). A language without a dictionary, or no Enchant at
all, turns checking off and says why (``note``) instead of failing. Without a
``PreferencesService`` choices last for the session. Enchant is loaded when the
first conversation opens, not at start-up. No widgets: a QObject for its
signals. Imports ``core`` and ``gui``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from siproxylin.core.services.preferences import PreferencesService
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.gui.presenters.chat import ChatPresenter
from siproxylin.gui.spelling.dictionaries import Dictionaries, Dictionary, default_language
from siproxylin.gui.spelling.languages import Choice, choices, language_name

KEY = "spelling"  # per conversation
DEFAULT_KEY = "spelling/default"  # app-wide
OFF = "off"

NO_ENCHANT = "Spell checking is off: the Enchant library is not installed (Debian: libenchant-2-2)."


def missing_note(tag: str) -> str:
    """What the user reads when ``tag`` has no dictionary."""
    return f"Spell checking is off: no dictionary for {language_name(tag)} ({tag}) is installed."


class SpellingPresenter(QObject):
    """Which dictionary checks the composer of the open conversation."""

    changed = Signal()  # the language (or its dictionary) of the open conversation changed
    words_changed = Signal()  # a word was added or ignored: check again
    note = Signal(str)  # why checking is off although a language is chosen

    def __init__(
        self,
        dictionaries: Dictionaries,
        chat: ChatPresenter,
        preferences: PreferencesService | None = None,
        *,
        system_locale: str = "",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.dictionaries = dictionaries
        self._chat = chat
        self._preferences = preferences
        self._system = system_locale
        self._session: dict[tuple[AccountId, Jid] | str, str] = {}  # without preferences
        self._language: str | None = None
        self._dictionary: Dictionary | None = None
        self._note = ""
        chat.conversation_changed.connect(self._on_conversation_changed)
        if chat.conversation is not None:
            self._on_conversation_changed()

    @property
    def language(self) -> str | None:
        """The language chosen for the open conversation; None when checking is off."""
        return self._language

    @property
    def dictionary(self) -> Dictionary | None:
        """Its dictionary; None when off, or when the language has none installed."""
        return self._dictionary

    @property
    def note_text(self) -> str:
        """Why checking is off although a language is chosen ("" otherwise)."""
        return self._note

    # --- the default ------------------------------------------------------------------

    def default(self) -> str:
        """The language of conversations that were never given one."""
        if self._preferences is not None:
            stored = self._preferences.text(DEFAULT_KEY)
        else:
            stored = self._session.get(DEFAULT_KEY, "")
        return stored or default_language(self.dictionaries.installed(), self._system)

    def set_default(self, tag: str) -> None:
        """Make ``tag`` the language of conversations never given one."""
        if self._preferences is not None:
            self._preferences.set(DEFAULT_KEY, tag)
        else:
            self._session[DEFAULT_KEY] = tag
        if self._chat.conversation is not None and not self._stored():
            self._apply("")

    # --- the open conversation --------------------------------------------------------

    def _stored(self) -> str:
        conversation = self._chat.conversation
        if conversation is None:
            return ""
        account, peer = conversation
        if self._preferences is not None:
            return self._preferences.chat_text(account, peer, KEY)
        return self._session.get(conversation, "")

    def choose(self, tag: str | None) -> None:
        """Check the open conversation in ``tag`` from now on (None: not at all)."""
        conversation = self._chat.conversation
        if conversation is None:
            return
        value = tag or OFF
        account, peer = conversation
        if self._preferences is not None:
            self._preferences.set_chat(account, peer, KEY, value)
        else:
            self._session[conversation] = value
        self._apply(value)

    def choices(self) -> list[Choice]:
        """The languages for the menu (installed or not), by name."""
        used = [tag for tag in (self._language, self.default()) if tag]
        return choices(self.dictionaries.installed(), used, self._system)

    def add_word(self, word: str) -> None:
        """Accept ``word`` in every language, now and after a restart."""
        self.dictionaries.add(word)
        self.words_changed.emit()

    def ignore_word(self, word: str) -> None:
        """Accept ``word`` until the app is closed."""
        self.dictionaries.ignore(word)
        self.words_changed.emit()

    def _on_conversation_changed(self) -> None:
        if self._chat.conversation is None:
            self._language, self._dictionary, self._note = None, None, ""
            self.changed.emit()
            return
        self._apply(self._stored())

    def _apply(self, value: str) -> None:
        tag = None if value == OFF else (value or self.default())
        dictionary = self.dictionaries.get(tag) if tag else None
        self._language, self._dictionary = tag, dictionary
        if tag is None or dictionary is not None:
            self._note = ""
        elif not self.dictionaries.available:
            self._note = NO_ENCHANT
        else:
            self._note = missing_note(tag)
        self.changed.emit()
        if self._note:
            self.note.emit(self._note)
