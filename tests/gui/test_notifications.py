"""Desktop notifications: the notifier over a fake backend, the D-Bus calls, the menus."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from typing import Any

import pytest
from jeepney import (
    DBusAddress,
    HeaderFields,
    Message,
    new_error,
    new_method_return,
    new_signal,
)
from pytestqt.qtbot import QtBot

from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind
from siproxylin.domain.notifications import (
    NotificationRequested,
    NotificationWithdrawn,
    NotifyLevel,
    RoomNotify,
)
from siproxylin.gui.desktop_notifications import (
    NOTIFY_SIGNATURE,
    PATH,
    SERVICE,
    FreedesktopBackend,
    NullBackend,
    TrayBackend,
    notify_body,
)
from siproxylin.gui.notifier import Notifier
from siproxylin.gui.views.account_settings_dialog import AccountSettingsDialog
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.views.notification_menu import dnd_action, notification_menu, refresh_dnd
from siproxylin.gui.window import create_main_window
from tests.fakes import Core, account_config, roster_item
from tests.notification_fakes import Notifications, notifications

from .waits import turns, until

BOB = Jid.parse("bob@x.org")
CAROL = Jid.parse("carol@x.org")
ROOM = Jid.parse("room@chat.x.org")
ACCOUNT = AccountId(1)


class FakeBackend:
    """Records what would be shown."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []
        self.on_activated: Any = lambda _key: None
        self.on_failed: Any = lambda: None

    def show(self, key: int, title: str, body: str) -> None:
        self.calls.append(("show", key, title, body))

    def close(self, key: int) -> None:
        self.calls.append(("close", key))


def request(peer: Jid, title: str, body: str = "", count: int = 1) -> NotificationRequested:
    return NotificationRequested(ACCOUNT, peer, ChatKind.CHAT, title, body, count)


# --- the notifier -------------------------------------------------------------------


def test_notifier_shows_one_notification_per_conversation(qapp: object) -> None:
    backend = FakeBackend()
    notifier = Notifier([lambda: backend], lambda _a, _j: False)
    notifier._on_notification_requested(
        [request(BOB, "Bob", "hi"), request(CAROL, "Carol", "yo"), request(BOB, "Bob", "2", 2)]
    )
    assert backend.calls == [("show", 1, "Bob", "2"), ("show", 2, "Carol", "yo")]
    notifier._on_notification_withdrawn([NotificationWithdrawn(ACCOUNT, BOB)])
    notifier._on_notification_withdrawn([NotificationWithdrawn(ACCOUNT, BOB)])  # once
    assert backend.calls[-1] == ("close", 1)
    assert len(backend.calls) == 3


def test_notifier_skips_the_conversation_on_screen(qapp: object) -> None:
    backend = FakeBackend()
    notifier = Notifier([lambda: backend], lambda _a, jid: jid == BOB)
    notifier._on_notification_requested([request(BOB, "Bob", "hi"), request(CAROL, "Carol")])
    assert [call[2] for call in backend.calls] == ["Carol"]


def test_a_click_asks_to_open_the_conversation(qapp: object, qtbot: QtBot) -> None:
    backend = FakeBackend()
    notifier = Notifier([lambda: backend], lambda _a, _j: False)
    notifier._on_notification_requested([request(BOB, "Bob", "hi")])
    with qtbot.waitSignal(notifier.open_requested) as signal:
        backend.on_activated(1)
    assert signal.args == [ACCOUNT, BOB, ChatKind.CHAT]


def test_a_failing_backend_hands_over_to_the_next(qapp: object) -> None:
    first, second = FakeBackend(), FakeBackend()
    notifier = Notifier([lambda: first, lambda: second], lambda _a, _j: False)
    notifier._on_notification_requested([request(BOB, "Bob", "hi")])
    first.on_failed()
    assert notifier.backend is second
    assert second.calls == [("show", 1, "Bob", "hi")]


