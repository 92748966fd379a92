"""Archive sync state: sync points, known ranges, start flags, the oldest stored archive id."""

from __future__ import annotations

from dataclasses import replace

from store_helpers import ALICE, BOB, MakeMessage

from siproxylin.core.ports import ArchivePage, ArchiveRange, ArchiveSyncState
from siproxylin.domain.config import AccountConfig
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind
from siproxylin.store.accounts import AccountsRepo
from siproxylin.store.archive_sync import ArchiveSyncStore
from siproxylin.store.db import Database
from siproxylin.store.messages import MessagesRepo

OWN = Jid.parse("me@example.org")
ROOM = Jid.parse("room@muc.example.org")
T0 = 1_700_000_000.0


def page(
    first: str, last: str, t_first: float, t_last: float, complete: bool = False
) -> ArchivePage:
    return ArchivePage((), first, last, complete, t_first, t_last)


def test_nothing_known_at_first(db: Database, account: AccountId) -> None:
    repo = ArchiveSyncStore(db)
    assert repo.sync_state(account, OWN) == ArchiveSyncState()
    assert repo.sync_state(account, OWN, ALICE) == ArchiveSyncState()
    assert repo.ranges(account, OWN) == []


def test_newest_page_sets_the_sync_point_and_older_pages_extend_it(
    db: Database, account: AccountId
) -> None:
    repo = ArchiveSyncStore(db)
    repo.record_backward(account, OWN, None, "", page("a5", "a9", T0 + 5, T0 + 9))
    assert repo.sync_state(account, OWN) == ArchiveSyncState("a9", T0 + 9, False)
    repo.record_backward(account, OWN, None, "a5", page("a1", "a4", T0 + 1, T0 + 4, True))
    state = repo.sync_state(account, OWN)
    assert state == ArchiveSyncState("a9", T0 + 9, True)  # an older page leaves the sync point
    assert repo.ranges(account, OWN) == [ArchiveRange("a1", T0 + 1, "a9", T0 + 9)]


def test_forward_pages_extend_the_range_and_move_the_sync_point(
    db: Database, account: AccountId
) -> None:
    repo = ArchiveSyncStore(db)
    repo.record_backward(account, OWN, None, "", page("a1", "a3", T0 + 1, T0 + 3))
    repo.record_forward(account, OWN, "a3", page("a4", "a6", T0 + 4, T0 + 6))
    repo.record_forward(account, OWN, "a6", page("a7", "a8", T0 + 7, T0 + 8, True))
    assert repo.sync_state(account, OWN).last_id == "a8"
    assert repo.sync_state(account, OWN).last_time == T0 + 8
    assert repo.ranges(account, OWN) == [ArchiveRange("a1", T0 + 1, "a8", T0 + 8)]


def test_a_page_after_a_jump_starts_a_new_range(db: Database, account: AccountId) -> None:
    repo = ArchiveSyncStore(db)
    repo.record_backward(account, OWN, None, "", page("a1", "a3", T0 + 1, T0 + 3))
    # The sync point was gone: catch-up went on from a time, not from an id.
    repo.record_forward(account, OWN, "", page("b1", "b2", T0 + 10, T0 + 11))
    repo.record_forward(account, OWN, "b2", page("b3", "b4", T0 + 12, T0 + 13))
    assert repo.ranges(account, OWN) == [
        ArchiveRange("a1", T0 + 1, "a3", T0 + 3),
        ArchiveRange("b1", T0 + 10, "b4", T0 + 13),
    ]
    assert repo.sync_state(account, OWN).last_id == "b4"


def test_empty_pages_change_nothing_but_may_reach_the_start(
    db: Database, account: AccountId
) -> None:
    repo = ArchiveSyncStore(db)
    repo.record_forward(account, OWN, "x", page("", "", 0, 0, True))
    assert repo.sync_state(account, OWN) == ArchiveSyncState()
    repo.record_backward(account, OWN, ALICE, "s1", page("", "", 0, 0, True))
    assert repo.sync_state(account, OWN, ALICE).complete_to_start
    assert repo.ranges(account, OWN, ALICE) == []
    assert not repo.sync_state(account, OWN).complete_to_start


