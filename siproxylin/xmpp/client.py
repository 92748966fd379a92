"""One account's XMPP session on top of slixmpp; the only place slixmpp's event names appear.

``XmppClient`` implements ``core.ports.XmppSession``: it owns a ``StreamClient``,
registers just the plugins it needs (each one adds a matcher that every stanza
pays for), turns slixmpp callbacks into typed events through ``translate/``,
and publishes them on the bus. It decides *why* a stream ended (auth, TLS,
network, proxy, conflict) but not what to do about it: that is the core's job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import ssl
import time
import xml.etree.ElementTree as ET
from typing import Any

from slixmpp import JID
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.plugins.xep_0198.stanza import RequestAck
from slixmpp.stanza import Message
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath, StanzaPath
from slixmpp.xmlstream.matcher.idsender import MatchIDSender

from siproxylin import __version__
from siproxylin.core.bus import EventBus
from siproxylin.core.ports import ArchivePage, OmemoKeyRepo, TrustPolicy
from siproxylin.domain.call_media import TurnServer
from siproxylin.domain.call_signals import JmiKind, SessionInfo
from siproxylin.domain.calls import Content, SessionDescription, TerminateReason
from siproxylin.domain.config import AccountConfig
from siproxylin.domain.errors import FailureReason
from siproxylin.domain.events import (
    Event,
    MessageAcked,
    MessageErrorReceived,
    ProxyNameResolved,
    SessionEnded,
    SessionStarted,
    StanzaRejected,
)
from siproxylin.domain.ids import Jid
from siproxylin.domain.models import (
    Affiliation,
    Availability,
    Bookmark,
    ChatKind,
    ChatState,
    MembershipOutcome,
    OmemoDevice,
    OutgoingMessage,
    Role,
    RoomConfig,
    RoomInfo,
    TrustLevel,
    UploadService,
    UploadSlot,
)
from siproxylin.net.guard import LeakBlocked
from siproxylin.net.network import AccountNetwork
from siproxylin.net.proxy import ProxyAuthFailed, ProxyFailed
from siproxylin.net.transfers import AccountTransfers
from siproxylin.xmpp import outgoing, profile_stanzas, registration
from siproxylin.xmpp.calls import FEATURES as CALL_FEATURES
from siproxylin.xmpp.calls import CallLink
from siproxylin.xmpp.connect import StreamClient, tls_context
from siproxylin.xmpp.mam import ArchiveQueries
from siproxylin.xmpp.muc import FEATURES as MUC_FEATURES
from siproxylin.xmpp.muc import RoomLink
from siproxylin.xmpp.omemo.link import OmemoLink
from siproxylin.xmpp.profiles import NOTIFY_FEATURES as PROFILE_FEATURES
from siproxylin.xmpp.profiles import ProfileLink
from siproxylin.xmpp.translate import mds
from siproxylin.xmpp.translate.blocking import translate_blocklist
from siproxylin.xmpp.translate.mam import RESULT as MAM_RESULT
from siproxylin.xmpp.translate.mds import translate_mds_event, translate_mds_result
from siproxylin.xmpp.translate.messages import translate_message
from siproxylin.xmpp.translate.muc import is_muc_message, is_room_presence
from siproxylin.xmpp.translate.presence import translate_presence
from siproxylin.xmpp.translate.profiles import (
    translate_presence_profile,
    translate_profile_event,
)
from siproxylin.xmpp.translate.roster import translate_roster
from siproxylin.xmpp.upload import UploadLink

_SHOW = {
    Availability.CHAT: "chat",
    Availability.AWAY: "away",
    Availability.XA: "xa",
    Availability.DND: "dnd",
}
CAPS_NODE = "urn:siproxylin:caps"
# What we understand in messages (advertised through disco#info and the caps hash).
FEATURES = (
    "urn:xmpp:carbons:2",
    "urn:xmpp:sid:0",
    "urn:xmpp:receipts",
    "urn:xmpp:chat-markers:0",
    "http://jabber.org/protocol/chatstates",
    "urn:xmpp:message-correct:0",
    "urn:xmpp:reply:0",
    "urn:xmpp:reactions:0",
    "urn:xmpp:message-retract:1",
    "urn:xmpp:message-retract:0",
    "urn:xmpp:message-moderate:1",
    "urn:xmpp:fallback:0",
    "urn:xmpp:styling:0",
    "urn:xmpp:mds:displayed:0+notify",  # our read positions, from our own PEP node
)
KEEPALIVE_INTERVAL = 60.0
KEEPALIVE_TIMEOUT = 30.0
# Archive queries wait at most this long for the offline messages released by the
# initial presence.
PRESENCE_SETTLE_TIMEOUT = 30.0
DRAIN_TIMEOUT = 5.0  # seconds a disconnect waits for messages still being encrypted
DECRYPT_DRAIN_TIMEOUT = 60.0  # seconds it then waits for received ones being decrypted


class XmppClient:
    """The XMPP session of one account (see ``core.ports.XmppSession``)."""

    def __init__(
        self,
        config: AccountConfig,
        password: str,
        bus: EventBus,
        *,
        omemo_keys: OmemoKeyRepo | None = None,
        trust: TrustPolicy | None = None,
    ) -> None:
        self._config = config
        self._bus = bus
        self._account = config.id
        self.log = logging.LoggerAdapter(
            logging.getLogger(f"siproxylin.account.{config.id}.xmpp"), {"account": config.id}
        )
        self._reason: FailureReason | None = None
        self._detail = ""
        self._online = False
        self._own = config.jid
        self._keepalive: asyncio.Task[None] | None = None
        self.network = AccountNetwork(config.id, config.proxy)
        self._presence_sent = asyncio.Event()  # the initial presence of this stream is out
        # Answered once the server delivered what the initial presence released.
        self._presence_settled: asyncio.Future[None] | None = None
        # Rooms we are in -> our nick there; group chat from other rooms is ignored.
        self._room_nicks: dict[Jid, str] = {}
        # Without XEP-0198: ids of messages that count as acknowledged once written.
        self._awaiting_write: set[str] = set()
        self._stream = StreamClient(config, password, self.network, self._on_attempt_failed)
        self._muc = RoomLink(self._stream, self._account, self._publish, self.log, self._room_nicks)
        self._archive = ArchiveQueries(
            self._stream, self._account, lambda: self._own, lambda: self._room_nicks, self._publish
        )
        self._upload = UploadLink(self._stream, lambda: self._own.domain)
        self._profiles = ProfileLink(self._stream, self.log)
        self._profiles.settled = self._settled
        self._calls = CallLink(self._stream, self._account, lambda: self._own, self._publish)
        self._setup()
        # OMEMO needs the account's key store; without one nothing is encrypted.
        self._omemo: OmemoLink | None = None
        if omemo_keys is not None:
            self._omemo = OmemoLink(
                self._stream,
                self._account,
                lambda: self._own,
                self._room_nicks,
                self._publish,
                omemo_keys,
                trust,
            )
            self._archive.decrypt = self._omemo.decrypt_archived

    # --- XmppSession -----------------------------------------------------------------

    @property
    def online(self) -> bool:
        """True while an authenticated stream is up."""
        return self._online

    @property
    def stream(self) -> StreamClient:
        """The underlying slixmpp client (for tests and diagnostics)."""
        return self._stream

    async def connect(self) -> None:
        """Start one connection attempt (or a XEP-0198 resumption)."""
        self._reason, self._detail = None, ""
        if self.network.proxied and not self.network.proxy_resolved:
            try:
                address = await self.network.resolve_proxy()
            except ProxyFailed as exc:
                self._bus.publish(SessionEnded(self._account, FailureReason.PROXY, str(exc)))
                return
            if address:
                self._bus.publish(
                    ProxyNameResolved(self._account, self._config.proxy.host, address)
                )
        self._stream.start()

    async def disconnect(self) -> None:
        """Close the stream and give up the resumable session.

        Messages still being encrypted are written first (for a few seconds at
        most); received ones still being decrypted are published after the stream
        is closed (a minute at most). A message that did not reach the server's acknowledgement (or,
        without XEP-0198, the socket) stays unacknowledged in the store and is
        sent again after the next login.
        """
        if self._omemo is not None and self._online:
            await self._omemo.drain_sends(DRAIN_TIMEOUT)
        self._online = False
        self._stop_keepalive()
        self._stream.cancel_connection_attempt()
        smacks = self._stream.plugin["xep_0198"]
        if self._stream.transport is not None:
            await self._stream.disconnect(wait=2.0)
        smacks.sm_id = None  # a deliberate disconnect is not resumed later
        smacks.unacked_queue.clear()
        # slixmpp's outgoing queue task never ends by itself; end it with the session.
        filters = self._stream._run_out_filters
        if filters is not None and not filters.done():
            filters.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await filters
        if self._omemo is not None:
            # Received messages are the server's "delivered": publish them all.
            await self._omemo.drain_received(DECRYPT_DRAIN_TIMEOUT)

    def send_message(self, message: OutgoingMessage) -> None:
        """Write a message to the stream and ask the server to acknowledge it.

        An ``encrypted`` one is written once encrypted, or reported failed
        (``MessageErrorReceived``): never in clear.
        """
        if not message.encrypted:
            self._write_message(outgoing.chat_message(message), message.origin_id)
        elif self._omemo is None:
            self._bus.publish(
                MessageErrorReceived(
                    self._account, message.origin_id, message.to, "OMEMO is not available"
                )
            )
        else:
            self._omemo.send(
                message,
                outgoing.chat_message(message),
                lambda xml: self._write_message(xml, message.origin_id),
            )

    def _write_message(self, xml: ET.Element, origin_id: str) -> None:
        self._send_xml(xml)
        if "stream_management" in self._stream.features:
            # Queued behind the message (request_ack() would overtake it).
            RequestAck(self._stream).send()
        else:
            # Without XEP-0198 nothing will ever confirm it: what reaches the socket
            # counts (``_on_written``), not what waits in the send queue.
            self._awaiting_write.add(origin_id)

    def send_reactions(
        self, to: Jid, kind: ChatKind, target_id: str, emojis: tuple[str, ...]
    ) -> None:
        """Send our whole set of XEP-0444 reactions to a message."""
        self._send_xml(outgoing.reactions(to, kind, target_id, emojis))

    def send_retraction(self, to: Jid, kind: ChatKind, target_id: str, origin_id: str) -> None:
        """Retract one of our messages (XEP-0424)."""
        self._send_xml(outgoing.retraction(to, kind, target_id, origin_id))

    def send_marker(self, to: Jid, kind: ChatKind, target_id: str, thread: str = "") -> None:
        """Send a XEP-0333 displayed marker."""
        self._send_xml(outgoing.displayed_marker(to, kind, target_id, thread))

    def publish_displayed(self, peer: Jid, stanza_id: str, by: Jid) -> None:
        """Share our read position privately with our other devices (XEP-0490)."""
        iq = self._stream.Iq()
        iq["type"] = "set"
        iq.xml.append(mds.publish(peer, stanza_id, by))
        task = asyncio.ensure_future(iq.send(timeout=30))
        task.add_done_callback(self._log_iq_failure)

    def send_receipt(self, to: Jid, message_id: str) -> None:
        """Confirm delivery of a message (XEP-0184)."""
        self._send_xml(outgoing.receipt(to, message_id))

    def send_chat_state(self, to: Jid, kind: ChatKind, state: ChatState) -> None:
        """Send a XEP-0085 chat state notification."""
        if not to.resource and to in self._room_nicks:
            kind = ChatKind.GROUPCHAT  # the core may not know the address is a room
        self._send_xml(outgoing.chat_state(to, kind, state))

    def set_blocked(self, jids: tuple[Jid, ...], blocked: bool) -> None:
        """Block or unblock addresses (XEP-0191); the server's push confirms it."""
        iq = self._stream.Iq()
        iq["type"] = "set"
        iq.xml.append(outgoing.blocking(jids, blocked))
        task = asyncio.ensure_future(iq.send(timeout=30))
        task.add_done_callback(self._log_iq_failure)

    def add_contact(self, jid: Jid, name: str) -> None:
        """Add ``jid`` to the roster and ask to see its presence."""
        self._stream.update_roster(JID(str(jid)), name=name or None)
        request = self._stream.make_presence(pto=str(jid), ptype="subscribe")
        if self._profiles.own_nick:  # XEP-0172: our nickname with the request
            request.xml.append(profile_stanzas.nick(self._profiles.own_nick))
        request.send()

    def remove_contact(self, jid: Jid) -> None:
        """Remove ``jid`` from the roster."""
        self._stream.del_roster_item(JID(str(jid)))

    def answer_subscription(self, jid: Jid, allow: bool) -> None:
        """Allow or deny ``jid`` to see our presence."""
        self._stream.send_presence(pto=str(jid), ptype="subscribed" if allow else "unsubscribed")

    def set_presence(self, availability: Availability, status: str) -> None:
        """Broadcast our presence."""
        if availability is Availability.OFFLINE:
            self._stream.send_presence(ptype="unavailable", pstatus=status or None)
            return
        self._stream.send_presence(pshow=_SHOW.get(availability), pstatus=status or None)

    async def query_archive(
        self,
        archive: Jid | None = None,
        *,
        with_jid: Jid | None = None,
        start: float | None = None,
        after: str | None = None,
        before: str | None = None,
        max_items: int = 50,
    ) -> ArchivePage:
        """Fetch one page of our own or a room's XEP-0313 archive (see ``xmpp.mam``)."""
        # The server handles our stanzas in order, and reading a large archive takes
        # it a while: a query must not hold back the initial presence, nor the
        # offline messages and presences that presence releases (the server does not
        # write them out while it reads the archive). The answer to a ping sent
        # right behind the presence comes after all of them.
        await self._settled()
        return await self._archive.query(
            archive, with_jid=with_jid, start=start, after=after, before=before, max_items=max_items
        )

    # --- files (see xmpp.upload and net.transfers) --------------------------------------

    async def upload_service(self) -> UploadService | None:
        """See ``XmppSession.upload_service``."""
        return await self._upload.service()

    async def request_upload_slot(
        self, service: UploadService, name: str, size: int, mime: str
    ) -> UploadSlot:
        """See ``XmppSession.request_upload_slot``."""
        return await self._upload.request_slot(service, name, size, mime)

    def http(self) -> AccountTransfers:
        """See ``XmppSession.http``."""
        return AccountTransfers(self.network, tls_context(self._config.tls))

    async def _settled(self) -> None:
        """Once the initial presence is out and what it released has arrived."""
        await self._presence_sent.wait()
        if self._presence_settled is not None:
            await asyncio.shield(self._presence_settled)

    # --- group chats (see xmpp.muc) ----------------------------------------------------

    async def room_info(self, room: Jid) -> RoomInfo:
        """What a room says about itself (disco#info)."""
        return await self._muc.room_info(room)

    async def join_room(
        self, room: Jid, nick: str, password: str = "", config: RoomConfig | None = None
    ) -> None:
        """Enter a room; ``RoomJoined`` or ``RoomJoinFailed`` follows."""
        await self._muc.join(room, nick, password, config)

    def leave_room(self, room: Jid, status: str = "") -> None:
        """Leave a room; ``RoomLeft`` follows."""
        self._muc.leave(room, status)

    def change_nick(self, room: Jid, nick: str) -> None:
        """Ask for another nick in a joined room."""
        self._muc.change_nick(room, nick)

    def set_subject(self, room: Jid, subject: str) -> None:
        """Change a room's subject."""
        self._muc.set_subject(room, subject)

    def invite(self, room: Jid, invitee: Jid, reason: str = "", direct: bool = True) -> None:
        """Invite someone to a room (XEP-0249 direct, or mediated by the room)."""
        self._muc.invite(room, invitee, reason, direct)

    def decline_invitation(self, room: Jid, inviter: Jid, reason: str = "") -> None:
        """Decline a mediated invitation."""
        self._muc.decline(room, inviter, reason)

    async def set_role(self, room: Jid, nick: str, role: Role, reason: str = "") -> None:
        """Change an occupant's role (``Role.NONE`` kicks)."""
        await self._muc.set_role(room, nick, role, reason)

    async def set_affiliation(
        self, room: Jid, jid: Jid, affiliation: Affiliation, reason: str = ""
    ) -> None:
        """Change a user's affiliation (``Affiliation.OUTCAST`` bans)."""
        await self._muc.set_affiliation(room, jid, affiliation, reason)

    async def configure_room(self, room: Jid, config: RoomConfig | None) -> None:
        """Apply a configuration to a room we own (None: the defaults)."""
        await self._muc.configure(room, config)

    async def request_membership(self, room: Jid, nick: str) -> MembershipOutcome:
        """Register with a members-only room; says whether approval is pending."""
        return await self._muc.request_membership(room, nick)

    async def moderate(self, room: Jid, stanza_id: str, reason: str = "") -> None:
        """Retract someone's message in a room we moderate (XEP-0425)."""
        await self._muc.moderate(room, stanza_id, reason)

    async def bookmarks(self) -> list[Bookmark]:
        """Our XEP-0402 bookmarks."""
        return await self._muc.bookmarks()

    async def legacy_bookmarks(self) -> list[Bookmark]:
        """Our XEP-0048 bookmarks in private XML storage."""
        return await self._muc.legacy_bookmarks()

    async def publish_bookmark(self, bookmark: Bookmark) -> None:
        """Add or replace a XEP-0402 bookmark."""
        await self._muc.publish_bookmark(bookmark)

    async def retract_bookmark(self, room: Jid) -> None:
        """Remove a XEP-0402 bookmark."""
        await self._muc.retract_bookmark(room)

    # --- OMEMO -------------------------------------------------------------------------

    async def omemo_devices(self, jid: Jid) -> list[OmemoDevice]:
        """The OMEMO devices of a contact or of our own account (not this device)."""
        return [] if self._omemo is None else await self._omemo.devices(jid)

    async def set_device_trust(self, jid: Jid, device_id: int, trust: TrustLevel) -> None:
        """Set our trust in one device of ``jid``."""
        if self._omemo is not None:
            await self._omemo.set_trust(jid, device_id, trust)

    async def remove_own_device(self, device_id: int) -> None:
        """Drop an old device of ours from our published device lists."""
        if self._omemo is not None:
            await self._omemo.remove_own_device(device_id)

    def own_fingerprint(self) -> str:
        """This device's OMEMO fingerprint ("" before OMEMO is ready)."""
        return "" if self._omemo is None else self._omemo.engine.own_fingerprint

    async def can_encrypt(self, jid: Jid) -> bool:
        """True when ``jid`` (a contact or a joined room) has devices we may encrypt for."""
        return self._omemo is not None and await self._omemo.can_encrypt(jid)

    async def change_password(self, password: str) -> None:
        """Change the account's password on its server (XEP-0077)."""
        await registration.change_password(self._stream, self._own.local, password)

    async def remove_from_server(self) -> None:
        """Delete the account on its server (XEP-0077); the server then ends the stream."""
        await registration.remove_account(self._stream)

    # --- calls (see ``xmpp.calls``) --------------------------------------------------

    @property
    def calls(self) -> CallLink:
        """Call signalling on this stream (for tests and diagnostics)."""
        return self._calls

    def own_jid(self) -> Jid:
        """Our full address on the current stream."""
        return self._own

    def send_call_message(
        self, to: Jid, kind: JmiKind, call_id: str, reason: TerminateReason | None = None
    ) -> None:
        """Send a XEP-0353 call message."""
        self._calls.send_call_message(to, kind, call_id, reason)

    async def send_session_initiate(self, to: Jid, sid: str, offer: SessionDescription) -> None:
        """Send our offer."""
        await self._calls.send_session_initiate(to, sid, offer)

    async def send_session_accept(
        self, to: Jid, sid: str, initiator: Jid, answer: SessionDescription
    ) -> None:
        """Send our answer."""
        await self._calls.send_session_accept(to, sid, initiator, answer)

    async def send_transport_info(
        self, to: Jid, sid: str, initiator: Jid, content: Content
    ) -> None:
        """Trickle our candidates."""
        await self._calls.send_transport_info(to, sid, initiator, content)

    async def send_session_info(self, to: Jid, sid: str, initiator: Jid, info: SessionInfo) -> None:
        """Send a session-info."""
        await self._calls.send_session_info(to, sid, initiator, info)

    async def send_session_terminate(
        self, to: Jid, sid: str, initiator: Jid, reason: TerminateReason, text: str = ""
    ) -> None:
        """End a Jingle session."""
        await self._calls.send_session_terminate(to, sid, initiator, reason, text)

    def track_call_session(
        self,
        sid: str,
        peer: Jid,
        *,
        we_initiated: bool,
        accepted: bool = False,
        awaiting_initiate: bool = False,
    ) -> None:
        """Let the peer's Jingle requests for this session in."""
        self._calls.track(
            sid,
            peer,
            we_initiated=we_initiated,
            accepted=accepted,
            awaiting_initiate=awaiting_initiate,
        )

    def forget_call_session(self, sid: str) -> None:
        """Refuse the peer's Jingle requests for this session from now on."""
        self._calls.forget(sid)

    async def turn_servers(self) -> list[TurnServer]:
        """TURN servers our server offers (XEP-0215)."""
        if not self._online:
            return []
        return await self._calls.turn_servers()

    @property
    def omemo(self) -> OmemoLink | None:
        """The OMEMO side of this stream (for tests and diagnostics)."""
        return self._omemo

    @property
    def profiles(self) -> ProfileLink:
        """Avatars, nicknames and vCards over this stream (see ``xmpp.profiles``)."""
        return self._profiles

    @property
    def rooms(self) -> RoomLink:
        """The rooms of this stream (for tests and diagnostics)."""
        return self._muc

    # --- setup -----------------------------------------------------------------------

    def _setup(self) -> None:
        stream = self._stream
        stream.auto_authorize = None  # subscription requests go to the user
        stream.auto_subscribe = False
        stream.whitespace_keepalive = False  # the XEP-0199 keepalive below detects dead links
        stream.register_plugin("xep_0030")  # Service Discovery
        # Entity Capabilities, under a node that does not reveal library versions.
        stream.register_plugin("xep_0115", {"caps_node": CAPS_NODE})
        stream.register_plugin("xep_0199")  # XMPP Ping (answers the server's pings)
        stream.register_plugin("xep_0198", {"window": 50})  # Stream Management
        privacy = self._config.privacy
        # Disclosures the user opted into; without these plugins such queries get an error.
        if privacy.send_version:
            stream.register_plugin(
                "xep_0092", {"software_name": "Siproxylin", "version": __version__}
            )
        if privacy.send_time:
            stream.register_plugin("xep_0202")
        if privacy.send_idle:
            stream.register_plugin("xep_0319")
        for feature in FEATURES:
            stream.plugin["xep_0030"].add_feature(feature)
        for feature in (*MUC_FEATURES, *PROFILE_FEATURES, *CALL_FEATURES):
            stream.plugin["xep_0030"].add_feature(feature)
        # slixmpp's own message paths ("IM" -> "message", "IMError" -> "message_error")
        # and XEP-0004's "message_form" event are not used: every message goes through
        # the handler below only, and each handler costs a match on every stanza.
        for unused in ("IM", "IMError", "Data Form"):
            stream.remove_handler(unused)
        stream.register_handler(
            Callback("siproxylin message", MatchXPath("{jabber:client}message"), self._on_message)
        )
        stream.register_handler(
            Callback(
                "siproxylin presence", MatchXPath("{jabber:client}presence"), self._on_presence
            )
        )
        for command in ("block", "unblock"):
            stream.register_handler(
                Callback(
                    f"siproxylin {command} push",
                    MatchXPath(f"{{jabber:client}}iq/{{urn:xmpp:blocking}}{command}"),
                    self._on_blocking_push,
                )
            )
        self._calls.register()  # Jingle requests (call sessions)
        _guard_handlers(stream)
        self._muc.exclude_from(stream, "Presence")  # slixmpp's roster copy of occupants
        # Every <iq/> we send registers a handler for its reply, tried on every stanza
        # until the reply comes: guard those too (a flood of messages often arrives
        # while disco queries for contacts' capabilities are pending).
        register = stream.register_handler

        def register_guarded(handler: Any, before: Any = None, after: Any = None) -> None:
            _guard(handler)
            register(handler, before, after)

        stream.register_handler = register_guarded  # type: ignore[method-assign]
        for name, handler in (
            ("session_start", self._on_session_start),
            ("session_resumed", self._on_session_resumed),
            ("disconnected", self._on_disconnected),
            ("connection_failed", self._on_connection_failed),
            ("failed_all_auth", self._on_failed_all_auth),
            ("no_auth", self._on_no_auth),
            ("ssl_invalid_chain", self._on_ssl_invalid_chain),
            ("stream_error", self._on_stream_error),
            ("roster_update", self._on_roster_update),
            ("stanza_acked", self._on_stanza_acked),
        ):
            stream.add_event_handler(name, handler)
        stream.add_filter("out_sync", self._on_written)

    # --- slixmpp events --------------------------------------------------------------

    async def _on_session_start(self, _event: Any) -> None:
        self._presence_sent.clear()
        self._awaiting_write.clear()  # not written on the old stream: the core resends them
        bound = Jid.parse(str(self._stream.boundjid))
        self._own = bound
        self._online = True
        self._start_keepalive()
        self._muc.reset()  # a new stream is in no room; the core rejoins
        self._upload.reset()
        self._muc.start()
        self._bus.publish(SessionStarted(self._account, bound, resumed=False))
        stream = self._stream
        # The roster request and carbons go first and the initial presence right
        # behind them, without waiting for the results: the server handles our
        # stanzas in order, so the roster comes back (RFC 6121 2.2) and carbons are
        # on before the presences and offline messages that the initial presence
        # releases, one round trip sooner.
        replies = (
            stream.get_roster(timeout=30),
            self._enable_carbons(),
            self._request_blocklist(),
        )
        self._fetch_read_positions()
        # Compute our XEP-0115 hash before the first presence carries it.
        await stream.plugin["xep_0115"].update_caps(stream.boundjid, broadcast=False)
        stream.send_presence()
        self._presence_settled = asyncio.ensure_future(self._settle_presence())
        self._presence_sent.set()
        if self._omemo is not None:
            # Once what the presence released has arrived: a first login generates
            # keys, which takes the loop for a while (a message needing them waits).
            omemo = self._omemo
            self._presence_settled.add_done_callback(
                lambda done: None if done.cancelled() or not self._online else omemo.start()
            )
        for reply in replies:
            try:
                await reply
            except (IqError, IqTimeout) as exc:
                self.log.warning("session setup incomplete: %s", exc)

    def _on_session_resumed(self, _event: Any) -> None:
        self._online = True
        self._start_keepalive()
        self._muc.start()
        self.log.info("stream resumed")
        self._bus.publish(SessionStarted(self._account, self._own, resumed=True))

    def _on_disconnected(self, reason: Any) -> None:
        if isinstance(reason, ssl.SSLError):
            # A failed STARTTLS handshake closes the transport before slixmpp
            # reports it as ssl_invalid_chain: classify it here.
            self._fail(FailureReason.TLS, f"certificate not accepted: {_short(reason)}")
        self._online = False
        self._stop_keepalive()
        self._muc.stop()
        smacks = self._stream.plugin["xep_0198"]
        failure = self._reason or FailureReason.NETWORK
        detail = self._detail or (str(reason) if reason else "connection closed")
        self._bus.publish(
            SessionEnded(self._account, failure, detail, resumable=bool(smacks.sm_id))
        )

    def _on_attempt_failed(self) -> None:
        failure = self._reason or FailureReason.NETWORK
        self._bus.publish(SessionEnded(self._account, failure, self._detail or "could not connect"))

    def _on_connection_failed(self, error: Any) -> None:
        if isinstance(error, ssl.SSLError):
            self._fail(FailureReason.TLS, f"certificate not accepted: {_short(error)}")
        elif isinstance(error, ProxyAuthFailed):
            self._fail(FailureReason.PROXY_AUTH, str(error))
        elif isinstance(error, ProxyFailed):
            self._fail(FailureReason.PROXY, str(error))
        elif isinstance(error, LeakBlocked):
            self._fail(FailureReason.CONFIG, str(error))
        else:
            self._fail(FailureReason.NETWORK, _short(error))

    def _on_failed_all_auth(self, _event: Any) -> None:
        self._fail(FailureReason.AUTH, "the server rejected the account name or password")

    def _on_no_auth(self, _event: Any) -> None:
        self._fail(FailureReason.TLS, "the server offered no secure way to log in")

    def _on_ssl_invalid_chain(self, error: Any) -> None:
        self._fail(FailureReason.TLS, f"certificate not accepted: {_short(error)}")
        self._stream.abort()

    def _on_stream_error(self, error: Any) -> None:
        condition = str(error["condition"])
        if condition == "conflict":
            self._fail(FailureReason.CONFLICT, "another client logged in with this resource")
        else:
            self._fail(FailureReason.NETWORK, f"stream error: {condition}")

    def _on_roster_update(self, iq: Any) -> None:
        self._publish(translate_roster(iq.xml, self._account, self._own))

    def _on_written(self, stanza: Any) -> Any:
        """Out filter (the last one): a message is about to be written to the socket."""
        xml: ET.Element = stanza.xml
        origin_id = xml.get("id", "")
        if origin_id in self._awaiting_write and self._stream.transport is not None:
            self._awaiting_write.discard(origin_id)
            account = self._account
            asyncio.get_running_loop().call_soon(
                lambda: self._bus.publish(MessageAcked(account, origin_id))
            )
        return stanza

    def _on_stanza_acked(self, stanza: Any) -> None:
        xml: ET.Element = stanza.xml
        if xml.tag == "{jabber:client}message" and xml.get("type") == "chat":
            self._bus.publish(MessageAcked(self._account, xml.get("id", "")))

    def _on_message(self, stanza: Any) -> None:
        # Archive results (often thousands in a row) go to the query they answer.
        result = stanza.xml.find(MAM_RESULT)
        if result is not None:
            self._archive.on_result(stanza.xml, result)
            return
        xml = stanza.xml
        if self._calls.on_message(xml):
            return  # a call proposal or an answer to one (XEP-0353)
        if xml.get("type") == "groupchat":
            self._muc.touch(xml.get("from", ""))
        # Subjects, room notices, invitations, bookmark notifications (cheap test first).
        if is_muc_message(xml):
            if self._muc.on_message(xml, self._own):
                return
            synced = translate_mds_event(xml, self._account, self._own)
            if synced is not None:
                for event in synced:
                    self._publish(event)
                return
            profile = translate_profile_event(xml, self._account)
            if profile is not None:
                for event in profile:
                    self._publish(event)
                return
        if self._omemo is not None and self._omemo.receive(xml, self._translate):
            return  # encrypted, or waiting behind an encrypted one
        self._publish(self._translate(xml))

    def _translate(self, xml: ET.Element) -> Event | None:
        return translate_message(xml, self._account, self._own, time.time(), self._room_nicks)

    def _on_presence(self, stanza: Any) -> None:
        if is_room_presence(stanza.xml, self._muc.present):
            self._muc.on_presence(stanza.xml)
            return
        self._publish(translate_presence(stanza.xml, self._account, self._own))
        for event in translate_presence_profile(stanza.xml, self._account):
            self._publish(event)

    # --- internals -------------------------------------------------------------------

    def _publish(self, event: Any) -> None:
        if event is None:
            return
        if self._omemo is not None:
            self._omemo.on_event(event)  # rooms' occupants: their real addresses
        if isinstance(event, StanzaRejected):
            self.log.warning("dropped stanza from %r: %s", event.sender[:200], event.why)
        self._bus.publish(event)

    def _send_xml(self, xml: ET.Element) -> None:
        Message(self._stream, xml=xml).send()

    def _log_iq_failure(self, task: asyncio.Future[Any]) -> None:
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            self.log.warning("request failed: %s", _short(error))

    async def _settle_presence(self) -> None:
        """Ping the server right behind the initial presence: the answer follows
        the offline messages and presences the presence released."""
        # An error answer comes in order too; a timeout gives up waiting.
        with contextlib.suppress(IqError, IqTimeout):
            await self._stream.plugin["xep_0199"].ping(
                JID(self._own.domain), timeout=PRESENCE_SETTLE_TIMEOUT
            )

    def _fail(self, reason: FailureReason, detail: str) -> None:
        # Within one attempt a fatal reason (auth, TLS) is never overwritten by
        # the network error that follows it.
        if self._reason is not None and not self._reason.retryable:
            return
        self._reason, self._detail = reason, detail
        self.log.info("%s: %s", reason.value, detail)

    def _fetch_read_positions(self) -> None:
        iq = self._stream.Iq()
        iq["type"] = "get"
        iq.xml.append(mds.fetch_query())
        task = asyncio.ensure_future(iq.send(timeout=15))
        task.add_done_callback(self._on_read_positions)

    def _on_read_positions(self, task: asyncio.Future[Any]) -> None:
        if task.cancelled():
            return
        error = task.exception()
        if isinstance(error, IqError):
            return  # no node yet: nothing was read on another device
        if error is not None:
            self.log.info("read positions not fetched: %s", _short(error))
            return
        for event in translate_mds_result(task.result().xml, self._account, self._own):
            self._publish(event)

    def _request_blocklist(self) -> asyncio.Future[Any]:
        iq = self._stream.Iq()
        iq["type"] = "get"
        iq.xml.append(outgoing.blocklist_query())
        reply: asyncio.Future[Any] = iq.send(timeout=15, callback=self._on_blocklist)
        return reply

    def _on_blocklist(self, iq: Any) -> None:
        self._publish(translate_blocklist(iq.xml, self._account, self._own))

    def _on_blocking_push(self, iq: Any) -> None:
        xml: ET.Element = iq.xml
        if xml.get("type") != "set":
            return
        event = translate_blocklist(xml, self._account, self._own)
        self._publish(event)
        if event is not None and not isinstance(event, StanzaRejected):
            iq.reply().send()

    def _enable_carbons(self) -> asyncio.Future[Any]:
        iq = self._stream.Iq()
        iq["type"] = "set"
        iq.xml.append(outgoing.carbons_enable())
        reply: asyncio.Future[Any] = iq.send(timeout=15)
        return reply

    def _start_keepalive(self) -> None:
        self._stop_keepalive()
        self._keepalive = asyncio.get_running_loop().create_task(self._keepalive_loop())

    def _stop_keepalive(self) -> None:
        if self._keepalive is not None:
            self._keepalive.cancel()
            self._keepalive = None

    async def _keepalive_loop(self) -> None:
        ping = self._stream.plugin["xep_0199"]
        while True:
            await asyncio.sleep(KEEPALIVE_INTERVAL)
            try:
                await ping.ping(JID(self._own.domain), timeout=KEEPALIVE_TIMEOUT)
            except IqTimeout:
                self._fail(FailureReason.NETWORK, "the server stopped answering")
                self._stream.abort()
                return
            except IqError:
                continue  # an error reply still proves the link is alive


