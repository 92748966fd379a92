"""Room avatars and our own nickname through a real Prosody 0.12.

The test server loads Debian's ``mod_vcard_muc`` (prosody-modules) on its MUC
component: a room owner stores a picture in the room's vCard, the room announces
its hash in a presence from its own address (and in its disco#info form), and
members fetch the picture from the room's vCard over their own stream.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from siproxylin.core.services.profiles import ProfileService
from siproxylin.domain.events import (
    AvatarAnnounced,
    AvatarChanged,
    DecisionRequested,
    NicknameChanged,
    StanzaRejected,
)
from siproxylin.domain.ids import Jid
from siproxylin.domain.models import DecisionKind, RoomConfig
from siproxylin.domain.profiles import AvatarSource, ProfileError
from tests.integration.harness import Client
from tests.integration.test_message_features import client_for, client_for_existing
from tests.integration.test_muc import create, joined, new_room
from tests.profile_fakes import png
from tests.support.prosody import ProsodyServer

pytestmark = pytest.mark.integration


def profiles_of(client: Client) -> ProfileService:
    profiles = client.app.profiles
    assert profiles is not None
    return profiles


async def own_nick_becomes(client: Client, nick: str) -> None:
    """Until the stream's nickname for subscription requests is ``nick`` (5 s)."""
    for _ in range(100):
        session = client.app.accounts.xmpp(client.account)
        if session is not None and session.profiles.own_nick == nick:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"own nickname never became {nick!r}")


def sha1(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


async def test_room_avatar_set_by_its_owner_is_seen_by_members(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    (a_jid, a_pw), (b_jid, b_pw), (c_jid, c_pw) = (prosody.new_account() for _ in range(3))
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    carol = await client_for(prosody, tmp_path / "c", c_jid, c_pw)
    room = new_room(prosody, "avatar")
    picture = png(16, 16, (220, 120, 20))
    digest = sha1(picture)
    try:
        await create(alice, room, "Alice", RoomConfig(name="Pictures", persistent=True))
        await bob.app.rooms.join(bob.account, room, "Bob", remember=False)
        await joined(bob, room)
        # Only the owner may change the room's vCard.
        with pytest.raises(ProfileError, match="forbidden"):
            await profiles_of(bob).set_room_avatar(bob.account, room, png(2, 2))
        await profiles_of(alice).set_room_avatar(alice.account, room, picture)
        # Bob, already in, sees the change announced by the room.
        changed = await bob.log.wait(AvatarChanged, lambda e: e.jid == room and e.path is not None)
        assert changed.path is not None
        assert changed.path.name == digest
        assert sha1(changed.path.read_bytes()) == digest
        assert changed.path.parent == tmp_path / "b" / "cache" / "avatars"
        # Carol joins afterwards: announced at the join (presence and disco#info).
        await carol.app.rooms.join(carol.account, room, "Carol", remember=False)
        await joined(carol, room)
        announced = await carol.log.wait(AvatarAnnounced, lambda e: e.jid == room)
        assert announced.hash == digest
        assert announced.source is AvatarSource.VCARD
        await carol.log.wait(AvatarChanged, lambda e: e.jid == room and e.path is not None)
        path = profiles_of(carol).avatar(carol.account, room)
        assert path is not None
        assert path.read_bytes() == picture
        # Fetched once although announced twice; the room's own presence is not
        # mistaken for a malformed occupant presence.
        await asyncio.sleep(0.5)
        assert len([e for e in carol.log.of(AvatarChanged) if e.jid == room]) == 1
        assert not [e for e in carol.log.of(StanzaRejected) if e.sender == str(room)]
        # An occupant's own avatar hash does not become the room's.
        assert not [e for e in carol.log.of(AvatarAnnounced) if e.jid == room and e.hash != digest]
    finally:
        for client in (alice, bob, carol):
            await client.stop()
    # Carol's next start shows it without any network.
    again = await client_for_existing(tmp_path / "c")
    try:
        cached = profiles_of(again).avatar(again.account, room)
        assert cached is not None
        assert cached.name == digest
    finally:
        await again.stop()


async def test_own_nickname_goes_with_subscription_requests_after_a_restart(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    (a_jid, a_pw), (c_jid, c_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    try:
        await profiles_of(alice).set_nickname(alice.account, "Alice N.")
    finally:
        await alice.stop()
    # The same data folder: the stored nickname is back at login.
    alice = await client_for_existing(tmp_path / "a")
    carol = await client_for(prosody, tmp_path / "c", c_jid, c_pw)
    try:
        await own_nick_becomes(alice, "Alice N.")
        alice.app.roster.add_contact(alice.account, Jid.parse(c_jid), "")
        await carol.log.wait(DecisionRequested, lambda e: e.kind is DecisionKind.SUBSCRIPTION)
        await carol.log.wait(NicknameChanged, lambda e: e.jid == alice.jid and e.nick == "Alice N.")
    finally:
        await alice.stop()
        await carol.stop()
    # Another device (an empty data folder): the nickname comes from our PEP node.
    other = await client_for(prosody, tmp_path / "a2", a_jid, a_pw, resource="other")
    try:
        await own_nick_becomes(other, "Alice N.")
        assert profiles_of(other).nickname(other.account, other.jid) == "Alice N."
    finally:
        await other.stop()
