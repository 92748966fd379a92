"""RoomsPresenter: the group chat shown in the chat view, and the room commands.

Owns what the window shows of rooms beyond their messages: the state of every
room (``RoomStateChanged``, for the join dialog and the room header), the open
room's occupant list (one ``OccupantListModel``, fed from ``OccupantsChanged``
batches of that room only), its subject, our own occupant and what it allows
(``room_rights``), and notices to show in the room (kicks, bans, configuration
changes, declined invitations, a pending membership request). Notices of a room
that is not open wait until it is. Commands go to ``RoomService``; those that
wait for the server are coroutines raising ``SiproxylinError`` for the view to
show. No widgets: a QObject for its signals. Imports ``domain``, ``core`` and
``gui``.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress

from PySide6.QtCore import QObject, Signal

from siproxylin.core.services.rooms import RoomService
from siproxylin.domain.errors import AccountNotFound, NotConnected, RoomError
from siproxylin.domain.events import (
    AccountRemoved,
    BookmarksChanged,
    OccupantsChanged,
    RoomNotice,
    RoomStateChanged,
    RoomSubjectChanged,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    Affiliation,
    MembershipOutcome,
    Occupant,
    Role,
    RoomConfig,
    RoomState,
)
from siproxylin.gui.bridge import EventBridge
from siproxylin.gui.models.occupants import OccupantListModel
from siproxylin.gui.presenters.room_rights import (
    OccupantAction,
    Rights,
    allowed_actions,
    rights_of,
)

Room = tuple[AccountId, Jid]

MEMBERSHIP_PENDING = (
    "Your membership request was sent. An admin of the room has to approve it before you can enter."
)
MEMBERSHIP_GRANTED = "You are a member of the room now; joining."
STATE_TEXT = {
    RoomState.JOINING: "joining…",
    RoomState.JOINED: "joined",
    RoomState.LEFT: "not joined",
    RoomState.FAILED: "could not join",
}


class RoomsPresenter(QObject):
    """Room states, the open room's occupants and subject, and room commands."""

    state_changed = Signal(object)  # RoomStateChanged of any room
    listing_changed = Signal(object)  # AccountId: its rooms, their names or states changed
    room_changed = Signal()  # the open room's state, subject, own nick or rights changed
    notice = Signal(str)  # a sentence to show in the open room

    def __init__(self, rooms: RoomService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rooms = rooms
        self.occupants = OccupantListModel(self)
        self._room: Room | None = None
        self._states: dict[Room, RoomStateChanged] = {}
        self._waiting: dict[Room, list[str]] = {}  # notices of rooms not open
        self._pending_membership: set[Room] = set()
        self._subject = ""
        self._rights = Rights()

    def register(self, bridge: EventBridge) -> None:
        """Subscribe the handlers to the bridge."""
        bridge.register(RoomStateChanged, self._on_state_changed)
        bridge.register(OccupantsChanged, self._on_occupants_changed)
        bridge.register(RoomSubjectChanged, self._on_subject_changed)
        bridge.register(RoomNotice, self._on_notice)
        bridge.register(AccountRemoved, self._on_account_removed)
        bridge.register(BookmarksChanged, self._on_bookmarks_changed)

    # --- queries -----------------------------------------------------------------

    @property
    def room(self) -> Room | None:
        """(account, room) of the open room, or None."""
        return self._room

    @property
    def subject(self) -> str:
        """The open room's subject."""
        return self._subject

    def state(self, account: AccountId, room: Jid) -> RoomState:
        """Where we are with a room."""
        return self._rooms.state(account, room.bare)

    def last_state(self, account: AccountId, room: Jid) -> RoomStateChanged | None:
        """The last state change of a room seen here (with its reason), if any."""
        return self._states.get((account, room.bare))

    def membership_pending(self, account: AccountId, room: Jid) -> bool:
        """True after a members-only room took our request and before we got in."""
        return (account, room.bare) in self._pending_membership

    def state_text(self, account: AccountId, room: Jid) -> str:
        """Short text for a room's state: "joined", "joining…", "banned"..."""
        if self.membership_pending(account, room):
            return "membership requested"
        state = self.state(account, room)
        last = self._states.get((account, room.bare))
        if state in (RoomState.FAILED, RoomState.LEFT) and last is not None and last.reason:
            return last.reason.value.replace("-", " ")
        return STATE_TEXT[state]

    def title(self, account: AccountId, room: Jid) -> str:
        """The room's name as remembered, or its address's local part."""
        with suppress(AccountNotFound):
            for stored in self._rooms.stored_rooms(account):
                if stored.room == room.bare and stored.name:
                    return stored.name
        return room.local or str(room)

    def listed_rooms(self, account: AccountId) -> dict[Jid, str]:
        """Rooms to list for an account, with their names: remembered ones, those we
        are in or joining, and those that refused or removed us (to say why)."""
        listed: dict[Jid, str] = {}
        with suppress(AccountNotFound):
            for stored in self._rooms.stored_rooms(account):
                listed[stored.room] = stored.name
        for (acc, room), event in self._states.items():
            if acc != account or room in listed:
                continue
            state = self._rooms.state(acc, room)
            if state is not RoomState.LEFT or event.reason is not None:
                listed[room] = ""
        for acc, room in self._pending_membership:
            if acc == account:
                listed.setdefault(room, "")
        return listed

    def occupant_in(self, account: AccountId, address: Jid) -> Occupant | None:
        """The occupant ``room@service/nick`` of a room we are in, if present."""
        return self._rooms.occupant(account, address.bare, address.resource)

    def own(self) -> Occupant | None:
        """Our own occupant in the open room."""
        if self._room is None:
            return None
        account, room = self._room
        return self._rooms.occupant(account, room, self._rooms.nick(account, room))

    def nick(self) -> str:
        """Our nick in the open room."""
        return self._rooms.nick(*self._room) if self._room is not None else ""

    def rights(self) -> Rights:
        """What we may do in the open room."""
        return rights_of(self.own())

    def actions_for(self, target: Occupant) -> list[OccupantAction]:
        """The commands we may give about ``target`` in the open room."""
        return allowed_actions(self.own(), target)

    def default_nick(self, account: AccountId) -> str:
        """The nick a join uses when none is given."""
        try:
            return self._rooms.default_nick(account)
        except AccountNotFound:
            return ""

    # --- commands ----------------------------------------------------------------

    def set_room(self, room: Room | None) -> None:
        """The room shown in the chat view (None: a 1:1 conversation or nothing)."""
        if room is not None:
            room = (room[0], room[1].bare)
        if room == self._room:
            return
        self._room = room
        if room is None:
            self.occupants.clear()
            self._subject = ""
        else:
            self.occupants.set_occupants(self._rooms.occupants(*room))
            self._subject = self._rooms.subject(*room)
        self._rights = self.rights()
        self.room_changed.emit()
        if room is not None:
            for text in self._waiting.pop(room, []):
                self.notice.emit(text)

    async def join(
        self,
        account: AccountId,
        room: Jid,
        nick: str = "",
        password: str = "",
        remember: bool = True,
    ) -> None:
        """Enter a room; the outcome arrives as ``state_changed``."""
        self._pending_membership.discard((account, room.bare))
        await self._rooms.join(account, room, nick, password, remember)

    async def rejoin(self, account: AccountId, room: Jid) -> None:
        """Enter a room again with the nick and password used before."""
        room = room.bare
        stored = next((r for r in self._rooms.stored_rooms(account) if r.room == room), None)
        nick = self._rooms.nick(account, room) or (stored.nick if stored is not None else "")
        password = stored.password if stored is not None else ""
        await self.join(account, room, nick, password, remember=stored is not None)

    async def forget(self, account: AccountId, room: Jid) -> None:
        """Drop a room we are not in from the remembered ones (a refused join)."""
        if self.state(account, room) in (RoomState.JOINED, RoomState.JOINING):
            return
        self._states.pop((account, room.bare), None)
        self.listing_changed.emit(account)
        with suppress(NotConnected):  # forgotten all the same
            await self._rooms.leave(account, room, forget=True)

    def is_remembered(self, account: AccountId, room: Jid) -> bool:
        """True when the room is stored (bookmarked or joined with "remember")."""
        with suppress(AccountNotFound):
            return any(r.room == room.bare for r in self._rooms.stored_rooms(account))
        return False

    async def create(
        self, account: AccountId, room: Jid, nick: str, config: RoomConfig, remember: bool = True
    ) -> None:
        """Create and configure a room (fails if it exists)."""
        await self._rooms.create(account, room, nick, config, remember)

    async def leave(self, account: AccountId, room: Jid) -> None:
        """Leave a room and forget it (its bookmark too)."""
        self._pending_membership.discard((account, room.bare))
        self._states.pop((account, room.bare), None)
        self.listing_changed.emit(account)
        await self._rooms.leave(account, room, forget=True)

    async def request_membership(self, account: AccountId, room: Jid, nick: str = "") -> None:
        """Ask a members-only room for membership; joins at once when granted."""
        outcome = await self._rooms.request_membership(account, room, nick)
        key = (account, room.bare)
        if outcome is MembershipOutcome.PENDING:
            self._pending_membership.add(key)
            self._tell(key, MEMBERSHIP_PENDING)
            self.listing_changed.emit(account)
            if key == self._room:
                self.room_changed.emit()
            return
        self._pending_membership.discard(key)
        self._tell(key, MEMBERSHIP_GRANTED)
        await self._rooms.join(account, room, nick)

    def set_subject(self, subject: str) -> None:
        """Change the open room's subject (the room's echo updates it here)."""
        if self._room is not None:
            self._rooms.set_subject(*self._room, subject)

    def change_nick(self, nick: str) -> None:
        """Ask for another nick in the open room."""
        if self._room is not None and nick:
            self._rooms.change_nick(*self._room, nick)

    def invite(self, invitee: Jid, reason: str = "") -> None:
        """Invite someone to the open room (XEP-0249)."""
        if self._room is not None:
            self._rooms.invite(*self._room, invitee.bare, reason)

    async def act(self, action: OccupantAction, target: Occupant, reason: str = "") -> None:
        """Kick, ban, or change the role of an occupant of the open room."""
        if self._room is None:
            return
        account, room = self._room
        service = self._rooms
        if action is OccupantAction.KICK:
            await service.kick(account, room, target.nick, reason)
        elif action is OccupantAction.BAN:
            if target.real_jid is not None:
                await service.ban(account, room, target.real_jid.bare, reason)
        else:
            role = {
                OccupantAction.GRANT_VOICE: Role.PARTICIPANT,
                OccupantAction.REVOKE_VOICE: Role.VISITOR,
                OccupantAction.GRANT_MODERATOR: Role.MODERATOR,
                OccupantAction.REVOKE_MODERATOR: Role.PARTICIPANT,
            }[action]
            await service.set_role(account, room, target.nick, role, reason)

    async def moderate(self, account: AccountId, room: Jid, stanza_id: str, reason: str) -> None:
        """Remove someone's message for everyone (we must be moderator)."""
        await self._rooms.moderate(account, room, stanza_id, reason)

    # --- handlers ----------------------------------------------------------------

    def _on_state_changed(self, events: Sequence[RoomStateChanged]) -> None:
        changed = False
        for event in events:
            key = (event.account, event.room.bare)
            self._states[key] = event
            if event.state is RoomState.JOINED:
                self._pending_membership.discard(key)
            if event.reason is not None and not (
                event.reason is RoomError.MEMBERS_ONLY and key in self._pending_membership
            ):
                self._tell(key, event.text)
            if key == self._room:
                changed = True
                self._rights = self.rights()
                if event.state is not RoomState.JOINED:
                    self.occupants.set_occupants(self._rooms.occupants(*key))
            self.state_changed.emit(event)
        for account in dict.fromkeys(event.account for event in events):
            self.listing_changed.emit(account)
        if changed:
            self.room_changed.emit()

    def _on_occupants_changed(self, events: Sequence[OccupantsChanged]) -> None:
        if self._room is None:
            return
        account, room = self._room
        touched = False
        for event in events:
            if event.account == account and event.room == room:
                self.occupants.apply(event.present, event.left, event.complete)
                touched = True
        if touched:
            rights = self.rights()
            if rights != self._rights:
                self._rights = rights
                self.room_changed.emit()

    def _on_subject_changed(self, events: Sequence[RoomSubjectChanged]) -> None:
        for event in events:
            if (event.account, event.room.bare) == self._room and event.subject != self._subject:
                self._subject = event.subject
                self.room_changed.emit()

    def _on_bookmarks_changed(self, events: Sequence[BookmarksChanged]) -> None:
        for account in dict.fromkeys(event.account for event in events):
            self.listing_changed.emit(account)

    def _on_notice(self, events: Sequence[RoomNotice]) -> None:
        for event in events:
            self._tell((event.account, event.room.bare), event.text)

    def _on_account_removed(self, events: Sequence[AccountRemoved]) -> None:
        gone = {event.account for event in events}
        for key in [key for key in self._states if key[0] in gone]:
            del self._states[key]
        self._pending_membership = {k for k in self._pending_membership if k[0] not in gone}
        if self._room is not None and self._room[0] in gone:
            self.set_room(None)

    def _tell(self, room: Room, text: str) -> None:
        if not text:
            return
        if room == self._room:
            self.notice.emit(text)
        else:
            waiting = self._waiting.setdefault(room, [])
            if text not in waiting:
                waiting.append(text)


def affiliation_text(affiliation: Affiliation) -> str:
    """An affiliation in words for menus and tooltips."""
    return {
        Affiliation.OWNER: "owner",
        Affiliation.ADMIN: "admin",
        Affiliation.MEMBER: "member",
        Affiliation.OUTCAST: "banned",
        Affiliation.NONE: "no affiliation",
    }[affiliation]