class _TagGuard:
    """A handler's matcher behind a test of the stanza's own element name.

    slixmpp runs every handler's matcher on every stanza, and a plugin's matcher
    for an ``<iq/>`` or a ``<presence/>`` walks the stanza (a ``StanzaPath`` twice)
    before it says no to a ``<message/>``: microseconds that a burst of thousands
    of messages pays per handler. Comparing the tag first gives the same answer.
    """

    __slots__ = ("_inner", "_tag")

    def __init__(self, tag: str, inner: Any) -> None:
        self._tag = tag
        self._inner = inner

    def match(self, stanza: Any) -> bool:
        return stanza.xml.tag == self._tag and bool(self._inner.match(stanza))


_XPATH_FIRST = re.compile(r"(\{[^{}]*\}[\w.-]+)(?:/|$)")  # "{ns}name" step, nothing fancier
_STANZA_PATH_FIRST = re.compile(r"(iq|message|presence)(?:@|$)")


def _guard_handlers(stream: StreamClient) -> None:
    """Put a tag test in front of every matcher that names the stanza's element."""
    # slixmpp (pinned exactly) has no public way to list its handlers.
    for handler in vars(stream)["_XMLStream__handlers"]:
        _guard(handler)


def _guard(handler: Any) -> None:
    tag = _stanza_tag(handler._matcher)
    if tag is not None:
        handler._matcher = _TagGuard(tag, handler._matcher)


def _stanza_tag(matcher: Any) -> str | None:
    """The qualified element name a matcher requires of the stanza itself, if plain."""
    if isinstance(matcher, MatchIDSender):
        return "{jabber:client}iq"  # the reply to an <iq/> we sent (Iq.send)
    if isinstance(matcher, StanzaPath):
        found = _STANZA_PATH_FIRST.match(matcher._criteria[0])
        return f"{{jabber:client}}{found.group(1)}" if found else None
    if isinstance(matcher, MatchXPath):
        found = _XPATH_FIRST.match(matcher._criteria)
        return found.group(1) if found else None
    return None


def _short(error: Any) -> str:
    text = str(error) or type(error).__name__
    return text[:300]
