"""Stored rooms: upsert, removal, subject, per-account isolation, legacy conversion flag."""

from __future__ import annotations

import pytest

from siproxylin.domain.config import AccountConfig
from siproxylin.domain.errors import AccountNotFound
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import RoomSettings
from siproxylin.store.accounts import AccountsRepo
from siproxylin.store.db import Database
from siproxylin.store.rooms import RoomStore

ROOM = Jid.parse("lobby@conference.example.org")
OTHER = Jid.parse("attic@conference.example.org")


@pytest.fixture
def rooms(db: Database) -> RoomStore:
    return RoomStore(db)


def test_saved_room_comes_back_with_every_field(rooms: RoomStore, account: AccountId) -> None:
    settings = RoomSettings(ROOM, "me", "secret", "Lobby", True, True, "hello")
    rooms.save_room(account, settings)
    assert rooms.rooms(account) == [settings]


def test_saving_again_replaces_and_sorts_by_address(rooms: RoomStore, account: AccountId) -> None:
    rooms.save_room(account, RoomSettings(ROOM, "me"))
    rooms.save_room(account, RoomSettings(OTHER, "you", autojoin=False))
    rooms.save_room(account, RoomSettings(ROOM, "me2", bookmarked=True))
    assert rooms.rooms(account) == [
        RoomSettings(OTHER, "you", autojoin=False),
        RoomSettings(ROOM, "me2", bookmarked=True),
    ]


def test_a_full_address_is_stored_bare(rooms: RoomStore, account: AccountId) -> None:
    rooms.save_room(account, RoomSettings(ROOM.with_resource("nick"), "me"))
    assert [r.room for r in rooms.rooms(account)] == [ROOM]


def test_remove_and_subject(rooms: RoomStore, account: AccountId) -> None:
    rooms.save_room(account, RoomSettings(ROOM, "me"))
    rooms.set_subject(account, ROOM, "new topic")
    rooms.set_subject(account, OTHER, "ignored")  # not stored: nothing happens
    assert rooms.rooms(account)[0].subject == "new topic"
    rooms.remove_room(account, ROOM)
    rooms.remove_room(account, OTHER)
    assert rooms.rooms(account) == []


def test_rooms_are_per_account_and_go_with_the_account(
    rooms: RoomStore, accounts: AccountsRepo, account: AccountId
) -> None:
    second = accounts.add_account(AccountConfig(AccountId(0), Jid.parse("b@example.org"))).id
    rooms.save_room(account, RoomSettings(ROOM, "me"))
    rooms.save_room(second, RoomSettings(ROOM, "other-me"))
    assert [r.nick for r in rooms.rooms(second)] == ["other-me"]
    accounts.remove_account(second)
    assert rooms.rooms(second) == []
    assert [r.nick for r in rooms.rooms(account)] == ["me"]


def test_unknown_account_is_refused(rooms: RoomStore) -> None:
    with pytest.raises(AccountNotFound):
        rooms.save_room(AccountId(999), RoomSettings(ROOM, "me"))
    with pytest.raises(AccountNotFound):
        rooms.set_legacy_bookmarks_converted(AccountId(999))


def test_legacy_conversion_flag(rooms: RoomStore, account: AccountId) -> None:
    assert not rooms.legacy_bookmarks_converted(account)
    rooms.set_legacy_bookmarks_converted(account)
    rooms.set_legacy_bookmarks_converted(account)
    assert rooms.legacy_bookmarks_converted(account)


def test_survives_reopening(db_path: object, account: AccountId, db: Database) -> None:
    RoomStore(db).save_room(account, RoomSettings(ROOM, "me", subject="s"))
    db.close()
    reopened = Database(db.path)
    try:
        assert RoomStore(reopened).rooms(account) == [RoomSettings(ROOM, "me", subject="s")]
    finally:
        reopened.close()
