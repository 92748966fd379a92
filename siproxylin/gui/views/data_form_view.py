"""DataFormView: a server's form (registration) drawn generically, and the user's answers.

Owns one widget per field by its type (text, private text, multi-line text,
boolean, single and multiple choice, fixed text; hidden fields are not shown), the
field's image (a CAPTCHA, from the bytes that came with the form: nothing is
fetched from here), required marks, and reading the answers back. Qt widgets and
``domain`` only.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QWidget,
)

from siproxylin.domain.registration import Answers, FieldType, FormField, RegistrationForm
from siproxylin.gui.views.forms import hint_label

_TRUE = ("1", "true")
MAX_IMAGE_WIDTH = 360
CAPTCHA_URL_FIELD = "captcha-fallback-url"


class DataFormView(QWidget):
    """The fields of one form; ``answers()`` reads what the user entered."""

    def __init__(self, form: RegistrationForm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self.layout_ = QFormLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self._readers: dict[str, Callable[[], tuple[str, ...]]] = {}
        self.editors: dict[str, QWidget] = {}
        self.image_label: QLabel | None = None
        for f in form.fields:
            self._add(f)

    # --- building ------------------------------------------------------------------

    def _add(self, f: FormField) -> None:
        if f.type is FieldType.HIDDEN:
            return
        if f.type is FieldType.FIXED:
            label = QLabel("\n".join(f.values), self)
            label.setWordWrap(True)
            self.layout_.addRow(label)
            return
        if f.media is not None:
            self._add_image(f)
        editor, reader = self._editor(f)
        editor.setObjectName(f"field-{f.var}")
        self.editors[f.var] = editor
        self._readers[f.var] = reader
        text = (f.label or f.var) + (" *" if f.required else "") + ":"
        self.layout_.addRow(text, editor)
        if f.description:
            self.layout_.addRow("", hint_label(f.description, self))

    def _add_image(self, f: FormField) -> None:
        media = f.media
        assert media is not None
        label = QLabel(self)
        label.setObjectName("captcha-image")
        pixmap = QPixmap()
        if media.data and pixmap.loadFromData(media.data):
            if pixmap.width() > MAX_IMAGE_WIDTH:
                pixmap = pixmap.scaledToWidth(
                    MAX_IMAGE_WIDTH, Qt.TransformationMode.SmoothTransformation
                )
            label.setPixmap(pixmap)
        else:
            label.setText("(The server's image could not be shown.)")
        self.image_label = label
        self.layout_.addRow("", label)

    def _editor(self, f: FormField) -> tuple[QWidget, Callable[[], tuple[str, ...]]]:
        kind = f.type
        if kind is FieldType.BOOLEAN:
            check = QCheckBox(self)
            check.setChecked(f.value.lower() in _TRUE)
            return check, lambda: ("1" if check.isChecked() else "0",)
        if kind is FieldType.LIST_SINGLE:
            combo = QComboBox(self)
            for option in f.options:
                combo.addItem(option.label, option.value)
            index = combo.findData(f.value)
            combo.setCurrentIndex(max(index, 0))
            return combo, lambda: (str(combo.currentData()),) if combo.count() else ()
        if kind is FieldType.LIST_MULTI:
            return self._multi_list(f)
        if kind in (FieldType.TEXT_MULTI, FieldType.JID_MULTI):
            text = QPlainTextEdit("\n".join(f.values), self)
            text.setMaximumHeight(text.fontMetrics().lineSpacing() * 5)
            return text, lambda: tuple(line for line in text.toPlainText().splitlines() if line)
        edit = QLineEdit(f.value, self)
        # XEP-0158's web address of the CAPTCHA: shown to copy, never opened from here.
        edit.setReadOnly(f.var == CAPTCHA_URL_FIELD)
        if kind is FieldType.TEXT_PRIVATE:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        return edit, lambda: (edit.text(),)

    def _multi_list(self, f: FormField) -> tuple[QWidget, Callable[[], tuple[str, ...]]]:
        items = QListWidget(self)
        items.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for option in f.options:
            item = QListWidgetItem(option.label, items)
            item.setData(Qt.ItemDataRole.UserRole, option.value)
            item.setSelected(option.value in f.values)
        return items, lambda: tuple(
            str(i.data(Qt.ItemDataRole.UserRole)) for i in items.selectedItems()
        )

    # --- values --------------------------------------------------------------------

    def answers(self) -> Answers:
        """What the user entered, by field name (hidden fields keep the server's values)."""
        return {var: read() for var, read in self._readers.items()}

    def set_text(self, var: str, text: str) -> None:
        """Fill a text field (to keep earlier answers when a new form arrives)."""
        editor = self.editors.get(var)
        if isinstance(editor, QLineEdit):
            editor.setText(text)
