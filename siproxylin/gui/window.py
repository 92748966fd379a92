"""Builds the GUI: the bridge, the models and presenters, and the main window.

``create_main_window`` is what the composition root (``app/``) calls once the
core services exist. It must run on the Qt thread with a QApplication created.
Imports ``core`` (through ``GuiServices``) and the rest of ``gui``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QLocale

from siproxylin.core.services.notifications import NotificationService
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind
from siproxylin.gui.bridge import EventBridge
from siproxylin.gui.desktop_notifications import NotificationBackend
from siproxylin.gui.models.contacts import ContactTreeModel
from siproxylin.gui.notifier import Notifier, default_backends
from siproxylin.gui.presenters.calls import CallsPresenter
from siproxylin.gui.presenters.chat import ChatPresenter
from siproxylin.gui.presenters.contacts import ContactsPresenter
from siproxylin.gui.presenters.decisions import DecisionsPresenter
from siproxylin.gui.presenters.encryption import EncryptionPresenter
from siproxylin.gui.presenters.rooms import RoomsPresenter
from siproxylin.gui.presenters.search import SearchPresenter
from siproxylin.gui.presenters.spelling import SpellingPresenter
from siproxylin.gui.services import GuiServices
from siproxylin.gui.spelling.dictionaries import Dictionaries
from siproxylin.gui.theme_control import ThemeController
from siproxylin.gui.views.calls_ui import attach_calls
from siproxylin.gui.views.main_window import MainWindow


def create_main_window(
    services: GuiServices,
    notification_backends: Sequence[Callable[[], NotificationBackend]] | None = None,
) -> MainWindow:
    """Wire the bridge, presenters and window over ``services``.

    The window shows the accounts the core already has and follows the bus from
    now on; ``AccountManager.load()`` may run before or after this call.
    ``notification_backends`` replaces the desktop's own (tests).
    """
    theme = ThemeController(services.preferences)
    theme.start()  # before any widget exists, so none is built in the wrong colours
    bridge = EventBridge(services.bus)
    contacts = ContactsPresenter(
        ContactTreeModel(), services.accounts, services.roster, services.chat
    )
    chat = ChatPresenter(
        services.chat,
        services.roster,
        search=services.search,
        accounts=services.accounts,
        history=services.history,
        files=services.files,
    )
    decisions = DecisionsPresenter(services.decisions)
    for presenter in (contacts, chat, decisions):
        presenter.register(bridge)
    rooms = RoomsPresenter(services.rooms) if services.rooms is not None else None
    if rooms is not None:
        rooms.register(bridge)
        contacts.attach_rooms(rooms)
        chat.conversation_changed.connect(
            lambda: rooms.set_room(chat.conversation if chat.kind is ChatKind.GROUPCHAT else None)
        )
    encryption = (
        EncryptionPresenter(services.encryption, services.accounts, chat)
        if services.encryption is not None
        else None
    )
    if encryption is not None:
        encryption.register(bridge)
    if services.profiles is not None:
        contacts.attach_profiles(services.profiles)
        chat.attach_profiles(services.profiles)
    contacts.load()
    decisions.load()
    search = (
        SearchPresenter(services.search, services.accounts, services.roster)
        if services.search is not None
        else None
    )
    window = MainWindow(
        services,
        contacts=contacts,
        chat=chat,
        decisions=decisions,
        bridge=bridge,
        search=search,
        rooms=rooms,
        encryption=encryption,
        theme=theme,
    )
    theme.setParent(window)
    contacts.model.setParent(window)
    chat.setParent(window)
    decisions.setParent(window)
    if search is not None:
        search.setParent(window)
    if rooms is not None:
        rooms.setParent(window)
    if encryption is not None:
        encryption.setParent(window)
    chat.conversation_changed.connect(lambda: contacts.set_active(chat.conversation))
    if services.notifications is not None:
        attach_notifier(window, bridge, chat, services.notifications, notification_backends)
    spelling = SpellingPresenter(
        Dictionaries(services.personal_dictionary),
        chat,
        services.preferences,
        system_locale=QLocale.system().name(),
        parent=window,
    )
    window.chat_view.attach_spelling(spelling)
    window.dictionaries = spelling.dictionaries
    if services.calls is not None:
        calls = CallsPresenter(services.calls, window)
        calls.register(bridge)
        profiles = services.profiles
        attach_calls(window, calls, profiles.avatar if profiles is not None else None)
        calls.load()
    return window


def attach_notifier(
    window: MainWindow,
    bridge: EventBridge,
    chat: ChatPresenter,
    service: NotificationService,
    backends: Sequence[Callable[[], NotificationBackend]] | None = None,
) -> Notifier:
    """Show the core's notifications, tell it what is on screen, open what is clicked."""
    notifier = Notifier(
        default_backends() if backends is None else backends,
        lambda account, jid: chat.visible and chat.conversation == (account, jid),
        window,
    )
    notifier.register(bridge)

    def focus() -> None:
        shown = chat.conversation if chat.visible else None
        service.set_focus(*(shown or (None, None)))

    chat.conversation_changed.connect(focus)
    chat.visibility_changed.connect(focus)

    def open_conversation(account: AccountId, jid: Jid, kind: ChatKind) -> None:
        window.open_chat(account, jid, kind)
        window.showNormal()
        window.raise_()
        window.activateWindow()

    notifier.open_requested.connect(open_conversation)
    window.notifier = notifier
    return notifier
