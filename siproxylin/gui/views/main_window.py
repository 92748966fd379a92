"""MainWindow: menus, the contact tree, the chat pane, info bars and the status bar.

Edit > Find… shows the search dialog; opening a hit shows its conversation
scrolled to the message, which a fading band highlights. File > Join Group
Chat… (Ctrl+J) and Create Group Chat… open the room dialogs; a room entered
from them is opened. Invitations are questions like subscription requests.

Owns the window's widgets and turns user actions into service commands: account
commands are awaited through ``async_slot``, errors a user can act on are shown
in a non-modal message box. State comes from the presenters' models; the window
holds no copy of it. Imports Qt, ``domain``, ``core`` (through ``GuiServices``)
and the rest of ``gui``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from siproxylin.core.ports import SearchHit
from siproxylin.domain.config import AccountConfig
from siproxylin.domain.errors import SiproxylinError
from siproxylin.domain.events import AvatarChanged, DecisionRequested, ProxyNameResolved
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind
from siproxylin.gui import labels
from siproxylin.gui.async_slot import async_slot
from siproxylin.gui.bridge import EventBridge
from siproxylin.gui.presenters.chat import ChatPresenter
from siproxylin.gui.presenters.contacts import ContactsPresenter
from siproxylin.gui.presenters.decisions import DecisionsPresenter
from siproxylin.gui.presenters.encryption import EncryptionPresenter
from siproxylin.gui.presenters.rooms import RoomsPresenter
from siproxylin.gui.presenters.search import SearchPresenter
from siproxylin.gui.services import GuiServices
from siproxylin.gui.spelling.dictionaries import Dictionaries
from siproxylin.gui.theme_control import ThemeController
from siproxylin.gui.views.account_menu import AccountMenu
from siproxylin.gui.views.add_account_dialog import AddAccountDialog
from siproxylin.gui.views.add_contact_dialog import AddContactDialog
from siproxylin.gui.views.calls_ui import CallsUi
from siproxylin.gui.views.chat_view import ChatView
from siproxylin.gui.views.contact_delegate import ContactDelegate
from siproxylin.gui.views.info_bar import BarKind, InfoBar
from siproxylin.gui.views.info_windows import InfoWindows
from siproxylin.gui.views.join_room_dialog import CreateRoomDialog, JoinRoomDialog
from siproxylin.gui.views.navigation import Navigation
from siproxylin.gui.views.notification_menu import dnd_action, refresh_dnd
from siproxylin.gui.views.preferences_dialog import PreferencesDialog
from siproxylin.gui.views.profile_menu import ProfileMenu
from siproxylin.gui.views.registration_wizard import RegistrationWizard
from siproxylin.gui.views.row_highlight import RowHighlight
from siproxylin.gui.views.search_dialog import SearchDialog
from siproxylin.gui.views.theme_menu import ThemeMenu

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

INSECURE_PASSWORDS = "No system keyring: passwords are stored in the data folder."


class MainWindow(QMainWindow):
    """The application window."""

    quit_requested = Signal()  # File > Quit or the window was closed: the app shuts down

    def __init__(
        self,
        services: GuiServices,
        *,
        contacts: ContactsPresenter,
        chat: ChatPresenter,
        decisions: DecisionsPresenter,
        bridge: EventBridge,
        search: SearchPresenter | None = None,
        rooms: RoomsPresenter | None = None,
        encryption: EncryptionPresenter | None = None,
        theme: ThemeController | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.theme = theme
        self.encryption = encryption
        self.contacts = contacts
        self.chat = chat
        self.decisions = decisions
        self.bridge = bridge
        self.search = search
        self.rooms = rooms
        self.search_dialog: SearchDialog | None = None
        self._decision_bars: dict[int, InfoBar] = {}
        self._dialog: QDialog | None = None
        self._quitting = False
        self.setWindowTitle("Siproxylin")
        self.resize(1000, 650)
        self._build_central()
        self.account_menu = AccountMenu(self)
        self.info_windows = InfoWindows(self, services.logs_dir, services.data_dir)
        self._build_menus()
        self.status_label = QLabel(self)
        # Long failure details are cut, not allowed to widen the window; the tooltip has all.
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.statusBar().addPermanentWidget(self.status_label, 1)
        self._connect_signals()
        if not services.accounts.passwords_secure:
            self.show_bar(INSECURE_PASSWORDS, BarKind.WARNING, [("Dismiss", None)])
        for request in decisions.pending():
            self._on_decision_requested(request)
        # A proxy given by name was looked up locally: say so (before and after now).
        for config in services.accounts.accounts():
            session = services.accounts.session(config.id)
            if session is not None and session.proxy_note:
                self._show_proxy_note(session.proxy_note)
        bridge.register(ProxyNameResolved, self._on_proxy_name_resolved)
        self.profile_menu: ProfileMenu | None = None
        if services.profiles is not None:
            self.profile_menu = ProfileMenu(self, services.profiles)
            self.chat_view.avatar_of = services.profiles.avatar
            bridge.register(AvatarChanged, lambda _events: self.chat_view.refresh_peer())
        self._refresh_account_state()

    # --- construction ------------------------------------------------------------

    def _build_central(self) -> None:
        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(6, 6, 6, 0)
        self.bars = QVBoxLayout()
        column.addLayout(self.bars)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, central)
        side = QWidget(self.splitter)
        side_column = QVBoxLayout(side)
        side_column.setContentsMargins(0, 0, 0, 0)
        side_column.setSpacing(4)
        self.contact_search = QLineEdit(side)
        self.contact_search.setObjectName("contactSearch")
        self.contact_search.setPlaceholderText("Search contacts and group chats")
        self.contact_search.setClearButtonEnabled(True)
        self.contact_search.setAccessibleName("Search contacts")
        side_column.addWidget(self.contact_search)
        self.contact_tree = QTreeView(side)
        side_column.addWidget(self.contact_tree, 1)
        self.contact_tree.setObjectName("contacts")
        self.contact_tree.setModel(self.contacts.model)
        self.contact_tree.setHeaderHidden(True)
        self.contact_tree.setUniformRowHeights(True)
        self.contact_tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.contact_tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.contact_tree.setItemDelegate(ContactDelegate(self.contact_tree))
        self.contact_tree.setIconSize(QSize(24, 24))  # round avatars
        self.contact_tree.expandAll()
        self.chat_view = ChatView(
            self.chat, self.splitter, rooms=self.rooms, encryption=self.encryption
        )
        self.chat_highlight = RowHighlight(self.chat_view.messages)
        self.splitter.addWidget(side)
        self.splitter.addWidget(self.chat_view)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([330, 670])
        column.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.navigation = Navigation(
            self,
            self.contacts.model,
            self.contact_tree,
            self.contact_search,
            self.chat,
            self.open_chat,
        )
        # Tab goes: contact search, contact list, the message being written, Send.
        QWidget.setTabOrder(self.contact_search, self.contact_tree)
        QWidget.setTabOrder(self.contact_tree, self.chat_view.composer)
        QWidget.setTabOrder(self.chat_view.composer, self.chat_view.send_button)
        self.add_account_action = file_menu.addAction("&Add Account…")
        self.create_account_action = file_menu.addAction("Create Accou&nt…")
        self.create_account_action.setEnabled(self.services.registration is not None)
        file_menu.addSeparator()
        file_menu.addAction(self.navigation.new_chat_action)
        self.join_room_action = file_menu.addAction("&Join Group Chat…")
        self.join_room_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_J))
        self.create_room_action = file_menu.addAction("C&reate Group Chat…")
        for action in (self.join_room_action, self.create_room_action):
            action.setEnabled(self.rooms is not None)
        file_menu.addSeparator()
        file_menu.addAction(self.navigation.close_chat_action)
        self.quit_action = file_menu.addAction("&Quit")
        self.quit_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Q))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self._build_edit_menu()
        view_menu = bar.addMenu("&View")
        self.show_offline_action = view_menu.addAction("Show &Offline Contacts")
        self.show_offline_action.setCheckable(True)
        self.show_offline_action.setChecked(self.contacts.model.show_offline)
        view_menu.addAction(self.navigation.next_unread_action)
        view_menu.addAction(self.navigation.search_action)
        self.theme_menu: ThemeMenu | None = None
        if self.theme is not None:
            view_menu.addSeparator()
            self.theme_menu = ThemeMenu(view_menu.addMenu("&Theme"), self.theme)
        view_menu.addSeparator()
        view_menu.addAction(self.info_windows.log_viewer_action)
        self.notifier: QObject | None = None  # set by create_main_window
        self.dnd_action: QAction | None = None
        if self.services.notifications is not None:
            view_menu.addSeparator()
            notifications, action = (
                self.services.notifications,
                dnd_action(self.services.notifications, view_menu),
            )
            view_menu.addAction(action)
            view_menu.aboutToShow.connect(lambda: refresh_dnd(action, notifications))
            self.dnd_action = action
        self.calls: CallsUi | None = None  # set by create_main_window when calls exist
        help_menu = bar.addMenu("&Help")
        self.help_menu = help_menu
        self.about_action = help_menu.addAction("&About Siproxylin")

    def _build_edit_menu(self) -> None:
        edit_menu = self.menuBar().addMenu("&Edit")
        self.find_action = edit_menu.addAction("&Find…")
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.setEnabled(self.search is not None)
        edit_menu.addSeparator()
        self.add_contact_action = edit_menu.addAction("Add &Contact…")
        edit_menu.addSeparator()
        edit_menu.addAction(self.account_menu.settings_action)
        edit_menu.addMenu(self.account_menu.menu)
        edit_menu.addSeparator()
        self.preferences_action = edit_menu.addAction("&Preferences…")
        self.preferences_action.setShortcut(QKeySequence("Ctrl+,"))
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.dictionaries: Dictionaries | None = None  # set once spelling is attached

    def _connect_signals(self) -> None:
        self.add_account_action.triggered.connect(self._on_add_account_triggered)
        self.create_account_action.triggered.connect(self.show_create_account)
        self.quit_action.triggered.connect(self._on_quit_triggered)
        self.add_contact_action.triggered.connect(self._on_add_contact_triggered)
        self.preferences_action.triggered.connect(self.show_preferences)
        self.join_room_action.triggered.connect(self.show_join_room)
        self.create_room_action.triggered.connect(self.show_create_room)
        self.show_offline_action.toggled.connect(self.contacts.model.set_show_offline)
        self.about_action.triggered.connect(self._on_about_triggered)
        self.find_action.triggered.connect(self._on_find_triggered)
        self.chat.focus_requested.connect(self._on_focus_requested)
        tree = self.contact_tree
        tree.activated.connect(self._on_contact_activated)
        tree.customContextMenuRequested.connect(self._on_context_menu_requested)
        tree.selectionModel().currentChanged.connect(self._on_current_changed)
        model = self.contacts.model
        model.rowsInserted.connect(self._on_contact_rows_inserted)
        model.dataChanged.connect(self._on_contacts_data_changed)
        model.rowsRemoved.connect(self._on_contact_rows_removed)
        self.decisions.requested.connect(self._on_decision_requested)
        self.decisions.withdrawn.connect(self._on_decision_withdrawn)

    # --- public API --------------------------------------------------------------

    def selected_account(self) -> AccountId | None:
        """The account of the current tree row, or the only account there is."""
        account = self.contacts.model.account_at(self.contact_tree.currentIndex())
        if account is None:
            entries = self.contacts.model.accounts()
            return entries[0].account if len(entries) == 1 else None
        return account

    def select_account(self, account: AccountId) -> None:
        """Make an account the current tree row."""
        index = self.contacts.model.account_index(account)
        if index.isValid():
            self.contact_tree.setCurrentIndex(index)

    def open_chat(self, account: AccountId, jid: Jid, kind: ChatKind = ChatKind.CHAT) -> None:
        """Show the conversation with ``jid`` (a contact, or a room) and select it in the tree."""
        self.chat.open(account, jid, kind)
        index = self.contacts.model.contact_index(account, jid.bare)
        if index.isValid():
            self.contact_tree.setCurrentIndex(index)

    def open_chat_at(self, account: AccountId, jid: Jid, message_id: int) -> None:
        """Show the conversation with ``jid`` scrolled to ``message_id``, highlighted."""
        try:
            self.chat.open_at(account, jid, message_id)
        except SiproxylinError as error:
            self.show_error("Could not open the conversation", str(error))
            return
        index = self.contacts.model.contact_index(account, jid.bare)
        if index.isValid():
            self.contact_tree.setCurrentIndex(index)

    def show_join_room(self) -> JoinRoomDialog | None:
        """Show File > Join Group Chat…; None without group chats."""
        if self.rooms is None:
            return None
        dialog = JoinRoomDialog(self.rooms, self._account_choices(), self.selected_account(), self)
        dialog.joined.connect(self._on_room_entered)
        self.show_dialog(dialog)
        return dialog

    def show_create_room(self) -> CreateRoomDialog | None:
        """Show File > Create Group Chat…; None without group chats."""
        if self.rooms is None:
            return None
        dialog = CreateRoomDialog(
            self.rooms, self._account_choices(), self.selected_account(), self
        )
        dialog.joined.connect(self._on_room_entered)
        self.show_dialog(dialog)
        return dialog

    def _account_choices(self) -> list[tuple[AccountId, Jid]]:
        return [(entry.account, entry.jid) for entry in self.contacts.model.accounts()]

    def _on_room_entered(self, account: AccountId, room: Jid) -> None:
        self.bridge.flush()  # the room's row exists before it is selected
        self.open_chat(account, room, ChatKind.GROUPCHAT)

    def show_search(self) -> SearchDialog | None:
        """Show the search dialog (Edit > Find…); None when there is no search service."""
        if self.search is None:
            return None
        if self.search_dialog is None:
            self.search_dialog = SearchDialog(self.search, self)
            self.search_dialog.open_requested.connect(self._on_search_open_requested)
        self.search_dialog.show()
        self.search_dialog.raise_()
        self.search_dialog.activateWindow()
        return self.search_dialog

    def show_bar(
        self, text: str, kind: BarKind, buttons: list[tuple[str, Callable[[], None] | None]]
    ) -> InfoBar:
        """Show a non-modal info bar above the content; each button closes it."""
        bar = InfoBar(text, kind, self)
        for label, on_click in buttons:
            bar.add_button(label, on_click)
        self.bars.addWidget(bar)
        return bar

    def _on_proxy_name_resolved(self, events: Sequence[ProxyNameResolved]) -> None:
        for event in events:
            session = self.services.accounts.session(event.account)
            if session is not None and session.proxy_note:
                self._show_proxy_note(session.proxy_note)

    def _show_proxy_note(self, text: str) -> None:
        self.show_bar(text, BarKind.WARNING, [("Dismiss", None)])

    def show_error(self, title: str, text: str) -> None:
        """Tell the user something failed, without blocking the window."""
        self.statusBar().showMessage(f"{title}: {text}", 10_000)
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # --- commands ----------------------------------------------------------------

    @async_slot
    async def run_command(self, failure_title: str, command: Coroutine[Any, Any, object]) -> None:
        """Await a service command; a user-facing error is shown, not raised."""
        try:
            await command
        except SiproxylinError as error:
            self.show_error(failure_title, str(error))

    def show_dialog(self, dialog: QDialog) -> None:
        """Open a dialog window-modally (the loop keeps running), replacing the previous one."""
        if self._dialog is not None:
            self._dialog.deleteLater()
        self._dialog = dialog
        dialog.open()

    def confirm(self, title: str, text: str) -> bool:
        """Ask a yes/no question (modal)."""
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    # --- handlers ----------------------------------------------------------------

    def _on_add_account_triggered(self) -> None:
        dialog = AddAccountDialog(self)
        dialog.accepted.connect(lambda: self._on_add_account_accepted(dialog))
        self.show_dialog(dialog)

    def _on_add_account_accepted(self, dialog: AddAccountDialog) -> None:
        config, password = dialog.account_config(), dialog.password()
        dialog.password_edit.clear()
        self.run_command("Could not add the account", self._add_account(config, password))

    async def _add_account(self, config: AccountConfig, password: str) -> None:
        stored = await self.services.accounts.add_account(config, password)
        self.bridge.flush()  # the new row exists before it is selected
        self.select_account(stored.id)

    def show_create_account(self) -> None:
        """Open the Create Account wizard (in-band registration)."""
        if self.services.registration is None:
            return
        dialog = RegistrationWizard(self.services.registration, self)
        dialog.account_created.connect(self._on_account_created)
        self.show_dialog(dialog)

    def _on_account_created(self, config: AccountConfig) -> None:
        self.bridge.flush()  # the new row exists before it is selected
        self.select_account(config.id)

    def _on_add_contact_triggered(self) -> None:
        accounts = [(e.account, e.jid) for e in self.contacts.model.accounts()]
        dialog = AddContactDialog(accounts, self.selected_account(), self)
        dialog.accepted.connect(lambda: self._on_add_contact_accepted(dialog))
        self.show_dialog(dialog)

    def _on_add_contact_accepted(self, dialog: AddContactDialog) -> None:
        account, jid, name = dialog.contact()
        try:
            self.services.roster.add_contact(account, jid, name)
        except SiproxylinError as error:
            self.show_error("Could not add the contact", str(error))

    def _on_find_triggered(self) -> None:
        self.show_search()

    def _on_search_open_requested(self, hit: SearchHit) -> None:
        message = hit.message
        self.open_chat_at(message.account, message.peer, message.id)

    def _on_focus_requested(self, message_id: int) -> None:
        # After the chat view's own scroll to the bottom, queued by the model reset.
        QTimer.singleShot(0, self, lambda: self._highlight_message(message_id))

    def _highlight_message(self, message_id: int) -> None:
        row = self.chat.model.row_of(message_id)
        if row is not None:
            self.chat_highlight.show_row(row)

    def _on_quit_triggered(self) -> None:
        self.close()

    def show_preferences(self) -> PreferencesDialog:
        """Edit > Preferences…: the app-wide choices (modal)."""
        dialog = PreferencesDialog(
            self,
            theme=self.theme,
            notifications=self.services.notifications,
            preferences=self.services.preferences,
            dictionaries=self.dictionaries,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _on_about_triggered(self) -> None:
        self.info_windows.show_about()

    def _on_contact_activated(self, index: QModelIndex) -> None:
        account = self.contacts.model.account_at(index)
        entry = self.contacts.model.contact_at(index)
        if account is not None and entry is not None:
            kind = ChatKind.GROUPCHAT if entry.is_room else ChatKind.CHAT
            self.open_chat(account, entry.jid, kind)

    def _on_context_menu_requested(self, pos: QPoint) -> None:
        menu = self.account_menu.context_menu(self.contact_tree.indexAt(pos))
        if menu is not None:
            menu.exec(self.contact_tree.viewport().mapToGlobal(pos))
            menu.deleteLater()

    def _on_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._refresh_account_state()

    def _on_contacts_data_changed(self, _top: QModelIndex, _bottom: QModelIndex) -> None:
        self._refresh_account_state()

    def _on_contact_rows_removed(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        self._refresh_account_state()

    def _on_contact_rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        if parent.isValid():
            return
        for row in range(first, last + 1):
            self.contact_tree.expand(self.contacts.model.index(row, 0))
        self._refresh_account_state()

    def _on_decision_requested(self, request: DecisionRequested) -> None:
        if request.decision_id in self._decision_bars:
            return
        decision_id = request.decision_id
        yes, no = self.decisions.answer_labels(request.kind)
        bar = self.show_bar(
            request.text,
            BarKind.INFO,
            [
                (yes, lambda: self.decisions.answer(decision_id, True)),
                (no, lambda: self.decisions.answer(decision_id, False)),
            ],
        )
        self._decision_bars[decision_id] = bar
        bar.closed.connect(lambda: self._decision_bars.pop(decision_id, None))

    def _on_decision_withdrawn(self, decision_id: int) -> None:
        bar = self._decision_bars.pop(decision_id, None)
        if bar is not None:
            bar.dismiss()

    # --- internals ---------------------------------------------------------------

    def _refresh_account_state(self) -> None:
        account = self.selected_account()
        entry = self.contacts.model.account_entry(account) if account is not None else None
        if entry is None:
            self.status_label.setToolTip("")
            self.status_label.setText(
                "No account selected"
                if self.contacts.model.accounts()
                else "No account: File > Add Account…"
            )
        else:
            summary = labels.account_summary(entry.jid, entry.status, entry.proxy)
            self.status_label.setText(summary)
            self.status_label.setToolTip(summary)
        self.account_menu.update_actions(entry)

    # --- Qt virtuals -------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self._quitting:
            self._quitting = True
            self.quit_requested.emit()
            self.bridge.close()  # events of the shutdown need no window
        super().closeEvent(event)
