"""Interfaces the core needs from the outside world, as ``typing.Protocol`` classes.

Adapters (``xmpp``, ``store``, ``net``) implement these; core services and the
composition root only ever see the protocols. Imports ``domain`` and ``core.bus``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from siproxylin.core.bus import EventBus
from siproxylin.domain.call_info import CallDetails, CallRecord
from siproxylin.domain.call_media import TurnServer
from siproxylin.domain.call_signals import JmiKind, SessionInfo
from siproxylin.domain.calls import Candidate, Content, SessionDescription, TerminateReason
from siproxylin.domain.config import AccountConfig, ProxyConfig, TlsPolicy
from siproxylin.domain.errors import SiproxylinError
from siproxylin.domain.events import Event
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    Affiliation,
    Availability,
    Bookmark,
    ChatKind,
    ChatMessage,
    ChatState,
    DeliveryState,
    Direction,
    FileTransfer,
    MembershipOutcome,
    OmemoDevice,
    OutgoingMessage,
    Role,
    RoomConfig,
    RoomInfo,
    RoomSettings,
    RosterItem,
    TransferState,
    TrustLevel,
    UploadService,
    UploadSlot,
)
from siproxylin.domain.profiles import AvatarSource, VCard
from siproxylin.domain.registration import Answers, RegistrationForm


@dataclass(frozen=True, slots=True)
class ArchivePage:
    """One page of a XEP-0313 archive query (XEP-0059 result set).

    Attributes:
        events: The page's results as events, oldest first; messages are marked
            ``archived``. Results that were not understood are left out.
        first: Archive id of the page's first (oldest) result; "" for an empty page.
        last: Archive id of the page's last (newest) result; "" for an empty page.
        complete: The server says the page reaches the end of what was asked
            (the newest message when paging forward, the oldest when paging back).
        first_time: UTC seconds of the first result (its archive stamp), 0 if none.
        last_time: UTC seconds of the last result, 0 if none.
    """

    events: tuple[Event, ...]
    first: str = ""
    last: str = ""
    complete: bool = False
    first_time: float = 0.0
    last_time: float = 0.0


class ArchiveQueryError(SiproxylinError):
    """An archive query failed.

    Attributes:
        condition: The XMPP error condition (``item-not-found`` when the id paged
            from is no longer in the archive), or ``timeout`` / ``offline``.
    """

    def __init__(self, condition: str, text: str = "") -> None:
        super().__init__(f"{condition}: {text}" if text else condition)
        self.condition = condition


class XmppSession(Protocol):
    """One account's XMPP connection. Facts it observes go to the bus as events."""

    @property
    def online(self) -> bool:
        """True while an authenticated stream is up."""
        ...

    async def connect(self) -> None:
        """Open (or resume) the stream; returns once the attempt is under way."""
        ...

    async def disconnect(self) -> None:
        """Close the stream cleanly and give up any resumable session."""
        ...

    def send_message(self, message: OutgoingMessage) -> None:
        """Send a message with a body; its origin-id is also the stanza id.

        The server's XEP-0198 ack later arrives as ``MessageAcked``.
        """
        ...

    def send_reactions(
        self, to: Jid, kind: ChatKind, target_id: str, emojis: tuple[str, ...]
    ) -> None:
        """Send our whole set of XEP-0444 reactions to a message (empty removes them)."""
        ...

    def send_retraction(self, to: Jid, kind: ChatKind, target_id: str, origin_id: str) -> None:
        """Retract one of our messages (XEP-0424), with the XEP-0428 fallback body."""
        ...

    def send_marker(self, to: Jid, kind: ChatKind, target_id: str, thread: str = "") -> None:
        """Send a XEP-0333 displayed marker for the message ``target_id``."""
        ...

    def publish_displayed(self, peer: Jid, stanza_id: str, by: Jid) -> None:
        """Share privately with our other devices that ``peer`` was read up to
        ``stanza_id`` (XEP-0490; ``by`` assigned the id: our account or the room)."""
        ...

    def send_receipt(self, to: Jid, message_id: str) -> None:
        """Confirm delivery of ``message_id`` (XEP-0184)."""
        ...

    def send_chat_state(self, to: Jid, kind: ChatKind, state: ChatState) -> None:
        """Send a standalone XEP-0085 chat state notification."""
        ...

    def set_blocked(self, jids: tuple[Jid, ...], blocked: bool) -> None:
        """Block or unblock addresses on the server (XEP-0191)."""
        ...

    def add_contact(self, jid: Jid, name: str) -> None:
        """Add ``jid`` to the roster and ask for its presence."""
        ...

    def remove_contact(self, jid: Jid) -> None:
        """Remove ``jid`` from the roster (and cancel subscriptions)."""
        ...

    def answer_subscription(self, jid: Jid, allow: bool) -> None:
        """Allow or deny ``jid`` to see our presence."""
        ...

    def set_presence(self, availability: Availability, status: str) -> None:
        """Broadcast our own presence."""
        ...

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
        """Fetch one page of a XEP-0313 archive.

        Args:
            archive: A room's bare address, or None for the account's own archive.
            with_jid: Only messages exchanged with this address (own archive).
            start: Only messages at or after this UTC time.
            after: Page forward: results after this archive id.
            before: Page back: results before this archive id; "" for the last page.
            max_items: Page size (the server may send fewer).

        Raises:
            ArchiveQueryError: The server refused or did not answer, or the account
                went offline.
        """
        ...

    # Group chats. Async commands raise RoomOperationFailed when the room refuses.

    async def room_info(self, room: Jid) -> RoomInfo:
        """What a room says about itself (disco#info); ``exists`` False if it does not."""
        ...

    async def join_room(
        self, room: Jid, nick: str, password: str = "", config: RoomConfig | None = None
    ) -> None:
        """Enter a room (``config`` applies if the join creates it).

        The outcome arrives as ``OccupantsReceived`` + ``RoomJoined``, or ``RoomJoinFailed``.
        """
        ...

    def leave_room(self, room: Jid, status: str = "") -> None:
        """Leave a room; ``RoomLeft`` follows."""
        ...

    def change_nick(self, room: Jid, nick: str) -> None:
        """Ask for another nick in a joined room."""
        ...

    def set_subject(self, room: Jid, subject: str) -> None:
        """Change a room's subject."""
        ...

    def invite(self, room: Jid, invitee: Jid, reason: str = "", direct: bool = True) -> None:
        """Invite someone (XEP-0249 direct, or mediated by the room)."""
        ...

    def decline_invitation(self, room: Jid, inviter: Jid, reason: str = "") -> None:
        """Decline a mediated invitation."""
        ...

    async def set_role(self, room: Jid, nick: str, role: Role, reason: str = "") -> None:
        """Change an occupant's role (``Role.NONE`` kicks)."""
        ...

    async def set_affiliation(
        self, room: Jid, jid: Jid, affiliation: Affiliation, reason: str = ""
    ) -> None:
        """Change a user's affiliation (``Affiliation.OUTCAST`` bans)."""
        ...

    async def configure_room(self, room: Jid, config: RoomConfig | None) -> None:
        """Apply a configuration to a room we own (None: the service's defaults)."""
        ...

    async def request_membership(self, room: Jid, nick: str) -> MembershipOutcome:
        """Register with a members-only room; MEMBER, or PENDING approval."""
        ...

    async def moderate(self, room: Jid, stanza_id: str, reason: str = "") -> None:
        """Ask a room to retract the message it stamped ``stanza_id`` (XEP-0425)."""
        ...

    async def bookmarks(self) -> list[Bookmark]:
        """Our XEP-0402 bookmarks."""
        ...

    async def legacy_bookmarks(self) -> list[Bookmark]:
        """Our XEP-0048 bookmarks in private XML storage."""
        ...

    async def publish_bookmark(self, bookmark: Bookmark) -> None:
        """Add or replace a XEP-0402 bookmark."""
        ...

    async def retract_bookmark(self, room: Jid) -> None:
        """Remove a XEP-0402 bookmark."""
        ...

    # OMEMO (XEP-0384). Trust decisions for devices seen while encrypting go to the
    # ``TrustPolicy`` the session was built with.

    async def omemo_devices(self, jid: Jid) -> list[OmemoDevice]:
        """The OMEMO devices of a contact or of our own bare address (not this one),
        with their fingerprints and our trust in them."""
        ...

    async def set_device_trust(self, jid: Jid, device_id: int, trust: TrustLevel) -> None:
        """Set our trust in one device of ``jid``."""
        ...

    async def remove_own_device(self, device_id: int) -> None:
        """Drop an old device of ours from our published device lists."""
        ...

    def own_fingerprint(self) -> str:
        """This device's identity key as lowercase hex ("" before OMEMO is ready)."""
        ...

    async def can_encrypt(self, jid: Jid) -> bool:
        """True when ``jid`` (a contact or a room) publishes OMEMO devices we may use."""
        ...

    # --- the account on its server (in-band registration)

    async def change_password(self, password: str) -> None:
        """Change the account's password on the server (raises ``RegistrationFailed``)."""
        ...

    async def remove_from_server(self) -> None:
        """Delete the account on the server (raises ``RegistrationFailed``)."""
        ...

    async def upload_service(self) -> UploadService | None:
        """Our server's XEP-0363 upload service (found once per stream), or None."""
        ...

    async def request_upload_slot(
        self, service: UploadService, name: str, size: int, mime: str
    ) -> UploadSlot:
        """Ask for a slot to upload a file.

        Raises:
            TransferFailed: Refused (too large, quota) or no answer; says why.
        """
        ...

    def http(self) -> HttpTransfers:
        """HTTP for this account's files: through its proxy, like its stream."""
        ...

    @property
    def profiles(self) -> ProfileCommands:
        """Avatars, nicknames and vCards over this stream."""
        ...

    # --- calls (see ``CallSignalling``; the adapter implements both) -----------------

    def own_jid(self) -> Jid:
        """Our full address on the current stream (the configured bare one before)."""
        ...

    def send_call_message(
        self, to: Jid, kind: JmiKind, call_id: str, reason: TerminateReason | None = None
    ) -> None:
        """Send a XEP-0353 call message (propose to a bare address rings every device)."""
        ...

    async def send_session_initiate(self, to: Jid, sid: str, offer: SessionDescription) -> None:
        """Send our offer; raises ``JingleIqRefused`` (or ``RelayPolicyViolation``)."""
        ...

    async def send_session_accept(
        self, to: Jid, sid: str, initiator: Jid, answer: SessionDescription
    ) -> None:
        """Send our answer; raises ``JingleIqRefused`` (or ``RelayPolicyViolation``)."""
        ...

    async def send_transport_info(
        self, to: Jid, sid: str, initiator: Jid, content: Content
    ) -> None:
        """Trickle our candidates of one content (only allowed relay ones are sent)."""
        ...

    async def send_session_info(self, to: Jid, sid: str, initiator: Jid, info: SessionInfo) -> None:
        """Send a session-info (ringing, mute...); raises ``JingleIqRefused``."""
        ...

    async def send_session_terminate(
        self, to: Jid, sid: str, initiator: Jid, reason: TerminateReason, text: str = ""
    ) -> None:
        """End a Jingle session; raises ``JingleIqRefused``."""
        ...

    def track_call_session(
        self,
        sid: str,
        peer: Jid,
        *,
        we_initiated: bool,
        accepted: bool = False,
        awaiting_initiate: bool = False,
    ) -> None:
        """Tell the adapter about a live session so the peer's Jingle IQs for it are let in."""
        ...

    def forget_call_session(self, sid: str) -> None:
        """The session ended: the peer's Jingle IQs for it are refused from now on."""
        ...

    async def turn_servers(self) -> list[TurnServer]:
        """The TURN servers (with credentials) our server offers (XEP-0215); [] if none."""
        ...


