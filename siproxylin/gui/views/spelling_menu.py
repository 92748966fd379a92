"""SpellingMenu: spell checking in the composer: its underlines and its context menu.

Puts a ``SpellingHighlighter`` on the composer's document, following the
``SpellingPresenter``'s dictionary, and replaces the composer's context menu
with Qt's standard one plus, on a misspelled word, its suggestions (each
replaces the word), "Add to Dictionary" and "Ignore", and a "Spelling" submenu:
the languages by name (those without a dictionary shown but disabled), "Off",
and "Use … for New Conversations". The names of the people in the conversation
are never flagged. Imports Qt, ``gui.presenters`` and ``gui.spelling``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QAction, QActionGroup, QFont, QTextCursor
from PySide6.QtWidgets import QMenu, QPlainTextEdit

from siproxylin.gui.presenters.chat import ChatPresenter
from siproxylin.gui.presenters.rooms import RoomsPresenter
from siproxylin.gui.presenters.spelling import SpellingPresenter
from siproxylin.gui.spelling.highlighter import Misspelling, SpellingHighlighter, replace
from siproxylin.gui.spelling.languages import language_name

ADD = "Add to Dictionary"
IGNORE = "Ignore"
NO_SUGGESTIONS = "No Suggestions"
SPELLING = "Spelling"
OFF = "Off"
NOT_INSTALLED = "{name} (not installed)"
NO_ENCHANT = "Spell checking is not available"
MAKE_DEFAULT = "Use {name} for New Conversations"


class SpellingMenu(QObject):
    """The composer's spell checking (see the module doc)."""

    def __init__(self, composer: QPlainTextEdit, presenter: SpellingPresenter) -> None:
        super().__init__(composer)
        self._composer = composer
        self.presenter = presenter
        self.highlighter = SpellingHighlighter(composer.document())
        composer.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        composer.customContextMenuRequested.connect(self._on_menu_requested)
        presenter.changed.connect(self._on_language_changed)
        presenter.words_changed.connect(self.highlighter.refresh)
        self._on_language_changed()

    def follow_names(self, chat: ChatPresenter, rooms: RoomsPresenter | None = None) -> None:
        """Never flag the names of the people in the conversation (peer, room occupants)."""

        def update() -> None:
            names = [chat.peer_name]
            if chat.conversation is not None:
                peer = chat.conversation[1]
                names += [peer.local, peer.resource]
            if rooms is not None and rooms.room is not None:
                names += rooms.occupants.nicks()
            self.highlighter.set_names(names)

        chat.conversation_changed.connect(update)
        chat.peer_changed.connect(update)
        if rooms is not None:
            rooms.room_changed.connect(update)
            rooms.occupants.modelReset.connect(update)
            rooms.occupants.rowsInserted.connect(update)
        update()

    def _on_language_changed(self) -> None:
        self.highlighter.set_dictionary(self.presenter.dictionary)

    def _on_menu_requested(self, pos: QPoint) -> None:
        menu = self.build(pos)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self._composer.viewport().mapToGlobal(pos))

    def build(self, pos: QPoint) -> QMenu:
        """The context menu for a click at ``pos`` (viewport coordinates)."""
        return self.menu_for(self._composer.cursorForPosition(pos))

    def menu_for(self, cursor: QTextCursor) -> QMenu:
        """The context menu for the word at ``cursor``."""
        menu = self._composer.createStandardContextMenu()
        misspelling = self.highlighter.misspelling_at(cursor)
        if misspelling is not None:
            first = menu.actions()[0] if menu.actions() else None
            for action in self._word_actions(menu, misspelling):
                menu.insertAction(first, action)  # type: ignore[arg-type]  # None: append
            menu.insertSeparator(first)  # type: ignore[arg-type]
        menu.addSeparator()
        menu.addMenu(self.language_menu(menu))
        return menu

    def _word_actions(self, menu: QMenu, misspelling: Misspelling) -> list[QAction]:
        dictionary = self.highlighter.dictionary
        suggestions = dictionary.suggest(misspelling.word) if dictionary is not None else []
        actions: list[QAction] = []
        bold = QFont(menu.font())
        bold.setBold(True)
        for suggestion in suggestions:
            action = QAction(suggestion.replace("&", "&&"), menu)
            action.setFont(bold)
            action.triggered.connect(lambda _=False, s=suggestion: self._replace(misspelling, s))
            actions.append(action)
        if not actions:
            none = QAction(NO_SUGGESTIONS, menu)
            none.setEnabled(False)
            actions.append(none)
        separator = QAction(menu)
        separator.setSeparator(True)
        actions.append(separator)
        add = QAction(ADD, menu)
        add.triggered.connect(lambda: self.presenter.add_word(misspelling.word))
        ignore = QAction(IGNORE, menu)
        ignore.triggered.connect(lambda: self.presenter.ignore_word(misspelling.word))
        return [*actions, add, ignore]

    def _replace(self, misspelling: Misspelling, text: str) -> None:
        replace(self._composer.document(), misspelling, text)

    def language_menu(self, parent: QMenu) -> QMenu:
        """The "Spelling" submenu: the languages, Off, and making one the default."""
        presenter = self.presenter
        menu = QMenu(SPELLING, parent)
        group = QActionGroup(menu)
        if not presenter.dictionaries.available:
            missing = menu.addAction(NO_ENCHANT)
            missing.setEnabled(False)
        current = presenter.language
        for choice in presenter.choices():
            text = choice.name if choice.installed else NOT_INSTALLED.format(name=choice.name)
            action = menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(choice.tag == current)
            action.setEnabled(choice.installed)
            action.setData(choice.tag)
            action.triggered.connect(lambda _=False, tag=choice.tag: presenter.choose(tag))
            group.addAction(action)
        menu.addSeparator()
        off = menu.addAction(OFF)
        off.setCheckable(True)
        off.setChecked(current is None)
        off.triggered.connect(lambda: presenter.choose(None))
        group.addAction(off)
        if (
            current is not None
            and presenter.dictionary is not None
            and current != presenter.default()
        ):
            menu.addSeparator()
            default = menu.addAction(MAKE_DEFAULT.format(name=language_name(current)))
            default.triggered.connect(lambda: presenter.set_default(current))
        return menu
