"""Fakes for profiles: the stream's profile commands, the avatar repo and file cache."""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.profiles import AvatarSource, ProfileError, VCard


def png(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A valid PNG file of one colour, written without any image library."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


TINY_PNG = png()


def sha1(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


@dataclass
class FakeProfiles:
    """``ProfileCommands`` over a dict of pictures and vCards; records every call."""

    pictures: dict[str, bytes] = field(default_factory=dict)  # hash -> what is served
    vcards: dict[Jid | None, VCard] = field(default_factory=dict)
    calls: list[tuple[object, ...]] = field(default_factory=list)
    own_nick: str = ""
    published_nick: str = ""  # what our PEP nickname node holds

    def serve(self, data: bytes, digest: str | None = None) -> str:
        """Serve ``data`` as the picture of ``digest`` (its own hash by default)."""
        digest = digest or sha1(data)
        self.pictures[digest] = data
        return digest

    async def fetch_avatar(self, jid: Jid, digest: str, source: AvatarSource) -> bytes:
        self.calls.append(("fetch_avatar", jid, digest, source))
        if digest not in self.pictures:
            raise ProfileError("refused: item-not-found")
        return self.pictures[digest]

    async def fetch_vcard(self, jid: Jid | None) -> VCard:
        self.calls.append(("fetch_vcard", jid))
        return self.vcards.get(jid, VCard())

    async def publish_avatar(self, data: bytes, media_type: str, width: int, height: int) -> str:
        self.calls.append(("publish_avatar", len(data), media_type, width, height))
        return self.serve(data)

    async def remove_avatar(self) -> None:
        self.calls.append(("remove_avatar",))

    async def publish_nickname(self, nick: str) -> None:
        self.calls.append(("publish_nickname", nick))
        self.own_nick = self.published_nick = nick

    async def set_vcard(self, card: VCard) -> None:
        self.calls.append(("set_vcard", card))
        self.vcards[None] = card

    async def fetch_own_nickname(self) -> str:
        self.calls.append(("fetch_own_nickname",))
        return self.published_nick

    async def set_room_avatar(self, room: Jid, data: bytes, media_type: str) -> str:
        self.calls.append(("set_room_avatar", room, len(data), media_type))
        self.vcards[room] = VCard(photo_type=media_type, photo=data)
        return self.serve(data)


@dataclass
class MemoryAvatarRepo:
    """``AvatarRepo`` in dicts."""

    hashes: dict[tuple[AccountId, Jid], tuple[str, AvatarSource]] = field(default_factory=dict)
    nicks: dict[tuple[AccountId, Jid], str] = field(default_factory=dict)

    def avatars(self, account: AccountId) -> dict[Jid, tuple[str, AvatarSource]]:
        return {jid: value for (acc, jid), value in self.hashes.items() if acc == account}

    def set_avatar(self, account: AccountId, jid: Jid, digest: str, source: AvatarSource) -> None:
        if digest:
            self.hashes[account, jid] = (digest, source)
        else:
            self.hashes.pop((account, jid), None)

    def nicknames(self, account: AccountId) -> dict[Jid, str]:
        return {jid: nick for (acc, jid), nick in self.nicks.items() if acc == account}

    def set_nickname(self, account: AccountId, jid: Jid, nick: str) -> None:
        if nick:
            self.nicks[account, jid] = nick
        else:
            self.nicks.pop((account, jid), None)


@dataclass
class MemoryAvatarFiles:
    """``AvatarFiles`` under a temporary folder, counting writes."""

    folder: Path
    writes: int = 0

    def path(self, digest: str) -> Path | None:
        path = self.folder / digest
        return path if path.is_file() else None

    def put(self, digest: str, data: bytes) -> Path:
        self.writes += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / digest
        path.write_bytes(data)
        return path