class HttpTransfers(Protocol):
    """Uploads and downloads of one account (every request goes the account's way).

    Every method raises ``TransferFailed`` with a clear reason (HTTP status, a
    refused or unreachable proxy, a timeout); a cancelled task stops at once.
    """

    async def put(
        self,
        url: str,
        headers: tuple[tuple[str, str], ...],
        chunks: AsyncIterator[bytes],
        size: int,
        progress: Callable[[int], None],
    ) -> None:
        """Upload ``size`` bytes read from ``chunks``; ``progress`` gets bytes sent."""
        ...

    async def get(self, url: str, path: Path, progress: Callable[[int], None]) -> int:
        """Download ``url`` into ``path``, resuming after what ``path`` already holds
        when the server allows ranges (else from the start); ``progress`` gets the
        bytes in ``path``. Returns the whole size."""
        ...

    async def size(self, url: str) -> int:
        """The size the server announces for ``url`` (-1 when it does not)."""
        ...


class CertificateProbe(Protocol):
    """Fetches the certificate an account's server presents, the account's way."""

    async def fetch(self, config: AccountConfig) -> bytes:
        """The DER certificate, over a connection of its own (through the proxy).

        Raises:
            SiproxylinError: It could not be fetched (the message says why).
        """
        ...


class CertificatePins(Protocol):
    """Where certificates the user trusted for an account are kept (PEM files)."""

    def pin(self, account: AccountId, der: bytes, existing_ca: str) -> str:
        """Keep ``der`` (with the CAs of ``existing_ca``, if any) for ``account``;
        returns the CA file to verify its server with from now on."""
        ...


