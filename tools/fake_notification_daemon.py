"""A stand-in notification daemon for trying desktop notifications by hand.

Run the app (or a script) on a private session bus with it:

    dbus-run-session -- sh -c 'python tools/fake_notification_daemon.py & python -m siproxylin'

It prints every call with its D-Bus signature, refuses a ``Notify`` whose
signature is not the specification's (as GNOME Shell, dunst and KDE do) and,
with ``--click``, answers each notification with its "default" action, as if it
had been clicked.
"""

from __future__ import annotations

import argparse

from jeepney import (
    DBusAddress,
    HeaderFields,
    MessageType,
    new_error,
    new_method_return,
    new_signal,
)
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
NOTIFY = "susssasa{sv}i"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--click", action="store_true", help="click every notification")
    args = parser.parse_args()
    connection = open_dbus_connection(bus="SESSION")
    connection.send_and_get_reply(message_bus.RequestName(SERVICE))
    print("listening as", SERVICE, flush=True)
    notification = 0
    while True:
        message = connection.receive()
        if message.header.message_type != MessageType.method_call:
            continue
        member = message.header.fields.get(HeaderFields.member)
        signature = message.header.fields.get(HeaderFields.signature, "")
        print(member, signature, message.body, flush=True)
        if member == "Notify" and signature != NOTIFY:
            error = "org.freedesktop.DBus.Error.InvalidArgs"
            connection.send(new_error(message, error, "s", (f"expected {NOTIFY}",)))
        elif member == "Notify":
            notification = message.body[1] or notification + 1
            connection.send(new_method_return(message, "u", (notification,)))
            if args.click:
                address = DBusAddress(PATH, interface=SERVICE)
                click = (notification, "default")
                connection.send(new_signal(address, "ActionInvoked", "us", click))
        elif member == "GetCapabilities":
            connection.send(new_method_return(message, "as", (["body", "actions"],)))
        elif member == "CloseNotification":
            connection.send(new_method_return(message))
        else:
            connection.send(new_error(message, "org.freedesktop.DBus.Error.UnknownMethod"))


if __name__ == "__main__":
    main()