def test_without_any_backend_it_logs_once(caplog: pytest.LogCaptureFixture) -> None:
    backend = NullBackend()
    with caplog.at_level(logging.INFO):
        backend.show(1, "a", "b")
        backend.show(2, "c", "d")
    assert len([r for r in caplog.records if "no desktop notifications" in r.message]) == 1


def test_tray_backend_click_opens_the_latest(qapp: object) -> None:
    tray = TrayBackend()
    clicked: list[int] = []
    tray.on_activated = clicked.append
    tray.show(2, "Bob", "")
    tray.tray.messageClicked.emit()
    tray.close(2)
    tray.tray.messageClicked.emit()  # it was withdrawn: nothing to open
    assert clicked == [2]
    assert not tray.tray.icon().isNull()
    tray.tray.hide()


# --- the D-Bus path (a fake router is the only thing faked) ------------------------


class FakeRouter:
    """Answers like a notification daemon on the session bus."""

    def __init__(self, capabilities: tuple[str, ...] = ("body", "actions"), refuse: bool = False):
        self.sent: list[Message] = []
        self.signals: asyncio.Queue[Message] = asyncio.Queue()
        self._capabilities = capabilities
        self._refuse = refuse
        self._ids = itertools.count(7)

    async def send_and_get_reply(self, message: Message) -> Message:
        message.serialise(serial=1)  # the body matches its signature, as on the wire
        self.sent.append(message)
        member = message.header.fields[HeaderFields.member]
        if member == "GetCapabilities":
            return new_method_return(message, "as", (list(self._capabilities),))
        if member == "Notify":
            if self._refuse:
                return new_error(message, "org.freedesktop.DBus.Error.InvalidArgs")
            return new_method_return(message, "u", (next(self._ids),))
        return new_method_return(message)

    @contextmanager
    def filter(self, _rule: Any, *, queue: Any = None, bufsize: int = 1) -> Iterator[Any]:
        yield self.signals

    def calls(self, member: str) -> list[Message]:
        return [m for m in self.sent if m.header.fields[HeaderFields.member] == member]


def connect_to(router: FakeRouter) -> Any:
    @asynccontextmanager
    async def connect() -> AsyncIterator[FakeRouter]:
        yield router

    return connect


def daemon_signal(member: str, signature: str, body: tuple[object, ...]) -> Message:
    return new_signal(DBusAddress(PATH, interface=SERVICE), member, signature, body)


async def test_dbus_notify_has_the_freedesktop_arguments() -> None:
    router = FakeRouter()
    backend = FreedesktopBackend(connect_to(router))
    backend.show(1, "Bob", "<b>hi</b> & bye")
    await until(lambda: router.calls("Notify"))
    (notify,) = router.calls("Notify")
    fields = notify.header.fields
    assert fields[HeaderFields.destination] == "org.freedesktop.Notifications"
    assert fields[HeaderFields.path] == "/org/freedesktop/Notifications"
    assert fields[HeaderFields.interface] == "org.freedesktop.Notifications"
    assert fields[HeaderFields.signature] == NOTIFY_SIGNATURE == "susssasa{sv}i"
    assert notify.body == (
        "Siproxylin",
        0,
        "",
        "Bob",
        "<b>hi</b> & bye",  # no body-markup announced: sent as it is
        ["default", "Open"],
        {"category": ("s", "im.received"), "desktop-entry": ("s", "siproxylin")},
        -1,
    )
    backend.show(1, "Bob", "2 new messages\nbye")
    await until(lambda: len(router.calls("Notify")) == 2)
    assert router.calls("Notify")[1].body[1] == 7  # replaces the first one
    await backend.stop()


async def test_dbus_escapes_the_body_when_the_daemon_reads_markup() -> None:
    assert notify_body(0, "a<b", "<i>x</i> & y", markup=True)[3:5] == (
        "a<b",
        "&lt;i&gt;x&lt;/i&gt; &amp; y",
    )