class SettingsRepo(Protocol):
    """Typed key/value settings, global (``account=None``) or per account."""

    def get_str(self, key: str, default: str = "", account: AccountId | None = None) -> str:
        """A text setting (``default`` when unset)."""
        ...

    def get_int(self, key: str, default: int = 0, account: AccountId | None = None) -> int:
        """An integer setting (``default`` when unset or not an integer)."""
        ...

    def get_bool(self, key: str, default: bool = False, account: AccountId | None = None) -> bool:
        """A yes/no setting (``default`` when unset or unreadable)."""
        ...

    def set(self, key: str, value: str | int | bool, account: AccountId | None = None) -> None:
        """Store a setting."""
        ...

    def delete(self, key: str, account: AccountId | None = None) -> None:
        """Forget a setting."""
        ...


class FileTransferRepo(Protocol):
    """The local side of shared files."""

    def save(self, transfer: FileTransfer) -> None:
        """Store (or replace) the state of one message's file."""
        ...

    def get(self, message_id: int) -> FileTransfer | None:
        """The file shared by a message, if any."""
        ...

    def unfinished(self, states: tuple[TransferState, ...]) -> list[FileTransfer]:
        """Transfers in one of ``states``."""
        ...

    def share(self, message_id: int, url: str) -> ChatMessage | None:
        """An upload is done: the message's body and attachment become ``url``."""
        ...


