"""Message features in a room on the real server, with several clients: our reflected
message confirms the stored copy; corrections, reactions, retractions, replies and
moderation reach every occupant; an occupant who takes someone's nick cannot correct
or retract that person's messages; private messages with an occupant."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

import pytest

from siproxylin.domain.events import MessageStored, RoomJoined
from siproxylin.domain.ids import Jid
from siproxylin.domain.models import ChatKind, ChatMessage, DeliveryState, Direction, RoomConfig
from tests.integration.harness import Client, start_client
from tests.support.prosody import ProsodyServer
from tests.support.xmpp import online

pytestmark = [pytest.mark.integration, pytest.mark.muc]

_rooms = itertools.count(1)


async def client_for(prosody: ProsodyServer, root: Path, prefix: str) -> Client:
    jid, password = prosody.new_account(prefix)
    return await start_client(
        root, jid, password, "127.0.0.1", prosody.c2s_port, str(prosody.ca_file)
    )


def stored(client: Client, predicate: Any, since: int = 0) -> Any:
    return client.log.wait(MessageStored, lambda e: predicate(e.message), 10.0, since)


def get(client: Client, message_id: int) -> ChatMessage:
    found = client.app.chat._features.get(message_id)
    assert found is not None
    return found


async def test_features_in_a_room(prosody: ProsodyServer, tmp_path: Path) -> None:
    room = Jid.parse(f"features{next(_rooms)}-{id(tmp_path) % 10000}@{prosody.muc_domain}")
    alice = await client_for(prosody, tmp_path / "a", "alice")
    bob = await client_for(prosody, tmp_path / "b", "bob")
    carol = await client_for(prosody, tmp_path / "c", "carol")
    group = ChatKind.GROUPCHAT
    try:
        await alice.app.rooms.create(alice.account, room, "Alice", RoomConfig(persistent=True))
        await alice.log.wait(RoomJoined, lambda e: e.room == room)
        for client, nick in ((bob, "Bob"), (carol, "Carol")):
            await client.app.rooms.join(client.account, room, nick)
            await client.log.wait(RoomJoined, lambda e: e.room == room)

        # Our own message comes back from the room: the stored copy is confirmed, not doubled.
        sent = alice.app.chat.send_message(alice.account, room, "agenda?", kind=group)
        confirmed = await stored(
            alice, lambda m: m.id == sent.id and m.state is DeliveryState.ACKED and m.stanza_id
        )
        at_bob = (await stored(bob, lambda m: m.body == "agenda?")).message
        at_carol = (await stored(carol, lambda m: m.body == "agenda?")).message
        assert at_bob.stanza_id == confirmed.message.stanza_id  # the room's id, for everyone
        assert [m.body for m in alice.app.chat.history(alice.account, room)] == ["agenda?"]

        # Reply, then a correction by its author reaches everyone.
        reply = bob.app.chat.send_message(bob.account, room, "budgte", kind=group, reply_to=at_bob)
        at_carol_reply = (await stored(carol, lambda m: m.body == "budgte")).message
        assert at_carol_reply.reply_to == at_carol.stanza_id
        assert at_carol_reply.resource == "Bob"
        await stored(bob, lambda m: m.id == reply.id and m.stanza_id)  # reflected
        bob.app.chat.correct_message(bob.account, reply.id, "budget")
        await stored(carol, lambda m: m.id == at_carol_reply.id and m.body == "budget")

        # Reactions from two occupants, keyed by occupant.
        carol.app.chat.toggle_reaction(carol.account, at_carol.id, "👍")
        bob.app.chat.toggle_reaction(bob.account, at_bob.id, "👍")
        both = await stored(
            alice,
            lambda m: m.id == sent.id and any(len(r.senders) == 2 for r in m.reactions),
        )
        assert sorted(both.message.reactions[0].senders) == ["Bob", "Carol"]

        # Bob leaves; Eve takes his nick and tries to correct and retract his message.
        await bob.app.rooms.leave(bob.account, room)
        async with online(prosody, *prosody.new_account("eve")) as eve:
            eve.send_raw(
                f"<presence to='{room}/Bob'><x xmlns='http://jabber.org/protocol/muc'/></presence>"
            )
            await asyncio.sleep(0.5)
            target = at_carol_reply.message_id
            for payload in (
                f"<body>hijacked</body><replace xmlns='urn:xmpp:message-correct:0' id='{target}'/>",
                f"<retract xmlns='urn:xmpp:message-retract:1' id='{at_carol_reply.stanza_id}'/>",
            ):
                eve.send_raw(f"<message to='{room}' type='groupchat'>{payload}</message>")
            eve.send_raw(
                f"<message to='{room}' type='groupchat'><body>eve was here</body></message>"
            )
            await stored(carol, lambda m: m.body == "eve was here")
        still = get(carol, at_carol_reply.id)
        assert (still.body, still.retracted) == ("budget", False)

        # The author retracts; a moderator removes someone else's message.
        alice.app.chat.retract_message(alice.account, sent.id)
        await stored(carol, lambda m: m.id == at_carol.id and m.retracted)
        await alice.app.rooms.moderate(alice.account, room, at_carol_reply.stanza_id, "off topic")
        moderated = await stored(carol, lambda m: m.id == at_carol_reply.id and m.retracted)
        assert moderated.message.retracted_by == "Alice"
        assert moderated.message.body == ""

        # A private message to an occupant is its own conversation.
        carol_occupant = room.with_resource("Carol")
        alice.app.chat.send_message(
            alice.account, carol_occupant, "psst", kind=ChatKind.GROUPCHAT_PM
        )
        private = (await stored(carol, lambda m: m.body == "psst")).message
        assert private.kind is ChatKind.GROUPCHAT_PM
        assert private.peer == room.with_resource("Alice")
        assert private.direction is Direction.INCOMING
        assert "psst" not in [m.body for m in carol.app.chat.history(carol.account, room)]
    finally:
        for client in (alice, bob, carol):
            await client.stop()