async def test_dbus_click_and_close() -> None:
    router = FakeRouter()
    backend = FreedesktopBackend(connect_to(router))
    clicked: list[int] = []
    backend.on_activated = clicked.append
    backend.show(3, "Bob", "hi")
    await until(lambda: router.calls("Notify"))
    await until(lambda: router.calls("AddMatch"))
    router.signals.put_nowait(daemon_signal("ActionInvoked", "us", (7, "Open-other")))
    router.signals.put_nowait(daemon_signal("ActionInvoked", "us", (7, "default")))
    await until(lambda: clicked)
    assert clicked == [3]
    backend.close(3)
    await until(lambda: router.calls("CloseNotification"))
    assert router.calls("CloseNotification")[0].body == (7,)
    await backend.stop()


async def test_dbus_refusal_or_no_bus_falls_back(caplog: pytest.LogCaptureFixture) -> None:
    failed: list[bool] = []
    refused = FreedesktopBackend(connect_to(FakeRouter(refuse=True)))
    refused.on_failed = lambda: failed.append(True)
    refused.show(1, "a", "")
    await until(lambda: failed)

    @asynccontextmanager
    async def no_bus() -> AsyncIterator[FakeRouter]:
        raise KeyError("DBUS_SESSION_BUS_ADDRESS")
        yield FakeRouter()  # pragma: no cover

    missing = FreedesktopBackend(no_bus)
    missing.on_failed = lambda: failed.append(True)
    with caplog.at_level(logging.INFO):
        missing.show(1, "a", "")
        await until(lambda: len(failed) == 2)
    missing.show(2, "b", "")  # after a failure nothing more is tried
    await turns()
    assert len(failed) == 2


# --- the window, end to end ---------------------------------------------------------


@pytest.fixture
def notes(core: Core) -> Notifications:
    return notifications(core)


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def window(core: Core, notes: Notifications, backend: FakeBackend, qtbot: QtBot) -> MainWindow:
    services = replace(core.services, notifications=notes.service)
    win = create_main_window(services, [lambda: backend])
    qtbot.addWidget(win)
    win.show()
    return win


def run(loop: asyncio.AbstractEventLoop, scenario: Any) -> None:
    loop.run_until_complete(scenario)


def test_window_shows_notifications_and_opens_a_clicked_one(
    qloop: asyncio.AbstractEventLoop, core: Core, window: MainWindow, backend: FakeBackend
) -> None:
    async def scenario() -> None:
        stored = await core.accounts.add_account(account_config("me@x.org"), "pw")
        core.xmpp(stored.id).start()
        core.xmpp(stored.id).receive_message("bob@x.org/a", "hello there")
        await until(lambda: backend.calls)
        assert backend.calls == [("show", 1, "bob@x.org", "hello there")]
        backend.on_activated(1)
        await turns()
        assert window.chat.conversation == (stored.id, BOB)

    run(qloop, scenario())


def test_window_does_not_notify_the_visible_conversation(
    qloop: asyncio.AbstractEventLoop,
    core: Core,
    window: MainWindow,
    backend: FakeBackend,
    notes: Notifications,
) -> None:
    async def scenario() -> None:
        stored = await core.accounts.add_account(account_config("me@x.org"), "pw")
        core.xmpp(stored.id).start()
        window.open_chat(stored.id, BOB)
        window.chat.set_visible(True)  # offscreen windows are never active
        core.xmpp(stored.id).receive_message("bob@x.org/a", "I see you")
        core.xmpp(stored.id).receive_message("carol@x.org/a", "psst")
        await until(lambda: backend.calls)
        await turns()
        assert [call[2] for call in backend.calls] == ["carol@x.org"]
        assert [event.conversation for event in notes.requested] == [Jid.parse("carol@x.org")]

    run(qloop, scenario())


def test_view_menu_do_not_disturb(window: MainWindow, notes: Notifications) -> None:
    action = window.dnd_action
    assert action is not None
    assert not action.isChecked()
    action.trigger()
    assert notes.service.do_not_disturb()
    action.trigger()
    assert not notes.service.do_not_disturb()