class EncryptionStateRepo(Protocol):
    """The user's encryption choice per conversation."""

    def get(self, account: AccountId, peer: Jid, kind: ChatKind) -> bool | None:
        """True (encrypt), False (clear text chosen), None (never chosen)."""
        ...

    def set(self, account: AccountId, peer: Jid, kind: ChatKind, encrypted: bool) -> None:
        """Remember the choice."""
        ...


class TrustPolicy(Protocol):
    """Decides the trust of OMEMO devices the adapter has not seen before.

    The XMPP adapter calls it when a contact (or our own account) shows new
    devices; the core answers from its rules (blind trust before verification)
    or by asking the user through ``core.decisions``.
    """

    async def decide(
        self, account: AccountId, jid: Jid, devices: tuple[OmemoDevice, ...]
    ) -> dict[int, TrustLevel]:
        """The trust for each new device (by device id) of ``jid``."""
        ...


class OmemoKeyRepo(Protocol):
    """OMEMO state of each account: JSON values under path-like keys.

    Values include private keys; implementations never log them.
    """

    def load(self, account: AccountId, key: str) -> tuple[bool, Any]:
        """``(True, value)`` when ``key`` is stored, else ``(False, None)``."""
        ...

    def store(self, account: AccountId, key: str, value: Any) -> None:
        """Store (or replace) a JSON value."""
        ...

    def delete(self, account: AccountId, key: str) -> None:
        """Forget ``key`` (a missing key is ignored)."""
        ...

    def prune(self, account: AccountId, prefix: str, below: int) -> int:
        """Forget the keys starting with ``prefix`` whose (integer) value is below
        ``below``; returns how many were forgotten."""
        ...


