"""ChatView: the right-hand pane: peer header, message list, typing line and composer.

Owns the widgets of one conversation; the state (which conversation, its rows,
the peer's presence, reply or correction, who is typing) lives in
``ChatPresenter``. Sending goes through the presenter, which stores the message
first: the row appears when the core says it is stored. Tells the presenter
whether the conversation is in front of the user (shown in the active window),
which is when messages count as read. Qt widgets, ``gui.presenters`` and
``gui.labels``.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QFont, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from siproxylin.domain.errors import SiproxylinError
from siproxylin.domain.models import ChatMessage
from siproxylin.gui import icons, labels
from siproxylin.gui.presenters.chat import ChatPresenter
from siproxylin.gui.views.compose_bar import ComposeBar
from siproxylin.gui.views.composer import Composer
from siproxylin.gui.views.message_delegate import MessageDelegate
from siproxylin.gui.views.message_menu import MessageMenu

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

_STICK_DISTANCE = 24  # pixels from the bottom that still count as "at the bottom"


class ChatView(QWidget):
    """Header, messages and composer for the presenter's open conversation."""

    def __init__(self, presenter: ChatPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._presenter = presenter
        self._stick_to_bottom = True
        self._watched: QWidget | None = None  # the window whose activation we follow
        self._corrected: ChatMessage | None = None  # the message the input holds a correction of
        self._build()
        self.menu = MessageMenu(presenter, self.messages, self.delegate)
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
        self.composer.submitted.connect(self._on_send_requested)
        self.composer.edit_last_requested.connect(self._on_edit_last_requested)
        self.composer.cancel_requested.connect(presenter.cancel_compose)
        self.composer.edited.connect(presenter.text_edited)
        self.compose_bar.cancelled.connect(presenter.cancel_compose)
        self.send_button.clicked.connect(self._on_send_requested)
        self._on_conversation_changed()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_header())
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
        self.presence_dot = QLabel(header)
        self.peer_label = QLabel(header)
        font = QFont(self.peer_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.peer_label.setFont(font)
        self.status_label = QLabel(header)
        self.status_label.setStyleSheet("color: palette(placeholder-text);")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.presence_dot)
        row.addWidget(self.peer_label)
        row.addWidget(self.status_label, 1)
        return header

    def _build_composer(self) -> QWidget:
        box = QFrame(self)
        box.setFrameShape(QFrame.Shape.StyledPanel)
        column = QVBoxLayout(box)
        column.setContentsMargins(8, 6, 8, 8)
        self.error_label = QLabel(box)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        column.addWidget(self.error_label)
        self.compose_bar = ComposeBar(box)
        column.addWidget(self.compose_bar)
        row = QHBoxLayout()
        self.composer = Composer(box)
        self.send_button = QPushButton("Send", box)
        self.send_button.setDefault(False)
        row.addWidget(self.composer, 1)
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        column.addLayout(row)
        return box

    # --- handlers ----------------------------------------------------------------

    def _on_conversation_changed(self) -> None:
        is_open = self._presenter.conversation is not None
        self.composer.setEnabled(is_open)
        self.send_button.setEnabled(is_open)
        self.error_label.hide()
        self._on_peer_changed()
        self._on_typing_changed()
        if is_open:
            self.composer.setFocus()

    def _on_peer_changed(self) -> None:
        presenter = self._presenter
        if presenter.conversation is None:
            self.presence_dot.clear()
            self.peer_label.setText("No conversation open")
            self.status_label.setText("Double-click a contact to chat.")
            return
        _account, peer = presenter.conversation
        availability = presenter.peer_availability
        self.presence_dot.setPixmap(icons.presence_icon(availability).pixmap(16, 16))
        self.peer_label.setText(presenter.peer_name)
        self.peer_label.setToolTip(str(peer))
        text = labels.availability_text(availability)
        if presenter.peer_status:
            text = f"{text}: {presenter.peer_status}"
        if presenter.peer_name != str(peer):
            text = f"{peer} · {text}"
        self.status_label.setText(text)

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

    def _on_rows_about_to_be_inserted(self, _parent: Index, _first: int, _last: int) -> None:
        bar = self.messages.verticalScrollBar()
        self._stick_to_bottom = (
            self._stick_to_bottom or bar.value() >= bar.maximum() - _STICK_DISTANCE
        )

    def _on_rows_inserted(self, _parent: Index, _first: int, _last: int) -> None:
        if self._stick_to_bottom:
            # after the view has laid the new rows out
            QTimer.singleShot(0, self._scroll_to_bottom)

    def _on_model_reset(self) -> None:
        self.delegate.forget_sizes()
        self._stick_to_bottom = True
        QTimer.singleShot(0, self._scroll_to_bottom)

    def _scroll_to_bottom(self) -> None:
        self.messages.scrollToBottom()
        self._stick_to_bottom = False
