"""ProfileMenu: the "Profile…" commands of accounts and contacts.

Opens ``OwnProfileDialog`` for an account (fetching our vCard first) and applies
what changed (avatar, nickname, vCard) through ``ProfileService``; opens
``ContactProfileDialog`` with a contact's fetched vCard. Commands run through
the window's ``run_command``. Qt widgets, ``domain``, ``core`` and ``gui`` only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from siproxylin.core.services.profiles import ProfileService
from siproxylin.domain.errors import SiproxylinError
from siproxylin.domain.ids import AccountId
from siproxylin.gui.models.contact_entries import ContactEntry
from siproxylin.gui.views.profile_dialog import ContactProfileDialog, OwnProfileDialog

if TYPE_CHECKING:
    from siproxylin.gui.views.main_window import MainWindow


class ProfileMenu:
    """Profile dialogs of the main window."""

    def __init__(self, window: MainWindow, profiles: ProfileService) -> None:
        self._window = window
        self._profiles = profiles
        self.dialog: OwnProfileDialog | ContactProfileDialog | None = None

    def open_own(self, account: AccountId) -> None:
        """Fetch our vCard, then show our profile for editing."""
        self._window.run_command("Could not open the profile", self._open_own(account))

    def open_contact(self, account: AccountId, contact: ContactEntry) -> None:
        """Fetch a contact's vCard, then show it."""
        self._window.run_command(
            "Could not fetch the profile", self._open_contact(account, contact)
        )

    async def _open_own(self, account: AccountId) -> None:
        jid = self._window.services.accounts.config(account).jid.bare
        card = await self._profiles.fetch_vcard(account, jid)
        dialog = OwnProfileDialog(
            str(jid),
            self._profiles.avatar(account, jid),
            self._profiles.nickname(account, jid),
            card,
            self._window,
        )
        dialog.accepted.connect(lambda: self._apply(account, dialog))
        self.dialog = dialog
        self._window.show_dialog(dialog)

    async def _open_contact(self, account: AccountId, contact: ContactEntry) -> None:
        card = await self._profiles.fetch_vcard(account, contact.jid)
        dialog = ContactProfileDialog(
            str(contact.jid),
            contact.display_name,
            self._profiles.avatar(account, contact.jid),
            card,
            self._window,
        )
        self.dialog = dialog
        self._window.show_dialog(dialog)

    def _apply(self, account: AccountId, dialog: OwnProfileDialog) -> None:
        self._window.run_command("Could not save the profile", self.apply(account, dialog))

    async def apply(self, account: AccountId, dialog: OwnProfileDialog) -> None:
        """Publish what the user changed in ``dialog``."""
        profiles = self._profiles
        try:
            if dialog.new_avatar is not None:
                image, width, height = dialog.new_avatar
                await profiles.set_avatar(account, image, width, height)
            elif dialog.avatar_removed:
                await profiles.remove_avatar(account)
            if dialog.nickname() != dialog.original_nickname:
                await profiles.set_nickname(account, dialog.nickname())
            if dialog.vcard_changed():
                await profiles.set_vcard(account, dialog.vcard())
        except SiproxylinError as error:
            self._window.show_error("Could not save the profile", str(error))