class RegistrationChannel(Protocol):
    """One registration conversation with a server, over a stream that never logs in."""

    async def fetch_form(self) -> RegistrationForm:
        """Connect if needed, then ask for the form (with its CAPTCHA image).

        Raises ``RegistrationFailed``.
        """
        ...

    async def submit(self, form: RegistrationForm, answers: Answers) -> None:
        """Send the answers; returns once registered. Raises ``RegistrationFailed``."""
        ...

    async def close(self) -> None:
        """End the stream."""
        ...


class RegistrationConnector(Protocol):
    """Makes the registration channel to a server, through the chosen proxy."""

    def __call__(
        self, server: str, proxy: ProxyConfig, tls: TlsPolicy, host: str, port: int
    ) -> RegistrationChannel:
        """Create (not connect) a channel; raises ``RegistrationFailed`` for a bad name."""
        ...


class XmppSessionFactory(Protocol):
    """Makes the XMPP session of an account."""

    def __call__(self, config: AccountConfig, password: str, bus: EventBus) -> XmppSession:
        """Create (not connect) a session for ``config``."""
        ...


class AccountRepo(Protocol):
    """Stored accounts."""

    def list_accounts(self) -> list[AccountConfig]:
        """Every account, in creation order."""
        ...

    def add_account(self, config: AccountConfig) -> AccountConfig:
        """Store a new account; ``config.id`` is ignored and the new id returned."""
        ...

    def update_account(self, config: AccountConfig) -> None:
        """Replace an account's configuration."""
        ...

    def remove_account(self, account: AccountId) -> None:
        """Delete an account and everything stored for it, in one transaction."""
        ...


class MessageRepo(Protocol):
    """Stored messages of 1:1 conversations."""

    def add_message(self, message: ChatMessage) -> ChatMessage | None:
        """Store ``message`` (its ``id`` is ignored).

        Returns:
            The stored message with its id, or None when it is a duplicate: same
            server stanza-id, or same origin-id in the same conversation and direction.
        """
        ...

    def set_delivery_state(
        self, account: AccountId, origin_id: str, state: DeliveryState
    ) -> ChatMessage | None:
        """Change an outgoing message's state; None when there is no such message."""
        ...

    def unacked_outgoing(self, account: AccountId) -> list[ChatMessage]:
        """Outgoing messages not yet acknowledged by the server, oldest first."""
        ...

    def history(
        self, account: AccountId, peer: Jid, limit: int, before_id: int = 0
    ) -> list[ChatMessage]:
        """The last ``limit`` messages with ``peer``, oldest first.

        Args:
            account: The account.
            peer: The conversation's bare address.
            limit: How many messages at most.
            before_id: Only messages with a smaller id, when not 0 (paging back).
        """
        ...

    def conversations(self, account: AccountId) -> list[Jid]:
        """Peers this account has exchanged messages with."""
        ...


