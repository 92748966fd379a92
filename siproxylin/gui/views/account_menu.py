"""AccountMenu: Edit > Account Settings…, the Edit > Accounts submenu, the tree's context menus.

Owns the account commands a user can give from menus (settings, enable,
disable, reconnect, remove; on the server: change the password, delete), the
contact ones (open chat, notifications, block, remove contact) and the group
chat ones (open, join again, notifications, leave), and keeps their enabled
state in step with the selected account. Commands run through the window's
``run_command``. Qt widgets, ``domain`` and ``gui`` only (and the notification
service, through the window's services).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from siproxylin.core.turn_setting import ONLY_KEY, PASSWORD_KEY, URI_KEY, USERNAME_KEY
from siproxylin.domain.errors import SiproxylinError
from siproxylin.domain.ids import AccountId
from siproxylin.domain.models import ChatKind, ConnectionState, RoomState
from siproxylin.gui.models.contact_entries import AccountEntry, ContactEntry
from siproxylin.gui.views.account_settings_dialog import AccountSettingsDialog, TurnFields
from siproxylin.gui.views.change_password_dialog import ChangePasswordDialog
from siproxylin.gui.views.notification_menu import notification_menu

if TYPE_CHECKING:
    from siproxylin.gui.views.main_window import MainWindow

Index = QModelIndex | QPersistentModelIndex


class AccountMenu:
    """Menus acting on accounts and contacts of the main window."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self.settings_action = QAction("Account &Settings…", window)
        self.settings_action.triggered.connect(lambda: self._with_selected(self.open_settings))
        self.menu = QMenu("A&ccounts", window)
        self.enable_action = self.menu.addAction("&Enable")
        self.disable_action = self.menu.addAction("&Disable")
        self.reconnect_action = self.menu.addAction("Re&connect")
        self.menu.addSeparator()
        self.remove_action = self.menu.addAction("&Remove…")
        self.menu.addSeparator()
        self.password_action = self.menu.addAction("Change &Password…")
        self.delete_action = self.menu.addAction("De&lete on Server…")
        self.password_action.triggered.connect(lambda: self._with_selected(self.change_password))
        self.delete_action.triggered.connect(lambda: self._with_selected(self.delete_on_server))
        self.enable_action.triggered.connect(
            lambda: self._with_selected(lambda account: self.set_enabled(account, True))
        )
        self.disable_action.triggered.connect(
            lambda: self._with_selected(lambda account: self.set_enabled(account, False))
        )
        self.reconnect_action.triggered.connect(lambda: self._with_selected(self.reconnect))
        self.remove_action.triggered.connect(lambda: self._with_selected(self.remove_account))
        self.update_actions(None)

    def update_actions(self, entry: AccountEntry | None) -> None:
        """Enable the actions that make sense for the selected account."""
        self.settings_action.setEnabled(entry is not None)
        self.enable_action.setEnabled(entry is not None and not entry.enabled)
        self.disable_action.setEnabled(entry is not None and entry.enabled)
        self.reconnect_action.setEnabled(
            entry is not None and entry.enabled and entry.status.state is not ConnectionState.ONLINE
        )
        self.remove_action.setEnabled(entry is not None)
        online = entry is not None and entry.status.state is ConnectionState.ONLINE
        server_commands = online and self._window.services.registration is not None
        self.password_action.setEnabled(server_commands)
        self.delete_action.setEnabled(server_commands)

    def context_menu(self, index: Index) -> QMenu | None:
        """The menu for a tree row: account commands, or contact commands."""
        model = self._window.contacts.model
        account = model.account_at(index)
        if account is None:
            return None
        menu = QMenu(self._window)
        contact = model.contact_at(index)
        if contact is not None:
            self._fill_contact_menu(menu, account, contact)
            return menu
        entry = model.account_entry(account)
        if entry is None:
            return None
        menu.addAction("&Settings…", lambda: self.open_settings(account))
        profiles = self._window.profile_menu
        if profiles is not None:
            menu.addAction("&Profile…", lambda: profiles.open_own(account))
        menu.addSeparator()
        menu.addAction("Re&connect", lambda: self.reconnect(account))
        if entry.enabled:
            menu.addAction("&Disable", lambda: self.set_enabled(account, False))
        else:
            menu.addAction("&Enable", lambda: self.set_enabled(account, True))
        menu.addSeparator()
        menu.addAction("&Remove…", lambda: self.remove_account(account))
        if (
            entry.status.state is ConnectionState.ONLINE
            and self._window.services.registration is not None
        ):
            menu.addSeparator()
            menu.addAction("Change &Password…", lambda: self.change_password(account))
            menu.addAction("De&lete on Server…", lambda: self.delete_on_server(account))
        return menu

    # --- commands ----------------------------------------------------------------

    def open_settings(self, account: AccountId) -> None:
        """Show the account's settings; OK saves them (and reconnects the account)."""
        window = self._window
        try:
            config = window.services.accounts.config(account)
        except SiproxylinError as error:
            window.show_error("Could not open the account settings", str(error))
            return
        notifications = window.services.notifications
        preferences = window.services.preferences
        turn = None
        if preferences is not None and window.services.calls is not None:
            turn = TurnFields(
                preferences.text(URI_KEY, "", account),
                preferences.text(USERNAME_KEY, "", account),
                preferences.text(PASSWORD_KEY, "", account),
                preferences.flag(ONLY_KEY, True, account),
            )
        dialog = AccountSettingsDialog(
            config,
            window,
            notify_level=notifications.account_level(account) if notifications else None,
            show_notifications=notifications is not None,
            turn=turn,
        )
        dialog.accepted.connect(lambda: self._on_settings_accepted(dialog))
        window.show_dialog(dialog)

    def set_enabled(self, account: AccountId, enabled: bool) -> None:
        """Connect or disconnect an account, and remember it."""
        verb = "enable" if enabled else "disable"
        self._window.run_command(
            f"Could not {verb} the account",
            self._window.services.accounts.set_enabled(account, enabled),
        )

    def reconnect(self, account: AccountId) -> None:
        """Connect now, skipping any wait."""
        self._window.run_command(
            "Could not reconnect", self._window.services.accounts.reconnect(account)
        )

    def remove_account(self, account: AccountId) -> None:
        """Ask, then delete an account and everything stored for it."""
        entry = self._window.contacts.model.account_entry(account)
        name = str(entry.jid) if entry is not None else "this account"
        if not self._window.confirm(
            "Remove Account",
            f"Remove {name}? Its messages and contacts stored on this computer are deleted.",
        ):
            return
        self._window.run_command(
            "Could not remove the account",
            self._window.services.accounts.remove_account(account),
        )

    def change_password(self, account: AccountId) -> None:
        """Ask for a new password, change it on the server, then store it."""
        window = self._window
        registration = window.services.registration
        if registration is None:
            return
        entry = window.contacts.model.account_entry(account)
        dialog = ChangePasswordDialog(str(entry.jid) if entry else "this account", window)

        def on_accepted() -> None:
            password = dialog.password()
            dialog.password_edit.clear()
            dialog.repeat_edit.clear()
            window.run_command(
                "Could not change the password",
                registration.change_password(account, password),
            )

        dialog.accepted.connect(on_accepted)
        window.show_dialog(dialog)

    def delete_on_server(self, account: AccountId) -> None:
        """Ask, then delete the account on its server and here."""
        window = self._window
        registration = window.services.registration
        if registration is None:
            return
        entry = window.contacts.model.account_entry(account)
        name = str(entry.jid) if entry is not None else "this account"
        if not window.confirm(
            "Delete Account on Server",
            f"Delete {name} on its server? This cannot be undone: the address, its contacts "
            "and its messages on the server are gone. It is then removed from this computer.",
        ):
            return
        window.run_command("Could not delete the account", registration.delete_account(account))

    def remove_contact(self, account: AccountId, contact: ContactEntry) -> None:
        """Remove a roster contact, or forget a stranger's entry."""
        window = self._window
        if not contact.in_roster:
            window.contacts.forget(account, contact.jid)
            return
        if not window.confirm(
            "Remove Contact", f"Remove {contact.display_name} from your contacts?"
        ):
            return
        try:
            window.services.roster.remove_contact(account, contact.jid)
        except SiproxylinError as error:
            window.show_error("Could not remove the contact", str(error))

    # --- internals ---------------------------------------------------------------

    def _on_settings_accepted(self, dialog: AccountSettingsDialog) -> None:
        config, password = dialog.account_config(), dialog.password()
        dialog.password_edit.clear()
        notifications = self._window.services.notifications
        if notifications is not None:  # applies at once, without reconnecting
            notifications.set_account_level(config.id, dialog.notify_level())
        turn, preferences = dialog.turn_fields(), self._window.services.preferences
        if turn is not None and preferences is not None:  # used from the next call on
            if turn.uri:
                preferences.set(URI_KEY, turn.uri, config.id)
                preferences.set(USERNAME_KEY, turn.username, config.id)
                preferences.set(PASSWORD_KEY, turn.password, config.id)
                preferences.set(ONLY_KEY, turn.only, config.id)
            else:
                for key in (URI_KEY, USERNAME_KEY, PASSWORD_KEY, ONLY_KEY):
                    preferences.reset(key, config.id)
        if config == dialog.original and password is None:
            return  # saving would only reconnect the account
        self._window.run_command(
            "Could not save the account settings",
            self._window.services.accounts.update_account(config, password),
        )

    def _fill_room_menu(self, menu: QMenu, account: AccountId, room: ContactEntry) -> None:
        window = self._window
        rooms = window.rooms
        menu.addAction(
            "&Open Group Chat", lambda: window.open_chat(account, room.jid, ChatKind.GROUPCHAT)
        )
        if rooms is None:
            return
        if room.room_state in (RoomState.LEFT, RoomState.FAILED):
            menu.addAction(
                "&Join Again",
                lambda: window.run_command("Could not join", rooms.rejoin(account, room.jid)),
            )
        self._add_notification_menu(menu, account, room)
        menu.addSeparator()
        menu.addAction(
            "&Leave Group Chat",
            lambda: window.run_command("Could not leave", rooms.leave(account, room.jid)),
        )

    def _fill_contact_menu(self, menu: QMenu, account: AccountId, contact: ContactEntry) -> None:
        if contact.is_room:
            self._fill_room_menu(menu, account, contact)
            return
        menu.addAction("&Open Chat", lambda: self._window.open_chat(account, contact.jid))
        profiles = self._window.profile_menu
        if profiles is not None:
            menu.addAction("&Profile…", lambda: profiles.open_contact(account, contact))
        self._add_notification_menu(menu, account, contact)
        menu.addSeparator()
        blocking = self._window.services.blocking
        if blocking is not None:
            blocked = blocking.is_blocked(account, contact.jid)
            menu.addAction(
                "Un&block" if blocked else "&Block…",
                lambda: self.set_blocked(account, contact, not blocked),
            )
        label = "&Remove Contact…" if contact.in_roster else "&Hide"
        menu.addAction(label, lambda: self.remove_contact(account, contact))

    def set_blocked(self, account: AccountId, contact: ContactEntry, blocked: bool) -> None:
        """Block (after asking) or unblock an address on the server (XEP-0191)."""
        window = self._window
        blocking = window.services.blocking
        if blocking is None:
            return
        if blocked and not window.confirm(
            "Block",
            f"Block {contact.display_name}? The server will drop everything they send you,"
            " and they will not see your presence.",
        ):
            return
        try:
            if blocked:
                blocking.block(account, contact.jid)
            else:
                blocking.unblock(account, contact.jid)
        except SiproxylinError as error:
            window.show_error("Could not change the block list", str(error))

    def _add_notification_menu(
        self, menu: QMenu, account: AccountId, contact: ContactEntry
    ) -> None:
        notifications = self._window.services.notifications
        if notifications is not None:
            menu.addSeparator()
            menu.addMenu(
                notification_menu(menu, notifications, account, contact.jid, contact.is_room)
            )

    def _with_selected(self, command: Callable[[AccountId], None]) -> None:
        account = self._window.selected_account()
        if account is not None:
            command(account)
