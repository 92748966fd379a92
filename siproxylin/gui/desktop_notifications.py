"""Ways to put a notification on the desktop: freedesktop D-Bus, the tray, or none.

``FreedesktopBackend`` calls ``org.freedesktop.Notifications.Notify`` on the
session bus, replacing the conversation's previous notification (its id), and
reports a click on it (the "default" action). The call is written with jeepney,
whose messages carry an explicit signature: PySide6's QtDBus marshals a Python
int as int32 (or uint16 through ``QDBusArgument``), never the uint32 that
``replaces_id`` must be, and notification daemons refuse such a call.
``TrayBackend`` uses ``QSystemTrayIcon.showMessage``; ``NullBackend`` logs once
that nothing can be shown. Title and body are shown exactly as given: the
privacy level was applied in the core. Imports Qt and jeepney (optional).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from html import escape
from typing import Any, Protocol

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from siproxylin.gui.icons import bubbles_icon

try:
    from jeepney import (
        DBusAddress,
        HeaderFields,
        MatchRule,
        MessageType,
        message_bus,
        new_method_call,
    )
    from jeepney.io.asyncio import open_dbus_router

    HAVE_JEEPNEY = True
except ImportError:  # not installed (keyring brings it on Linux only)
    HAVE_JEEPNEY = False

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
APP_NAME = "Siproxylin"
NOTIFY_SIGNATURE = "susssasa{sv}i"
DEFAULT_ACTION = "default"
TRAY_COLOUR = "#2e9e44"


class NotificationBackend(Protocol):
    """Shows and closes one notification per key (a conversation)."""

    on_activated: Callable[[int], None]  # the user clicked the notification of a key
    on_failed: Callable[[], None]  # the backend stopped working; use another

    def show(self, key: int, title: str, body: str) -> None:
        """Show the notification of ``key``, replacing its previous one."""
        ...

    def close(self, key: int) -> None:
        """Take the notification of ``key`` away, if it is still shown."""
        ...


def notify_body(
    replaces_id: int, title: str, body: str, markup: bool
) -> tuple[str, int, str, str, str, list[str], dict[str, tuple[str, Any]], int]:
    """The arguments of ``Notify`` (signature ``NOTIFY_SIGNATURE``).

    Args:
        replaces_id: The id of the notification it replaces, or 0.
        title: The summary, shown as plain text by every daemon.
        body: The text; escaped when the daemon reads markup in it.
        markup: The daemon announced "body-markup".
    """
    return (
        APP_NAME,
        replaces_id,
        "",  # the daemon shows the application's icon from the desktop entry
        title,
        escape(body, quote=False) if markup else body,
        [DEFAULT_ACTION, "Open"],
        {"category": ("s", "im.received"), "desktop-entry": ("s", "siproxylin")},
        -1,
    )


class _Router(Protocol):
    """What is used of a jeepney ``DBusRouter`` (the outermost boundary)."""

    async def send_and_get_reply(self, message: Any) -> Any: ...

    def filter(self, rule: Any, *, queue: Any = None, bufsize: int = 1) -> Any: ...


Connect = Callable[[], AbstractAsyncContextManager[_Router]]


@asynccontextmanager
async def _session_bus() -> AsyncIterator[_Router]:
    async with open_dbus_router(bus="SESSION") as router:
        yield router


class FreedesktopBackend:
    """Notifications through the session bus (see the module doc).

    Args:
        connect: Opens the session bus connection (tests give a fake router).
    """

    def __init__(self, connect: Connect = _session_bus) -> None:
        self.on_activated: Callable[[int], None] = lambda _key: None
        self.on_failed: Callable[[], None] = lambda: None
        self._connect = connect
        self._router: _Router | None = None
        self._connection: AbstractAsyncContextManager[_Router] | None = None
        self._lock = asyncio.Lock()
        self._ids: dict[int, int] = {}  # key -> the daemon's notification id
        self._markup = False
        self._failed = False
        self._tasks: set[asyncio.Task[None]] = set()

    def show(self, key: int, title: str, body: str) -> None:
        self._spawn(self._notify(key, title, body))

    def close(self, key: int) -> None:
        self._spawn(self._close(key))

    async def stop(self) -> None:
        """Close the bus connection."""
        for task in list(self._tasks):
            task.cancel()
        if self._connection is not None:
            await self._connection.__aexit__(None, None, None)
            self._connection = self._router = None

    # --- internals -------------------------------------------------------------------

    def _spawn(self, coro: Any) -> None:
        if self._failed:
            coro.close()
            return
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _notify(self, key: int, title: str, body: str) -> None:
        async with self._lock:
            router = await self._connected()
            if router is None:
                return
            arguments = notify_body(self._ids.get(key, 0), title, body, self._markup)
            reply = await router.send_and_get_reply(
                new_method_call(_address(), "Notify", NOTIFY_SIGNATURE, arguments)
            )
            if _is_error(reply):
                self._fail(f"the notification daemon refused: {reply.body}")
                return
            self._ids[key] = int(reply.body[0])

    async def _close(self, key: int) -> None:
        async with self._lock:
            notification = self._ids.pop(key, None)
            if notification is None or self._router is None:
                return
            await self._router.send_and_get_reply(
                new_method_call(_address(), "CloseNotification", "u", (notification,))
            )

    async def _connected(self) -> _Router | None:
        if self._router is not None or self._failed:
            return self._router
        try:
            connection = self._connect()
            router = await connection.__aenter__()
            capabilities = await router.send_and_get_reply(
                new_method_call(_address(), "GetCapabilities")
            )
        except Exception as error:  # noqa: BLE001 - no bus, no daemon, no jeepney: fall back
            self._fail(f"no desktop notifications over D-Bus ({error!r})")
            return None
        if _is_error(capabilities):
            self._fail(f"no notification daemon on the session bus ({capabilities.body})")
            return None
        self._markup = "body-markup" in capabilities.body[0]
        self._connection, self._router = connection, router
        rule = MatchRule(type="signal", interface=SERVICE, path=PATH)
        await router.send_and_get_reply(_add_match(rule))
        self._spawn(self._listen(router, rule))
        return router

    async def _listen(self, router: _Router, rule: Any) -> None:
        with router.filter(rule, bufsize=64) as queue:
            while True:
                message = await queue.get()
                self._on_signal(message.header.fields, message.body)

    def _on_signal(self, fields: dict[Any, Any], body: tuple[Any, ...]) -> None:
        member = fields.get(HeaderFields.member)
        keys = {notification: key for key, notification in self._ids.items()}
        key = keys.get(body[0]) if body else None
        if key is None:
            return
        if member == "ActionInvoked" and body[1] == DEFAULT_ACTION:
            self.on_activated(key)
        elif member == "NotificationClosed":
            self._ids.pop(key, None)

    def _fail(self, why: str) -> None:
        if not self._failed:
            log.info("%s; using the tray instead", why)
        self._failed = True
        self.on_failed()


class TrayBackend:
    """Notifications as tray balloons; a click opens the latest one's conversation."""

    def __init__(self, icon: QIcon | None = None) -> None:
        self.on_activated: Callable[[int], None] = lambda _key: None
        self.on_failed: Callable[[], None] = lambda: None
        app = QApplication.instance()
        window_icon = app.windowIcon() if isinstance(app, QApplication) else QIcon()
        if icon is None:
            icon = window_icon if not window_icon.isNull() else bubbles_icon(TRAY_COLOUR)
        self.tray = QSystemTrayIcon(icon)
        self.tray.messageClicked.connect(self._on_message_clicked)
        self._latest: int | None = None

    @staticmethod
    def available() -> bool:
        """Whether this desktop has a tray that shows messages."""
        return QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages()

    def show(self, key: int, title: str, body: str) -> None:
        if not self.tray.isVisible():
            self.tray.show()
        self._latest = key
        self.tray.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information)

    def close(self, key: int) -> None:
        if self._latest == key:
            self._latest = None

    def _on_message_clicked(self) -> None:
        if self._latest is not None:
            self.on_activated(self._latest)


class NullBackend:
    """No way to notify on this desktop: says so once in the log."""

    def __init__(self) -> None:
        self.on_activated: Callable[[int], None] = lambda _key: None
        self.on_failed: Callable[[], None] = lambda: None
        self._told = False

    def show(self, key: int, title: str, body: str) -> None:
        if not self._told:
            log.info("no desktop notifications: neither D-Bus nor a system tray is available")
            self._told = True

    def close(self, key: int) -> None:
        pass


def _address() -> Any:
    return DBusAddress(PATH, bus_name=SERVICE, interface=SERVICE)


def _add_match(rule: Any) -> Any:
    return message_bus.AddMatch(rule)


def _is_error(reply: Any) -> bool:
    return bool(reply.header.message_type == MessageType.error)