def test_dnd_that_ended_by_itself_shows_unchecked(window: MainWindow, notes: Notifications) -> None:
    action = window.dnd_action
    assert action is not None
    action.trigger()
    notes.service.set_do_not_disturb(True, until=1)  # long past
    refresh_dnd(action, notes.service)
    assert not action.isChecked()


def test_contact_menu_has_notifications_and_settings_save_the_level(
    qloop: asyncio.AbstractEventLoop, core: Core, window: MainWindow, notes: Notifications
) -> None:
    async def scenario() -> None:
        stored = await core.accounts.add_account(account_config("me@x.org"), "pw")
        core.xmpp(stored.id).start()
        core.xmpp(stored.id).receive_roster(roster_item("bob@x.org", "Bob"))
        await until(lambda: window.contacts.model.contact_index(stored.id, BOB).isValid())
        menu = window.account_menu.context_menu(window.contacts.model.contact_index(stored.id, BOB))
        assert menu is not None
        titles = [action.text() for action in menu.actions()]
        assert "&Notifications" in titles
        dialog = AccountSettingsDialog(
            core.accounts.config(stored.id), notify_level=None, show_notifications=True
        )
        dialog.notify_combo.setCurrentIndex(3)
        dialog.accept()
        window.account_menu._on_settings_accepted(dialog)
        assert notes.service.account_level(stored.id) is NotifyLevel.ANONYMOUS
        dialog.deleteLater()

    run(qloop, scenario())


# --- the settings ---------------------------------------------------------------------


def test_chat_menu_sets_the_conversation_level(qapp: object, core: Core) -> None:
    notes = notifications(core)
    menu = notification_menu(None, notes.service, ACCOUNT, BOB)  # type: ignore[arg-type]
    names = [action.objectName() for action in menu.actions()]
    assert names == ["level-default", "level-full", "level-sender", "level-anonymous"]
    assert menu.actions()[0].isChecked()
    menu.actions()[2].trigger()
    assert notes.service.chat_level(ACCOUNT, BOB) is NotifyLevel.SENDER
    menu = notification_menu(None, notes.service, ACCOUNT, BOB)  # type: ignore[arg-type]
    assert menu.actions()[2].isChecked()
    menu.actions()[0].trigger()
    assert notes.service.chat_level(ACCOUNT, BOB) is None


def test_room_menu_sets_which_messages_notify(qapp: object, core: Core) -> None:
    notes = notifications(core)
    menu = notification_menu(None, notes.service, ACCOUNT, ROOM, room=True)  # type: ignore[arg-type]
    by_name = {action.objectName(): action for action in menu.actions()}
    assert by_name["room-mentions"].isChecked()
    by_name["room-all"].trigger()
    assert notes.service.room_setting(ACCOUNT, ROOM) is RoomNotify.ALL
    by_name["room-none"].trigger()
    assert notes.service.room_setting(ACCOUNT, ROOM) is RoomNotify.NONE


def test_dnd_action_follows_the_preference(qapp: object, core: Core) -> None:
    notes = notifications(core)
    notes.service.set_do_not_disturb(True)
    action = dnd_action(notes.service, None)  # type: ignore[arg-type]
    assert action.isChecked()
    action.toggle()
    assert not notes.service.do_not_disturb()


def test_account_settings_choose_the_account_level(qtbot: QtBot) -> None:
    config = account_config("me@x.org")
    dialog = AccountSettingsDialog(
        config, notify_level=NotifyLevel.ANONYMOUS, show_notifications=True
    )
    qtbot.addWidget(dialog)
    assert dialog.notify_level() is NotifyLevel.ANONYMOUS
    dialog.notify_combo.setCurrentIndex(0)
    assert dialog.notify_level() is None
    dialog.notify_combo.setCurrentIndex(2)
    assert dialog.notify_level() is NotifyLevel.SENDER
    plain = AccountSettingsDialog(config)
    qtbot.addWidget(plain)
    assert plain.notify_combo.isHidden()