class MessageFeatureRepo(Protocol):
    """Changes to stored messages after they arrived, and finding referenced messages."""

    def find_target(
        self, account: AccountId, peer: Jid, kind: ChatKind, target_id: str
    ) -> ChatMessage | None:
        """The message of the conversation with ``peer`` that ``target_id`` names."""
        ...

    def get(self, message_id: int) -> ChatMessage | None:
        """One message by its row id, with its reactions."""
        ...

    def last_own(self, account: AccountId, peer: Jid) -> ChatMessage | None:
        """Our newest message in the conversation."""
        ...

    def with_reactions(self, messages: Sequence[ChatMessage]) -> list[ChatMessage]:
        """``messages`` with their reactions filled in."""
        ...

    def correct(self, message_id: int, body: str, timestamp: float) -> ChatMessage | None:
        """Replace a message's body (the earlier one is kept); None if retracted or gone."""
        ...

    def retract(self, message_id: int, moderated_by: str = "") -> ChatMessage | None:
        """Empty a message and drop its earlier bodies and reactions."""
        ...

    def set_reactions(
        self,
        message_id: int,
        sender: str,
        name: str,
        own: bool,
        emojis: tuple[str, ...],
        timestamp: float,
    ) -> ChatMessage | None:
        """Replace one person's reactions to a message (none: remove them)."""
        ...

    def own_reactions(self, message_id: int) -> tuple[str, ...]:
        """Our own reactions to a message."""
        ...

    def mark_delivered(self, message: ChatMessage) -> ChatMessage | None:
        """An outgoing message reached the recipient; None when nothing changed."""
        ...

    def mark_displayed(self, up_to: ChatMessage) -> list[ChatMessage]:
        """Our messages up to ``up_to`` were seen; returns those that changed."""
        ...

    def newest(
        self, account: AccountId, peer: Jid, direction: Direction | None = None
    ) -> ChatMessage | None:
        """The newest message of a conversation (of one direction, if given)."""
        ...


class ReadStateRepo(Protocol):
    """Read positions of conversations and unread counts."""

    def mark_read(self, message: ChatMessage) -> bool:
        """Move the read position up to ``message``; True when it moved."""
        ...

    def unread_count(self, account: AccountId, peer: Jid) -> int:
        """Unread incoming messages with ``peer``."""
        ...

    def unread_counts(self, account: AccountId) -> dict[Jid, int]:
        """Conversations with unread messages and their counts."""
        ...


class RosterRepo(Protocol):
    """Stored rosters."""

    def roster(self, account: AccountId) -> list[RosterItem]:
        """An account's roster."""
        ...

    def replace_roster(self, account: AccountId, items: Sequence[RosterItem]) -> None:
        """Replace an account's whole roster."""
        ...

    def upsert_roster(self, account: AccountId, items: Sequence[RosterItem]) -> None:
        """Add or update some roster items."""
        ...

    def remove_roster(self, account: AccountId, jids: Sequence[Jid]) -> None:
        """Remove some addresses from a roster."""
        ...


