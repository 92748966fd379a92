"""Avatars and nicknames through a real Prosody: published, seen, cached, forged ones refused."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from siproxylin.app.bootstrap import build_application
from siproxylin.app.logs import LogSettings
from siproxylin.app.paths import resolve_paths
from siproxylin.core.services.profiles import ProfileService
from siproxylin.domain.events import (
    AvatarAnnounced,
    AvatarChanged,
    Event,
    NicknameChanged,
    StanzaRejected,
)
from siproxylin.domain.profiles import AvatarSource, VCard
from siproxylin.xmpp import profile_stanzas
from siproxylin.xmpp.translate.profiles import AVATAR_DATA, AVATAR_METADATA
from tests.integration.harness import Client, EventLog
from tests.integration.test_message_features import befriend, client_for
from tests.profile_fakes import png
from tests.support.prosody import ProsodyServer

pytestmark = pytest.mark.integration


def profiles_of(client: Client) -> ProfileService:
    profiles = client.app.profiles
    assert profiles is not None
    return profiles


async def test_avatar_and_nickname_are_seen_cached_and_shown_from_cache(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    picture = png(8, 8, (30, 120, 200))
    digest = hashlib.sha1(picture, usedforsecurity=False).hexdigest()
    try:
        await befriend(alice, bob)
        await profiles_of(alice).set_avatar(alice.account, picture, 8, 8)
        await profiles_of(alice).set_nickname(alice.account, "Alice L.")
        await profiles_of(alice).set_vcard(alice.account, VCard(full_name="Alice Liddell"))
        changed = await bob.log.wait(
            AvatarChanged, lambda e: e.jid == alice.jid and e.path is not None
        )
        assert changed.path is not None
        assert changed.path.name == digest
        assert hashlib.sha1(changed.path.read_bytes(), usedforsecurity=False).hexdigest() == digest
        assert changed.path.parent == tmp_path / "b" / "cache" / "avatars"
        await bob.log.wait(NicknameChanged, lambda e: e.jid == alice.jid and e.nick == "Alice L.")
        card = await profiles_of(bob).fetch_vcard(bob.account, alice.jid)
        assert card.full_name == "Alice Liddell"
        assert card.photo == picture  # the server keeps the vCard and PEP in step
        # Our own avatar is ours too (shown in the profile dialog).
        assert profiles_of(alice).avatar(alice.account, alice.jid) is not None
    finally:
        await bob.stop()
    # A second start: shown from the store and the cache before any network.
    app = build_application(resolve_paths(data_dir=tmp_path / "b"), LogSettings(), 0.2)
    log = EventLog()
    app.bus.subscribe(Event, log.record)
    assert app.profiles is not None
    cached = app.profiles.avatar(bob.account, alice.jid)
    assert cached is not None
    assert cached.name == digest
    assert app.profiles.nickname(bob.account, alice.jid) == "Alice L."
    try:
        await app.start()
        # The avatar is announced again at login, and not fetched again.
        announced = await log.wait(AvatarAnnounced, lambda e: e.jid == alice.jid)
        assert announced.hash == digest
        await asyncio.sleep(1.0)
        assert not [e for e in log.of(AvatarChanged) if e.jid == alice.jid]
    finally:
        await app.stop()
        await alice.stop()


async def test_a_forged_avatar_is_refused(prosody: ProsodyServer, tmp_path: Path) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client_for(prosody, tmp_path / "a", a_jid, a_pw)
    bob = await client_for(prosody, tmp_path / "b", b_jid, b_pw)
    announced = png(4, 4, (0, 200, 0))
    served = png(4, 4, (200, 0, 0))
    digest = hashlib.sha1(announced, usedforsecurity=False).hexdigest()
    try:
        await befriend(alice, bob)
        session = alice.app.accounts.xmpp(alice.account)
        assert session is not None
        link = session.profiles
        # Data that does not match the hash it is published (and announced) under.
        await link._publish(AVATAR_DATA, digest, profile_stanzas.avatar_data(served))  # type: ignore[attr-defined]
        metadata = profile_stanzas.avatar_metadata(digest, len(announced), "image/png", 4, 4)
        await link._publish(AVATAR_METADATA, digest, metadata)  # type: ignore[attr-defined]
        await bob.log.wait(
            AvatarAnnounced,
            lambda e: e.jid == alice.jid and e.hash == digest and e.source is AvatarSource.PEP,
        )
        await asyncio.sleep(1.0)
        assert not [e for e in bob.log.of(AvatarChanged) if e.jid == alice.jid]
        assert profiles_of(bob).avatar(bob.account, alice.jid) is None
        avatars = tmp_path / "b" / "cache" / "avatars"
        assert not avatars.exists() or not any(avatars.iterdir())
        assert not [e for e in bob.log.of(StanzaRejected) if "avatar" in e.why]
    finally:
        await alice.stop()
        await bob.stop()
