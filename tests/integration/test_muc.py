"""Group chats through a real Prosody: rooms, occupants, errors, moderation, invitations,
bookmarks, self-ping, and forged input."""

from __future__ import annotations

import asyncio
import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from slixmpp.stanza import Message

from siproxylin.app.bootstrap import build_application
from siproxylin.app.logs import LogSettings
from siproxylin.app.paths import resolve_paths
from siproxylin.domain.config import LogLevel
from siproxylin.domain.errors import RoomError, RoomOperationFailed
from siproxylin.domain.events import (
    BookmarksChanged,
    DecisionRequested,
    Event,
    MessageStored,
    OccupantsChanged,
    RetractionReceived,
    RoomJoined,
    RoomLeft,
    RoomNotice,
    RoomStateChanged,
    RoomSubjectChanged,
    StanzaRejected,
)
from siproxylin.domain.ids import Jid
from siproxylin.domain.models import (
    Affiliation,
    Bookmark,
    ChatKind,
    DecisionKind,
    MembershipOutcome,
    Role,
    RoomConfig,
    RoomState,
)
from siproxylin.xmpp import muc_stanzas
from tests.integration.harness import Client, EventLog, start_client
from tests.support.prosody import ProsodyServer
from tests.support.xmpp import online

pytestmark = pytest.mark.muc

_rooms = itertools.count(1)


def new_room(prosody: ProsodyServer, prefix: str = "room") -> Jid:
    return Jid.parse(f"{prefix}{next(_rooms)}-{id(prosody) % 10000}@{prosody.muc_domain}")


async def client_for(prosody: ProsodyServer, root: Path, prefix: str = "user") -> Client:
    jid, password = prosody.new_account(prefix)
    return await start_client(
        root, jid, password, "127.0.0.1", prosody.c2s_port, str(prosody.ca_file)
    )


async def joined(client: Client, room: Jid, since: int = 0) -> RoomJoined:
    return await client.log.wait(RoomJoined, lambda e: e.room == room, since=since)


async def state(client: Client, room: Jid, wanted: RoomState, since: int = 0) -> RoomStateChanged:
    return await client.log.wait(
        RoomStateChanged, lambda e: e.room == room and e.state is wanted, since=since
    )


def nicks(client: Client, room: Jid) -> set[str]:
    return {o.nick for o in client.app.rooms.occupants(client.account, room)}


async def create(client: Client, room: Jid, nick: str, config: RoomConfig | None = None) -> None:
    await client.app.rooms.create(client.account, room, nick, config)
    event = await joined(client, room)
    assert event.created


