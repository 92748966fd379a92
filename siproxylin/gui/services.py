"""The core objects the GUI may use, bundled: the only thing the window gets from core.

Imports ``siproxylin.core`` only; the composition root fills it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from siproxylin.core.accounts import AccountManager
from siproxylin.core.bus import EventBus
from siproxylin.core.calls_api import CallsApi
from siproxylin.core.decisions import Decisions
from siproxylin.core.services.blocking import BlockingService
from siproxylin.core.services.chat import ChatService
from siproxylin.core.services.encryption import EncryptionService
from siproxylin.core.services.files import FileService
from siproxylin.core.services.history import HistoryService
from siproxylin.core.services.notifications import NotificationService
from siproxylin.core.services.preferences import PreferencesService
from siproxylin.core.services.profiles import ProfileService
from siproxylin.core.services.registration import RegistrationService
from siproxylin.core.services.rooms import RoomService
from siproxylin.core.services.roster import RosterService
from siproxylin.core.services.search import SearchService


@dataclass(frozen=True, slots=True)
class GuiServices:
    """Core services handed to ``create_main_window``.

    Attributes:
        bus: The event bus the bridge subscribes to.
        accounts: Account commands and queries.
        chat: 1:1 messages.
        roster: Contacts and presence.
        decisions: Questions the core asks the user.
        search: Message search; None leaves Edit > Find… disabled.
        rooms: Group chats; None leaves the group chat commands disabled.
        history: Server archives (scroll back); None pages the local store only.
        blocking: The server block list; None hides Block/Unblock.
        encryption: OMEMO encryption and trust; None hides the lock and the dialog.
        profiles: Avatars, nicknames and vCards; None shows initials and hides Profile….
        registration: Account creation, password change, deletion on the server;
            None hides those commands.
        files: Shared files; None hides the attach button and shows file messages
            as their links.
        preferences: The user's preferences (theme, notifications, spelling…);
            None keeps every default and hides what would change them.
        logs_dir: The log folder, read by View > Log Viewer…; None disables it.
        data_dir: The data folder, shown by Help > About.
        notifications: Desktop notifications and their privacy; None shows none.
        personal_dictionary: The file of words the user added to the spelling
            dictionary (under the app's data folder); None keeps them for the session.
        calls: Audio calls; None hides the call commands.
    """

    bus: EventBus
    accounts: AccountManager
    chat: ChatService
    roster: RosterService
    decisions: Decisions
    search: SearchService | None = None
    rooms: RoomService | None = None
    history: HistoryService | None = None
    blocking: BlockingService | None = None
    encryption: EncryptionService | None = None
    profiles: ProfileService | None = None
    registration: RegistrationService | None = None
    files: FileService | None = None
    preferences: PreferencesService | None = None
    logs_dir: Path | None = None
    data_dir: Path | None = None
    notifications: NotificationService | None = None
    personal_dictionary: Path | None = None
    calls: CallsApi | None = None
