"""Presenters over the real core (fake ports), without widgets: events -> model changes."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from PySide6.QtWidgets import QApplication

from siproxylin.domain.errors import FailureReason
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import Availability, DecisionKind, DeliveryState
from siproxylin.gui.bridge import EventBridge
from siproxylin.gui.models.contacts import ContactTreeModel
from siproxylin.gui.presenters.chat import ChatPresenter
from siproxylin.gui.presenters.contacts import ContactsPresenter
from siproxylin.gui.presenters.decisions import DecisionsPresenter
from tests.fakes import Core, account_config, roster_item

BOB = Jid.parse("bob@x.org")


def later(_callback: Callable[[], None]) -> None:
    """A scheduler that never runs: the tests drain with ``flush``."""


@dataclass
class Gui:
    bridge: EventBridge
    contacts: ContactsPresenter
    chat: ChatPresenter
    decisions: DecisionsPresenter

    @property
    def tree(self) -> ContactTreeModel:
        return self.contacts.model

    def names(self, account: AccountId) -> list[str]:
        parent = self.tree.account_index(account)
        return [self.tree.index(row, 0, parent).data() for row in range(self.tree.rowCount(parent))]


@pytest.fixture
def gui(core: Core, qapp: QApplication) -> Gui:
    bridge = EventBridge(core.bus, later)
    contacts = ContactsPresenter(ContactTreeModel(), core.accounts, core.roster, core.chat)
    chat = ChatPresenter(core.chat, core.roster)
    decisions = DecisionsPresenter(core.decisions)
    for presenter in (contacts, chat, decisions):
        presenter.register(bridge)
    contacts.load()
    chat.conversation_changed.connect(lambda: contacts.set_active(chat.conversation))
    return Gui(bridge, contacts, chat, decisions)


def add_online_account(core: Core, loop: asyncio.AbstractEventLoop) -> AccountId:
    stored = loop.run_until_complete(
        core.accounts.add_account(account_config("me@x.org"), "secret")
    )
    core.xmpp(stored.id).start()
    return stored.id


def test_account_row_follows_the_connection_state(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    stored = qloop.run_until_complete(
        core.accounts.add_account(account_config("me@x.org"), "secret")
    )
    gui.bridge.flush()
    index = gui.tree.account_index(stored.id)
    assert index.data() == "me@x.org — connecting…"
    core.xmpp(stored.id).start()
    gui.bridge.flush()
    assert index.data() == "me@x.org — online"

    async def drop() -> None:
        core.xmpp(stored.id).end(FailureReason.NETWORK, "reset")

    qloop.run_until_complete(drop())
    gui.bridge.flush()
    assert index.data().startswith("me@x.org — reconnecting")
    assert re.search(r"next try at \d\d:\d\d:\d\d$", index.data())
    core.xmpp(stored.id).end(FailureReason.AUTH, "not-authorized")
    gui.bridge.flush()
    assert index.data() == "me@x.org — error: not-authorized"


def test_failed_account_shows_the_error(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    stored = qloop.run_until_complete(
        core.accounts.add_account(account_config("me@x.org"), "secret")
    )
    core.xmpp(stored.id).end(FailureReason.AUTH, "not-authorized")
    gui.bridge.flush()
    assert gui.tree.account_index(stored.id).data() == "me@x.org — error: not-authorized"


def test_accounts_loaded_before_the_window_are_shown(
    core: Core, qloop: asyncio.AbstractEventLoop, qapp: QApplication
) -> None:
    account = add_online_account(core, qloop)
    core.xmpp(account).receive_roster(roster_item("bob@x.org", "Bob"))
    core.xmpp(account).receive_presence("bob@x.org/phone", Availability.AWAY, "lunch")
    contacts = ContactsPresenter(ContactTreeModel(), core.accounts, core.roster, core.chat)
    contacts.load()
    entry = contacts.model.contact(account, BOB)
    assert entry is not None
    assert (entry.name, entry.availability, entry.status) == ("Bob", Availability.AWAY, "lunch")


def test_roster_and_presence_fill_the_tree(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account = add_online_account(core, qloop)
    xmpp = core.xmpp(account)
    xmpp.receive_roster(
        roster_item("bob@x.org", "Bob"),
        roster_item("carol@x.org", "Carol"),
        roster_item("dave@x.org"),
    )
    xmpp.receive_presence("carol@x.org/laptop", Availability.ONLINE)
    xmpp.receive_presence("dave@x.org/a", Availability.DND, "busy")
    gui.bridge.flush()
    assert gui.names(account) == ["Carol", "dave@x.org", "Bob"]
    dave = gui.tree.contact(account, Jid.parse("dave@x.org"))
    assert dave is not None
    assert dave.availability is Availability.DND

    xmpp.receive_roster(roster_item("carol@x.org"), complete=False)
    xmpp.receive_presence("carol@x.org/laptop", Availability.OFFLINE)
    gui.bridge.flush()
    assert gui.names(account) == ["dave@x.org", "Bob", "carol@x.org"]


def test_a_stranger_who_writes_appears_under_the_account_with_unread_count(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account = add_online_account(core, qloop)
    core.xmpp(account).receive_message("eve@evil.example/x", "hi")
    core.xmpp(account).receive_message("eve@evil.example/x", "are you there?")
    gui.bridge.flush()
    eve = gui.tree.contact(account, Jid.parse("eve@evil.example"))
    assert eve is not None
    assert not eve.in_roster
    assert gui.names(account) == ["eve@evil.example (2)"]
    gui.chat.open(account, Jid.parse("eve@evil.example"))
    gui.bridge.flush()
    assert gui.names(account) == ["eve@evil.example (2)"]  # opened, but the window is not active
    gui.chat.set_visible(True)
    gui.bridge.flush()
    assert gui.names(account) == ["eve@evil.example"]
    assert gui.chat.model.rowCount() == 2
    assert core.chat.unread_count(account, Jid.parse("eve@evil.example")) == 0


def test_chat_shows_history_incoming_and_the_delivery_state_of_sent_messages(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account = add_online_account(core, qloop)
    xmpp = core.xmpp(account)
    xmpp.receive_message("bob@x.org/phone", "earlier")
    gui.chat.open(account, BOB)
    assert [m.body for m in gui.chat.model.messages()] == ["earlier"]

    xmpp.receive_message("bob@x.org/phone", "now")
    sent = gui.chat.send("  hello bob  ")
    assert sent is not None
    gui.bridge.flush()
    bodies = [(m.body, m.state) for m in gui.chat.model.messages()]
    assert bodies == [
        ("earlier", DeliveryState.RECEIVED),
        ("now", DeliveryState.RECEIVED),
        ("hello bob", DeliveryState.SENT),
    ]
    assert [s.body for s in xmpp.sent] == ["hello bob"]

    xmpp.ack(sent.origin_id)
    gui.bridge.flush()
    assert gui.chat.model.message(2).state is DeliveryState.ACKED


def test_messages_of_other_conversations_do_not_enter_the_open_one(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account = add_online_account(core, qloop)
    gui.chat.open(account, BOB)
    core.xmpp(account).receive_message("carol@x.org/a", "psst")
    gui.bridge.flush()
    assert gui.chat.model.rowCount() == 0


def test_a_flood_of_ten_thousand_messages_is_one_model_update(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account = add_online_account(core, qloop)
    xmpp = core.xmpp(account)
    xmpp.receive_roster(roster_item("bob@x.org", "Bob"), roster_item("carol@x.org", "Carol"))
    gui.bridge.flush()
    gui.chat.open(account, BOB)
    gui.chat.set_visible(True)
    chat_changes: list[str] = []
    tree_changes: list[str] = []
    model = gui.chat.model
    model.rowsInserted.connect(lambda *_: chat_changes.append("insert"))
    model.modelReset.connect(lambda *_: chat_changes.append("reset"))
    model.rowsRemoved.connect(lambda *_: chat_changes.append("remove"))
    gui.tree.dataChanged.connect(lambda *_: tree_changes.append("data"))
    gui.tree.layoutChanged.connect(lambda *_: tree_changes.append("layout"))
    gui.tree.rowsInserted.connect(lambda *_: tree_changes.append("insert"))

    for number in range(10_000):
        xmpp.receive_message("bob@x.org/phone", f"bob {number}")
        xmpp.receive_message("carol@x.org/a", f"carol {number}")
    drains = gui.bridge.drains
    gui.bridge.flush()

    assert gui.bridge.drains == drains + 1
    assert chat_changes == ["reset"]  # 10,000 > the model's row limit: one reset
    assert model.rowCount() == model.limit
    assert model.message(model.rowCount() - 1).body == "bob 9999"
    assert tree_changes == ["data"]  # both unread counts, once
    # Bob's conversation is in front of the user: read, which the next turn shows
    assert gui.names(account) == ["Bob (10000)", "Carol (10000)"]
    gui.bridge.flush()
    assert gui.names(account) == ["Bob", "Carol (10000)"]
    assert tree_changes == ["data", "data"]


def test_five_hundred_presences_are_one_tree_update(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account = add_online_account(core, qloop)
    xmpp = core.xmpp(account)
    xmpp.receive_roster(*(roster_item(f"c{n:03}@x.org") for n in range(500)))
    gui.bridge.flush()
    changes: list[str] = []
    gui.tree.dataChanged.connect(lambda *_: changes.append("data"))
    gui.tree.layoutChanged.connect(lambda *_: changes.append("layout"))
    for number in range(500):
        xmpp.receive_presence(f"c{number:03}@x.org/r", Availability.ONLINE)
    gui.bridge.flush()
    assert changes == ["data"]  # all online: same order, one dataChanged
    for number in range(0, 500, 2):
        xmpp.receive_presence(f"c{number:03}@x.org/r", Availability.OFFLINE)
    gui.bridge.flush()
    assert changes == ["data", "layout", "data"]
    assert gui.names(account)[:2] == ["c001@x.org", "c003@x.org"]


def test_subscription_request_becomes_a_question_and_its_answer_is_sent(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account = add_online_account(core, qloop)
    asked: list[object] = []
    gui.decisions.requested.connect(asked.append)

    async def scenario() -> None:
        core.xmpp(account).request_subscription("zoe@x.org")
        gui.bridge.flush()
        assert len(asked) == 1
        request = gui.decisions.pending()[0]
        assert request.kind is DecisionKind.SUBSCRIPTION
        gui.decisions.answer(request.decision_id, True)
        await asyncio.sleep(0)

    qloop.run_until_complete(scenario())
    assert (Jid.parse("zoe@x.org"), True) in core.xmpp(account).answers
    assert gui.decisions.pending() == []


def test_removing_an_account_closes_its_chat_and_row(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account = add_online_account(core, qloop)
    gui.bridge.flush()
    gui.chat.open(account, BOB)
    qloop.run_until_complete(core.accounts.remove_account(account))
    gui.bridge.flush()
    assert gui.tree.rowCount() == 0
    assert gui.chat.conversation is None


def test_accounts_loaded_after_the_window_appear_through_their_state(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    stored = core.account_repo.add_account(account_config("me@x.org"))
    core.secrets.set_password(stored.id, "pw")
    qloop.run_until_complete(core.accounts.load())  # publishes no AccountAdded
    gui.bridge.flush()
    assert gui.tree.account_index(stored.id).data() == "me@x.org — connecting…"
