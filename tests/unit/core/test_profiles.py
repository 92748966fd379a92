"""ProfileService over fake ports: fetched once per hash, verified, remembered, refused."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from siproxylin.core.services.profiles import ProfileService, verify_avatar
from siproxylin.domain.events import (
    AvatarAnnounced,
    AvatarChanged,
    NicknameChanged,
    NicknameReceived,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.profiles import MAX_AVATAR_BYTES, AvatarSource, ProfileError, VCard
from tests.fakes import Core, account_config, make_core
from tests.profile_fakes import FakeProfiles, MemoryAvatarFiles, MemoryAvatarRepo, png, sha1

ALICE = Jid.parse("alice@x.org")


class Setup:
    def __init__(self, tmp_path: Path) -> None:
        self.core: Core = make_core()
        self.repo = MemoryAvatarRepo()
        self.files = MemoryAvatarFiles(tmp_path / "avatars")
        self.service = ProfileService(self.core.bus, self.core.accounts, self.repo, self.files)
        self.changed: list[AvatarChanged] = []
        self.nicks: list[NicknameChanged] = []
        self.core.bus.subscribe(AvatarChanged, self.changed.append)
        self.core.bus.subscribe(NicknameChanged, self.nicks.append)
        self.account = AccountId(0)

    async def online(self) -> AccountId:
        stored = await self.core.accounts.add_account(account_config("me@x.org"), "pw")
        self.core.xmpp(stored.id).start()
        self.account = stored.id
        return stored.id

    def announce(self, digest: str, source: AvatarSource = AvatarSource.PEP) -> None:
        self.core.bus.publish(AvatarAnnounced(self.account, ALICE, digest, source))

    @property
    def fake(self) -> FakeProfiles:
        return self.core.xmpp(self.account).profiles


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    return Setup(tmp_path)


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_an_announced_avatar_is_fetched_once_verified_and_remembered(setup: Setup) -> None:
    account = await setup.online()
    picture = png()
    digest = setup.fake.serve(picture)
    setup.announce(digest)
    setup.announce(digest)  # while the first fetch runs
    await settle()
    path = setup.service.avatar(account, ALICE)
    assert path is not None
    assert sha1(path.read_bytes()) == digest
    assert setup.repo.avatars(account) == {ALICE: (digest, AvatarSource.PEP)}
    assert setup.changed == [AvatarChanged(account, ALICE, path)]
    assert len([c for c in setup.fake.calls if c[0] == "fetch_avatar"]) == 1
    # Announced again (another presence, another start): the cache answers.
    setup.announce(digest, AvatarSource.VCARD)
    await settle()
    assert len([c for c in setup.fake.calls if c[0] == "fetch_avatar"]) == 1


async def test_a_forged_avatar_is_refused_and_nothing_is_stored(setup: Setup) -> None:
    account = await setup.online()
    forged = setup.fake.serve(png(), digest="a" * 40)
    setup.announce(forged)
    await settle()
    assert setup.service.avatar(account, ALICE) is None
    assert setup.repo.avatars(account) == {}
    assert setup.files.writes == 0
    assert setup.changed == []


def test_verify_refuses_big_and_non_image_data() -> None:
    big = b"\x89PNG\r\n\x1a\n" + bytes(MAX_AVATAR_BYTES)
    with pytest.raises(ProfileError, match="over the limit"):
        verify_avatar(big, sha1(big))
    text = b"just some text"
    with pytest.raises(ProfileError, match="not an image"):
        verify_avatar(text, sha1(text))


async def test_vcard_without_photo_does_not_hide_a_pep_avatar(setup: Setup) -> None:
    account = await setup.online()
    digest = setup.fake.serve(png())
    setup.announce(digest)
    await settle()
    setup.announce("", AvatarSource.VCARD)
    await settle()
    assert setup.service.avatar(account, ALICE) is not None
    setup.announce("", AvatarSource.PEP)
    await settle()
    assert setup.service.avatar(account, ALICE) is None
    assert setup.changed[-1] == AvatarChanged(account, ALICE, None)


async def test_remembered_avatars_and_nicknames_show_without_network(setup: Setup) -> None:
    account = await setup.online()
    digest = setup.fake.serve(png())
    setup.announce(digest)
    setup.core.bus.publish(NicknameReceived(account, ALICE, "Al"))
    await settle()
    # A new run: the same repo and files, nothing online.
    again = ProfileService(setup.core.bus, setup.core.accounts, setup.repo, setup.files)
    assert again.avatar(account, ALICE) == setup.service.avatar(account, ALICE)
    assert again.nickname(account, ALICE) == "Al"
    assert setup.nicks == [NicknameChanged(account, ALICE, "Al")]


async def test_own_avatar_nickname_and_vcard_are_published(setup: Setup) -> None:
    account = await setup.online()
    picture = png(4, 4)
    await setup.service.set_avatar(account, picture, 4, 4)
    own = Jid.parse("me@x.org")
    path = setup.service.avatar(account, own)
    assert path is not None
    assert path.read_bytes() == picture
    assert ("publish_avatar", len(picture), "image/png", 4, 4) in setup.fake.calls
    await setup.service.set_nickname(account, "  Me  Myself ")
    assert setup.service.nickname(account, own) == "Me Myself"
    await setup.service.set_vcard(account, VCard(full_name="Me"))
    assert await setup.service.fetch_vcard(account, own) == VCard(full_name="Me")
    await setup.service.remove_avatar(account)
    assert setup.service.avatar(account, own) is None
    with pytest.raises(ProfileError):
        await setup.service.set_avatar(account, b"not an image", 1, 1)


ROOM = Jid.parse("lounge@conference.x.org")


async def test_a_room_avatar_is_fetched_from_the_rooms_vcard_and_remembered(
    setup: Setup,
) -> None:
    account = await setup.online()
    digest = setup.fake.serve(png(3, 3, (10, 90, 10)))
    setup.core.bus.publish(AvatarAnnounced(account, ROOM, digest, AvatarSource.VCARD))
    await settle()
    path = setup.service.avatar(account, ROOM)
    assert path is not None
    assert sha1(path.read_bytes()) == digest
    assert ("fetch_avatar", ROOM, digest, AvatarSource.VCARD) in setup.fake.calls
    assert setup.repo.avatars(account)[ROOM] == (digest, AvatarSource.VCARD)
    assert setup.changed[-1] == AvatarChanged(account, ROOM, path)
    # The room says it has none any more.
    setup.core.bus.publish(AvatarAnnounced(account, ROOM, "", AvatarSource.VCARD))
    await settle()
    assert setup.service.avatar(account, ROOM) is None


async def test_a_forged_room_avatar_is_refused(setup: Setup) -> None:
    account = await setup.online()
    forged = setup.fake.serve(b"<html>not a picture</html>", digest="b" * 40)
    setup.core.bus.publish(AvatarAnnounced(account, ROOM, forged, AvatarSource.VCARD))
    await settle()
    assert setup.service.avatar(account, ROOM) is None
    assert setup.files.writes == 0


async def test_owner_sets_a_room_avatar(setup: Setup) -> None:
    account = await setup.online()
    picture = png(5, 5)
    await setup.service.set_room_avatar(account, ROOM, picture)
    assert ("set_room_avatar", ROOM, len(picture), "image/png") in setup.fake.calls
    path = setup.service.avatar(account, ROOM)
    assert path is not None
    assert path.read_bytes() == picture
    with pytest.raises(ProfileError):
        await setup.service.set_room_avatar(account, ROOM, b"text")


async def test_own_nickname_is_given_back_to_the_stream_at_login(setup: Setup) -> None:
    own = Jid.parse("me@x.org")
    stored = await setup.core.accounts.add_account(account_config("me@x.org"), "pw")
    setup.repo.set_nickname(stored.id, own, "Stored Me")
    session = setup.core.xmpp(stored.id)
    session.profiles.published_nick = "Stored Me"
    session.start()
    assert session.profiles.own_nick == "Stored Me"  # at once, from the store
    await settle()
    assert ("fetch_own_nickname",) in session.profiles.calls
    # Changed from another client meanwhile: the PEP node wins after the next login.
    session.profiles.published_nick = "Newer Me"
    session.end()
    session.start()
    await settle()
    assert session.profiles.own_nick == "Newer Me"
    assert setup.service.nickname(stored.id, own) == "Newer Me"
    # Our own PEP notification (another client of ours) updates it too.
    setup.core.bus.publish(NicknameReceived(stored.id, own, "Latest"))
    assert session.profiles.own_nick == "Latest"
