"""Group chats on one account's stream: joins, room commands, occupant batching, self-ping.

``RoomLink`` is owned by ``XmppClient``. It keeps which rooms we are joining or in
(and our nick there), turns room presences and non-chat room messages into events
through ``translate/muc.py`` (a room's own presence and disco#info announce its
avatar, read by ``translate/profiles.py``), and sends commands built by ``muc_stanzas.py``. It
uses raw stanzas, no slixmpp MUC plugin: the client's one presence handler and
one message handler feed it, so no handler is added for every stanza to match.

Occupant floods are coalesced: the presences a room sends while we join are
collected and published as one ``OccupantsReceived(complete=True)`` right before
``RoomJoined`` (when our own status-110 presence arrives); later changes are
published once per loop turn per room. XEP-0410 self-pings find rooms that lost
us silently; such a room is reported as ``RoomLeft(DROPPED)`` and the core
rejoins it.
"""

from __future__ import annotations

import asyncio
import logging
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.stanza import Message, Presence

from siproxylin.domain.errors import RoomError, RoomOperationFailed
from siproxylin.domain.events import (
    AvatarAnnounced,
    Event,
    OccupantsReceived,
    RoomJoined,
    RoomJoinFailed,
    RoomLeft,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    Affiliation,
    Bookmark,
    MembershipOutcome,
    OccupantChange,
    Role,
    RoomConfig,
    RoomInfo,
)
from siproxylin.domain.profiles import AvatarSource
from siproxylin.xmpp import muc_stanzas
from siproxylin.xmpp.translate.muc import (
    MucPresence,
    error_condition,
    form_fields,
    is_registered,
    is_room_presence,
    parse_bookmarks,
    parse_legacy_bookmarks,
    parse_room_info,
    room_error,
    translate_muc_message,
    translate_muc_presence,
)
from siproxylin.xmpp.translate.profiles import room_avatar_hash, translate_room_profile

IQ_TIMEOUT = 20.0
JOIN_TIMEOUT = 30.0
HISTORY_STANZAS = 50  # history asked of a room without an archive
SELF_PING_INTERVAL = 60.0  # seconds of silence from a room before we ping ourselves there
SELF_PING_TIMEOUT = 30.0
# Advertised through disco#info and the caps hash.
FEATURES = (
    "http://jabber.org/protocol/muc",
    "jabber:x:conference",
    "urn:xmpp:bookmarks:1+notify",
    "urn:xmpp:occupant-id:0",
)


@dataclass(slots=True)
class _Join:
    """A join under way."""

    nick: str
    password: str
    config: RoomConfig | None
    archived: bool
    occupants: list[OccupantChange] = field(default_factory=list)
    timer: asyncio.TimerHandle | None = None


