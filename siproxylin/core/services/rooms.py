"""Group chats: joined rooms, their occupants and subjects, bookmarks, invitations.

Owns the rules: a room joined with "remember" is stored and bookmarked (XEP-0402)
and rejoined on every login; every room we are in is rejoined after a fresh (not
resumed) login and after a self-ping found us dropped, but never after a kick or
a ban; XEP-0048 bookmarks found on the server are copied to XEP-0402 once per
account; invitations become decisions for the user; a subject is stored before
``RoomSubjectChanged`` is published. Occupants are kept in memory, one dict per
room keyed by nick, and each batch of presences from the adapter becomes one
``OccupantsChanged``. Imports ``domain`` and ``core`` only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, replace
from typing import Any

from siproxylin.core.accounts import AccountManager
from siproxylin.core.bus import EventBus
from siproxylin.core.decisions import Decisions
from siproxylin.core.ports import RoomRepo, XmppSession
from siproxylin.domain.errors import (
    NotConnected,
    RoomError,
    RoomOperationFailed,
    SiproxylinError,
)
from siproxylin.domain.events import (
    AccountRemoved,
    AccountStateChanged,
    BookmarksChanged,
    BookmarksReceived,
    InvitationDeclined,
    InvitationReceived,
    OccupantsChanged,
    OccupantsReceived,
    RoomJoined,
    RoomJoinFailed,
    RoomLeft,
    RoomNotice,
    RoomNoticeReceived,
    RoomStateChanged,
    RoomSubjectChanged,
    RoomSubjectReceived,
    SessionStarted,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    Affiliation,
    Bookmark,
    ConnectionState,
    DecisionKind,
    Invitation,
    MembershipOutcome,
    Occupant,
    Role,
    RoomConfig,
    RoomSettings,
    RoomState,
)

log = logging.getLogger(__name__)

_NOTICES = {
    100: "Everyone in this room can see your address.",
    104: "The room's configuration changed.",
    170: "The room's messages are now archived.",
    171: "The room's messages are no longer archived.",
    172: "The room is now non-anonymous: everyone can see your address.",
    173: "The room is now semi-anonymous: moderators can see your address.",
    174: "The room is now fully anonymous.",
}
# Removals after which we do not rejoin by ourselves.
_FINAL_EXITS = frozenset(
    {
        RoomError.KICKED,
        RoomError.BANNED,
        RoomError.AFFILIATION_LOST,
        RoomError.MEMBERS_ONLY_NOW,
        RoomError.DESTROYED,
    }
)

_Key = tuple[AccountId, Jid]


@dataclass(slots=True)
class _Room:
    """What we know of one room at run time."""

    nick: str
    password: str = ""
    state: RoomState = RoomState.JOINING
    wanted: bool = True  # rejoin after a fresh login or a drop
    subject: str = ""
    occupants: dict[str, Occupant] | None = None


class RoomService:
    """Keeps every account's group chats (see the module doc)."""

    def __init__(
        self,
        bus: EventBus,
        accounts: AccountManager,
        repo: RoomRepo,
        decisions: Decisions,
    ) -> None:
        self._bus = bus
        self._accounts = accounts
        self._repo = repo
        self._decisions = decisions
        self._rooms: dict[_Key, _Room] = {}
        for kind, handler in (
            (SessionStarted, self._on_session_started),
            (AccountStateChanged, self._on_account_state_changed),
            (AccountRemoved, self._on_account_removed),
            (OccupantsReceived, self._on_occupants),
            (RoomJoined, self._on_joined),
            (RoomJoinFailed, self._on_join_failed),
            (RoomLeft, self._on_left),
            (RoomSubjectReceived, self._on_subject),
            (InvitationReceived, self._on_invitation),
            (InvitationDeclined, self._on_declined),
            (RoomNoticeReceived, self._on_notice),
            (BookmarksReceived, self._on_bookmarks),
        ):
            bus.subscribe(kind, handler)  # type: ignore[arg-type]

    # --- queries -------------------------------------------------------------------

    def occupants(self, account: AccountId, room: Jid) -> list[Occupant]:
        """The occupants of a joined room, in arrival order (empty when not joined)."""
        entry = self._rooms.get((account, room.bare))
        if entry is None or entry.occupants is None:
            return []
        return list(entry.occupants.values())

    def occupant(self, account: AccountId, room: Jid, nick: str) -> Occupant | None:
        """One occupant by nick."""
        entry = self._rooms.get((account, room.bare))
        if entry is None or entry.occupants is None:
            return None
        return entry.occupants.get(nick)

    def joined_rooms(self, account: AccountId) -> list[Jid]:
        """Rooms the account is in now."""
        return [
            room
            for (acc, room), entry in self._rooms.items()
            if acc == account and entry.state is RoomState.JOINED
        ]

    def state(self, account: AccountId, room: Jid) -> RoomState:
        """Where we are with a room (LEFT when unknown)."""
        entry = self._rooms.get((account, room.bare))
        return entry.state if entry is not None else RoomState.LEFT

    def nick(self, account: AccountId, room: Jid) -> str:
        """Our nick in a room, or an empty string."""
        entry = self._rooms.get((account, room.bare))
        return entry.nick if entry is not None else ""

    def subject(self, account: AccountId, room: Jid) -> str:
        """A room's subject: the live one, or the last one stored."""
        entry = self._rooms.get((account, room.bare))
        if entry is not None and entry.subject:
            return entry.subject
        stored = self._stored(account, room.bare)
        return stored.subject if stored is not None else ""

    def stored_rooms(self, account: AccountId) -> list[RoomSettings]:
        """Rooms kept across restarts (remembered or bookmarked)."""
        return self._repo.rooms(account)

    def default_nick(self, account: AccountId) -> str:
        """The nick used when none is given: the account's local part."""
        jid = self._accounts.config(account).jid
        return jid.local or jid.domain

    # --- commands ------------------------------------------------------------------

    async def join(
        self,
        account: AccountId,
        room: Jid,
        nick: str = "",
        password: str = "",
        remember: bool = True,
        config: RoomConfig | None = None,
    ) -> None:
        """Enter a room; its state then moves through ``RoomStateChanged``.

        Args:
            account: The account.
            room: The room's address.
            nick: Our nick (default: the account's local part).
            password: The room's password, if any.
            remember: Keep it across restarts: stored, bookmarked (XEP-0402) with
                autojoin, and rejoined on login.
            config: Settings to apply if the join creates the room.

        Raises:
            NotConnected: The account is offline.
        """
        xmpp = self._accounts.online_xmpp(account)
        room = room.bare
        nick = nick or self.default_nick(account)
        if remember:
            stored = self._stored(account, room)
            settings = RoomSettings(
                room,
                nick,
                password,
                name=stored.name if stored else (config.name if config else ""),
                autojoin=True,
                bookmarked=True,
                subject=stored.subject if stored else "",
            )
            self._repo.save_room(account, settings)
            self._publish_bookmarks(account)
            self._spawn(account, self._publish_bookmark(xmpp, settings))
        await self._join(account, xmpp, room, nick, password, config)

    async def create(
        self,
        account: AccountId,
        room: Jid,
        nick: str = "",
        config: RoomConfig | None = None,
        remember: bool = True,
    ) -> None:
        """Create a room and configure it as soon as the service made it (status 201).

        Raises:
            NotConnected: The account is offline.
            RoomOperationFailed: The room already exists.
        """
        info = await self._accounts.online_xmpp(account).room_info(room.bare)
        if info.exists:
            raise RoomOperationFailed(RoomError.NOT_ALLOWED, "The room already exists.")
        await self.join(account, room, nick, config.password if config else "", remember, config)

    async def leave(self, account: AccountId, room: Jid, forget: bool = True) -> None:
        """Leave a room; with ``forget`` it is also unstored and unbookmarked.

        Raises:
            NotConnected: The account is offline (the room is still forgotten).
        """
        room = room.bare
        entry = self._rooms.get((account, room))
        if entry is not None:
            entry.wanted = False
        stored = self._stored(account, room)
        if forget and stored is not None:
            self._repo.remove_room(account, room)
            self._publish_bookmarks(account)
        xmpp = self._accounts.online_xmpp(account)
        if forget and stored is not None and stored.bookmarked:
            self._spawn(account, self._retract_bookmark(xmpp, room))
        xmpp.leave_room(room)

    def set_subject(self, account: AccountId, room: Jid, subject: str) -> None:
        """Change a room's subject (the room's echo updates it here)."""
        self._accounts.online_xmpp(account).set_subject(room.bare, subject)

    def change_nick(self, account: AccountId, room: Jid, nick: str) -> None:
        """Ask for another nick in a joined room."""
        self._accounts.online_xmpp(account).change_nick(room.bare, nick)

    async def kick(self, account: AccountId, room: Jid, nick: str, reason: str = "") -> None:
        """Remove an occupant from the room (role none)."""
        await self.set_role(account, room, nick, Role.NONE, reason)

    async def ban(self, account: AccountId, room: Jid, jid: Jid, reason: str = "") -> None:
        """Ban a user (affiliation outcast)."""
        await self.set_affiliation(account, room, jid, Affiliation.OUTCAST, reason)

    async def set_role(
        self, account: AccountId, room: Jid, nick: str, role: Role, reason: str = ""
    ) -> None:
        """Change an occupant's role (voice, moderator, kick)."""
        await self._accounts.online_xmpp(account).set_role(room.bare, nick, role, reason)

    async def set_affiliation(
        self, account: AccountId, room: Jid, jid: Jid, affiliation: Affiliation, reason: str = ""
    ) -> None:
        """Change a user's affiliation (member, admin, owner, ban, none)."""
        await self._accounts.online_xmpp(account).set_affiliation(
            room.bare, jid.bare, affiliation, reason
        )

    def invite(
        self, account: AccountId, room: Jid, invitee: Jid, reason: str = "", direct: bool = True
    ) -> None:
        """Invite someone: XEP-0249 (direct) or through the room (mediated)."""
        self._accounts.online_xmpp(account).invite(room.bare, invitee, reason, direct)

    async def request_membership(
        self, account: AccountId, room: Jid, nick: str = ""
    ) -> MembershipOutcome:
        """Ask a members-only room for membership (register with it).

        Returns:
            MEMBER when the room registered us, PENDING when an admin must approve.

        Raises:
            RoomOperationFailed: The room refused the request.
        """
        return await self._accounts.online_xmpp(account).request_membership(
            room.bare, nick or self.default_nick(account)
        )

    async def moderate(
        self, account: AccountId, room: Jid, stanza_id: str, reason: str = ""
    ) -> None:
        """Retract someone's message in a room where we are moderator (XEP-0425).

        Raises:
            RoomOperationFailed: We are not moderator, or the room refused.
        """
        entry = self._rooms.get((account, room.bare))
        own = None
        if entry is not None and entry.occupants is not None:
            own = entry.occupants.get(entry.nick)
        if own is None or own.role is not Role.MODERATOR:
            raise RoomOperationFailed(RoomError.FORBIDDEN, "Only moderators can do this.")
        await self._accounts.online_xmpp(account).moderate(room.bare, stanza_id, reason)

    def answer_invitation(self, account: AccountId, invitation: Invitation, accept: bool) -> None:
        """Join (remembered) or decline an invitation (declines reach mediated inviters)."""
        xmpp = self._accounts.online_xmpp(account)
        if accept:
            self._spawn(account, self.join(account, invitation.room, "", invitation.password))
        elif invitation.mediated:
            xmpp.decline_invitation(invitation.room, invitation.inviter)

    # --- login ---------------------------------------------------------------------

    async def _after_login(self, account: AccountId, xmpp: XmppSession) -> None:
        """Rejoin what we were in and what is remembered; then sync bookmarks."""
        targets: dict[Jid, tuple[str, str]] = {}
        for (acc, room), entry in self._rooms.items():
            if acc == account and entry.wanted:
                targets[room] = (entry.nick, entry.password)
        for stored in self._repo.rooms(account):
            if stored.autojoin and stored.room not in targets:
                targets[stored.room] = (stored.nick, stored.password)
        for room, (nick, password) in targets.items():
            await self._join(account, xmpp, room, nick, password, None)
        try:
            await self._convert_legacy_bookmarks(account, xmpp)
            bookmarks = await xmpp.bookmarks()
        except SiproxylinError as exc:
            log.info("bookmarks of account %s not available: %s", account, exc)
            return
        for room in self._merge_bookmarks(account, bookmarks):
            if room not in targets:
                found = self._stored(account, room)
                if found is not None:
                    await self._join(account, xmpp, room, found.nick, found.password, None)

    async def _convert_legacy_bookmarks(self, account: AccountId, xmpp: XmppSession) -> None:
        """Copy XEP-0048 bookmarks to XEP-0402, once per account."""
        if self._repo.legacy_bookmarks_converted(account):
            return
        legacy = await xmpp.legacy_bookmarks()
        if legacy:
            present = {bookmark.room for bookmark in await xmpp.bookmarks()}
            for bookmark in legacy:
                if bookmark.room not in present:
                    await xmpp.publish_bookmark(bookmark)
        self._repo.set_legacy_bookmarks_converted(account)

    def _merge_bookmarks(
        self, account: AccountId, bookmarks: list[Bookmark], retracted: tuple[Jid, ...] = ()
    ) -> list[Jid]:
        """Store the server's bookmarks; returns the rooms to autojoin."""
        autojoin = []
        for bookmark in bookmarks:
            stored = self._stored(account, bookmark.room)
            settings = RoomSettings(
                bookmark.room,
                bookmark.nick or (stored.nick if stored else self.default_nick(account)),
                bookmark.password,
                bookmark.name,
                bookmark.autojoin,
                True,
                stored.subject if stored else "",
            )
            if settings != stored:
                self._repo.save_room(account, settings)
            if bookmark.autojoin:
                autojoin.append(bookmark.room)
        for room in retracted:
            self._repo.remove_room(account, room)
        self._publish_bookmarks(account)
        return autojoin

    # --- handlers ------------------------------------------------------------------

    def _on_session_started(self, event: SessionStarted) -> None:
        if event.resumed:
            return  # the server kept us in our rooms
        xmpp = self._accounts.xmpp(event.account)
        if xmpp is not None:
            self._spawn(event.account, self._after_login(event.account, xmpp))

    def _on_account_state_changed(self, event: AccountStateChanged) -> None:
        # While reconnecting the server may still resume the stream with us in our
        # rooms; a fresh login rejoins them anyway.
        if event.status.state not in (ConnectionState.DISABLED, ConnectionState.FAILED):
            return
        for (account, room), entry in self._rooms.items():
            if account == event.account and entry.state is not RoomState.LEFT:
                entry.occupants = None
                self._set_state(account, room, entry, RoomState.LEFT, None, "offline")

    def _on_account_removed(self, event: AccountRemoved) -> None:
        for key in [key for key in self._rooms if key[0] == event.account]:
            del self._rooms[key]

    def _on_occupants(self, event: OccupantsReceived) -> None:
        entry = self._rooms.get((event.account, event.room))
        if entry is None:
            return
        if event.complete or entry.occupants is None:
            entry.occupants = {}
        occupants = entry.occupants
        present: dict[str, Occupant] = {}
        left: list[str] = []
        renamed: list[tuple[str, str]] = []
        for change in event.changes:
            if change.occupant is None:
                occupants.pop(change.nick, None)
                present.pop(change.nick, None)
                left.append(change.nick)
                if change.new_nick:
                    renamed.append((change.nick, change.new_nick))
                continue
            occupants[change.nick] = change.occupant
            present[change.nick] = change.occupant
            if change.occupant.own and change.nick != entry.nick:
                self._own_nick_changed(event.account, event.room, entry, change.nick)
        if event.complete:
            self._bus.publish(
                OccupantsChanged(event.account, event.room, tuple(occupants.values()), (), (), True)
            )
            return
        left = [nick for nick in left if nick not in occupants]
        self._bus.publish(
            OccupantsChanged(
                event.account, event.room, tuple(present.values()), tuple(left), tuple(renamed)
            )
        )

    def _on_joined(self, event: RoomJoined) -> None:
        entry = self._entry(event.account, event.room, event.nick)
        entry.nick = event.nick
        self._set_state(event.account, event.room, entry, RoomState.JOINED)

    def _on_join_failed(self, event: RoomJoinFailed) -> None:
        entry = self._entry(event.account, event.room, event.nick)
        entry.wanted = False
        entry.occupants = None
        self._set_state(
            event.account, event.room, entry, RoomState.FAILED, event.reason, event.detail
        )

    def _on_left(self, event: RoomLeft) -> None:
        key = (event.account, event.room)
        entry = self._rooms.get(key)
        if entry is None:
            return
        entry.occupants = None
        xmpp = self._accounts.xmpp(event.account)
        if event.reason is RoomError.DROPPED and entry.wanted and xmpp is not None:
            self._set_state(event.account, event.room, entry, RoomState.LEFT, event.reason)
            self._spawn(
                event.account,
                self._join(event.account, xmpp, event.room, entry.nick, entry.password, None),
            )
            return
        if event.reason is None or event.reason in _FINAL_EXITS:
            entry.wanted = False
        detail = event.detail
        if event.actor and event.reason is not None:
            detail = f"By {event.actor}. {detail}".strip()
        self._set_state(event.account, event.room, entry, RoomState.LEFT, event.reason, detail)

    def _on_subject(self, event: RoomSubjectReceived) -> None:
        entry = self._rooms.get((event.account, event.room))
        if entry is not None:
            if entry.subject == event.subject:
                return
            entry.subject = event.subject
        self._repo.set_subject(event.account, event.room, event.subject)
        self._bus.publish(RoomSubjectChanged(event.account, event.room, event.subject, event.nick))

    def _on_invitation(self, event: InvitationReceived) -> None:
        account, invitation = event.account, event.invitation
        entry = self._rooms.get((account, invitation.room))
        if entry is not None and entry.state in (RoomState.JOINED, RoomState.JOINING):
            return  # already there
        text = f"{invitation.inviter.bare} invites you to the group chat {invitation.room}."
        if invitation.reason:
            text += f" “{invitation.reason}”"
        future = self._decisions.ask(account, DecisionKind.INVITATION, str(invitation.room), text)
        future.add_done_callback(lambda f: self._on_invitation_decided(account, invitation, f))

    def _on_invitation_decided(
        self, account: AccountId, invitation: Invitation, future: asyncio.Future[bool]
    ) -> None:
        if future.cancelled():
            return
        try:
            self.answer_invitation(account, invitation, future.result())
        except NotConnected:
            log.info("invitation answer for %s dropped: account offline", invitation.room)

    def _on_declined(self, event: InvitationDeclined) -> None:
        text = f"{event.by.bare} declined the invitation."
        if event.reason:
            text += f" “{event.reason}”"
        self._bus.publish(RoomNotice(event.account, event.room, text))

    def _on_notice(self, event: RoomNoticeReceived) -> None:
        for code in event.codes:
            text = _NOTICES.get(code)
            if text:
                self._bus.publish(RoomNotice(event.account, event.room, text))

    def _on_bookmarks(self, event: BookmarksReceived) -> None:
        autojoin = self._merge_bookmarks(event.account, list(event.bookmarks), event.retracted)
        xmpp = self._accounts.xmpp(event.account)
        if xmpp is None:
            return
        for room in autojoin:
            if (event.account, room) in self._rooms:
                continue
            stored = self._stored(event.account, room)
            if stored is not None:
                self._spawn(
                    event.account,
                    self._join(event.account, xmpp, room, stored.nick, stored.password, None),
                )

    # --- internals -----------------------------------------------------------------

    async def _join(
        self,
        account: AccountId,
        xmpp: XmppSession,
        room: Jid,
        nick: str,
        password: str,
        config: RoomConfig | None,
    ) -> None:
        entry = self._entry(account, room, nick)
        entry.nick, entry.password, entry.wanted = nick, password, True
        self._set_state(account, room, entry, RoomState.JOINING)
        await xmpp.join_room(room, nick, password, config)

    def _entry(self, account: AccountId, room: Jid, nick: str) -> _Room:
        entry = self._rooms.get((account, room))
        if entry is None:
            stored = self._stored(account, room)
            entry = _Room(nick, subject=stored.subject if stored else "")
            self._rooms[(account, room)] = entry
        return entry

    def _own_nick_changed(self, account: AccountId, room: Jid, entry: _Room, nick: str) -> None:
        entry.nick = nick
        stored = self._stored(account, room)
        if stored is not None and stored.nick != nick:
            settings = replace(stored, nick=nick)
            self._repo.save_room(account, settings)
            xmpp = self._accounts.xmpp(account)
            if stored.bookmarked and xmpp is not None:
                self._spawn(account, self._publish_bookmark(xmpp, settings))
        self._bus.publish(RoomStateChanged(account, room, entry.state, nick))

    def _set_state(
        self,
        account: AccountId,
        room: Jid,
        entry: _Room,
        state: RoomState,
        reason: RoomError | None = None,
        detail: str = "",
    ) -> None:
        entry.state = state
        self._bus.publish(RoomStateChanged(account, room, state, entry.nick, reason, detail))

    def _stored(self, account: AccountId, room: Jid) -> RoomSettings | None:
        return next((r for r in self._repo.rooms(account) if r.room == room), None)

    def _publish_bookmarks(self, account: AccountId) -> None:
        self._bus.publish(BookmarksChanged(account, tuple(self._repo.rooms(account))))

    async def _publish_bookmark(self, xmpp: XmppSession, settings: RoomSettings) -> None:
        bookmark = Bookmark(
            settings.room, settings.name, settings.nick, settings.password, settings.autojoin
        )
        try:
            await xmpp.publish_bookmark(bookmark)
        except SiproxylinError as exc:
            log.warning("bookmark for %s not saved: %s", settings.room, exc)

    async def _retract_bookmark(self, xmpp: XmppSession, room: Jid) -> None:
        try:
            await xmpp.retract_bookmark(room)
        except SiproxylinError as exc:
            log.warning("bookmark for %s not removed: %s", room, exc)

    def _spawn(self, account: AccountId, coro: Coroutine[Any, Any, Any]) -> None:
        session = self._accounts.session(account)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            session = None  # no loop runs (a synchronous caller): nothing can be awaited
        if session is None:
            coro.close()
            return
        session.spawn(coro)