async def test_three_clients_create_join_subject_nick_and_messages(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    alice = await client_for(prosody, tmp_path / "a", "alice")
    bob = await client_for(prosody, tmp_path / "b", "bob")
    carol = await client_for(prosody, tmp_path / "c", "carol")
    room = new_room(prosody)
    try:
        config = RoomConfig(name="Planning", persistent=True)
        await create(alice, room, "Alice", config)
        # The room was configured (201 handled), so it is unlocked and has our name.
        info = await alice.stream.plugin["xep_0030"].get_info(jid=str(room), timeout=10)
        identity = info.xml.find(".//{http://jabber.org/protocol/disco#info}identity")
        assert identity is not None
        assert identity.get("name") == "Planning"
        await bob.app.rooms.join(bob.account, room, "Bob")
        await joined(bob, room)
        await carol.app.rooms.join(carol.account, room, "Carol", remember=False)
        await joined(carol, room)
        complete = await carol.log.wait(OccupantsChanged, lambda e: e.room == room and e.complete)
        assert {o.nick for o in complete.present} == {"Alice", "Bob", "Carol"}
        owner = next(o for o in complete.present if o.nick == "Alice")
        assert owner.affiliation is Affiliation.OWNER
        assert owner.role is Role.MODERATOR
        assert owner.occupant_id  # XEP-0421, stamped by Prosody 0.12
        await alice.log.wait(OccupantsChanged, lambda e: any(o.nick == "Carol" for o in e.present))
        assert nicks(alice, room) == {"Alice", "Bob", "Carol"}

        alice.app.rooms.set_subject(alice.account, room, "Q3 roadmap")
        changed = await bob.log.wait(RoomSubjectChanged, lambda e: e.subject == "Q3 roadmap")
        assert changed.nick == "Alice"
        assert bob.app.rooms.subject(bob.account, room) == "Q3 roadmap"
        stored = {r.room: r for r in bob.app.rooms.stored_rooms(bob.account)}
        assert stored[room].subject == "Q3 roadmap"

        bob.app.rooms.change_nick(bob.account, room, "Robert")
        renamed = await alice.log.wait(OccupantsChanged, lambda e: ("Bob", "Robert") in e.renamed)
        assert "Bob" in renamed.left
        await bob.log.wait(OccupantsChanged, lambda e: ("Bob", "Robert") in e.renamed)
        assert bob.app.rooms.nick(bob.account, room) == "Robert"
        assert nicks(alice, room) == {"Alice", "Robert", "Carol"}

        mark = carol.log.mark()
        alice.app.chat.send_message(alice.account, room, "hello room", kind=ChatKind.GROUPCHAT)
        got = await carol.log.wait(
            MessageStored, lambda e: e.message.body == "hello room", since=mark
        )
        assert got.message.kind is ChatKind.GROUPCHAT
    finally:
        for client in (alice, bob, carol):
            await client.stop()


async def test_join_errors_have_typed_reasons(prosody: ProsodyServer, tmp_path: Path) -> None:
    alice = await client_for(prosody, tmp_path / "a", "alice")
    bob = await client_for(prosody, tmp_path / "b", "bob")
    secret = new_room(prosody, "secret")
    members = new_room(prosody, "members")
    try:
        await create(alice, secret, "Alice", RoomConfig(password="s3cret"))
        await create(alice, members, "Alice2", RoomConfig(members_only=True))

        await bob.app.rooms.join(bob.account, secret, "Bob", remember=False)
        failed = await state(bob, secret, RoomState.FAILED)
        assert failed.reason is RoomError.PASSWORD_REQUIRED
        assert "password" in failed.text

        await bob.app.rooms.join(bob.account, secret, "Alice", "s3cret", remember=False)
        failed = await state(bob, secret, RoomState.FAILED, since=bob.log.mark())
        assert failed.reason is RoomError.NICK_CONFLICT

        await bob.app.rooms.join(bob.account, members, "Bob", remember=False)
        failed = await state(bob, members, RoomState.FAILED)
        assert failed.reason is RoomError.MEMBERS_ONLY

        await alice.app.rooms.ban(alice.account, secret, bob.jid, "no")
        mark = bob.log.mark()
        await bob.app.rooms.join(bob.account, secret, "Bob", "s3cret", remember=False)
        failed = await state(bob, secret, RoomState.FAILED, since=mark)
        assert failed.reason is RoomError.BANNED

        # The right password and a free nick work.
        carol = await client_for(prosody, tmp_path / "c", "carol")
        try:
            await carol.app.rooms.join(carol.account, secret, "Carol", "s3cret", remember=False)
            await joined(carol, secret)
        finally:
            await carol.stop()
    finally:
        await alice.stop()
        await bob.stop()


async def test_a_room_locked_by_its_creator_cannot_be_entered(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    bob = await client_for(prosody, tmp_path / "b", "bob")
    room = new_room(prosody, "locked")
    jid, password = prosody.new_account("creator")
    try:
        async with online(prosody, jid, password) as creator:
            # A plain client creates the room and never configures it (status 201).
            creator.send_raw(
                ET.tostring(muc_stanzas.join_presence(room.with_resource("creator")), "unicode")
            )
            await asyncio.sleep(0.3)
            await bob.app.rooms.join(bob.account, room, "Bob", remember=False)
            failed = await state(bob, room, RoomState.FAILED)
            assert failed.reason is RoomError.LOCKED
    finally:
        await bob.stop()


async def test_kick_ban_role_and_moderation(prosody: ProsodyServer, tmp_path: Path) -> None:
    alice = await client_for(prosody, tmp_path / "a", "alice")
    bob = await client_for(prosody, tmp_path / "b", "bob")
    carol = await client_for(prosody, tmp_path / "c", "carol")
    room = new_room(prosody)
    try:
        await create(alice, room, "Alice", RoomConfig(persistent=True))
        for client, nick in ((bob, "Bob"), (carol, "Carol")):
            await client.app.rooms.join(client.account, room, nick, remember=False)
            await joined(client, room)

        # A participant may not kick.
        with pytest.raises(RoomOperationFailed) as refused:
            await bob.app.rooms.kick(bob.account, room, "Carol")
        assert refused.value.reason in (RoomError.FORBIDDEN, RoomError.NOT_ALLOWED)

        await alice.app.rooms.set_role(alice.account, room, "Carol", Role.MODERATOR)
        await carol.log.wait(
            OccupantsChanged,
            lambda e: any(o.own and o.role is Role.MODERATOR for o in e.present),
        )
        own = carol.app.rooms.occupant(carol.account, room, "Carol")
        assert own is not None
        assert own.role is Role.MODERATOR

        # Moderation (XEP-0425) of Bob's message by its room stanza-id.
        bob.app.chat.send_message(bob.account, room, "spam spam", kind=ChatKind.GROUPCHAT)
        seen = await carol.log.wait(MessageStored, lambda e: e.message.body == "spam spam")
        assert seen.message.stanza_id
        await carol.app.rooms.moderate(carol.account, room, seen.message.stanza_id, "spam")
        retracted = await alice.log.wait(
            RetractionReceived, lambda e: e.target_id == seen.message.stanza_id
        )
        assert retracted.moderated_by
        with pytest.raises(RoomOperationFailed) as not_moderator:
            await bob.app.rooms.moderate(bob.account, room, seen.message.stanza_id)
        assert not_moderator.value.reason is RoomError.FORBIDDEN

        await carol.app.rooms.kick(carol.account, room, "Bob", "calm down")
        left = await state(bob, room, RoomState.LEFT)
        assert left.reason is RoomError.KICKED
        assert "calm down" in left.detail
        await alice.log.wait(OccupantsChanged, lambda e: "Bob" in e.left)
        assert "Bob" not in nicks(alice, room)

        mark = bob.log.mark()
        await bob.app.rooms.join(bob.account, room, "Bob", remember=False)
        await joined(bob, room, since=mark)
        await alice.app.rooms.ban(alice.account, room, bob.jid, "enough")
        left = await state(bob, room, RoomState.LEFT, since=mark)
        assert left.reason is RoomError.BANNED
        assert room not in bob.app.rooms.joined_rooms(bob.account)
    finally:
        for client in (alice, bob, carol):
            await client.stop()


async def test_invitations_direct_and_mediated(prosody: ProsodyServer, tmp_path: Path) -> None:
    alice = await client_for(prosody, tmp_path / "a", "alice")
    bob = await client_for(prosody, tmp_path / "b", "bob")
    carol = await client_for(prosody, tmp_path / "c", "carol")
    room = new_room(prosody)
    try:
        await create(alice, room, "Alice")
        alice.app.rooms.invite(alice.account, room, bob.jid, "join us", direct=True)
        question = await bob.log.wait(
            DecisionRequested, lambda e: e.kind is DecisionKind.INVITATION
        )
        assert question.subject == str(room)
        assert "join us" in question.text
        bob.app.decisions.resolve(question.decision_id, True)
        await joined(bob, room)

        alice.app.rooms.invite(alice.account, room, carol.jid, "you too", direct=False)
        question = await carol.log.wait(
            DecisionRequested, lambda e: e.kind is DecisionKind.INVITATION
        )
        carol.app.decisions.resolve(question.decision_id, False)
        notice = await alice.log.wait(RoomNotice, lambda e: e.room == room)
        assert str(carol.jid) in notice.text
        assert not carol.log.of(RoomJoined)
    finally:
        for client in (alice, bob, carol):
            await client.stop()


async def test_members_only_membership_request_is_not_assumed_granted(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    alice = await client_for(prosody, tmp_path / "a", "alice")
    bob = await client_for(prosody, tmp_path / "b", "bob")
    room = new_room(prosody, "club")
    try:
        await create(alice, room, "Alice", RoomConfig(members_only=True, persistent=True))
        # Prosody takes registrations from affiliated users only: a stranger's request
        # is refused with a clear reason, and not reported as membership.
        with pytest.raises(RoomOperationFailed) as refused:
            await bob.app.rooms.request_membership(bob.account, room, "Bob")
        assert refused.value.reason is RoomError.MEMBERS_ONLY
        assert "admin" in str(refused.value)
        # Once an admin made Bob a member, registering reserves his nick: MEMBER.
        await alice.app.rooms.set_affiliation(alice.account, room, bob.jid, Affiliation.MEMBER)
        outcome = await bob.app.rooms.request_membership(bob.account, room, "Bob")
        assert outcome is MembershipOutcome.MEMBER
        await bob.app.rooms.join(bob.account, room, "Bob", remember=False)
        await joined(bob, room)
    finally:
        await alice.stop()
        await bob.stop()


async def test_bookmarks_autojoin_survive_a_restart(prosody: ProsodyServer, tmp_path: Path) -> None:
    alice = await client_for(prosody, tmp_path / "a", "alice")
    room = new_room(prosody)
    try:
        await create(alice, room, "Alice", RoomConfig(persistent=True, name="Kept"))
    finally:
        pass
    jid, password = prosody.new_account("bob")
    bob = await start_client(
        tmp_path / "b", jid, password, "127.0.0.1", prosody.c2s_port, str(prosody.ca_file)
    )
    try:
        await bob.app.rooms.join(bob.account, room, "Bob")
        await joined(bob, room)
        await bob.log.wait(BookmarksChanged, lambda e: any(r.room == room for r in e.rooms))
        # The bookmark reached the server (XEP-0402).
        xmpp = bob.app.accounts.xmpp(bob.account)
        assert xmpp is not None
        for _ in range(50):
            marks = await xmpp.bookmarks()
            if any(b.room == room for b in marks):
                break
        assert any(b.room == room and b.autojoin for b in marks)
    finally:
        await bob.stop()
    # A new client on the same data folder rejoins by itself.
    app = build_application(
        resolve_paths(data_dir=tmp_path / "b"), LogSettings(LogLevel.DEBUG), backoff_base=0.2
    )
    log = EventLog()
    app.bus.subscribe(Event, log.record)
    try:
        await app.start()
        event = await log.wait(RoomJoined, lambda e: e.room == room)
        assert event.nick == "Bob"
    finally:
        await app.stop()
        await alice.stop()


async def test_legacy_bookmarks_are_converted_and_joined(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    alice = await client_for(prosody, tmp_path / "a", "alice")
    room = new_room(prosody, "legacy")
    jid, password = prosody.new_account("old")
    try:
        await create(alice, room, "Alice", RoomConfig(persistent=True))
        async with online(prosody, jid, password) as old:
            iq = old.Iq()
            iq["type"] = "set"
            iq.xml.append(
                muc_stanzas.legacy_bookmarks_store([Bookmark(room, "Old", "Oldie", "", True)])
            )
            await iq.send(timeout=10)
        client = await start_client(
            tmp_path / "o", jid, password, "127.0.0.1", prosody.c2s_port, str(prosody.ca_file)
        )
        try:
            event = await joined(client, room)
            assert event.nick == "Oldie"
            xmpp = client.app.accounts.xmpp(client.account)
            assert xmpp is not None
            assert any(b.room == room for b in await xmpp.bookmarks())
        finally:
            await client.stop()
    finally:
        await alice.stop()


async def test_self_ping_rejoins_after_the_room_dropped_us(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    alice = await client_for(prosody, tmp_path / "a", "alice")
    bob = await client_for(prosody, tmp_path / "b", "bob")
    room = new_room(prosody)
    try:
        await create(alice, room, "Alice", RoomConfig(persistent=True))
        await bob.app.rooms.join(bob.account, room, "Bob", remember=False)
        await joined(bob, room)
        session = bob.app.accounts.session(bob.account)
        assert session is not None
        session.xmpp.rooms.self_ping_interval = 0.3  # type: ignore[union-attr]
        # The room forgets Bob without telling him (as after a server-side glitch).
        prosody.admin(
            f'>local room = prosody.hosts["{prosody.muc_domain}"].modules.muc'
            f'.get_room_from_jid("{room}"); '
            f'local occupant = room:get_occupant_by_nick("{room}/Bob"); '
            "occupant.role = nil; room:save_occupant(occupant)"
        )
        mark = bob.log.mark()
        left = await bob.log.wait(RoomLeft, lambda e: e.room == room, since=mark)
        assert left.reason is RoomError.DROPPED
        await joined(bob, room, since=mark)
        assert bob.app.rooms.state(bob.account, room) is RoomState.JOINED
    finally:
        await alice.stop()
        await bob.stop()


async def test_forged_invitations_and_room_presences_are_rejected(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    bob = await client_for(prosody, tmp_path / "b", "bob")
    jid, password = prosody.new_account("mallory")
    try:
        async with online(prosody, jid, password) as mallory:
            forged = muc_stanzas.mediated_invitation(
                Jid.parse(f"fake@{prosody.muc_domain}"), bob.jid, "trust me"
            )
            # A "mediated" invitation straight from a user, not from a room.
            forged.set("to", str(bob.jid.with_resource("siproxylin")))
            invite = forged.find(
                "{http://jabber.org/protocol/muc#user}x/{http://jabber.org/protocol/muc#user}invite"
            )
            assert invite is not None
            invite.set("from", "boss@example.org")
            del invite.attrib["to"]
            Message(mallory, xml=forged).send()
            presence = mallory.make_presence(pto=str(bob.jid.with_resource("siproxylin")))
            x = presence.xml.makeelement("{http://jabber.org/protocol/muc#user}x", {})
            x.append(x.makeelement("{http://jabber.org/protocol/muc#user}status", {"code": "110"}))
            presence.xml.append(x)
            presence.send()
            first = await bob.log.wait(StanzaRejected, lambda e: e.sender.startswith(jid))
            second = await bob.log.wait(
                StanzaRejected, lambda e: e.sender.startswith(jid) and e is not first
            )
            assert {first.why, second.why} == {
                "mediated invitation not sent by a room",
                "room presence from a room we are not in",
            }
        assert not bob.log.of(DecisionRequested)
    finally:
        await bob.stop()
