"""EncryptionDialog: fingerprints, a QR code and device trust for one conversation.

Shows this device's fingerprint (in groups of eight) with a QR code of its
``xmpp:`` verification URI for the contact to scan; the contact's devices with
fingerprint, label and trust, and buttons to verify, trust blindly or distrust
the selected one; a field for a URI scanned from the contact's screen ("Verify
by scanning…"); and our own other devices, where an old one can be removed after
a confirmation. Everything is fetched and changed through ``EncryptionPresenter``
(asynchronous; errors and an offline account are said in the dialog, never
raised). Qt widgets, ``gui.presenters`` and ``gui.qr``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QFont, QFontDatabase, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from siproxylin.domain.errors import NotConnected, SiproxylinError
from siproxylin.domain.ids import AccountId
from siproxylin.domain.models import OmemoDevice, TrustLevel
from siproxylin.gui.async_slot import async_slot
from siproxylin.gui.presenters.encryption import DeviceList, EncryptionPresenter
from siproxylin.gui.qr import qr_image
from siproxylin.gui.theme import colours as theme_colours
from siproxylin.gui.theme import set_tone

log = logging.getLogger(__name__)

OFFLINE = "The account is offline: devices and trust can be seen and changed once it is connected."
LOADING = "Loading devices…"
NO_DEVICES = "This contact has no OMEMO devices: messages to them cannot be encrypted."
NO_QR = "This device is not in your published device list yet: no QR code."

TRUST_TEXT = {
    TrustLevel.UNDECIDED: "Undecided",
    TrustLevel.BLIND: "Trusted (not verified)",
    TrustLevel.VERIFIED: "Verified",
    TrustLevel.DISTRUSTED: "Distrusted",
}
_TRUST_COLOUR = {  # names of the theme's colours
    TrustLevel.UNDECIDED: "warning_text",
    TrustLevel.BLIND: "",
    TrustLevel.VERIFIED: "success",
    TrustLevel.DISTRUSTED: "failed",
}
_DEVICE_ROLE = int(Qt.ItemDataRole.UserRole) + 1


def _ask(parent: QWidget, question: str) -> bool:
    answer = QMessageBox.question(parent, "Remove device", question)
    return answer == QMessageBox.StandardButton.Yes


def _device_table(parent: QWidget, rows: int) -> QTreeWidget:
    """A device list tall enough for ``rows`` devices (fingerprints take two lines)."""
    table = QTreeWidget(parent)
    table.setColumnCount(3)
    table.setHeaderLabels(["Device", "Fingerprint", "Trust"])
    table.setRootIsDecorated(False)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAllColumnsShowFocus(True)
    header = table.header()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
    line = table.fontMetrics().lineSpacing()
    table.setMinimumHeight(header.sizeHint().height() + rows * (2 * line + 6) + 4)
    return table


class EncryptionDialog(QDialog):
    """OMEMO fingerprints and trust of the open conversation's two ends."""

    def __init__(self, presenter: EncryptionPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._presenter = presenter
        self._devices: DeviceList | None = None
        self.confirm: Callable[[QWidget, str], bool] = _ask
        self.setWindowTitle("Encryption")
        self.setMinimumWidth(640)
        self._mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._build()
        self.reload()

    # --- construction ------------------------------------------------------------

    def _build(self) -> None:
        column = QVBoxLayout(self)
        self.status_label = QLabel(LOADING, self)
        self.status_label.setWordWrap(True)
        column.addWidget(self.status_label)
        column.addWidget(self._build_this_device())
        column.addWidget(self._build_contact(), 1)
        column.addWidget(self._build_own_devices(), 1)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        box.rejected.connect(self.reject)
        column.addWidget(box)
        self._set_enabled(False)

    def _build_this_device(self) -> QGroupBox:
        own_box = QGroupBox("This device", self)
        own_row = QHBoxLayout(own_box)
        self.qr_label = QLabel(own_box)
        self.qr_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_label.setMinimumSize(176, 176)
        own_row.addWidget(self.qr_label)
        own_text = QVBoxLayout()
        self.fingerprint_label = QLabel(own_box)
        self.fingerprint_label.setFont(self._bigger_mono())
        self.fingerprint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        own_hint = QLabel(
            "Your fingerprint. Let the contact scan the code, or compare it with what"
            " their client shows for you.",
            own_box,
        )
        own_hint.setWordWrap(True)
        own_text.addWidget(own_hint)
        own_text.addWidget(self.fingerprint_label)
        own_text.addStretch(1)
        own_row.addLayout(own_text, 1)
        return own_box

    def _build_contact(self) -> QGroupBox:
        self.contact_box = QGroupBox("The contact's devices", self)
        contact_column = QVBoxLayout(self.contact_box)
        self.contact_table = _device_table(self.contact_box, 3)
        self.contact_table.itemSelectionChanged.connect(self._update_buttons)
        contact_column.addWidget(self.contact_table)
        buttons = QHBoxLayout()
        self.verify_button = QPushButton("Verify", self.contact_box)
        self.verify_button.setToolTip("You compared the fingerprint with the contact")
        self.trust_button = QPushButton("Trust blindly", self.contact_box)
        self.distrust_button = QPushButton("Distrust", self.contact_box)
        for button, trust in (
            (self.verify_button, TrustLevel.VERIFIED),
            (self.trust_button, TrustLevel.BLIND),
            (self.distrust_button, TrustLevel.DISTRUSTED),
        ):
            button.clicked.connect(lambda _=False, t=trust: self._on_trust_clicked(t))
            buttons.addWidget(button)
        buttons.addStretch(1)
        contact_column.addLayout(buttons)
        scan_row = QHBoxLayout()
        scan_row.addWidget(QLabel("Verify by scanning…", self.contact_box))
        self.uri_edit = QLineEdit(self.contact_box)
        self.uri_edit.setPlaceholderText("Paste the xmpp: link of the contact's QR code")
        self.uri_edit.returnPressed.connect(self._on_verify_uri_clicked)
        self.uri_button = QPushButton("Check", self.contact_box)
        self.uri_button.clicked.connect(self._on_verify_uri_clicked)
        scan_row.addWidget(self.uri_edit, 1)
        scan_row.addWidget(self.uri_button)
        contact_column.addLayout(scan_row)
        self.uri_result = QLabel(self.contact_box)
        self.uri_result.setWordWrap(True)
        self.uri_result.hide()
        contact_column.addWidget(self.uri_result)
        return self.contact_box

    def _build_own_devices(self) -> QGroupBox:
        self.own_box = QGroupBox("Your other devices", self)
        own_column = QVBoxLayout(self.own_box)
        self.own_table = _device_table(self.own_box, 2)
        self.own_table.itemSelectionChanged.connect(self._update_buttons)
        own_column.addWidget(self.own_table)
        own_buttons = QHBoxLayout()
        self.own_verify_button = QPushButton("Verify", self.own_box)
        self.own_verify_button.clicked.connect(
            lambda: self._on_own_trust_clicked(TrustLevel.VERIFIED)
        )
        self.own_distrust_button = QPushButton("Distrust", self.own_box)
        self.own_distrust_button.clicked.connect(
            lambda: self._on_own_trust_clicked(TrustLevel.DISTRUSTED)
        )
        self.remove_button = QPushButton("Remove", self.own_box)
        self.remove_button.setToolTip("Drop an old device from your device list")
        self.remove_button.clicked.connect(self._on_remove_clicked)
        own_buttons.addWidget(self.own_verify_button)
        own_buttons.addWidget(self.own_distrust_button)
        own_buttons.addWidget(self.remove_button)
        own_buttons.addStretch(1)
        own_column.addLayout(own_buttons)
        return self.own_box

    def _bigger_mono(self) -> QFont:
        font = QFont(self._mono)
        size = self.font().pointSizeF()
        if size > 0:
            font.setPointSizeF(size * 1.1)
        return font

    # --- loading -----------------------------------------------------------------

    @property
    def devices(self) -> DeviceList | None:
        """What was loaded last (None before the first load, or offline)."""
        return self._devices

    @async_slot
    async def reload(self) -> None:
        """Fetch the devices and fingerprints again."""
        self._set_status(LOADING)
        try:
            devices = await self._presenter.load_devices()
        except NotConnected:
            self._devices = None
            self._set_enabled(False)
            self._set_status(OFFLINE, error=True)
            return
        except (SiproxylinError, ValueError) as error:
            self._devices = None
            self._set_enabled(False)
            self._set_status(f"Devices not loaded: {error}", error=True)
            return
        except Exception as error:  # noqa: BLE001 (a failure the adapter did not type: say it)
            log.warning("loading OMEMO devices failed: %r", error)
            self._devices = None
            self._set_enabled(False)
            self._set_status(f"Devices not loaded: {error}", error=True)
            return
        self._show(devices)

    def _show(self, devices: DeviceList) -> None:
        self._devices = devices
        self.setWindowTitle(f"Encryption with {devices.peer}")
        self.contact_box.setTitle(f"Devices of {devices.peer}")
        self.own_box.setTitle(f"Your other devices ({devices.own_jid})")
        if devices.own_fingerprint:
            self.fingerprint_label.setText(self._fingerprint_lines(devices.own_fingerprint))
        else:
            self.fingerprint_label.setText("(no fingerprint yet)")
        if devices.own_uri:
            image = qr_image(devices.own_uri, 200)
            self.qr_label.setPixmap(QPixmap.fromImage(image))
            self.qr_label.setToolTip(devices.own_uri)
        else:
            self.qr_label.clear()
            self.qr_label.setText(NO_QR)
            self.qr_label.setWordWrap(True)
        self._fill(self.contact_table, devices.contact)
        self._fill(self.own_table, devices.own_devices)
        self._set_enabled(True)
        self._set_status(NO_DEVICES if not devices.contact else "")

    def _fingerprint_lines(self, fingerprint: str) -> str:
        groups = self._presenter.grouped(fingerprint).split(" ")
        return "\n".join(" ".join(groups[i : i + 4]) for i in range(0, len(groups), 4))

    def _fill(self, table: QTreeWidget, devices: tuple[OmemoDevice, ...]) -> None:
        selected = self._selected(table)
        table.clear()
        for device in devices:
            name = device.label or f"Device {device.device_id}"
            if not device.active:
                name = f"{name} (inactive)"
            fingerprint = self._fingerprint_lines(device.fingerprint)
            item = QTreeWidgetItem([name, fingerprint, TRUST_TEXT[device.trust]])
            item.setData(0, _DEVICE_ROLE, device)
            item.setToolTip(0, f"Device id {device.device_id}")
            item.setFont(1, self._mono)
            colour = _TRUST_COLOUR[device.trust]
            if colour:
                item.setForeground(2, QBrush(theme_colours().colour(colour)))
            table.addTopLevelItem(item)
            if selected is not None and selected.device_id == device.device_id:
                item.setSelected(True)
        self._update_buttons()

    # --- state -------------------------------------------------------------------

    @staticmethod
    def _selected(table: QTreeWidget) -> OmemoDevice | None:
        items = table.selectedItems()
        if not items:
            return None
        device: OmemoDevice = items[0].data(0, _DEVICE_ROLE)
        return device

    def select_device(self, table: QTreeWidget, device_id: int) -> None:
        """Select the row of ``device_id`` in ``table``."""
        for row in range(table.topLevelItemCount()):
            item = table.topLevelItem(row)
            if item is not None:
                device: OmemoDevice = item.data(0, _DEVICE_ROLE)
                item.setSelected(device.device_id == device_id)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.contact_table, self.own_table, self.uri_edit, self.uri_button):
            widget.setEnabled(enabled)
        self._update_buttons()

    def _update_buttons(self) -> None:
        online = self._devices is not None
        contact = self._selected(self.contact_table) if online else None
        own = self._selected(self.own_table) if online else None
        self.verify_button.setEnabled(contact is not None)
        self.trust_button.setEnabled(contact is not None)
        self.distrust_button.setEnabled(contact is not None)
        self.own_verify_button.setEnabled(own is not None)
        self.own_distrust_button.setEnabled(own is not None)
        self.remove_button.setEnabled(own is not None)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status_label.setText(text)
        set_tone(self.status_label, "failed" if error else None)
        self.status_label.setVisible(bool(text))

    # --- actions -----------------------------------------------------------------

    def _on_trust_clicked(self, trust: TrustLevel) -> None:
        device = self._selected(self.contact_table)
        if device is not None and self._devices is not None:
            self._set_trust(self._devices.account, device, trust)

    def _on_own_trust_clicked(self, trust: TrustLevel) -> None:
        device = self._selected(self.own_table)
        if device is not None and self._devices is not None:
            self._set_trust(self._devices.account, device, trust)

    def _set_trust(self, account: AccountId, device: OmemoDevice, trust: TrustLevel) -> None:
        self._run(
            "Trust not changed",
            self._presenter.set_trust(account, device.jid, device.device_id, trust),
        )

    def _on_remove_clicked(self) -> None:
        device = self._selected(self.own_table)
        if device is None or self._devices is None:
            return
        name = device.label or f"device {device.device_id}"
        question = (
            f"Remove {name} ({self._presenter.grouped(device.fingerprint)[:17]}…) from your"
            " device list? Contacts stop encrypting for it; if it is still in use, it will"
            " add itself again when it next connects."
        )
        if not self.confirm(self, question):
            return
        self._run(
            "Device not removed",
            self._presenter.remove_own_device(self._devices.account, device.device_id),
        )

    def _on_verify_uri_clicked(self) -> None:
        uri = self.uri_edit.text().strip()
        if not uri or self._devices is None:
            return
        self._verify_uri(self._devices.account, uri)

    @async_slot
    async def _verify_uri(self, account: AccountId, uri: str) -> None:
        try:
            count = await self._presenter.verify_uri(account, uri)
        except (SiproxylinError, ValueError) as error:
            self._show_uri_result(f"Not verified: {error}", error=True)
            return
        if count:
            plural = "s" if count != 1 else ""
            self._show_uri_result(f"Verified {count} device{plural}.", error=False)
            self.uri_edit.clear()
        else:
            self._show_uri_result(
                "Not verified: the link names no device known for this address.", error=True
            )
        await self._reload_now()

    def _show_uri_result(self, text: str, *, error: bool) -> None:
        self.uri_result.setText(text)
        set_tone(self.uri_result, "failed" if error else "success")
        self.uri_result.show()

    def _run(self, failure: str, command: Coroutine[Any, Any, None]) -> None:
        self._run_command(failure, command)

    @async_slot
    async def _run_command(self, failure: str, command: Coroutine[Any, Any, None]) -> None:
        try:
            await command
        except (SiproxylinError, ValueError, KeyError) as error:
            self._set_status(f"{failure}: {error}", error=True)
            return
        await self._reload_now()

    async def _reload_now(self) -> None:
        try:
            devices = await self._presenter.load_devices()
        except (SiproxylinError, ValueError) as error:
            self._set_status(f"Devices not loaded: {error}", error=True)
            return
        self._show(devices)
