"""Moving around the main window with the keyboard: next unread, new chat, close chat, search.

``Navigation`` adds the actions (with their shortcuts, shown in the menus) and
does what they say:

* **Next Unread** (Ctrl+Tab): the next conversation with unread messages after the
  open one, in the contact list's order, wrapping around; rooms included.
* **New Chat…** (Ctrl+N): asks for an address (and, with several accounts, which
  one) and opens that conversation, whether or not it is a contact yet.
* **Close Chat** (Ctrl+W): shows no conversation; the focus goes to the list.
* **Search Contacts** (Ctrl+K): the filter box above the contact list; Enter opens
  the first match, Escape clears it and goes back to the list, Down moves into it.

Qt widgets only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QInputDialog, QLineEdit, QTreeView, QWidget

from siproxylin.domain.ids import AccountId, InvalidJid, Jid
from siproxylin.domain.models import ChatKind
from siproxylin.gui.models.contacts import ContactTreeModel
from siproxylin.gui.presenters.chat import ChatPresenter

Opener = Callable[[AccountId, Jid, ChatKind], None]


class Navigation(QObject):
    """The keyboard commands of the main window (see the module doc).

    Args:
        window: The main window (parent of the actions and dialogs).
        model: The contact list's model.
        tree: The contact list.
        search: The filter box above it.
        chat: The open conversation.
        open_chat: Opens a conversation (and selects it in the list).
    """

    def __init__(
        self,
        window: QWidget,
        model: ContactTreeModel,
        tree: QTreeView,
        search: QLineEdit,
        chat: ChatPresenter,
        open_chat: Opener,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._model = model
        self._tree = tree
        self._search = search
        self._chat = chat
        self._open_chat = open_chat
        self.next_unread_action = self._action("Next &Unread", "Ctrl+Tab", self.next_unread)
        self.new_chat_action = self._action("&New Chat…", "Ctrl+N", self.new_chat)
        self.close_chat_action = self._action("&Close Chat", "Ctrl+W", self.close_chat)
        self.search_action = self._action("Search &Contacts", "Ctrl+K", self.focus_search)
        search.textChanged.connect(model.set_filter_text)
        search.returnPressed.connect(self.open_first_match)
        search.installEventFilter(self)
        chat.conversation_changed.connect(self._update)
        self._update()

    # --- commands --------------------------------------------------------------------

    def next_unread(self) -> bool:
        """Open the next conversation with unread messages; False when there is none."""
        rows = list(self._conversations())
        if not rows:
            return False
        current = self._chat.conversation
        start = next((i for i, row in enumerate(rows) if row[:2] == current), -1)
        for offset in range(1, len(rows) + 1):
            account, jid, kind, unread = rows[(start + offset) % len(rows)]
            if unread and (account, jid) != current:
                self._open_chat(account, jid, kind)
                return True
        return False

    def new_chat(self) -> None:
        """Ask for an address and open the conversation with it."""
        accounts = self._model.accounts()
        if not accounts:
            return
        account = accounts[0].account
        if len(accounts) > 1:
            names = [str(a.jid) for a in accounts]
            chosen, ok = QInputDialog.getItem(
                self._window, "New Chat", "From account:", names, 0, False
            )
            if not ok:
                return
            account = accounts[names.index(chosen)].account
        text, ok = QInputDialog.getText(self._window, "New Chat", "Address (name@server):")
        if not ok or not text.strip():
            return
        try:
            jid = Jid.parse(text.strip()).bare
        except InvalidJid:
            self._chat.send_failed.emit(f"“{text.strip()}” is not an address.")
            return
        self._open_chat(account, jid, ChatKind.CHAT)

    def close_chat(self) -> None:
        """Show no conversation; the contact list gets the focus."""
        self._chat.close()
        self._tree.setFocus()

    def focus_search(self) -> None:
        """Go to the contact filter, its text selected."""
        self._search.setFocus()
        self._search.selectAll()

    def open_first_match(self) -> None:
        """Open the first contact or room the filter shows."""
        first = next(self._conversations(), None)
        if first is not None:
            account, jid, kind, _unread = first
            self._open_chat(account, jid, kind)

    # --- internals -------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self._search and isinstance(event, QKeyEvent):
            if event.type() is QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
                self._search.clear()
                self._tree.setFocus()
                return True
            if event.type() is QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down:
                self._tree.setFocus()
                return True
        return super().eventFilter(watched, event)

    def _conversations(self) -> Iterator[tuple[AccountId, Jid, ChatKind, int]]:
        """Every shown contact and room, in list order, with its unread count."""
        model = self._model
        for row in range(model.rowCount()):
            parent = model.index(row, 0)
            account = model.account_at(parent)
            if account is None:
                continue
            for child in range(model.rowCount(parent)):
                entry = model.contact_at(model.index(child, 0, parent))
                if entry is not None:
                    kind = ChatKind.GROUPCHAT if entry.is_room else ChatKind.CHAT
                    yield account, entry.jid, kind, entry.unread

    def _action(self, text: str, keys: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self._window)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self._window.addAction(action)
        return action

    def _update(self) -> None:
        self.close_chat_action.setEnabled(self._chat.conversation is not None)
