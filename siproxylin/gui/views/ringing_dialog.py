"""RingingDialog: an incoming call: who calls, Accept or Decline.

Enter accepts, Esc declines. ``dismiss`` closes it without answering: the call
was taken on another device of ours, retracted by the caller, or ended. Not
modal: the user may look at the conversation before answering. Qt widgets and
``CallsPresenter``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from siproxylin.domain.call_info import CallInfo
from siproxylin.gui.presenters.calls import CallsPresenter
from siproxylin.gui.theme import set_tone

PROMPT = "Incoming audio call"


class RingingDialog(QDialog):
    """Answer or decline one incoming call."""

    def __init__(
        self,
        presenter: CallsPresenter,
        call: CallInfo,
        name: str,
        avatar: QPixmap | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setModal(False)
        self.setWindowTitle(f"{name} is calling")
        self._presenter = presenter
        self.call = call
        self.answered: bool | None = None  # True accepted, False declined, None dismissed
        self._dismissed = False
        row = QHBoxLayout()
        self.avatar_label = QLabel(self)
        if avatar is not None:
            self.avatar_label.setPixmap(avatar)
        self.avatar_label.setVisible(avatar is not None)
        row.addWidget(self.avatar_label)
        texts = QVBoxLayout()
        self.name_label = QLabel(name, self)
        font = QFont(self.name_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.name_label.setFont(font)
        self.prompt_label = QLabel(PROMPT, self)
        set_tone(self.prompt_label, "muted")
        self.address_label = QLabel(str(call.peer.bare), self)
        self.address_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        texts.addWidget(self.name_label)
        texts.addWidget(self.prompt_label)
        texts.addWidget(self.address_label)
        row.addLayout(texts, 1)
        buttons = QDialogButtonBox(self)
        self.decline_button = QPushButton("&Decline", self)
        self.decline_button.setToolTip("Decline the call (Esc)")
        set_tone(self.decline_button, "failed")
        self.accept_button = QPushButton("&Accept", self)
        self.accept_button.setToolTip("Answer the call (Enter)")
        self.accept_button.setDefault(True)
        set_tone(self.accept_button, "success")
        buttons.addButton(self.decline_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.addButton(self.accept_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.setContentsMargins(18, 18, 18, 12)
        column.setSpacing(14)
        column.addLayout(row)
        column.addWidget(buttons)
        self.accept_button.setFocus()

    def accept(self) -> None:
        """Answer the call."""
        if not self._dismissed:
            self.answered = True
            self._presenter.accept(self.call.call_id)
        super().accept()

    def reject(self) -> None:
        """Decline the call (also Esc and the window's close button)."""
        if not self._dismissed and self.answered is None:
            self.answered = False
            self._presenter.reject(self.call.call_id)
        super().reject()

    def dismiss(self) -> None:
        """Close without answering: the call no longer rings here."""
        self._dismissed = True
        self.done(QDialog.DialogCode.Rejected)