class RoomLink:
    """The rooms of one stream (see the module doc)."""

    def __init__(
        self,
        stream: Any,
        account: AccountId,
        publish: Callable[[Event | None], None],
        log: logging.LoggerAdapter[logging.Logger],
        nicks: dict[Jid, str] | None = None,
    ) -> None:
        self._stream = stream
        self._account = account
        self._publish = publish
        self.log = log
        # Joined rooms -> our nick (the client shares this dict with the translators).
        self.nicks: dict[Jid, str] = {} if nicks is None else nicks
        self._joining: dict[Jid, _Join] = {}
        self._present: dict[Jid, str] = {}  # joined and joining rooms -> nick
        self._info: dict[Jid, RoomInfo] = {}
        self._avatars: dict[Jid, str] = {}  # avatar hashes from disco#info, until joined
        self._passwords: dict[Jid, str] = {}
        self._live: dict[Jid, list[OccupantChange]] = {}
        self._flush_scheduled = False
        self._activity: dict[str, float] = {}  # room (text) -> loop time of the last stanza
        self._pinger: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.self_ping_interval = SELF_PING_INTERVAL

    # --- session ---------------------------------------------------------------------

    def reset(self) -> None:
        """A fresh stream: the server has forgotten our rooms (the core rejoins)."""
        for join in self._joining.values():
            if join.timer is not None:
                join.timer.cancel()
        self.nicks.clear()
        self._joining.clear()
        self._present.clear()
        self._live.clear()
        self._activity.clear()

    def start(self) -> None:
        """The stream is up: start pinging ourselves in quiet rooms."""
        self.stop()
        self._pinger = asyncio.get_running_loop().create_task(self._self_ping_loop())

    def stop(self) -> None:
        """The stream is down: stop the self-pings."""
        if self._pinger is not None:
            self._pinger.cancel()
            self._pinger = None

    @property
    def present(self) -> dict[Jid, str]:
        """Rooms we are in or joining -> our nick there."""
        return self._present

    def exclude_from(self, stream: Any, handler_name: str) -> None:
        """Keep room presences away from one of slixmpp's handlers.

        slixmpp's own "Presence" handler copies every presence into its roster: for a
        room that would be a second, heavier copy of every occupant, and half the
        cost of a big join. Room presences belong to this class alone.
        """
        # slixmpp (pinned exactly) has no public way to list its handlers.
        for handler in vars(stream)["_XMLStream__handlers"]:
            if handler.name == handler_name:
                handler._matcher = _NotRoomPresence(handler._matcher, self._present)

    # --- incoming --------------------------------------------------------------------

    def on_presence(self, xml: ET.Element) -> None:
        """A presence for the MUC translator (see ``translate.muc.is_room_presence``)."""
        from_room = translate_room_profile(xml, self._account, self._present)
        if from_room is not None:  # the room's own presence: its avatar, no occupant
            for event in from_room:
                self._publish(event)
            return
        result = translate_muc_presence(xml, self._account, self._present)
        if not isinstance(result, MucPresence):
            if isinstance(result, RoomJoinFailed):
                self._join_failed(result)
                return
            self._publish(result)
            return
        room = result.room
        self._activity[str(room)] = time.monotonic()
        join = self._joining.get(room)
        if join is not None:
            self._joining_presence(room, join, result)
        else:
            self._joined_presence(room, result)

    def on_message(self, xml: ET.Element, own: Jid) -> bool:
        """A message with MUC parts; returns True when it was handled here."""
        event = translate_muc_message(xml, self._account, own, self._present)
        if event is None:
            return False
        self._publish(event)
        return True

    def touch(self, sender: str) -> None:
        """A stanza came from a room: it needs no self-ping for a while."""
        room = sender.partition("/")[0]
        if room in self._activity:
            self._activity[room] = time.monotonic()

    # --- commands --------------------------------------------------------------------

    async def room_info(self, room: Jid) -> RoomInfo:
        """disco#info of a room; ``exists`` is False when there is no such room yet."""
        try:
            reply = await self._iq(room, "get", muc_stanzas.disco_info())
        except RoomOperationFailed as exc:
            if exc.reason is RoomError.LOCKED:  # item-not-found: no such room
                return RoomInfo(room, exists=False)
            raise
        info = parse_room_info(room, reply)
        self._info[room] = info
        avatar = room_avatar_hash(reply)
        if avatar is not None:
            self._avatars[room] = avatar
        return info

    async def join(
        self, room: Jid, nick: str, password: str = "", config: RoomConfig | None = None
    ) -> None:
        """Enter ``room`` as ``nick``; the outcome arrives as ``RoomJoined``/``RoomJoinFailed``.

        The room's disco#info is asked first: an archived room (XEP-0313) is joined
        without history, since the archive fills it; others send some history.

        Args:
            room: The room's bare address.
            nick: The nick to use.
            password: The room's password, if any.
            config: Settings to apply if our join creates the room (status 201);
                None accepts the service's defaults (an instant room).
        """
        room = room.bare
        try:
            info = await self.room_info(room)
        except RoomOperationFailed as exc:
            self.log.info("no disco#info from %s (%s); joining anyway", room, exc.reason.value)
            info = RoomInfo(room)
        previous = self._joining.pop(room, None)
        if previous is not None and previous.timer is not None:
            previous.timer.cancel()
        join = _Join(nick, password, config, info.archived)
        loop = asyncio.get_running_loop()
        join.timer = loop.call_later(JOIN_TIMEOUT, self._join_timed_out, room, join)
        self._joining[room] = join
        self._present[room] = nick
        self._passwords[room] = password
        avatar = self._avatars.pop(room, None)
        if avatar is not None:  # XEP-0486: announced in disco#info too
            self._publish(AvatarAnnounced(self._account, room, avatar, AvatarSource.VCARD))
        max_stanzas = 0 if info.archived else HISTORY_STANZAS
        self._send_presence(
            muc_stanzas.join_presence(room.with_resource(nick), password, max_stanzas)
        )

    def leave(self, room: Jid, status: str = "") -> None:
        """Leave a room (our own unavailable presence then arrives as ``RoomLeft``)."""
        room = room.bare
        nick = self._present.get(room)
        join = self._joining.pop(room, None)
        if join is not None and join.timer is not None:
            join.timer.cancel()
        if nick is None:
            return
        self._send_presence(muc_stanzas.leave_presence(room.with_resource(nick), status))

    def change_nick(self, room: Jid, nick: str) -> None:
        """Ask for a new nick in a joined room (the 303 presences confirm it)."""
        if room.bare not in self.nicks:
            raise RoomOperationFailed(RoomError.OTHER, "not in the room")
        self._send_presence(muc_stanzas.nick_presence(room.bare.with_resource(nick)))

    def set_subject(self, room: Jid, subject: str) -> None:
        """Change the room's subject (the room echoes it as ``RoomSubjectReceived``)."""
        self._send_message(muc_stanzas.subject_message(room, subject))

    def invite(
        self, room: Jid, invitee: Jid, reason: str = "", direct: bool = True, password: str = ""
    ) -> None:
        """Invite someone: directly (XEP-0249) or through the room (XEP-0045 7.8.2)."""
        if direct:
            password = password or self._passwords.get(room.bare, "")
            element = muc_stanzas.direct_invitation(invitee, room, reason, password)
        else:
            element = muc_stanzas.mediated_invitation(room, invitee, reason)
        self._send_message(element)

    def decline(self, room: Jid, inviter: Jid, reason: str = "") -> None:
        """Decline a mediated invitation."""
        self._send_message(muc_stanzas.decline(room, inviter, reason))

    async def set_role(self, room: Jid, nick: str, role: Role, reason: str = "") -> None:
        """Change an occupant's role (``Role.NONE`` kicks)."""
        await self._iq(room.bare, "set", muc_stanzas.role_item(nick, role.value, reason))

    async def set_affiliation(
        self, room: Jid, jid: Jid, affiliation: Affiliation, reason: str = ""
    ) -> None:
        """Change a user's affiliation (``Affiliation.OUTCAST`` bans)."""
        await self._iq(room.bare, "set", muc_stanzas.affiliation_item(jid, affiliation, reason))

    async def configure(self, room: Jid, config: RoomConfig | None) -> None:
        """Apply ``config`` (None: the defaults, an instant room) as the room's owner."""
        room = room.bare
        if config is None:
            await self._iq(room, "set", muc_stanzas.instant_config())
            return
        form = await self._iq(room, "get", muc_stanzas.config_request())
        offered = form_fields(form)
        await self._iq(room, "set", muc_stanzas.config_submit(config, offered or None))

    async def request_membership(self, room: Jid, nick: str) -> MembershipOutcome:
        """Register with a room (XEP-0045 7.10) and find out whether we are a member now.

        The room may take the request without registering us yet (an admin has to
        approve it): then the outcome is ``PENDING``, never assumed granted.

        Raises:
            RoomOperationFailed: The room refused the request.
        """
        room = room.bare
        try:
            await self._iq(room, "set", muc_stanzas.registration_submit(nick))
        except RoomOperationFailed as exc:
            if exc.reason is RoomError.MEMBERS_ONLY:  # registration-required
                raise RoomOperationFailed(
                    exc.reason,
                    "The room takes no membership requests; an admin of the room has to add you.",
                ) from None
            raise
        reply = await self._iq(room, "get", muc_stanzas.registration_request())
        return MembershipOutcome.MEMBER if is_registered(reply) else MembershipOutcome.PENDING

    async def moderate(self, room: Jid, stanza_id: str, reason: str = "") -> None:
        """Ask the room to retract someone's message (XEP-0425).

        Raises:
            RoomOperationFailed: The room does not support it or refused.
        """
        room = room.bare
        info = self._info.get(room) or await self.room_info(room)
        if muc_stanzas.MODERATE_1 in info.features:
            payload = muc_stanzas.moderation(stanza_id, reason)
        elif muc_stanzas.MODERATE_0 in info.features:
            payload = muc_stanzas.moderation(stanza_id, reason, legacy=True)
        else:
            raise RoomOperationFailed(
                RoomError.NOT_ALLOWED, "The room does not support moderation."
            )
        await self._iq(room, "set", payload)

    async def bookmarks(self) -> list[Bookmark]:
        """Our XEP-0402 bookmarks (empty when there are none)."""
        try:
            reply = await self._iq(None, "get", muc_stanzas.bookmarks_request())
        except RoomOperationFailed as exc:
            if exc.reason is RoomError.LOCKED:  # item-not-found: no node yet
                return []
            raise
        return parse_bookmarks(reply)

    async def legacy_bookmarks(self) -> list[Bookmark]:
        """XEP-0048 bookmarks in private XML storage (empty when none)."""
        reply = await self._iq(None, "get", muc_stanzas.legacy_bookmarks_request())
        return parse_legacy_bookmarks(reply)

    async def publish_bookmark(self, bookmark: Bookmark) -> None:
        """Add or replace a XEP-0402 bookmark."""
        await self._iq(None, "set", muc_stanzas.bookmark_publish(bookmark))

    async def retract_bookmark(self, room: Jid) -> None:
        """Remove a XEP-0402 bookmark."""
        await self._iq(None, "set", muc_stanzas.bookmark_retract(room))

    # --- internals: presences ---------------------------------------------------------

    def _joining_presence(self, room: Jid, join: _Join, presence: MucPresence) -> None:
        change = presence.change
        if not presence.own:
            join.occupants.append(change)
            return
        if change.occupant is None:
            # Our own unavailable presence before the join finished: refused or removed.
            self._joining.pop(room, None)
            self._present.pop(room, None)
            if join.timer is not None:
                join.timer.cancel()
            reason = presence.exit or RoomError.OTHER
            self._publish(RoomJoinFailed(self._account, room, join.nick, reason, change.reason))
            return
        # Our own presence comes last (XEP-0045 7.2.3): the list is complete.
        del self._joining[room]
        if join.timer is not None:
            join.timer.cancel()
        join.occupants.append(change)
        self.nicks[room] = change.nick
        self._present[room] = change.nick
        joined: tuple[Event, ...] = (
            OccupantsReceived(self._account, room, tuple(join.occupants), True),
            RoomJoined(self._account, room, change.nick, join.archived, presence.created),
        )
        if presence.created:
            # A new room is locked until configured: report it once it is usable.
            self._spawn(self._configure_new(room, join.config, joined))
            return
        for event in joined:
            self._publish(event)

    def _joined_presence(self, room: Jid, presence: MucPresence) -> None:
        change = presence.change
        if presence.own and change.occupant is None and not change.new_nick:
            self._flush_room(room)
            self.nicks.pop(room, None)
            self._present.pop(room, None)
            self._activity.pop(str(room), None)
            self._publish(RoomLeft(self._account, room, presence.exit, change.actor, change.reason))
            return
        if presence.own and change.new_nick:
            self.nicks[room] = change.new_nick
            self._present[room] = change.new_nick
        self._live.setdefault(room, []).append(change)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        for room in list(self._live):
            self._flush_room(room)

    def _flush_room(self, room: Jid) -> None:
        changes = self._live.pop(room, None)
        if changes:
            self._publish(OccupantsReceived(self._account, room, tuple(changes), False))

    def _join_failed(self, failed: RoomJoinFailed) -> None:
        join = self._joining.pop(failed.room, None)
        if join is None:
            # An error presence in a room we are in: a refused nick change.
            self.log.warning(
                "room %s refused a presence: %s %s", failed.room, failed.reason.value, failed.detail
            )
            return
        if join.timer is not None:
            join.timer.cancel()
        self._present.pop(failed.room, None)
        self._publish(failed)

    def _join_timed_out(self, room: Jid, join: _Join) -> None:
        if self._joining.get(room) is not join:
            return
        del self._joining[room]
        self._present.pop(room, None)
        self._publish(RoomJoinFailed(self._account, room, join.nick, RoomError.TIMEOUT))

    async def _configure_new(
        self, room: Jid, config: RoomConfig | None, joined: tuple[Event, ...]
    ) -> None:
        """Unlock a room our join created (status 201): apply the config, or defaults.

        ``joined`` (the occupant list and ``RoomJoined``) is published afterwards.
        """
        try:
            await self.configure(room, config)
        except RoomOperationFailed as exc:
            self.log.warning("configuring new room %s failed (%s); using defaults", room, exc)
            try:
                await self.configure(room, None)
            except RoomOperationFailed as again:
                self.log.warning("room %s stays locked: %s", room, again)
        if room in self.nicks:
            for event in joined:
                self._publish(event)

    # --- internals: self-ping ---------------------------------------------------------

    async def _self_ping_loop(self) -> None:
        while True:
            await asyncio.sleep(max(0.05, self.self_ping_interval / 4))
            now = time.monotonic()
            for room, nick in list(self.nicks.items()):
                last = self._activity.get(str(room), 0.0)
                if now - last >= self.self_ping_interval:
                    self._activity[str(room)] = now
                    self._spawn(self._self_ping(room, nick))

    async def _self_ping(self, room: Jid, nick: str) -> None:
        """XEP-0410: ping our own occupant; an error other than "works" means we are out."""
        iq = self._stream.Iq()
        iq["type"] = "get"
        iq["to"] = str(room.with_resource(nick))
        iq.xml.append(muc_stanzas.self_ping())
        try:
            await iq.send(timeout=SELF_PING_TIMEOUT)
            return
        except IqTimeout:
            dropped = True
        except IqError as exc:
            condition, _text = error_condition(exc.iq.xml)
            # service-unavailable / feature-not-implemented: our client got the ping.
            # remote-server-*: the room is unreachable now; try again later.
            dropped = condition not in (
                "service-unavailable",
                "feature-not-implemented",
                "remote-server-not-found",
                "remote-server-timeout",
            )
        if dropped and self.nicks.get(room) == nick:
            self.log.info("self-ping: no longer in %s", room)
            self._flush_room(room)
            self.nicks.pop(room, None)
            self._present.pop(room, None)
            self._activity.pop(str(room), None)
            self._publish(RoomLeft(self._account, room, RoomError.DROPPED))

    # --- internals: sending ------------------------------------------------------------

    async def _iq(self, to: Jid | None, kind: str, payload: ET.Element) -> ET.Element | None:
        """Send an IQ and return the payload of its result.

        Raises:
            RoomOperationFailed: With the error's typed reason, or TIMEOUT.
        """
        iq = self._stream.Iq()
        iq["type"] = kind
        if to is not None:
            iq["to"] = str(to)
        iq.xml.append(payload)
        try:
            reply = await iq.send(timeout=IQ_TIMEOUT)
        except IqTimeout:
            raise RoomOperationFailed(RoomError.TIMEOUT) from None
        except IqError as exc:
            condition, text = error_condition(exc.iq.xml)
            raise RoomOperationFailed(room_error(condition), text or condition) from None
        children = list(reply.xml)
        return next((c for c in children if not c.tag.endswith("}error")), None)

    def _send_presence(self, element: ET.Element) -> None:
        Presence(self._stream, xml=element).send()

    def _send_message(self, element: ET.Element) -> None:
        Message(self._stream, xml=element).send()  # type: ignore[no-untyped-call]

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


class _NotRoomPresence:
    """A handler's matcher that also says no to presences from our rooms."""

    __slots__ = ("_inner", "_rooms")

    def __init__(self, inner: Any, rooms: dict[Jid, str]) -> None:
        self._inner = inner
        self._rooms = rooms

    def match(self, stanza: Any) -> bool:
        return bool(self._inner.match(stanza)) and not is_room_presence(stanza.xml, self._rooms)
