"""MessageMenu: what the user can do to one message, from its context menu or a click.

Owns the message actions of the chat view: Reply, Correct (our last message
only), Retract (ours, after a confirmation), React (a picker with the common
emoji and those already on the message) and Copy text; a click on a reaction
chip toggles that reaction and a click on a reply's excerpt scrolls to the
answered message. In a group chat where we are moderator, "Remove message…"
retracts someone's message for everyone (XEP-0425) with a reason the user may
give. Failures (offline, not allowed) are reported through ``failed``. Qt
widgets; the work is ``ChatPresenter``'s (and ``RoomsPresenter``'s).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QMouseEvent
from PySide6.QtWidgets import QInputDialog, QListView, QMenu, QMessageBox, QWidget

from siproxylin.domain.errors import SiproxylinError
from siproxylin.domain.models import ChatKind, ChatMessage, Direction
from siproxylin.gui.async_slot import async_slot
from siproxylin.gui.file_actions import CardAction
from siproxylin.gui.models.messages import MessageRole
from siproxylin.gui.presenters.chat import ChatPresenter
from siproxylin.gui.presenters.rooms import RoomsPresenter
from siproxylin.gui.views.message_delegate import HitKind, MessageDelegate
from siproxylin.gui.views.reaction_picker import ReactionPicker
from siproxylin.gui.views.text_selection import TextSelection

Confirm = Callable[[QWidget, str], bool]
AskReason = Callable[[QWidget, str], str | None]


def ask(parent: QWidget, question: str) -> bool:
    """Ask a yes/no question in a message box; True for yes."""
    answer = QMessageBox.question(
        parent,
        "Siproxylin",
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_reason(parent: QWidget, question: str) -> str | None:
    """Ask for an optional reason; None when cancelled."""
    text, ok = QInputDialog.getText(parent, "Siproxylin", question)
    return text if ok else None


MAX_LINKS = 3
_LINK = re.compile(r"(?:https?|xmpp|aesgcm|geo):[^\s<>\"']+", re.IGNORECASE)


def links_in(body: str) -> list[str]:
    """The links in a message, in order, without trailing punctuation."""
    found = []
    for match in _LINK.finditer(body):
        link = match.group(0).rstrip(".,;:!?)]}")
        if link not in found:
            found.append(link)
    return found


class MessageMenu(QObject):
    """Context menu and clicks on the message list of one chat view."""

    failed = Signal(str)  # a user-readable reason an action did not happen
    compose_requested = Signal()  # Reply or Correct chosen: the input wants the focus

    def __init__(
        self,
        presenter: ChatPresenter,
        view: QListView,
        delegate: MessageDelegate,
        confirm: Confirm = ask,
        *,
        rooms: RoomsPresenter | None = None,
    ) -> None:
        super().__init__(view)
        self._presenter = presenter
        self._rooms = rooms
        self.ask_reason: AskReason = ask_reason
        self._view = view
        self._delegate = delegate
        self.confirm = confirm
        self.picker: ReactionPicker | None = None
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._on_context_menu)
        view.viewport().installEventFilter(self)

    # --- the menu ----------------------------------------------------------------

    def menu_for(self, message: ChatMessage, at: QPoint | None = None) -> QMenu:
        """A context menu for ``message`` (``at``: where a picker would open)."""
        menu = QMenu(self._view)
        reply = menu.addAction("Reply")
        reply.setEnabled(not message.retracted)
        reply.triggered.connect(lambda: self.reply(message))
        if self._presenter.can_correct(message):
            correct = menu.addAction("Correct")
            correct.triggered.connect(lambda: self.correct(message))
        react = menu.addAction("React…")
        react.setEnabled(not message.retracted)
        react.triggered.connect(lambda: self.open_picker(message, at))
        select = menu.addAction("Select Text…")
        select.setEnabled(bool(message.body) and not message.retracted)
        select.triggered.connect(lambda: self.select_text(message))
        copy = menu.addAction("Copy text")
        copy.setEnabled(bool(message.body) and not message.retracted)
        copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(message.body))
        if not message.retracted and not message.attachment:
            # Links are copied, never opened from here: a browser would not go
            # through the account's proxy.
            for link in links_in(message.body)[:MAX_LINKS]:
                shown = link if len(link) <= 60 else link[:57] + "…"
                action = menu.addAction(f"Copy Link {shown}")
                action.triggered.connect(
                    lambda _checked=False, url=link: QGuiApplication.clipboard().setText(url)
                )
        if message.direction is Direction.OUTGOING and not message.retracted:
            menu.addSeparator()
            retract = menu.addAction("Retract…")
            retract.triggered.connect(lambda: self.retract(message))
        if self.can_moderate(message):
            menu.addSeparator()
            remove = menu.addAction("Remove Message…")
            remove.triggered.connect(lambda: self.moderate(message))
        return menu

    def can_moderate(self, message: ChatMessage) -> bool:
        """True when we may remove ``message`` for everyone as the room's moderator."""
        rooms = self._rooms
        return (
            rooms is not None
            and message.kind is ChatKind.GROUPCHAT
            and bool(message.stanza_id)
            and not message.retracted
            and rooms.room == (message.account, message.peer.bare)
            and rooms.rights().moderate_messages
        )

    @staticmethod
    def action(menu: QMenu, text: str) -> QAction | None:
        """The action of ``menu`` named ``text``, if there is one."""
        return next((a for a in menu.actions() if a.text() == text), None)

    # --- actions -----------------------------------------------------------------

    def reply(self, message: ChatMessage) -> None:
        """Answer ``message`` with the next one."""
        self._presenter.start_reply(message)
        self.compose_requested.emit()

    def correct(self, message: ChatMessage) -> None:
        """Correct ``message`` (our last one) with the input's next text."""
        if self._presenter.start_correction(message):
            self.compose_requested.emit()
        else:
            self.failed.emit("Only your last message can be corrected.")

    def retract(self, message: ChatMessage) -> bool:
        """Retract ``message`` for everyone after asking; True if it was."""
        question = "Retract this message for everyone? Their clients may still keep a copy."
        if not self.confirm(self._view, question):
            return False
        try:
            self._presenter.retract(message)
        except (SiproxylinError, ValueError) as error:
            self.failed.emit(f"Not retracted: {error}")
            return False
        return True

    def moderate(self, message: ChatMessage) -> None:
        """Ask for a reason, then remove ``message`` for everyone in the room."""
        reason = self.ask_reason(
            self._view, "Remove this message for everyone in the room? Reason (optional):"
        )
        if reason is not None:
            self._moderate(message, reason.strip())

    @async_slot
    async def _moderate(self, message: ChatMessage, reason: str) -> None:
        if self._rooms is None:
            return
        try:
            await self._rooms.moderate(
                message.account, message.peer.bare, message.stanza_id, reason
            )
        except SiproxylinError as error:
            self.failed.emit(f"Not removed: {error}")

    def react(self, message_id: int, emoji: str) -> None:
        """Toggle our ``emoji`` on a message."""
        try:
            self._presenter.toggle_reaction(message_id, emoji)
        except (SiproxylinError, ValueError) as error:
            self.failed.emit(f"Reaction not sent: {error}")

    def open_picker(self, message: ChatMessage, at: QPoint | None = None) -> ReactionPicker:
        """Show the reaction picker for ``message`` at ``at`` (global; the cursor if None)."""
        if self.picker is not None:
            self.picker.close()
        picker = ReactionPicker(message.reactions, self._view)
        picker.picked.connect(lambda emoji: self.react(message.id, emoji))
        picker.destroyed.connect(lambda *_: self._forget_picker(picker))
        self.picker = picker
        picker.popup(at if at is not None else self._view.cursor().pos())
        return picker

    def _forget_picker(self, picker: ReactionPicker) -> None:
        if self.picker is picker:
            self.picker = None

    # --- events ------------------------------------------------------------------

    def _on_context_menu(self, pos: QPoint) -> None:
        index = self._view.indexAt(pos)
        message: ChatMessage | None = index.data(MessageRole.MESSAGE)
        if message is None or not self._delegate.bubble_rect(index).contains(pos.toPointF()):
            return
        at = self._view.viewport().mapToGlobal(pos)
        self.menu_for(message, at).exec(at)

    def click(self, pos: QPoint) -> bool:
        """Act on a left click at ``pos`` (viewport coordinates); True if it hit something."""
        index = self._view.indexAt(pos)
        if not index.isValid():
            return False
        hit = self._delegate.hit(index, pos)
        if hit is None:
            return False
        if hit.kind is HitKind.REPLY:
            self._presenter.show_message(hit.target)
        elif hit.kind is HitKind.REACTION:
            self.react(hit.message_id, hit.emoji)
        else:
            self._file(hit.message_id, CardAction.OPEN if hit.action is None else hit.action)
        return True

    def _file(self, message_id: int, action: CardAction) -> None:
        """A file card's button (or an image's thumbnail) was clicked."""
        try:
            path = self._presenter.file_action(message_id, action)
        except (SiproxylinError, ValueError) as exc:
            self.failed.emit(str(exc))
            return
        if path:
            # A local file, opened by the desktop's own viewer: nothing is fetched.
            QDesktopServices.openUrl(QUrl.fromLocalFile(path))

    def select_text(self, message: ChatMessage) -> TextSelection:
        """Open the message's text where it can be selected with the mouse."""
        author = self._presenter.author(message)
        dialog = TextSelection(message.body, author, self._view.window())
        dialog.show()
        return dialog

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            event.type() is QEvent.Type.MouseButtonDblClick
            and isinstance(event, QMouseEvent)
            and event.button() is Qt.MouseButton.LeftButton
        ):
            index = self._view.indexAt(event.position().toPoint())
            message: ChatMessage | None = index.data(MessageRole.MESSAGE)
            inside = self._delegate.bubble_rect(index).contains(event.position())
            if message is not None and inside and message.body and not message.retracted:
                self.select_text(message)
                return True
        if (
            event.type() is QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() is Qt.MouseButton.LeftButton
        ):
            return self.click(event.position().toPoint())
        return super().eventFilter(watched, event)