class SecretStore(Protocol):
    """Where account passwords live: the OS keyring, or a file in the data dir."""

    @property
    def secure(self) -> bool:
        """False when passwords are kept in a file because no keyring is available."""
        ...

    def get_password(self, account: AccountId) -> str | None:
        """The stored password, if any."""
        ...

    def set_password(self, account: AccountId, password: str) -> None:
        """Store a password."""
        ...

    def delete_password(self, account: AccountId) -> None:
        """Forget a password."""
        ...


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A message found by a search, with a short excerpt around what matched.

    Attributes:
        message: The stored message.
        snippet: One line of the body around the matches (whitespace runs collapsed,
            ``…`` where text was left out); plain text, no markup.
        matches: ``(start, end)`` of every matched word in ``snippet``, as Python
            string (code point) indices, in order and not overlapping.
    """

    message: ChatMessage
    snippet: str
    matches: tuple[tuple[int, int], ...] = ()


class MessageSearch(Protocol):
    """Full text search of stored messages, and the history around one of them."""

    def search_hits(
        self,
        text: str,
        limit: int = 50,
        account: AccountId | None = None,
        peer: Jid | None = None,
    ) -> list[SearchHit]:
        """Messages whose body contains every word of ``text``, newest first.

        The text is taken literally (no query syntax); each word also matches as
        the beginning of a longer word, so a word being typed already finds.

        Args:
            text: What the user typed.
            limit: At most this many hits.
            account: Only this account's messages; every account when None.
            peer: Only the conversation with this bare address.
        """
        ...

    def history_around(
        self,
        account: AccountId,
        peer: Jid,
        message_id: int,
        before: int = 50,
        after: int = 50,
    ) -> list[ChatMessage]:
        """Messages with ``peer`` around ``message_id``, oldest first.

        Up to ``before`` messages older than ``message_id``, then the message itself
        (when it still exists) and up to ``after`` newer ones.
        """
        ...


@dataclass(frozen=True, slots=True)
class ArchiveSyncState:
    """How far an archive (or one conversation in it) has been read.

    Attributes:
        last_id: Newest archive id stored by a catch-up ("" before the first one).
        last_time: Its time, UTC seconds (where to go on from if the id is gone).
        complete_to_start: Paging back reached the archive's beginning.
    """

    last_id: str = ""
    last_time: float = 0.0
    complete_to_start: bool = False


@dataclass(frozen=True, slots=True)
class ArchiveRange:
    """A stretch of an archive known to be stored without a hole (ids inclusive)."""

    first_id: str
    first_time: float
    last_id: str
    last_time: float


class ArchiveSyncRepo(Protocol):
    """What is known about the server archives an account reads (XEP-0313).

    ``archive`` is the account's own bare address or a room's; ``with_jid`` a 1:1
    peer when only that conversation was paged (None: the whole archive).
    """

    def sync_state(
        self, account: AccountId, archive: Jid, with_jid: Jid | None = None
    ) -> ArchiveSyncState:
        """The sync point and start flag (all empty when never synced)."""
        ...

    def ranges(
        self, account: AccountId, archive: Jid, with_jid: Jid | None = None
    ) -> list[ArchiveRange]:
        """The known complete stretches, oldest first."""
        ...

    def record_forward(
        self, account: AccountId, archive: Jid, after: str, page: ArchivePage
    ) -> None:
        """A page fetched forward was stored: extend the range ending at ``after``
        (or start one when ``after`` is "" or ends none) and move the sync point to
        the page's last result."""
        ...

    def record_backward(
        self,
        account: AccountId,
        archive: Jid,
        with_jid: Jid | None,
        before: str,
        page: ArchivePage,
    ) -> None:
        """A page fetched backwards was stored: extend the range starting at ``before``
        (or start one); ``before`` "" (the newest page of the whole archive) also sets
        the sync point; a complete page marks the beginning reached."""
        ...

    def oldest_archived(self, account: AccountId, peer: Jid, kind: ChatKind) -> tuple[str, float]:
        """The archive id and time of the oldest stored message of a conversation that
        has an archive id; ``("", 0.0)`` when none has."""
        ...


class RoomRepo(Protocol):
    """Rooms kept across restarts (joined with "remember", bookmarks, last subject)."""

    def rooms(self, account: AccountId) -> list[RoomSettings]:
        """An account's stored rooms, by address."""
        ...

    def save_room(self, account: AccountId, room: RoomSettings) -> None:
        """Add or replace a stored room.

        Raises:
            AccountNotFound: If the account does not exist.
        """
        ...

    def remove_room(self, account: AccountId, room: Jid) -> None:
        """Forget a stored room (unknown ones are ignored)."""
        ...

    def set_subject(self, account: AccountId, room: Jid, subject: str) -> None:
        """Remember a stored room's last subject (unknown rooms are ignored)."""
        ...

    def legacy_bookmarks_converted(self, account: AccountId) -> bool:
        """True once the account's XEP-0048 bookmarks were copied to XEP-0402."""
        ...

    def set_legacy_bookmarks_converted(self, account: AccountId) -> None:
        """Remember that the XEP-0048 bookmarks were copied."""
        ...


# --- profiles --------------------------------------------------------------------


class ProfileCommands(Protocol):
    """Profile requests over one account's stream (never any other connection).

    Attributes:
        own_nick: Our nickname, sent along with our subscription requests.
    """

    own_nick: str

    async def fetch_avatar(self, jid: Jid, digest: str, source: AvatarSource) -> bytes:
        """The picture announced as ``digest``, unverified.

        Raises:
            ProfileError: If it cannot be fetched or is malformed.
        """
        ...

    async def fetch_vcard(self, jid: Jid | None) -> VCard:
        """Someone's vCard (ours for None); an empty one when there is none."""
        ...

    async def publish_avatar(self, data: bytes, media_type: str, width: int, height: int) -> str:
        """Publish our avatar; returns its SHA-1 hash."""
        ...

    async def remove_avatar(self) -> None:
        """Stop showing an avatar to our contacts."""
        ...

    async def publish_nickname(self, nick: str) -> None:
        """Publish our nickname (empty: none)."""
        ...

    async def set_vcard(self, card: VCard) -> None:
        """Replace our vCard's basic fields (the photo is kept)."""
        ...

    async def fetch_own_nickname(self) -> str:
        """The nickname we published ("" when none)."""
        ...

    async def set_room_avatar(self, room: Jid, data: bytes, media_type: str) -> str:
        """Put a picture in a room's vCard (we own the room); returns its SHA-1 hash."""
        ...


