"""Item models under Qt's QAbstractItemModelTester, and their batch behaviour."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication

from siproxylin.domain.events import MessageStored
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    AccountStatus,
    Availability,
    ChatKind,
    ChatMessage,
    ConnectionState,
    DeliveryState,
    Direction,
)
from siproxylin.gui.models.contact_entries import (
    AccountEntry,
    ContactEntry,
    ContactRole,
)
from siproxylin.gui.models.contacts import ContactTreeModel
from siproxylin.gui.models.messages import MessageListModel, MessageRole

if TYPE_CHECKING:  # the qtlog fixture's class is private to pytest-qt
    from pytestqt.logging import _QtMessageCapture as QtMessageCapture

A1, A2 = AccountId(1), AccountId(2)
ONLINE = AccountStatus(ConnectionState.ONLINE)


@pytest.fixture
def tested(qapp: QApplication, qtlog: QtMessageCapture) -> Iterator[list[QAbstractItemModel]]:
    """Models appended to the list are watched by QAbstractItemModelTester."""
    models: list[QAbstractItemModel] = []
    testers: list[QAbstractItemModelTester] = []

    class Watch(list[QAbstractItemModel]):
        def append(self, model: QAbstractItemModel) -> None:
            testers.append(
                QAbstractItemModelTester(
                    model, QAbstractItemModelTester.FailureReportingMode.Warning
                )
            )
            super().append(model)

    watched = Watch(models)
    yield watched
    failures = [r.message for r in qtlog.records if "FAIL" in r.message]
    assert failures == []
    assert testers


def jid(text: str) -> Jid:
    return Jid.parse(text)


def contact(
    text: str, name: str = "", availability: Availability = Availability.OFFLINE
) -> ContactEntry:
    return ContactEntry(jid(text), name, availability)


def names(model: ContactTreeModel, account: AccountId) -> list[str]:
    parent = model.account_index(account)
    return [model.index(row, 0, parent).data() for row in range(model.rowCount(parent))]


# --- contact tree ------------------------------------------------------------------


def test_contact_tree_sorts_online_first_then_by_name(
    tested: list[QAbstractItemModel],
) -> None:
    model = ContactTreeModel()
    tested.append(model)
    model.upsert_account(AccountEntry(A1, jid("me@x.org"), ONLINE))
    model.update_contacts(
        A1,
        [
            contact("zed@x.org", "Zed", Availability.ONLINE),
            contact("amy@x.org", "amy"),
            contact("bob@x.org", "Bob", Availability.AWAY),
            contact("carl@x.org"),
        ],
    )
    assert names(model, A1) == ["Bob", "Zed", "amy", "carl@x.org"]
    assert model.account_index(A1).data() == "me@x.org — online"


def test_contact_tree_moves_rows_on_presence_and_keeps_persistent_indexes(
    tested: list[QAbstractItemModel],
) -> None:
    model = ContactTreeModel()
    tested.append(model)
    model.upsert_account(AccountEntry(A1, jid("me@x.org"), ONLINE))
    model.update_contacts(A1, [contact(f"c{n}@x.org", f"C{n}") for n in range(5)])
    carl = QPersistentModelIndex(model.contact_index(A1, jid("c3@x.org")))
    layouts: list[object] = []
    model.layoutChanged.connect(lambda *_: layouts.append(1))

    entry = model.contact(A1, jid("c3@x.org"))
    assert entry is not None
    model.update_contacts(A1, [replace(entry, availability=Availability.ONLINE)])

    assert names(model, A1)[0] == "C3"
    assert carl.row() == 0
    assert carl.data() == "C3"
    assert layouts == [1]
    assert carl.data(ContactRole.AVAILABILITY) is Availability.ONLINE


def test_contact_tree_hides_and_shows_offline_contacts(
    tested: list[QAbstractItemModel],
) -> None:
    model = ContactTreeModel()
    tested.append(model)
    model.upsert_account(AccountEntry(A1, jid("me@x.org"), ONLINE))
    model.upsert_account(AccountEntry(A2, jid("me@y.org"), ONLINE))
    model.update_contacts(
        A1,
        [
            contact("a@x.org", "A", Availability.ONLINE),
            contact("b@x.org", "B"),
            replace(contact("c@x.org", "C"), unread=2),
            contact("d@x.org", "D", Availability.DND),
        ],
    )
    model.update_contacts(A2, [contact("e@y.org", "E")])
    model.set_show_offline(False)
    assert names(model, A1) == ["A", "D", "C (2)"]
    assert names(model, A2) == []
    model.set_show_offline(True)
    assert names(model, A1) == ["A", "D", "B", "C (2)"]
    assert names(model, A2) == ["E"]


def test_contact_tree_removes_contacts_and_accounts(
    tested: list[QAbstractItemModel],
) -> None:
    model = ContactTreeModel()
    tested.append(model)
    for account in (A1, A2):
        model.upsert_account(AccountEntry(account, jid(f"me{account}@x.org"), ONLINE))
        model.update_contacts(account, [contact(f"c{n}@x.org") for n in range(3)])
    model.update_contacts(A1, removed=[jid("c1@x.org")])
    assert names(model, A1) == ["c0@x.org", "c2@x.org"]
    model.remove_account(A1)
    assert model.rowCount() == 1
    index = model.contact_index(A2, jid("c2@x.org"))
    assert model.account_at(index) == A2
    assert model.parent(index) == model.account_index(A2)


def test_contact_tree_mixed_batch_of_changes(tested: list[QAbstractItemModel]) -> None:
    model = ContactTreeModel()
    tested.append(model)
    model.upsert_account(AccountEntry(A1, jid("me@x.org"), ONLINE))
    model.update_contacts(A1, [contact(f"c{n:02}@x.org") for n in range(20)])
    model.set_show_offline(False)
    model.update_contacts(
        A1,
        [contact(f"c{n:02}@x.org", availability=Availability.ONLINE) for n in range(0, 20, 3)]
        + [contact("new@x.org", availability=Availability.AWAY)],
        removed=[jid("c03@x.org")],
    )
    assert names(model, A1) == [f"c{n:02}@x.org" for n in (0, 6, 9, 12, 15, 18)] + ["new@x.org"]
    model.set_show_offline(True)
    assert len(names(model, A1)) == 20


# --- message list ------------------------------------------------------------------


def message(number: int, state: DeliveryState = DeliveryState.RECEIVED) -> ChatMessage:
    direction = Direction.INCOMING if state is DeliveryState.RECEIVED else Direction.OUTGOING
    return ChatMessage(
        id=number,
        account=A1,
        peer=jid("bob@x.org"),
        direction=direction,
        body=f"message {number}",
        timestamp=1_700_000_000.0 + number,
        origin_id=f"o{number}",
        state=state,
    )


def test_message_list_appends_a_batch_with_one_insert(
    tested: list[QAbstractItemModel],
) -> None:
    model = MessageListModel()
    tested.append(model)
    inserts: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: inserts.append((first, last)))
    model.set_messages([message(1), message(2)])
    model.apply([MessageStored(A1, message(n)) for n in range(3, 103)])
    assert inserts == [(2, 101)]
    assert model.rowCount() == 102
    index = model.index(101, 0)
    assert index.data() == "message 102"
    assert index.data(MessageRole.DIRECTION) is Direction.INCOMING
    assert index.data(MessageRole.TIMESTAMP) == 1_700_000_102.0


def test_message_list_updates_rows_by_id(tested: list[QAbstractItemModel]) -> None:
    model = MessageListModel()
    tested.append(model)
    model.set_messages([message(1), message(2, DeliveryState.PENDING), message(3)])
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom, *_: changed.append((top.row(), bottom.row())))
    model.apply([MessageStored(A1, message(2, DeliveryState.ACKED), new=False)])
    assert model.index(1, 0).data(MessageRole.STATE) is DeliveryState.ACKED
    assert changed == [(1, 1)]


def test_message_list_merges_duplicates_and_updates_within_a_batch(
    tested: list[QAbstractItemModel],
) -> None:
    model = MessageListModel()
    tested.append(model)
    model.set_messages([message(1)])
    model.apply(
        [
            MessageStored(A1, message(1)),  # already loaded by history
            MessageStored(A1, message(2, DeliveryState.PENDING)),
            MessageStored(A1, message(2, DeliveryState.SENT), new=False),
            MessageStored(A1, message(99, DeliveryState.ACKED), new=False),  # not loaded
        ]
    )
    assert [m.id for m in model.messages()] == [1, 2]
    assert model.message(1).state is DeliveryState.SENT


def test_message_list_keeps_only_the_newest_rows(
    tested: list[QAbstractItemModel],
) -> None:
    model = MessageListModel(limit=50)
    tested.append(model)
    model.set_messages([message(n) for n in range(1, 41)])
    model.apply([MessageStored(A1, message(n)) for n in range(41, 61)])
    assert model.rowCount() == 50
    assert model.message(0).id == 11
    assert model.row_of(60) == 49
    model.apply([MessageStored(A1, message(n)) for n in range(61, 200)])
    assert model.rowCount() == 50
    assert model.message(49).id == 199


def test_message_list_data_for_invalid_index_is_none(qapp: QApplication) -> None:
    model = MessageListModel()
    assert model.data(QModelIndex(), Qt.ItemDataRole.DisplayRole) is None
    assert model.rowCount(model.index(0, 0)) == 0


# --- message list: references, authors ---------------------------------------------


def _message(number: int, **fields: object) -> ChatMessage:
    base: dict[str, object] = {
        "id": number,
        "account": A1,
        "peer": jid("bob@x.org"),
        "direction": Direction.INCOMING,
        "body": f"body {number}",
        "timestamp": 1000.0 + number,
        "origin_id": f"o{number}",
    }
    base.update(fields)
    return ChatMessage(**base)  # type: ignore[arg-type]


def test_message_list_finds_a_replied_message_by_any_of_its_ids(
    tested: list[QAbstractItemModel],
) -> None:
    model = MessageListModel()
    tested.append(model)
    first = _message(1, message_id="m1", stanza_id="s1")
    model.set_messages([first])
    assert model.referenced("o1") == first
    assert model.referenced("m1") == first
    assert model.referenced("s1") == first
    assert model.referenced("") is None
    assert model.referenced("nope") is None

    # a later message claiming the same id does not take the reference over
    forged = _message(2, origin_id="o1")
    reply = _message(3, reply_to="s1")
    model.apply([MessageStored(A1, forged), MessageStored(A1, reply)])
    assert model.referenced("o1") == first
    assert model.index(2, 0).data(MessageRole.REPLY) == first
    assert model.index(1, 0).data(MessageRole.REPLY) is None

    # an updated row is found with its new content
    edited = replace(first, body="edited", edited=True)
    model.apply([MessageStored(A1, edited, new=False)])
    assert model.reply_target(reply) == edited


def test_message_list_forgets_references_of_rows_it_drops(
    tested: list[QAbstractItemModel],
) -> None:
    model = MessageListModel(limit=2)
    tested.append(model)
    model.set_messages([_message(1), _message(2)])
    model.apply([MessageStored(A1, _message(3))])
    assert model.referenced("o1") is None
    assert model.referenced("o3") == model.message(1)


def test_message_list_names_authors(tested: list[QAbstractItemModel]) -> None:
    model = MessageListModel()
    tested.append(model)
    changed: list[int] = []
    model.dataChanged.connect(lambda *_: changed.append(1))
    room = jid("room@muc.x.org")
    rows = [
        _message(1),
        _message(2, direction=Direction.OUTGOING),
        _message(3, peer=room, kind=ChatKind.GROUPCHAT, resource="Juliet"),
        _message(4, peer=jid("room@muc.x.org/Nurse"), kind=ChatKind.GROUPCHAT_PM),
    ]
    model.set_messages(rows)
    assert [model.index(r, 0).data(MessageRole.AUTHOR) for r in range(4)] == [
        "bob@x.org",
        "me",
        "Juliet",
        "Nurse",
    ]
    model.set_names("Bob", "alice")
    assert changed == [1]
    assert [model.author(m) for m in rows[:2]] == ["Bob", "alice"]
    model.set_names("Bob", "alice")  # no change, no signal
    assert changed == [1]


def test_message_list_puts_older_arrivals_above_the_first_row(
    tested: list[QAbstractItemModel],
) -> None:
    model = MessageListModel()
    tested.append(model)
    model.set_messages([message(n) for n in range(50, 60)])
    inserts: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: inserts.append((first, last)))
    # An archive page (older) and a live message (newer) in one batch.
    model.apply([MessageStored(A1, message(n)) for n in (42, 40, 41, 60)])
    assert [m.id for m in model.messages()] == [40, 41, 42, *range(50, 61)]
    assert inserts == [(0, 2), (13, 13)]
    assert model.older_than_loaded(message(39))
    assert not model.older_than_loaded(message(45))


def test_message_list_prepend_skips_loaded_rows_and_drops_the_newest_at_the_limit(
    tested: list[QAbstractItemModel],
) -> None:
    model = MessageListModel(limit=20)
    tested.append(model)
    model.set_messages([message(n) for n in range(100, 115)])
    assert model.prepend([message(n) for n in range(95, 101)]) == 5  # 100 is loaded
    assert model.rowCount() == 20
    assert not model.trimmed_newest
    assert model.prepend([message(n) for n in range(90, 95)]) == 5
    assert model.rowCount() == 20
    assert model.trimmed_newest
    assert [m.id for m in model.messages()] == list(range(90, 110))
    assert model.row_of(112) is None
    assert model.prepend([]) == 0
    model.set_messages([message(1)])
    assert not model.trimmed_newest


def test_day_separators_above_each_days_first_message() -> None:
    from datetime import datetime

    from siproxylin.gui.labels import day_label

    def at(day: int, hour: int) -> float:
        return datetime(2026, 11, day, hour, 0).astimezone().timestamp()  # local time

    messages = [
        ChatMessage(
            id=i + 1,
            account=AccountId(1),
            peer=Jid.parse("bob@x.org"),
            direction=Direction.INCOMING,
            body=f"m{i}",
            timestamp=stamp,
            origin_id=f"o{i}",
        )
        for i, stamp in enumerate([at(20, 9), at(20, 18), at(21, 8), at(21, 9)])
    ]
    model = MessageListModel()
    model.set_messages(messages[2:])
    days = [model.index(r, 0).data(MessageRole.DAY) for r in range(model.rowCount())]
    assert days == [day_label(at(21, 8)), ""]
    changed: list[int] = []
    model.dataChanged.connect(lambda top, _bottom: changed.append(top.row()))
    model.prepend(messages[:2])
    days = [model.index(r, 0).data(MessageRole.DAY) for r in range(model.rowCount())]
    assert days == [day_label(at(20, 9)), "", day_label(at(21, 8)), ""]
    assert 2 in changed  # the old first row is asked again
