"""ChatView: the right-hand pane: peer header, message list, typing line and composer.

Owns the widgets of one conversation; the state (which conversation, its rows,
the peer's presence, reply or correction, who is typing) lives in
``ChatPresenter``. Sending goes through the presenter, which stores the message
first: the row appears when the core says it is stored. Tells the presenter
whether the conversation is in front of the user (shown in the active window),
which is when messages count as read.

In a group chat (given a ``RoomsPresenter``) the header names the room and its
state, the room bar shows the subject, the room menu and notices, and the
occupant list sits beside the messages. Given an ``EncryptionPresenter``, a lock
in the header shows whether the conversation is OMEMO encrypted and turns it on or
off (off after a confirmation); "Encryption…" opens the fingerprints and trust
dialog. Scrolling to the top (or turning the
wheel up there) asks the presenter for older messages, keeping the rows on
screen where they are; a note above the list says when they are being loaded,
when the beginning is reached, or that history is being synced. Qt widgets,
``gui.presenters`` and ``gui.labels``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QHideEvent,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from siproxylin.domain.errors import SiproxylinError
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import Availability, ChatKind, ChatMessage, Occupant
from siproxylin.gui import avatars, icons, labels
from siproxylin.gui.async_slot import async_slot
from siproxylin.gui.presenters.chat import ChatPresenter
from siproxylin.gui.presenters.encryption import TURN_OFF_QUESTION, EncryptionPresenter
from siproxylin.gui.presenters.rooms import RoomsPresenter
from siproxylin.gui.presenters.spelling import SpellingPresenter
from siproxylin.gui.theme import set_tone
from siproxylin.gui.views.compose_bar import ComposeBar
from siproxylin.gui.views.composer import Composer
from siproxylin.gui.views.emoji_picker import EmojiPicker
from siproxylin.gui.views.encryption_dialog import EncryptionDialog
from siproxylin.gui.views.message_delegate import MessageDelegate
from siproxylin.gui.views.message_menu import MessageMenu
from siproxylin.gui.views.occupant_list import OccupantList
from siproxylin.gui.views.room_bar import RoomBar
from siproxylin.gui.views.spelling_menu import SpellingMenu

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

_STICK_DISTANCE = 24  # pixels from the bottom that still count as "at the bottom"

PLACEHOLDER = "Write a message…"
ENCRYPTED_PLACEHOLDER = "Encrypted message…"
LOCK_ON_TIP = "Messages are end-to-end encrypted (OMEMO). Click to turn encryption off."
LOCK_OFF_TIP = "Messages are not encrypted. Click to encrypt them (OMEMO)."


def _ask(parent: QWidget, question: str) -> bool:
    answer = QMessageBox.question(parent, "Turn encryption off", question)
    return answer == QMessageBox.StandardButton.Yes


HEADER_AVATAR = 32  # pixels


class ChatView(QWidget):
    """Header, messages and composer for the presenter's open conversation."""

    def __init__(
        self,
        presenter: ChatPresenter,
        parent: QWidget | None = None,
        *,
        rooms: RoomsPresenter | None = None,
        encryption: EncryptionPresenter | None = None,
    ) -> None:
        super().__init__(parent)
        self._presenter = presenter
        self._rooms = rooms
        # Where a peer's avatar is cached (ProfileService.avatar); None: no avatars.
        self.avatar_of: Callable[[AccountId, Jid], Path | None] | None = None
        self._encryption = encryption
        self.encryption_dialog: EncryptionDialog | None = None
        self.confirm: Callable[[QWidget, str], bool] = _ask
        self.room_bar: RoomBar | None = None
        self.occupant_list: OccupantList | None = None
        self._keep_from_bottom: int | None = None  # rows being added above: keep the view
        self._settling = False  # a new conversation is being scrolled to its end
        self._stick_to_bottom = True
        self._watched: QWidget | None = None  # the window whose activation we follow
        self._corrected: ChatMessage | None = None  # the message the input holds a correction of
        self.spelling_menu: SpellingMenu | None = None
        self._recent_emoji: list[str] = []  # picked in this run, newest first
        self._build()
        self.menu = MessageMenu(presenter, self.messages, self.delegate, rooms=rooms)
        self.menu.failed.connect(self._show_error)
        self.menu.compose_requested.connect(self.composer.setFocus)
        presenter.conversation_changed.connect(self._on_conversation_changed)
        presenter.peer_changed.connect(self._on_peer_changed)
        presenter.compose_changed.connect(self._on_compose_changed)
        presenter.typing.changed.connect(self._on_typing_changed)
        model = presenter.model
        model.rowsAboutToBeInserted.connect(self._on_rows_about_to_be_inserted)
        model.rowsInserted.connect(self._on_rows_inserted)
        model.modelReset.connect(self._on_model_reset)
        presenter.history_changed.connect(self._on_history_changed)
        presenter.send_failed.connect(self._show_error)
        self.messages.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.messages.viewport().installEventFilter(self)
        if rooms is not None:
            self._connect_room(rooms)
        self.composer.submitted.connect(self._on_send_requested)
        self.composer.edit_last_requested.connect(self._on_edit_last_requested)
        self.composer.cancel_requested.connect(presenter.cancel_compose)
        self.composer.edited.connect(presenter.text_edited)
        self.compose_bar.cancelled.connect(presenter.cancel_compose)
        self.send_button.clicked.connect(self._on_send_requested)
        self.attach_button.clicked.connect(self._on_attach_clicked)
        self.emoji_button.clicked.connect(self.show_emoji_picker)
        self.setAcceptDrops(presenter.files is not None)
        if encryption is not None:
            encryption.changed.connect(self._on_encryption_changed)
            self.lock_button.clicked.connect(self._on_lock_clicked)
            self.encryption_button.clicked.connect(self.show_encryption_dialog)
        self._on_conversation_changed()
        self._on_encryption_changed()

    def attach_spelling(self, spelling: SpellingPresenter) -> None:
        """Check the composer's spelling in the language ``spelling`` picks; show its notes."""
        self.spelling_menu = SpellingMenu(self.composer, spelling)
        self.spelling_menu.follow_names(self._presenter, self._rooms)
        spelling.note.connect(self._show_error)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_header())
        if self._rooms is not None:
            self.room_bar = RoomBar(self._rooms, self)
            self.room_bar.hide()
            layout.addWidget(self.room_bar)
        self.history_label = QLabel(self)
        self.history_label.setObjectName("historyNote")
        self.history_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.history_label.setStyleSheet("color: palette(placeholder-text); padding: 2px;")
        self.history_label.hide()
        layout.addWidget(self.history_label)
        self.messages = QListView(self)
        self.messages.setObjectName("messages")
        self.messages.setModel(self._presenter.model)
        self.delegate = MessageDelegate(self.messages)
        self.messages.setItemDelegate(self.delegate)
        self.messages.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.messages.setResizeMode(QListView.ResizeMode.Adjust)
        self.messages.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.messages.setFrameShape(QFrame.Shape.NoFrame)
        self.messages.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.messages.setUniformItemSizes(False)
        if self._rooms is not None:
            self.body_splitter = QSplitter(Qt.Orientation.Horizontal, self)
            self.body_splitter.addWidget(self.messages)
            self.occupant_list = OccupantList(self._rooms, self.body_splitter)
            self.body_splitter.addWidget(self.occupant_list)
            self.body_splitter.setStretchFactor(0, 1)
            self.body_splitter.setSizes([520, 170])
            self.occupant_list.hide()
            layout.addWidget(self.body_splitter, 1)
        else:
            layout.addWidget(self.messages, 1)
        self.typing_label = QLabel(self)
        self.typing_label.setObjectName("typingLabel")
        self.typing_label.setStyleSheet("color: palette(placeholder-text); padding-left: 12px;")
        small = QFont(self.typing_label.font())
        small.setItalic(True)
        self.typing_label.setFont(small)
        self.typing_label.setFixedHeight(self.typing_label.fontMetrics().height() + 4)
        layout.addWidget(self.typing_label)
        layout.addWidget(self._build_composer())

    def _build_header(self) -> QWidget:
        header = QFrame(self)
        header.setObjectName("chatHeader")
        header.setFrameShape(QFrame.Shape.StyledPanel)
        row = QHBoxLayout(header)
        row.setContentsMargins(12, 8, 12, 8)
        self.avatar_label = QLabel(header)
        self.avatar_label.hide()
        self.presence_dot = QLabel(header)
        self.peer_label = QLabel(header)
        font = QFont(self.peer_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.peer_label.setFont(font)
        self.status_label = QLabel(header)
        self.status_label.setStyleSheet("color: palette(placeholder-text);")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.lock_button = QToolButton(header)
        self.lock_button.setObjectName("lockButton")
        self.lock_button.setAutoRaise(True)
        self.lock_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.encryption_button = QToolButton(header)
        self.encryption_button.setText("Encryption…")
        self.encryption_button.setToolTip("Fingerprints and trust of this conversation's devices")
        self.encryption_button.setAutoRaise(True)
        row.addWidget(self.avatar_label)
        row.addWidget(self.presence_dot)
        row.addWidget(self.peer_label)
        row.addWidget(self.status_label, 1)
        row.addWidget(self.lock_button)
        row.addWidget(self.encryption_button)
        self._header_row = row
        return header

    def add_header_widget(self, widget: QWidget) -> None:
        """Put ``widget`` in the header, before the lock (the call button)."""
        row = self._header_row
        row.insertWidget(row.indexOf(self.lock_button), widget)

    def _build_composer(self) -> QWidget:
        box = QFrame(self)
        box.setFrameShape(QFrame.Shape.StyledPanel)
        column = QVBoxLayout(box)
        column.setContentsMargins(8, 6, 8, 8)
        self.error_label = QLabel(box)
        set_tone(self.error_label, "failed")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        column.addWidget(self.error_label)
        self.compose_bar = ComposeBar(box)
        column.addWidget(self.compose_bar)
        row = QHBoxLayout()
        self.composer = Composer(box)
        self.send_button = QPushButton("Send", box)
        self.send_button.setDefault(False)
        self.attach_button = QToolButton(box)
        self.attach_button.setText("📎")
        self.attach_button.setToolTip("Share a file… (or drop files on the conversation)")
        self.attach_button.setAccessibleName("Attach a file")
        self.attach_button.setVisible(self._presenter.files is not None)
        row.addWidget(self.attach_button, 0, Qt.AlignmentFlag.AlignBottom)
        self.emoji_button = QToolButton(box)
        self.emoji_button.setText("☺")
        self.emoji_button.setToolTip("Insert an emoji")
        self.emoji_button.setAccessibleName("Insert an emoji")
        row.addWidget(self.emoji_button, 0, Qt.AlignmentFlag.AlignBottom)
        row.addWidget(self.composer, 1)
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        column.addLayout(row)
        return box

    def _connect_room(self, rooms: RoomsPresenter) -> None:
        assert self.room_bar is not None
        assert self.occupant_list is not None
        rooms.room_changed.connect(self._on_room_changed)
        self.room_bar.failed.connect(self._show_error)
        self.room_bar.occupants_toggled.connect(self._on_occupants_toggled)
        self.room_bar.left.connect(self._presenter.close)
        self.occupant_list.failed.connect(self._show_error)
        self.occupant_list.private_requested.connect(self._on_private_requested)

    # --- handlers ----------------------------------------------------------------

    def _in_room(self) -> bool:
        rooms = self._rooms
        return rooms is not None and rooms.room is not None

    def _on_room_changed(self) -> None:
        in_room = self._in_room()
        if self.room_bar is not None and self.occupant_list is not None:
            self.room_bar.setVisible(in_room)
            self.occupant_list.setVisible(in_room and self.room_bar.occupants_action.isChecked())
        self._on_peer_changed()

    def _on_occupants_toggled(self, shown: bool) -> None:
        if self.occupant_list is not None:
            self.occupant_list.setVisible(shown and self._in_room())

    def _on_private_requested(self, occupant: Occupant) -> None:
        rooms = self._rooms
        if rooms is None or rooms.room is None:
            return
        account, room = rooms.room
        self._presenter.open(account, room.with_resource(occupant.nick), ChatKind.GROUPCHAT_PM)

    def _on_conversation_changed(self) -> None:
        is_open = self._presenter.conversation is not None
        self.composer.setEnabled(is_open)
        self.send_button.setEnabled(is_open)
        self.error_label.hide()
        self._on_peer_changed()
        self._on_typing_changed()
        if is_open:
            self.composer.setFocus()

    def refresh_peer(self) -> None:
        """Show the header again (an avatar changed)."""
        self._on_peer_changed()

    def _show_avatar(self, account: AccountId, peer: Jid, name: str) -> None:
        lookup = self.avatar_of
        if lookup is None:
            self.avatar_label.hide()
            return
        path = lookup(account, peer)
        shown = "" if path is None else str(path)
        self.avatar_label.setPixmap(avatars.avatar_pixmap(shown, name, str(peer), HEADER_AVATAR))
        self.avatar_label.show()

    def _on_peer_changed(self) -> None:
        presenter = self._presenter
        self.avatar_label.hide()
        if presenter.conversation is None:
            self.presence_dot.clear()
            self.peer_label.setText("No conversation open")
            self.status_label.setText("Double-click a contact to chat.")
            return
        account, peer = presenter.conversation
        rooms = self._rooms
        if rooms is not None and rooms.room is not None:
            self._show_room_header(rooms)
            return
        if presenter.kind is ChatKind.GROUPCHAT_PM and peer.resource:
            occupant = rooms.occupant_in(account, peer) if rooms is not None else None
            shown = occupant.availability if occupant is not None else Availability.OFFLINE
            self.presence_dot.setPixmap(icons.presence_icon(shown).pixmap(16, 16))
            self.peer_label.setText(peer.resource)
            self.peer_label.setToolTip(str(peer))
            where = f"private message in {peer.bare}"
            self.status_label.setText(where if occupant else f"{where} · not in the room")
            return
        availability = presenter.peer_availability
        self.presence_dot.setPixmap(icons.presence_icon(availability).pixmap(16, 16))
        self.peer_label.setText(presenter.peer_name)
        self._show_avatar(account, peer.bare, presenter.peer_name)
        self.peer_label.setToolTip(str(peer))
        text = labels.availability_text(availability)
        if presenter.peer_status:
            text = f"{text}: {presenter.peer_status}"
        if presenter.peer_name != str(peer):
            text = f"{peer} · {text}"
        self.status_label.setText(text)

    def _show_room_header(self, rooms: RoomsPresenter) -> None:
        assert rooms.room is not None
        account, room = rooms.room
        self.presence_dot.setPixmap(icons.room_icon(rooms.state(account, room)).pixmap(16, 16))
        self.peer_label.setText(rooms.title(account, room))
        if self.avatar_of is not None and self.avatar_of(account, room) is not None:
            self._show_avatar(account, room, rooms.title(account, room))  # only a real picture
        self.peer_label.setToolTip(str(room))
        parts = [str(room), rooms.state_text(account, room)]
        count = rooms.occupants.count()
        if count:
            parts.append(f"{count} participant{'s' if count != 1 else ''}")
        if rooms.nick():
            parts.append(f"you are {rooms.nick()}")
        self.status_label.setText(" · ".join(parts))

    def _on_send_requested(self) -> None:
        body = self.composer.toPlainText()
        if not body.strip():
            return
        editing = self._presenter.editing is not None
        try:
            sent = self._presenter.send(body)
        except (SiproxylinError, ValueError) as error:
            self._show_error(f"Not corrected: {error}" if editing else f"Not sent: {error}")
            return
        if sent is not None:
            self.error_label.hide()
            self.composer.clear()
            self._stick_to_bottom = not editing

    # --- emoji ---------------------------------------------------------------------

    def show_emoji_picker(self) -> EmojiPicker:
        """Pop up the emoji picker above the input; a pick goes in at the cursor."""
        picker = EmojiPicker(self._recent_emoji, self)
        picker.picked.connect(self._insert_emoji)
        below = self.emoji_button.mapToGlobal(self.emoji_button.rect().topLeft())
        picker.popup(below - QPoint(0, picker.height()))
        return picker

    def _insert_emoji(self, emoji: str) -> None:
        self._recent_emoji = [emoji, *(e for e in self._recent_emoji if e != emoji)][:20]
        self.composer.insertPlainText(emoji)
        self.composer.setFocus()

    # --- files ---------------------------------------------------------------------

    def _on_attach_clicked(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(self, "Share files")
        self.share_files([Path(name) for name in names])

    def share_files(self, paths: list[Path]) -> None:
        """Share each file in the open conversation (attach button, drop)."""
        if self._presenter.conversation is None:
            return
        for path in paths:
            self._presenter.send_file(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if self._dropped_files(event.mimeData()) and self._presenter.conversation is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        if self._dropped_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        files = self._dropped_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.share_files(files)

    @staticmethod
    def _dropped_files(data: QMimeData | None) -> list[Path]:
        if data is None or not data.hasUrls():
            return []
        return [Path(url.toLocalFile()) for url in data.urls() if url.isLocalFile()]

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def _on_edit_last_requested(self) -> None:
        if self._presenter.correct_last() is None:
            self._show_error("There is no message of yours to correct.")

    def _on_compose_changed(self) -> None:
        presenter = self._presenter
        editing, reply_to = presenter.editing, presenter.reply_to
        if editing is not None:
            self.compose_bar.show_editing(editing.body)
            if self.composer.toPlainText() != editing.body:
                self.composer.set_text(editing.body)
        elif reply_to is not None:
            self.compose_bar.show_reply(presenter.author(reply_to), reply_to.body)
        else:
            self.compose_bar.hide()
        if self._corrected is not None and editing is None:
            self.composer.clear()  # a finished or cancelled correction leaves nothing behind
        self._corrected = editing
        self.error_label.hide()

    def _on_typing_changed(self) -> None:
        self.typing_label.setText(self._presenter.typing.text)

    # --- encryption ----------------------------------------------------------------

    def _on_encryption_changed(self) -> None:
        encryption = self._encryption
        shown = encryption is not None and encryption.available
        encrypted = encryption is not None and encryption.encrypted
        self.lock_button.setVisible(shown)
        self.encryption_button.setVisible(encryption is not None and encryption.has_devices)
        self.lock_button.setIcon(icons.lock_icon(encrypted))
        self.lock_button.setText("Encrypted" if encrypted else "Not encrypted")
        set_tone(self.lock_button, "success" if encrypted else None)
        self.lock_button.setToolTip(LOCK_ON_TIP if encrypted else LOCK_OFF_TIP)
        self.composer.setPlaceholderText(ENCRYPTED_PLACEHOLDER if encrypted else PLACEHOLDER)
        if self.delegate.set_encrypted_conversation(encrypted):
            self.messages.viewport().update()

    def _on_lock_clicked(self) -> None:
        encryption = self._encryption
        if encryption is None or not encryption.available:
            return
        if encryption.encrypted and not self.confirm(self, TURN_OFF_QUESTION):
            return
        encryption.set_encrypted(not encryption.encrypted)

    def show_encryption_dialog(self) -> EncryptionDialog | None:
        """Open the fingerprints and trust dialog of the open conversation."""
        encryption = self._encryption
        if encryption is None or not encryption.has_devices:
            return None
        if self.encryption_dialog is not None:
            self.encryption_dialog.deleteLater()
        dialog = EncryptionDialog(encryption, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: self._forget_dialog(dialog))
        self.encryption_dialog = dialog
        dialog.open()
        return dialog

    def _forget_dialog(self, dialog: EncryptionDialog) -> None:
        if self.encryption_dialog is dialog:
            self.encryption_dialog = None

    # --- whether the user sees the conversation ---------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        window = self.window()
        if window is not self._watched:
            if self._watched is not None:
                self._watched.removeEventFilter(self)
            window.installEventFilter(self)
            self._watched = window
        self._update_visible()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        super().hideEvent(event)
        self._presenter.set_visible(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            watched is self.messages.viewport()
            and isinstance(event, QWheelEvent)
            and event.angleDelta().y() > 0
        ):
            bar = self.messages.verticalScrollBar()
            if bar.value() <= bar.minimum():
                self.request_older()
        if watched is self._watched and event.type() in (
            QEvent.Type.ActivationChange,
            QEvent.Type.WindowStateChange,
        ):
            self._update_visible()
        return super().eventFilter(watched, event)

    def _update_visible(self) -> None:
        window = self.window()
        shown = self.isVisible() and window.isActiveWindow() and not window.isMinimized()
        self._presenter.set_visible(shown)

    # --- older messages ------------------------------------------------------------

    def request_older(self) -> None:
        """Ask for older messages, unless they are being loaded or there are none."""
        presenter = self._presenter
        if presenter.conversation is None or presenter.loading_older or presenter.at_beginning:
            return
        self._load_older()

    @async_slot
    async def _load_older(self) -> None:
        await self._presenter.load_older()

    def _on_scrolled(self, value: int) -> None:
        bar = self.messages.verticalScrollBar()
        if self._settling:
            return
        if value <= bar.minimum() < bar.maximum() and self._presenter.model.rowCount():
            self.request_older()

    def _on_history_changed(self) -> None:
        note = self._presenter.history_note
        self.history_label.setText(note)
        self.history_label.setVisible(bool(note))

    def _on_rows_about_to_be_inserted(self, _parent: Index, first: int, _last: int) -> None:
        bar = self.messages.verticalScrollBar()
        if first == 0 and self._presenter.model.rowCount():
            self._keep_from_bottom = bar.maximum() - bar.value()
            return
        self._stick_to_bottom = (
            self._stick_to_bottom or bar.value() >= bar.maximum() - _STICK_DISTANCE
        )

    def _on_rows_inserted(self, _parent: Index, first: int, _last: int) -> None:
        if first == 0 and self._keep_from_bottom is not None:
            QTimer.singleShot(0, self._restore_position)
            return
        if self._stick_to_bottom:
            # after the view has laid the new rows out
            QTimer.singleShot(0, self._scroll_to_bottom)

    def _on_model_reset(self) -> None:
        self.delegate.forget_sizes()
        self._stick_to_bottom = True
        self._settling = True
        QTimer.singleShot(0, self._scroll_to_bottom)

    def _restore_position(self) -> None:
        distance, self._keep_from_bottom = self._keep_from_bottom, None
        if distance is not None:
            bar = self.messages.verticalScrollBar()
            bar.setValue(bar.maximum() - distance)

    def _scroll_to_bottom(self) -> None:
        self.messages.scrollToBottom()
        self._stick_to_bottom = False
        self._settling = False