class AvatarRepo(Protocol):
    """Which contact has which avatar and nickname, remembered between runs."""

    def avatars(self, account: AccountId) -> dict[Jid, tuple[str, AvatarSource]]:
        """Every remembered avatar hash of an account."""
        ...

    def set_avatar(self, account: AccountId, jid: Jid, digest: str, source: AvatarSource) -> None:
        """Remember ``jid``'s avatar hash ("" forgets it)."""
        ...

    def nicknames(self, account: AccountId) -> dict[Jid, str]:
        """Every remembered nickname of an account."""
        ...

    def set_nickname(self, account: AccountId, jid: Jid, nick: str) -> None:
        """Remember ``jid``'s nickname ("" forgets it)."""
        ...


class AvatarFiles(Protocol):
    """Avatar pictures cached as files, named by their SHA-1 hash."""

    def path(self, digest: str) -> Path | None:
        """The cached file of ``digest``, or None when it is not cached."""
        ...

    def put(self, digest: str, data: bytes) -> Path:
        """Cache verified ``data`` under ``digest``."""
        ...


# --- calls: media and history --------------------------------------------------------

LocalCandidate = Callable[[str, Candidate], None]
"""Called with (content name, candidate) for each of our candidates once checked."""


class CallMedia(Protocol):
    """One call's media: a relay-only peer connection, in signalling values.

    Failures raise ``CallMediaError`` (``domain.call_media``) with a sentence for the user.
    """

    async def create_offer(self) -> SessionDescription:
        """Gather the relay candidate and return our offer (relay-only, checked)."""
        ...

    async def accept_offer(self, offer: SessionDescription) -> SessionDescription:
        """Take the peer's offer; return our answer (relay-only, checked)."""
        ...

    async def set_answer(self, answer: SessionDescription) -> None:
        """Take the peer's answer to our offer; ICE starts."""
        ...

    async def add_remote_candidate(self, content: str, candidate: Candidate) -> None:
        """Add one candidate the peer trickled."""
        ...

    async def wait_connected(self) -> None:
        """Return once media flows (raises ``CallMediaError`` on failure or timeout)."""
        ...

    def set_muted(self, muted: bool) -> None:
        """Send silence (True) or the microphone again."""
        ...

    def set_devices(self, input_id: str | None, output_id: str | None) -> None:
        """Switch audio devices mid-call (no-op for generated audio)."""
        ...

    async def details(self) -> CallDetails:
        """TURN server and transport, the chosen pair and the codec (candidates are the core's)."""
        ...

    async def close(self) -> None:
        """Hang up and release the TURN allocation; safe to call twice."""
        ...


class CallMediaFactory(Protocol):
    """Makes the media of a call for one account through one TURN server."""

    def __call__(
        self,
        account: AccountId,
        server: TurnServer,
        *,
        ice_timeout: float,
        on_local_candidate: LocalCandidate | None = None,
    ) -> CallMedia:
        """The media for one call of ``account`` (no connection is made yet)."""
        ...

    def set_devices(self, input_id: str | None, output_id: str | None) -> None:
        """Use these devices for calls from now on (None: the system default)."""
        ...


class CallRepo(Protocol):
    """Finished calls."""

    def add_call(self, record: CallRecord) -> CallRecord:
        """Keep a finished call; returns it with its row id."""
        ...

    def calls(self, account: AccountId, peer: Jid, limit: int = 50) -> list[CallRecord]:
        """The latest ``limit`` calls with ``peer``, oldest first."""
        ...
