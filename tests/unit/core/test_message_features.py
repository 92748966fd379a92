"""Message features in the core over fake ports: who may correct, retract and react in rooms,
and what the privacy switches let out (receipts, markers, typing)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from siproxylin.domain.config import PrivacyOptions
from siproxylin.domain.events import (
    ChatStateReceived,
    MessageReceived,
    ReactionsReceived,
    RetractionReceived,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind, ChatState, RosterItem, Subscription
from tests.fakes import Core, account_config, make_core

ROOM = Jid.parse("room@conference.x.org")
BOB = Jid.parse("bob@x.org")


async def online(core: Core, privacy: PrivacyOptions | None = None) -> AccountId:
    config = account_config("me@x.org")
    if privacy is not None:
        config = replace(config, privacy=privacy)
    stored = await core.accounts.add_account(config, "pw")
    core.xmpp(stored.id).start()
    return stored.id


def room_message(
    account: AccountId, nick: str, body: str, stanza_id: str, occupant_id: str = ""
) -> MessageReceived:
    return MessageReceived(
        account,
        sender=ROOM.with_resource(nick),
        recipient=Jid.parse("me@x.org/r"),
        body=body,
        message_id=f"id-{stanza_id}",
        origin_id=f"o-{stanza_id}",
        stanza_id=stanza_id,
        timestamp=1.0,
        kind=ChatKind.GROUPCHAT,
        occupant_id=occupant_id,
    )


async def test_in_rooms_only_the_same_occupant_may_correct_or_retract() -> None:
    core = make_core()
    account = await online(core)
    core.bus.publish(room_message(account, "anna", "original", "rs-1", occupant_id="occ-anna"))
    # Someone who took Anna's nick (another occupant id) cannot correct or retract it.
    forged = replace(
        room_message(account, "anna", "forged", "rs-2", occupant_id="occ-eve"), replaces="id-rs-1"
    )
    core.bus.publish(forged)
    me = Jid.parse("me@x.org/r")
    core.bus.publish(
        RetractionReceived(
            account, ROOM.with_resource("anna"), me, "rs-1", ChatKind.GROUPCHAT, "occ-eve"
        )
    )
    [message] = core.chat.history(account, ROOM)
    assert (message.body, message.edited, message.retracted) == ("original", False, False)
    # The real Anna can.
    core.bus.publish(
        replace(
            room_message(account, "anna2", "fixed", "rs-3", occupant_id="occ-anna"),
            replaces="id-rs-1",
        )
    )
    [message] = core.chat.history(account, ROOM)
    assert (message.body, message.edited) == ("fixed", True)


async def test_moderation_is_taken_only_from_the_room_itself() -> None:
    core = make_core()
    account = await online(core)
    me = Jid.parse("me@x.org/r")
    core.bus.publish(room_message(account, "anna", "spam", "rs-1"))
    core.bus.publish(
        RetractionReceived(
            account, ROOM.with_resource("eve"), me, "rs-1", ChatKind.GROUPCHAT, moderated_by="x"
        )
    )
    assert not core.chat.history(account, ROOM)[0].retracted
    core.bus.publish(
        RetractionReceived(
            account, ROOM, me, "rs-1", ChatKind.GROUPCHAT, moderated_by=f"{ROOM}/mod"
        )
    )
    [message] = core.chat.history(account, ROOM)
    assert (message.retracted, message.retracted_by, message.body) == (True, "mod", "")


async def test_room_reactions_are_kept_per_occupant() -> None:
    core = make_core()
    account = await online(core)
    me = Jid.parse("me@x.org/r")
    core.bus.publish(room_message(account, "anna", "hi", "rs-1"))
    for nick, occupant, emojis in (("b", "occ-b", ("👍",)), ("c", "occ-c", ("👍", "🎉"))):
        core.bus.publish(
            ReactionsReceived(
                account, ROOM.with_resource(nick), me, "rs-1", emojis, ChatKind.GROUPCHAT, occupant
            )
        )
    # "b" changes nick but keeps the occupant id: the set is replaced, not doubled.
    core.bus.publish(
        ReactionsReceived(
            account, ROOM.with_resource("b2"), me, "rs-1", ("🐢",), ChatKind.GROUPCHAT, "occ-b"
        )
    )
    [message] = core.chat.history(account, ROOM)
    assert {r.emoji: r.senders for r in message.reactions} == {
        "👍": ("c",),
        "🎉": ("c",),
        "🐢": ("b2",),
    }


async def test_receipts_go_only_to_contacts_who_see_our_presence() -> None:
    core = make_core()
    account = await online(core)
    xmpp = core.xmpp(account)
    for sender, body in (("eve@x.org/a", "stranger"), ("bob@x.org/a", "friend")):
        if body == "friend":
            xmpp.receive_roster(RosterItem(BOB, "", Subscription.BOTH), complete=True)
        event = xmpp.receive_message(sender, body)
        core.bus.publish(
            replace(event, message_id=f"r-{body}", wants_receipt=True, origin_id=body, stanza_id="")
        )
    receipts = [c for c in xmpp.commands if c[0] == "receipt"]
    assert receipts == [("receipt", Jid.parse("bob@x.org/a"), "r-friend")]


async def test_markers_and_typing_stay_private_unless_allowed() -> None:
    # The read position always goes to our own private XEP-0490 node ("displayed").
    for privacy, expected in (
        (PrivacyOptions(), ["displayed"]),
        (PrivacyOptions(True, True, True, True, True), ["chat_state", "displayed", "marker"]),
    ):
        core = make_core()
        account = await online(core, privacy)
        core.chat.unread.share_delay = 0.05
        xmpp = core.xmpp(account)
        xmpp.receive_message("bob@x.org/a", "hello")
        core.chat.mark_read(account, BOB)
        xmpp.receive_message("bob@x.org/a", "more")  # read along while messages come
        core.chat.mark_read(account, BOB)
        core.chat.set_composing(account, BOB, True)
        await asyncio.sleep(0.1)
        # One publish (and marker) for the series, naming the newest message.
        assert [c[0] for c in xmpp.commands] == expected
        assert core.chat.unread_count(account, BOB) == 0
        shared = [c for c in xmpp.commands if c[0] == "displayed"]
        assert shared[0][2] == core.chat.history(account, BOB)[-1].stanza_id


async def test_typing_is_reported_and_ended_by_a_message() -> None:
    core = make_core()
    account = await online(core)
    states: list[tuple[str, ChatState]] = []
    from siproxylin.domain.events import ChatStateChanged

    core.bus.subscribe(ChatStateChanged, lambda e: states.append((e.who, e.state)))
    core.bus.publish(ChatStateReceived(account, Jid.parse("bob@x.org/a"), ChatState.COMPOSING))
    core.xmpp(account).receive_message("bob@x.org/a", "done typing")
    assert states == [("bob@x.org", ChatState.COMPOSING), ("bob@x.org", ChatState.ACTIVE)]


async def test_read_positions_from_our_other_devices_wait_for_their_message() -> None:
    from siproxylin.domain.events import DisplayedSynced

    core = make_core()
    account = await online(core)
    xmpp = core.xmpp(account)
    xmpp.receive_message("bob@x.org/a", "one", stanza_id="s-1")
    # Another device read up to s-2, which this one has not received yet.
    core.bus.publish(DisplayedSynced(account, BOB, "s-2"))
    assert core.chat.unread_count(account, BOB) == 1
    xmpp.receive_message("bob@x.org/a", "two", stanza_id="s-2")
    assert core.chat.unread_count(account, BOB) == 0
    xmpp.receive_message("bob@x.org/a", "three", stanza_id="s-3")
    assert core.chat.unread_count(account, BOB) == 1
    core.bus.publish(DisplayedSynced(account, BOB, "s-3"))
    assert core.chat.unread_count(account, BOB) == 0
