"""ChatView: the right-hand pane: peer header, message list and composer.

Owns the widgets of one conversation; the state (which conversation, its rows,
the peer's presence) lives in ``ChatPresenter``. Sending goes through the
presenter, which stores the message first: the row appears when the core says
it is stored. Qt widgets, ``gui.presenters`` and ``gui.labels``.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QFont
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
from siproxylin.gui import icons, labels
from siproxylin.gui.presenters.chat import ChatPresenter
from siproxylin.gui.views.composer import Composer
from siproxylin.gui.views.message_delegate import MessageDelegate

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

_STICK_DISTANCE = 24  # pixels from the bottom that still count as "at the bottom"


class ChatView(QWidget):
    """Header, messages and composer for the presenter's open conversation."""

    def __init__(self, presenter: ChatPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._presenter = presenter
        self._stick_to_bottom = True
        self._build()
        presenter.conversation_changed.connect(self._on_conversation_changed)
        presenter.peer_changed.connect(self._on_peer_changed)
        model = presenter.model
        model.rowsAboutToBeInserted.connect(self._on_rows_about_to_be_inserted)
        model.rowsInserted.connect(self._on_rows_inserted)
        model.modelReset.connect(self._on_model_reset)
        self.composer.submitted.connect(self._on_send_requested)
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
        try:
            sent = self._presenter.send(body)
        except SiproxylinError as error:
            self.error_label.setText(f"Not sent: {error}")
            self.error_label.show()
            return
        if sent is not None:
            self.error_label.hide()
            self.composer.clear()
            self._stick_to_bottom = True

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
