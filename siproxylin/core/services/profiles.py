"""Profiles: contacts', rooms' (and our own) avatars and nicknames, vCards on request.

Owns the rules: an announced avatar is fetched once per hash, over the account's
own stream, and used only when its SHA-1 matches, it is an image and it is at
most ``MAX_AVATAR_BYTES``; the hash is remembered (and the picture cached) before
``AvatarChanged`` is published, so it shows at the next start without network.
A vCard-based "no photo" does not hide an avatar announced through PEP. Nicknames
are remembered before ``NicknameChanged``. A room's avatar is handled like a
contact's, announced by the room and fetched from its vCard. Our own nickname
is handed to the stream at every login (subscription requests carry it). Logs
never hold picture bytes or vCard contents. Imports ``domain`` and ``core`` only.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from siproxylin.core.accounts import AccountManager
from siproxylin.core.bus import EventBus
from siproxylin.core.ports import AvatarFiles, AvatarRepo
from siproxylin.domain.errors import AccountNotFound, NotConnected
from siproxylin.domain.events import (
    AccountRemoved,
    AvatarAnnounced,
    AvatarChanged,
    NicknameChanged,
    NicknameReceived,
    SessionStarted,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.profiles import (
    MAX_AVATAR_BYTES,
    MAX_NICKNAME_CHARS,
    AvatarSource,
    ProfileError,
    VCard,
    image_type,
)

log = logging.getLogger(__name__)


def verify_avatar(data: bytes, digest: str) -> str:
    """Check a fetched picture against its announced hash; returns its media type.

    Raises:
        ProfileError: If it is too big, does not match ``digest``, or is no image.
    """
    if len(data) > MAX_AVATAR_BYTES:
        raise ProfileError(f"avatar of {len(data)} bytes is over the limit")
    if hashlib.sha1(data, usedforsecurity=False).hexdigest() != digest:
        raise ProfileError("avatar data does not match its hash")
    kind = image_type(data)
    if kind is None:
        raise ProfileError("avatar data is not an image")
    return kind


class ProfileService:
    """Avatars and nicknames of every account's contacts and of the accounts themselves."""

    def __init__(
        self, bus: EventBus, accounts: AccountManager, repo: AvatarRepo, files: AvatarFiles
    ) -> None:
        self._bus = bus
        self._accounts = accounts
        self._repo = repo
        self._files = files
        self._avatars: dict[AccountId, dict[Jid, tuple[str, AvatarSource]]] = {}
        self._nicks: dict[AccountId, dict[Jid, str]] = {}
        self._fetching: set[tuple[AccountId, Jid, str]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        bus.subscribe(AvatarAnnounced, self._on_avatar_announced)
        bus.subscribe(NicknameReceived, self._on_nickname_received)
        bus.subscribe(AccountRemoved, self._on_account_removed)
        bus.subscribe(SessionStarted, self._on_session_started)

    # --- queries ---------------------------------------------------------------------

    def avatar(self, account: AccountId, jid: Jid) -> Path | None:
        """The cached picture of ``jid`` (a contact or the account itself), or None."""
        known = self._known_avatars(account).get(jid.bare)
        return None if known is None else self._files.path(known[0])

    def nickname(self, account: AccountId, jid: Jid) -> str:
        """The nickname ``jid`` published ("" when none is known)."""
        return self._known_nicks(account).get(jid.bare, "")

    async def fetch_vcard(self, account: AccountId, jid: Jid) -> VCard:
        """Fetch ``jid``'s vCard (our own when it is the account's address).

        Raises:
            NotConnected: If the account is offline.
            ProfileError: If the server refused or the card is malformed.
        """
        own = self._accounts.config(account).jid.bare
        xmpp = self._accounts.online_xmpp(account)
        return await xmpp.profiles.fetch_vcard(None if jid.bare == own else jid.bare)

    # --- commands --------------------------------------------------------------------

    async def set_avatar(self, account: AccountId, image: bytes, width: int, height: int) -> None:
        """Publish a (already scaled) picture as our avatar.

        Raises:
            NotConnected: If the account is offline.
            ProfileError: If it is no image, too big, or the server refused it.
        """
        kind = image_type(image)
        if kind is None or len(image) > MAX_AVATAR_BYTES:
            raise ProfileError("the avatar must be an image of at most 1 MB")
        xmpp = self._accounts.online_xmpp(account)
        digest = await xmpp.profiles.publish_avatar(image, kind, width, height)
        self._apply(
            account, self._accounts.config(account).jid.bare, digest, AvatarSource.PEP, image
        )

    async def remove_avatar(self, account: AccountId) -> None:
        """Stop showing an avatar to our contacts.

        Raises:
            NotConnected: If the account is offline.
        """
        await self._accounts.online_xmpp(account).profiles.remove_avatar()
        self._apply(account, self._accounts.config(account).jid.bare, "", AvatarSource.PEP)

    async def set_nickname(self, account: AccountId, nick: str) -> None:
        """Publish our nickname ("" removes it).

        Raises:
            NotConnected: If the account is offline.
        """
        nick = " ".join(nick.split())[:MAX_NICKNAME_CHARS]
        await self._accounts.online_xmpp(account).profiles.publish_nickname(nick)
        self._remember_nick(account, self._accounts.config(account).jid.bare, nick)

    async def set_vcard(self, account: AccountId, card: VCard) -> None:
        """Replace our vCard's basic fields (the photo is kept).

        Raises:
            NotConnected: If the account is offline.
        """
        await self._accounts.online_xmpp(account).profiles.set_vcard(card)

    async def set_room_avatar(self, account: AccountId, room: Jid, image: bytes) -> None:
        """Put a (already scaled) picture in a room's vCard; we must own the room.

        Raises:
            NotConnected: If the account is offline.
            ProfileError: If it is no image, too big, or the room refused it.
        """
        kind = image_type(image)
        if kind is None or len(image) > MAX_AVATAR_BYTES:
            raise ProfileError("the avatar must be an image of at most 1 MB")
        xmpp = self._accounts.online_xmpp(account)
        digest = await xmpp.profiles.set_room_avatar(room.bare, image, kind)
        self._apply(account, room.bare, digest, AvatarSource.VCARD, image)

    # --- handlers --------------------------------------------------------------------

    def _on_session_started(self, event: SessionStarted) -> None:
        """Our nickname goes with subscription requests: the stored one at once,
        then the one our PEP node holds (another client may have changed it)."""
        xmpp = self._accounts.xmpp(event.account)
        if xmpp is None:
            return
        own = event.bound.bare
        xmpp.profiles.own_nick = self.nickname(event.account, own)
        if not event.resumed:
            self._spawn(self._reload_own_nick(event.account, own))

    async def _reload_own_nick(self, account: AccountId, own: Jid) -> None:
        try:
            nick = await self._accounts.online_xmpp(account).profiles.fetch_own_nickname()
        except (NotConnected, ProfileError) as exc:
            log.info("own nickname not fetched: %s", exc)
            return
        self._remember_nick(account, own, nick)

    def _on_avatar_announced(self, event: AvatarAnnounced) -> None:
        account, jid, digest = event.account, event.jid.bare, event.hash
        known = self._known_avatars(account).get(jid)
        if known is not None and known[0] == digest and self._files.path(digest):
            return
        if not digest:
            if event.source is AvatarSource.VCARD and known and known[1] is AvatarSource.PEP:
                return  # a vCard without photo does not hide a PEP avatar
            if known is not None:
                self._apply(account, jid, "", event.source)
            return
        if self._files.path(digest) is not None:
            self._apply(account, jid, digest, event.source)  # cached: fetched once per hash
            return
        key = (account, jid, digest)
        if key in self._fetching:
            return
        self._fetching.add(key)
        task = self._spawn(self._fetch(account, jid, digest, event.source))
        task.add_done_callback(lambda _t: self._fetching.discard(key))

    async def _fetch(self, account: AccountId, jid: Jid, digest: str, source: AvatarSource) -> None:
        try:
            xmpp = self._accounts.online_xmpp(account)
            data = await xmpp.profiles.fetch_avatar(jid, digest, source)
            verify_avatar(data, digest)
        except NotConnected:
            return
        except ProfileError as exc:
            log.warning("avatar %s of %s refused: %s", digest[:12], jid, exc)
            return
        self._apply(account, jid, digest, source, data)

    def _on_nickname_received(self, event: NicknameReceived) -> None:
        self._remember_nick(event.account, event.jid.bare, event.nick)

    def _on_account_removed(self, event: AccountRemoved) -> None:
        self._avatars.pop(event.account, None)
        self._nicks.pop(event.account, None)

    # --- internals -------------------------------------------------------------------

    def _apply(
        self,
        account: AccountId,
        jid: Jid,
        digest: str,
        source: AvatarSource,
        data: bytes | None = None,
    ) -> None:
        """Cache, remember, then publish."""
        path = None
        if digest:
            path = self._files.put(digest, data) if data is not None else self._files.path(digest)
        self._repo.set_avatar(account, jid, digest, source)
        avatars = self._known_avatars(account)
        if digest:
            avatars[jid] = (digest, source)
        else:
            avatars.pop(jid, None)
        log.info("avatar of %s: %s", jid, digest[:12] or "none")
        self._bus.publish(AvatarChanged(account, jid, path))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _remember_nick(self, account: AccountId, jid: Jid, nick: str) -> None:
        self._set_own_nick(account, jid, nick)
        nicks = self._known_nicks(account)
        if nicks.get(jid, "") == nick:
            return
        self._repo.set_nickname(account, jid, nick)
        if nick:
            nicks[jid] = nick
        else:
            nicks.pop(jid, None)
        self._bus.publish(NicknameChanged(account, jid, nick))

    def _set_own_nick(self, account: AccountId, jid: Jid, nick: str) -> None:
        """Keep the nickname our subscription requests carry up to date."""
        xmpp = self._accounts.xmpp(account)
        try:
            own = self._accounts.config(account).jid.bare
        except AccountNotFound:
            return
        if xmpp is not None and jid == own:
            xmpp.profiles.own_nick = nick

    def _known_avatars(self, account: AccountId) -> dict[Jid, tuple[str, AvatarSource]]:
        if account not in self._avatars:
            self._avatars[account] = self._repo.avatars(account)
        return self._avatars[account]

    def _known_nicks(self, account: AccountId) -> dict[Jid, str]:
        if account not in self._nicks:
            self._nicks[account] = self._repo.nicknames(account)
        return self._nicks[account]
