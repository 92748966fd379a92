"""PreferencesService over the real settings table: typed, per account, per chat, announced."""

from __future__ import annotations

from siproxylin.core.bus import EventBus
from siproxylin.core.services.preferences import PreferencesService, chat_key
from siproxylin.domain.events import PreferenceChanged
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.store.db import Database
from siproxylin.store.settings import Settings

BOB = Jid.parse("bob@x.org")


def test_app_account_and_chat_preferences(db: Database, account: AccountId) -> None:
    bus = EventBus()
    seen: list[PreferenceChanged] = []
    bus.subscribe(PreferenceChanged, seen.append)
    prefs = PreferencesService(bus, Settings(db))
    assert prefs.text("theme", "system") == "system"
    prefs.set("theme", "dark")
    prefs.set("notify/level", 2, account)
    prefs.set_chat(account, BOB, "spelling", "de_DE")
    assert prefs.text("theme") == "dark"
    assert prefs.number("notify/level", account=account) == 2
    assert prefs.number("notify/level") == 0  # an account's value is not the app's
    assert prefs.chat_text(account, BOB, "spelling") == "de_DE"
    assert prefs.chat_text(account, Jid.parse("carol@x.org"), "spelling", "en_US") == "en_US"
    prefs.reset_chat(account, BOB, "spelling")
    assert prefs.chat_text(account, BOB, "spelling", "en_US") == "en_US"
    assert [(e.key, e.value) for e in seen] == [
        ("theme", "dark"),
        ("notify/level", "2"),
        (chat_key(BOB, "spelling"), "de_DE"),
        (chat_key(BOB, "spelling"), ""),
    ]


def test_a_secret_never_travels_in_the_event(db: Database, account: AccountId) -> None:
    bus = EventBus()
    seen: list[PreferenceChanged] = []
    bus.subscribe(PreferenceChanged, seen.append)
    prefs = PreferencesService(bus, Settings(db))
    prefs.set("calls.turn.password", "hunter2", account)
    assert prefs.text("calls.turn.password", account=account) == "hunter2"
    assert [e.value for e in seen] == ["(set)"]
