"""The main window over the test core with ``FakeCalls``, an account and Bob in its roster."""

from __future__ import annotations

from dataclasses import replace

from siproxylin.domain.ids import AccountId, Jid
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.window import create_main_window
from siproxylin.media.devices import AudioDevice, Direction
from tests.calls_api_fakes import FakeCalls
from tests.fakes import Core, account_config, roster_item

from .waits import until

ME = Jid.parse("me@x.org")
BOB = Jid.parse("bob@x.org")

INPUTS = [
    AudioDevice("mic-usb", "USB Headset Microphone", Direction.INPUT, True),
    AudioDevice("mic-int", "Built-in Microphone", Direction.INPUT, False),
]
OUTPUTS = [
    AudioDevice("spk-usb", "USB Headset", Direction.OUTPUT, False),
    AudioDevice("spk-int", "Speakers", Direction.OUTPUT, True),
]


def calls_window(core: Core, calls: FakeCalls | None) -> MainWindow:
    """The main window over ``core`` with ``calls`` (None: no calls)."""
    return create_main_window(replace(core.services, calls=calls))


async def add_account_with_bob(core: Core, window: MainWindow) -> AccountId:
    """me@x.org online, Bob in the roster."""
    stored = await core.accounts.add_account(account_config(str(ME)), "secret")
    session = core.xmpp(stored.id)
    session.start()
    session.receive_roster(roster_item(str(BOB), "Bob"))
    await until(lambda: window.contacts.model.contact_index(stored.id, BOB).isValid())
    return stored.id