def test_a_conversation_is_kept_apart_from_the_whole_archive(
    db: Database, account: AccountId
) -> None:
    repo = ArchiveSyncStore(db)
    repo.record_backward(account, OWN, None, "", page("a5", "a9", T0 + 5, T0 + 9))
    repo.record_backward(account, OWN, ALICE, "a5", page("a1", "a2", T0 + 1, T0 + 2, True))
    assert repo.sync_state(account, OWN, ALICE) == ArchiveSyncState("", 0.0, True)
    assert repo.sync_state(account, OWN, BOB) == ArchiveSyncState()
    assert repo.sync_state(account, OWN) == ArchiveSyncState("a9", T0 + 9, False)
    assert repo.ranges(account, OWN) == [ArchiveRange("a5", T0 + 5, "a9", T0 + 9)]
    assert repo.ranges(account, OWN, ALICE) == [ArchiveRange("a1", T0 + 1, "a2", T0 + 2)]


def test_archives_and_accounts_are_separate(
    db: Database, account: AccountId, accounts: AccountsRepo
) -> None:
    other = accounts.add_account(AccountConfig(id=AccountId(0), jid=Jid.parse("x@example.org")))
    repo = ArchiveSyncStore(db)
    repo.record_backward(account, ROOM, None, "", page("r1", "r2", T0, T0 + 1))
    assert repo.sync_state(account, ROOM).last_id == "r2"
    assert repo.sync_state(account, OWN) == ArchiveSyncState()
    assert repo.sync_state(other.id, ROOM) == ArchiveSyncState()


def test_state_survives_reopening_and_goes_with_the_account(
    db: Database, account: AccountId, accounts: AccountsRepo
) -> None:
    repo = ArchiveSyncStore(db)
    repo.record_backward(account, OWN, None, "", page("a1", "a2", T0, T0 + 1, True))
    db.commit()
    reopened = Database(db.path)
    try:
        assert ArchiveSyncStore(reopened).sync_state(account, OWN).last_id == "a2"
    finally:
        reopened.close()
    accounts.remove_account(account)
    assert repo.sync_state(account, OWN) == ArchiveSyncState()
    assert db.read("SELECT count(*) FROM archive_range") == [(0,)]


def test_oldest_archived_by_time_not_by_storage_order(
    db: Database, account: AccountId, make_message: MakeMessage
) -> None:
    messages = MessagesRepo(db)
    repo = ArchiveSyncStore(db)
    assert repo.oldest_archived(account, ALICE, ChatKind.CHAT) == ("", 0.0)
    messages.add_message(make_message("live", stanza_id="s-live", timestamp=T0 + 100))
    messages.add_message(make_message("no id", timestamp=T0))  # e.g. our own, never archived
    messages.add_message(make_message("older", stanza_id="s-old", timestamp=T0 + 10))
    messages.add_message(make_message("bob", peer=BOB, stanza_id="s-bob", timestamp=T0 + 1))
    assert repo.oldest_archived(account, ALICE, ChatKind.CHAT) == ("s-old", T0 + 10)
    assert repo.oldest_archived(account, ALICE.with_resource("x"), ChatKind.CHAT)[0] == "s-old"
    assert repo.oldest_archived(account, BOB, ChatKind.CHAT)[0] == "s-bob"
    # A room of the same address is another conversation.
    room_message = replace(
        make_message("in room", peer=ALICE, stanza_id="s-room", timestamp=T0 - 50),
        kind=ChatKind.GROUPCHAT,
    )
    messages.add_message(room_message)
    assert repo.oldest_archived(account, ALICE, ChatKind.CHAT)[0] == "s-old"
    assert repo.oldest_archived(account, ALICE, ChatKind.GROUPCHAT)[0] == "s-room"
