"""Profile dialogs: ours (avatar, nickname, vCard fields, editable) and a contact's (read only).

``OwnProfileDialog`` collects what the user changed; ``ContactProfileDialog``
shows a fetched vCard. They hold values only; ``ProfileMenu`` runs the
commands. Qt widgets, ``domain`` and ``gui`` only.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from siproxylin.domain.profiles import VCard
from siproxylin.gui.avatars import avatar_pixmap, scaled_avatar
from siproxylin.gui.theme import set_tone

PREVIEW_SIDE = 96
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.gif *.webp *.bmp)"


class OwnProfileDialog(QDialog):
    """Edit our avatar, nickname and vCard.

    After ``accepted``: ``new_avatar`` holds (PNG bytes, width, height) of a
    picked picture, ``avatar_removed`` says the user removed it, and
    ``nickname()`` / ``vcard()`` hold the fields.
    """

    def __init__(
        self,
        jid: str,
        avatar: Path | None,
        nickname: str,
        card: VCard,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Profile of {jid}")
        self._jid = jid
        self.original_nickname = nickname
        self.original_vcard = card
        self.new_avatar: tuple[bytes, int, int] | None = None
        self.avatar_removed = False
        self._current = "" if avatar is None else str(avatar)
        self.preview = QLabel(self)
        self.preview.setFixedSize(PREVIEW_SIDE, PREVIEW_SIDE)
        self.choose_button = QPushButton("&Choose Picture…", self)
        self.remove_button = QPushButton("&Remove Picture", self)
        self.error_label = QLabel(self)
        set_tone(self.error_label, "failed")
        self.error_label.hide()
        self.nickname_edit = QLineEdit(nickname, self)
        self.full_name_edit = QLineEdit(card.full_name, self)
        self.email_edit = QLineEdit(card.email, self)
        self.url_edit = QLineEdit(card.url, self)
        self.note_edit = QPlainTextEdit(card.note, self)
        self.note_edit.setFixedHeight(70)
        self._layout()
        self.choose_button.clicked.connect(self._on_choose_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self._show_preview()

    def _layout(self) -> None:
        column = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.preview)
        buttons = QVBoxLayout()
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        hint = QLabel("Shown to the people who see your presence.", self)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(placeholder-text);")
        buttons.addWidget(hint)
        top.addLayout(buttons, 1)
        column.addLayout(top)
        column.addWidget(self.error_label)
        form = QFormLayout()
        form.addRow("&Nickname:", self.nickname_edit)
        form.addRow("&Full name:", self.full_name_edit)
        form.addRow("&E-mail:", self.email_edit)
        form.addRow("&Web address:", self.url_edit)
        form.addRow("&About:", self.note_edit)
        column.addLayout(form)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        column.addWidget(box)

    def nickname(self) -> str:
        """The nickname as edited."""
        return self.nickname_edit.text().strip()

    def vcard(self) -> VCard:
        """The vCard fields as edited (without photo: the avatar is kept apart)."""
        return VCard(
            full_name=self.full_name_edit.text().strip(),
            nickname=self.nickname(),
            email=self.email_edit.text().strip(),
            url=self.url_edit.text().strip(),
            note=self.note_edit.toPlainText().strip(),
        )

    def vcard_changed(self) -> bool:
        """True when a vCard field differs from what was shown."""
        old = self.original_vcard
        new = self.vcard()
        return (old.full_name, old.nickname, old.email, old.url, old.note) != (
            new.full_name,
            new.nickname,
            new.email,
            new.url,
            new.note,
        )

    def pick_file(self, path: Path) -> None:
        """Use the picture in ``path`` (scaled down here) as the new avatar."""
        try:
            self.new_avatar = scaled_avatar(path.read_bytes())
        except (OSError, ValueError) as exc:
            self.error_label.setText(f"Cannot use {path.name}: {exc}")
            self.error_label.show()
            return
        self.error_label.hide()
        self.avatar_removed = False
        self._show_preview()

    def _on_choose_clicked(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(self, "Choose Picture", "", IMAGE_FILTER)
        if name:
            self.pick_file(Path(name))

    def _on_remove_clicked(self) -> None:
        self.new_avatar = None
        self.avatar_removed = True
        self._show_preview()

    def _show_preview(self) -> None:
        shown = "" if self.avatar_removed else self._current
        if self.new_avatar is not None:
            image = QImage.fromData(self.new_avatar[0])
            pixmap = QPixmap.fromImage(image).scaled(
                PREVIEW_SIDE,
                PREVIEW_SIDE,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            self.preview.setPixmap(_round(pixmap))
            self.remove_button.setEnabled(True)
            return
        self.preview.setPixmap(avatar_pixmap(shown, self._jid, self._jid, PREVIEW_SIDE))
        self.remove_button.setEnabled(bool(shown))


def _round(pixmap: QPixmap) -> QPixmap:
    """Cut a picture to the avatar circle."""
    out = QPixmap(pixmap.size())
    out.fill(Qt.GlobalColor.transparent)
    painter = QPainter(out)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    path = QPainterPath()
    path.addEllipse(0, 0, pixmap.width(), pixmap.height())
    painter.setClipPath(path)
    painter.drawPixmap(0, 0, pixmap)
    painter.end()
    return out


class ContactProfileDialog(QDialog):
    """A contact's avatar and vCard, read only."""

    def __init__(
        self,
        jid: str,
        name: str,
        avatar: Path | None,
        card: VCard,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Profile of {name}")
        column = QVBoxLayout(self)
        top = QHBoxLayout()
        picture = QLabel(self)
        picture.setPixmap(
            avatar_pixmap("" if avatar is None else str(avatar), name, jid, PREVIEW_SIDE)
        )
        top.addWidget(picture)
        title = QLabel(f"<b>{_escape(card.full_name or name)}</b><br>{_escape(jid)}", self)
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(title, 1)
        column.addLayout(top)
        form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for label, value in (
            ("Nickname:", card.nickname),
            ("E-mail:", card.email),
            ("Web address:", card.url),
            ("About:", card.note),
        ):
            if not value:
                continue
            shown = QLabel(value, self)
            shown.setTextFormat(Qt.TextFormat.PlainText)  # never rich text from a stranger
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, shown)
            self.fields[label] = shown
        if card.empty:
            form.addRow(QLabel("This contact has not published a profile.", self))
        column.addLayout(form)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        box.rejected.connect(self.reject)
        column.addWidget(box)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
