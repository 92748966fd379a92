"""Chat and roster services over fake ports: dedupe, outbox, acks, presence, subscriptions."""

from __future__ import annotations

import asyncio

from siproxylin.domain.events import (
    DecisionClosed,
    DecisionRequested,
    Event,
    MessageStored,
    PresenceChanged,
    RosterChanged,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    Availability,
    DeliveryState,
    Direction,
    RosterItem,
    Subscription,
)
from tests.fakes import Core, account_config, make_core, roster_item

BOB = Jid.parse("bob@x.org")


async def online(core: Core) -> AccountId:
    stored = await core.accounts.add_account(account_config("me@x.org"), "pw")
    core.xmpp(stored.id).start()
    return stored.id


def record(core: Core) -> list[Event]:
    events: list[Event] = []
    core.bus.subscribe(Event, events.append)
    return events


async def test_incoming_duplicates_are_stored_once() -> None:
    core = make_core()
    account = await online(core)
    events = record(core)
    xmpp = core.xmpp(account)
    xmpp.receive_message("bob@x.org/phone", "hi", origin_id="o1", stanza_id="s1")
    xmpp.receive_message("bob@x.org/phone", "hi", origin_id="o1", stanza_id="s1")  # MAM echo
    xmpp.receive_message("bob@x.org/laptop", "hi", origin_id="o1", stanza_id="")  # resent
    stored = [e for e in events if isinstance(e, MessageStored)]
    assert len(stored) == 1
    assert stored[0].message.direction is Direction.INCOMING
    assert [m.body for m in core.chat.history(account, BOB)] == ["hi"]


async def test_offline_message_waits_then_goes_out_once() -> None:
    core = make_core()
    stored = await core.accounts.add_account(account_config("me@x.org"), "pw")
    message = core.chat.send_message(stored.id, BOB, "queued")
    assert message.state is DeliveryState.PENDING
    xmpp = core.xmpp(stored.id)
    assert xmpp.sent == []
    xmpp.start()
    assert [s.body for s in xmpp.sent] == ["queued"]
    assert core.chat.history(stored.id, BOB)[0].state is DeliveryState.SENT
    xmpp.end()
    xmpp.start(resumed=True)  # the stream resent it itself
    assert len(xmpp.sent) == 1
    xmpp.end()
    xmpp.start(resumed=False)  # a fresh session: not acked yet, so it goes again, same id
    assert [s.origin_id for s in xmpp.sent] == [message.origin_id] * 2
    xmpp.ack(message.origin_id)
    xmpp.end()
    xmpp.start()
    assert len(xmpp.sent) == 2
    assert core.chat.history(stored.id, BOB)[0].state is DeliveryState.ACKED


async def test_sent_carbon_is_outgoing_in_the_peer_conversation() -> None:
    core = make_core()
    account = await online(core)
    core.xmpp(account).receive_message(
        "me@x.org/desktop", "from my desktop", outgoing=True, recipient="bob@x.org"
    )
    (message,) = core.chat.history(account, BOB)
    assert message.direction is Direction.OUTGOING
    assert message.state is DeliveryState.ACKED


async def test_presence_is_the_best_resource_and_goes_offline_with_the_account() -> None:
    core = make_core()
    account = await online(core)
    events = record(core)
    xmpp = core.xmpp(account)
    xmpp.receive_roster(roster_item("bob@x.org", "Bob"))
    xmpp.receive_presence("bob@x.org/phone", Availability.AWAY)
    xmpp.receive_presence("bob@x.org/laptop", Availability.ONLINE)
    assert core.roster.availability(account, BOB)[0] is Availability.ONLINE
    xmpp.receive_presence("bob@x.org/laptop", Availability.OFFLINE)
    assert core.roster.availability(account, BOB)[0] is Availability.AWAY
    xmpp.end()
    changes = [e.availability for e in events if isinstance(e, PresenceChanged)]
    assert changes == [
        Availability.AWAY,
        Availability.ONLINE,
        Availability.AWAY,
        Availability.OFFLINE,
    ]
    assert any(isinstance(e, RosterChanged) for e in events)


async def test_subscription_from_someone_we_asked_is_accepted_silently() -> None:
    core = make_core()
    account = await online(core)
    events = record(core)
    xmpp = core.xmpp(account)
    xmpp.receive_roster(RosterItem(BOB, "Bob", Subscription.NONE, ask=True))
    xmpp.request_subscription("bob@x.org")
    assert xmpp.answers == [(BOB, True)]
    assert not [e for e in events if isinstance(e, DecisionRequested)]


async def test_stranger_asks_user_and_disabling_withdraws_the_question() -> None:
    core = make_core()
    account = await online(core)
    events = record(core)
    xmpp = core.xmpp(account)
    xmpp.request_subscription("eve@x.org")
    (question,) = [e for e in events if isinstance(e, DecisionRequested)]
    assert question.subject == "eve@x.org"
    assert xmpp.answers == []
    await core.accounts.set_enabled(account, False)
    await asyncio.sleep(0)
    closed = [e for e in events if isinstance(e, DecisionClosed)]
    assert [c.decision_id for c in closed] == [question.decision_id]
    assert core.decisions.pending() == []
    assert not core.decisions.resolve(question.decision_id, True)


async def test_user_allows_stranger_and_asks_back() -> None:
    core = make_core()
    account = await online(core)
    events = record(core)
    xmpp = core.xmpp(account)
    xmpp.request_subscription("eve@x.org")
    (question,) = [e for e in events if isinstance(e, DecisionRequested)]
    assert core.decisions.resolve(question.decision_id, True)
    await asyncio.sleep(0)
    eve = Jid.parse("eve@x.org")
    assert xmpp.answers == [(eve, True)]
    assert xmpp.added == [(eve, "")]
