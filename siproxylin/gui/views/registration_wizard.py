"""RegistrationWizard: create an account on a server, in three pages.

1. The server and the way to it: the proxy is asked first (``ProxyForm``), with the
   server fields (``ServerForm``); nothing connects before "Next".
2. The server's form, drawn by ``DataFormView`` (with its CAPTCHA image); "New
   image" fetches the form again.
3. The result: the new account (stored with the proxy, now logging in), or a clear
   error; after an error a fresh form (a new CAPTCHA) is fetched at once and "Back"
   returns to it with the earlier answers kept, the CAPTCHA answer excepted.

Calls ``RegistrationService``; Qt widgets, ``domain``, ``core`` and ``gui`` only.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from siproxylin.core.services.registration import RegistrationRequest, RegistrationService
from siproxylin.domain.config import AccountConfig
from siproxylin.domain.ids import InvalidJid, Jid
from siproxylin.domain.registration import FieldType, RegistrationFailed, RegistrationForm
from siproxylin.gui.async_slot import async_slot
from siproxylin.gui.views.data_form_view import DataFormView
from siproxylin.gui.views.forms import align_labels, error_label, hint_label
from siproxylin.gui.views.proxy_form import ProxyForm
from siproxylin.gui.views.server_form import ServerForm

SERVER_HINT = (
    "Nothing is sent before you press Next. Then every byte, the server's form and its "
    "image included, goes through the proxy chosen here, and the new account keeps it."
)
RETRY_HINT = "“Try Again” shows the form with a new image; your other answers are kept."
SERVER_PAGE, FORM_PAGE, RESULT_PAGE = range(3)


class RegistrationWizard(QDialog):
    """Create Account: server and proxy, the server's form, the result."""

    account_created = Signal(object)  # the stored AccountConfig

    def __init__(self, service: RegistrationService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Create Account")
        self.setMinimumWidth(520)
        self._service = service
        self.form_view: DataFormView | None = None
        self.created: AccountConfig | None = None
        self.task: asyncio.Task[None] | None = None  # the running command (tests await it)
        self._kept: dict[str, str] = {}
        self._build()
        self._show_page(SERVER_PAGE)

    # --- construction --------------------------------------------------------------

    def _build(self) -> None:
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._server_page())
        self.pages.addWidget(self._form_page())
        self.pages.addWidget(self._result_page())
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.back_button = QPushButton("< &Back", self)
        self.next_button = QPushButton("&Next >", self)
        self.next_button.setDefault(True)
        self.close_button = QPushButton("Cancel", self)
        row = QHBoxLayout()
        row.addWidget(self.status_label, 1)
        row.addWidget(self.back_button)
        row.addWidget(self.next_button)
        row.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addLayout(row)
        self.back_button.clicked.connect(self._on_back_clicked)
        self.next_button.clicked.connect(self._on_next_clicked)
        self.close_button.clicked.connect(self.reject)

    def _server_page(self) -> QWidget:
        page = QWidget(self)
        top = QFormLayout()
        self.server_edit = QLineEdit(page)
        self.server_edit.setPlaceholderText("example.org")
        top.addRow("&Server:", self.server_edit)
        proxy_box = QGroupBox("Proxy (first: the way to the server)", page)
        self.proxy_form = ProxyForm(proxy_box)
        QVBoxLayout(proxy_box).addWidget(self.proxy_form)
        server_box = QGroupBox("Connection", page)
        self.server_form = ServerForm(server_box)
        QVBoxLayout(server_box).addWidget(self.server_form)
        align_labels(top, self.proxy_form.form, self.server_form.form)
        self.server_error = error_label(page)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(top)
        column.addWidget(proxy_box)
        column.addWidget(server_box)
        column.addWidget(hint_label(SERVER_HINT, page))
        column.addWidget(self.server_error)
        column.addStretch(1)
        return page

    def _form_page(self) -> QWidget:
        page = QWidget(self)
        self.instructions_label = QLabel(page)
        self.instructions_label.setWordWrap(True)
        self.form_scroll = QScrollArea(page)
        self.form_scroll.setWidgetResizable(True)
        self.new_image_button = QPushButton("New &Image", page)
        self.new_image_button.clicked.connect(self._on_new_image_clicked)
        self.form_error = error_label(page)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.instructions_label)
        column.addWidget(self.form_scroll, 1)
        column.addWidget(self.form_error)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.new_image_button)
        column.addLayout(row)
        return page

    def _result_page(self) -> QWidget:
        page = QWidget(self)
        self.result_label = QLabel(page)
        self.result_label.setWordWrap(True)
        self.result_error = error_label(page)
        self.retry_hint = hint_label(RETRY_HINT, page)
        column = QVBoxLayout(page)
        column.addWidget(self.result_label)
        column.addWidget(self.result_error)
        column.addWidget(self.retry_hint)
        column.addStretch(1)
        return page

    # --- pages ---------------------------------------------------------------------

    def page(self) -> int:
        """The page shown: ``SERVER_PAGE``, ``FORM_PAGE`` or ``RESULT_PAGE``."""
        return self.pages.currentIndex()

    def _show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        self.back_button.setVisible(page != SERVER_PAGE)
        self.next_button.setVisible(page != RESULT_PAGE)
        self.next_button.setText("&Create Account" if page == FORM_PAGE else "&Next >")
        self.close_button.setText("Close" if self.created else "Cancel")
        if page == RESULT_PAGE and self.created is None:
            self.back_button.setText("< Try &Again")
        else:
            self.back_button.setText("< &Back")
        self.status_label.clear()

    def _busy(self, text: str) -> None:
        self.status_label.setText(text)
        for button in (self.back_button, self.next_button, self.new_image_button):
            button.setEnabled(not text)

    def show_form(self, form: RegistrationForm) -> None:
        """Draw ``form`` on the form page (earlier answers kept) and show that page."""
        text = "\n".join(t for t in (form.title, form.instructions) if t)
        self.instructions_label.setText(text or f"Register on {form.server}")
        self.form_view = DataFormView(form)
        for var, value in self._kept.items():
            self.form_view.set_text(var, value)
        self.form_scroll.setWidget(self.form_view)
        self.new_image_button.setVisible(form.captcha is not None)
        self.form_error.hide()
        self._show_page(FORM_PAGE)

    def request(self) -> RegistrationRequest | str:
        """The server and the way to it, or an error text to show."""
        text = self.server_edit.text().strip()
        try:
            jid = Jid.parse(text)
        except InvalidJid:
            jid = None
        if not text or jid is None or jid.local or jid.resource:
            return "Enter the server's name, such as example.org (without a user name)."
        proxy = self.proxy_form.validate()
        if isinstance(proxy, str):
            return proxy
        server = self.server_form.validate()
        if isinstance(server, str):
            return server
        return RegistrationRequest(jid.domain, proxy, server.tls, server.host, server.port)

    # --- handlers ------------------------------------------------------------------

    def _on_next_clicked(self) -> None:
        if self.page() == SERVER_PAGE:
            request = self.request()
            if isinstance(request, str):
                self.server_error.setText(request)
                self.server_error.show()
                return
            self.server_error.hide()
            self.task = self._fetch(request)
        elif self.page() == FORM_PAGE and self.form_view is not None:
            missing = self.form_view.form.missing(self.form_view.answers())
            if missing:
                names = ", ".join(f.label or f.var for f in missing)
                self.form_error.setText(f"Fill in: {names}.")
                self.form_error.show()
                return
            self.task = self._submit()

    def _on_back_clicked(self) -> None:
        if self.page() == RESULT_PAGE and self._service.form is not None:
            self.show_form(self._service.form)
        else:
            self._show_page(SERVER_PAGE)

    def _on_new_image_clicked(self) -> None:
        self._keep_answers()
        self.task = self._fetch(None)

    def _keep_answers(self) -> None:
        if self.form_view is None:
            return
        form = self.form_view.form
        captcha = form.captcha
        self._kept = {
            f.var: values[0]
            for f in form.fields
            if f.type in (FieldType.TEXT_SINGLE, FieldType.TEXT_PRIVATE)
            and (captcha is None or f.var != captcha.var)
            and (values := self.form_view.answers().get(f.var, ()))
        }

    @async_slot
    async def _fetch(self, request: RegistrationRequest | None) -> None:
        target = request.server if request else "the server"
        via = f" through {request.proxy.label}" if request and request.proxy.enabled else ""
        self._busy(f"Asking {target} for its form{via}…")
        try:
            form = await self._service.fetch_form(request)
        except RegistrationFailed as error:
            self._busy("")
            if self.page() == SERVER_PAGE:
                self.server_error.setText(str(error))
                self.server_error.show()
            else:
                self.form_error.setText(str(error))
                self.form_error.show()
            return
        self._busy("")
        self.show_form(form)

    @async_slot
    async def _submit(self) -> None:
        assert self.form_view is not None
        self._keep_answers()
        self._busy("Creating the account…")
        try:
            config = await self._service.submit(self.form_view.answers())
        except RegistrationFailed as error:
            self._busy("")
            self.result_label.setText("The account was not created.")
            self.result_error.setText(str(error))
            self.result_error.show()
            self.retry_hint.show()
            self._show_page(RESULT_PAGE)
            # A CAPTCHA is good for one try: fetch a fresh form for "Try again".
            self.back_button.setEnabled(False)
            self.status_label.setText("Fetching a new form…")
            try:
                await self._service.fetch_form()
            except RegistrationFailed as again:
                self.result_error.setText(f"{error}\n\n{again}")
                self.retry_hint.hide()
                self.back_button.setText("< &Back")
            self.back_button.setEnabled(True)
            self.status_label.clear()
            return
        self._busy("")
        self.created = config
        self._kept = {}
        self.result_error.hide()
        self.retry_hint.hide()
        self.result_label.setText(
            f"The account {config.jid} was created. It is logging in now"
            f"{' through ' + config.proxy.label if config.proxy.enabled else ''}."
        )
        self._show_page(RESULT_PAGE)
        self.back_button.hide()
        self.account_created.emit(config)

    @async_slot
    async def _cancel(self) -> None:
        await self._service.cancel()

    # --- Qt virtuals ---------------------------------------------------------------

    def reject(self) -> None:
        self._cancel()
        super().reject()
