"""Plain data the application works with: accounts' states, messages, roster items, presence.

Stdlib only; no formatting, no behaviour beyond small derived properties.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from siproxylin.domain.errors import FailureReason
from siproxylin.domain.ids import AccountId, Jid


class ConnectionState(enum.Enum):
    """The states of an account's session (see docs/ARCHITECTURE.md)."""

    DISABLED = "disabled"
    CONNECTING = "connecting"
    ONLINE = "online"
    RECONNECTING = "reconnecting"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class AccountStatus:
    """An account's state with the reason of a failure and the next retry delay.

    Attributes:
        state: Current state.
        reason: Why it failed or is reconnecting, if it did.
        detail: Human readable explanation of ``reason``.
        retry_in: Seconds until the next attempt while reconnecting.
        retry_at: UTC seconds of the next attempt while reconnecting (0 otherwise).
    """

    state: ConnectionState
    reason: FailureReason | None = None
    detail: str = ""
    retry_in: float = 0.0
    retry_at: float = 0.0


class Direction(enum.Enum):
    """Whether a message was received or sent by this account."""

    INCOMING = "in"
    OUTGOING = "out"


class DeliveryState(enum.Enum):
    """Where an outgoing message is on its way out.

    PENDING waits in the outbox, SENT was written to a live stream, ACKED was
    confirmed by the server (XEP-0198). Incoming messages are RECEIVED.
    """

    PENDING = "pending"
    SENT = "sent"
    ACKED = "acked"
    RECEIVED = "received"
    FAILED = "failed"
    DELIVERED = "delivered"  # the recipient's client confirmed it (XEP-0184 receipt)
    DISPLAYED = "displayed"  # the recipient has seen it (XEP-0333 displayed marker)


class ChatKind(enum.Enum):
    """Kind of conversation."""

    CHAT = "chat"
    GROUPCHAT = "groupchat"
    GROUPCHAT_PM = "groupchat_pm"  # a private message with a room occupant (peer: room/nick)


class Encryption(enum.Enum):
    """How a message travelled (XEP-0384 OMEMO)."""

    NONE = "none"
    OMEMO = "omemo"  # eu.siacs.conversations.axolotl (what most clients speak)
    OMEMO2 = "omemo2"  # urn:xmpp:omemo:2 with Stanza Content Encryption (XEP-0420)


class TrustLevel(enum.Enum):
    """How far we trust one OMEMO device of a contact (or of our own account)."""

    UNDECIDED = "undecided"  # not decided yet: nothing is encrypted for it
    BLIND = "blind"  # trusted without verification (blind trust before verification)
    VERIFIED = "verified"  # the fingerprint was compared by the user
    DISTRUSTED = "distrusted"  # never encrypt for it; its messages are flagged


@dataclass(frozen=True, slots=True)
class OmemoDevice:
    """One OMEMO device of an address.

    Attributes:
        jid: The bare address the device belongs to.
        device_id: Its device id.
        fingerprint: The identity key as lowercase hex (shown in groups of 8).
        trust: Our trust in it.
        active: Listed in the address's current device list.
        namespaces: The OMEMO versions it publishes (``Encryption`` values).
        label: The device's own label, if it publishes one.
    """

    jid: Jid
    device_id: int
    fingerprint: str
    trust: TrustLevel = TrustLevel.UNDECIDED
    active: bool = True
    namespaces: tuple[Encryption, ...] = ()
    label: str = ""


@dataclass(frozen=True, slots=True)
class Reaction:
    """One emoji put on a message, with who put it there.

    Attributes:
        emoji: The reaction (one grapheme cluster, usually an emoji).
        senders: Who reacted with it: bare addresses in 1:1 chats, nicks in rooms.
        own: True when this account is among them.
    """

    emoji: str
    senders: tuple[str, ...]
    own: bool = False


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """A stored message.

    Attributes:
        id: Local row id.
        account: The account it belongs to.
        peer: The bare address of the conversation.
        direction: In or out.
        body: Text.
        timestamp: UTC seconds since the epoch, as sent (delayed delivery) or received.
        origin_id: XEP-0359 origin-id, the sender's stable id.
        stanza_id: XEP-0359 stanza-id given by our server, if any.
        resource: The sending resource of the peer (incoming) or ours (outgoing).
        state: Delivery state.
        kind: Chat or groupchat.
        message_id: The stanza's ``id`` attribute (XEP-0308 corrections refer to it).
        occupant_id: XEP-0421 occupant id of the author in a room, if the room gives one.
        thread: XEP-0201 thread id, if any.
        reply_to: Id of the message this one answers (XEP-0461): its stanza-id in
            rooms, its origin or stanza ``id`` in 1:1 chats.
        reply_to_jid: Author of the answered message, as sent.
        edited: True once a XEP-0308 correction replaced the body.
        retracted: True once the author (or a moderator) retracted it; body is empty.
        retracted_by: The moderator who removed it (XEP-0425); empty otherwise.
        reactions: Reactions on this message, in first-seen order.
        encryption: How it travelled (OMEMO version, or not encrypted).
        decryption_error: Why an encrypted message could not be read (the body
            then holds a notice, never the ciphertext); empty otherwise.
        attachment: The URL of the file it shares (http(s):// or XEP-0454
            aesgcm://), empty when it shares none.
    """

    id: int
    account: AccountId
    peer: Jid
    direction: Direction
    body: str
    timestamp: float
    origin_id: str
    stanza_id: str = ""
    resource: str = ""
    state: DeliveryState = DeliveryState.RECEIVED
    kind: ChatKind = ChatKind.CHAT
    message_id: str = ""
    occupant_id: str = ""
    thread: str = ""
    reply_to: str = ""
    reply_to_jid: str = ""
    edited: bool = False
    retracted: bool = False
    retracted_by: str = ""
    reactions: tuple[Reaction, ...] = ()
    encryption: Encryption = Encryption.NONE
    decryption_error: str = ""
    attachment: str = ""

    @property
    def is_action(self) -> bool:
        """True for a XEP-0245 ``/me`` message."""
        return self.body.startswith("/me ")


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """What the core asks the XMPP adapter to send as a message with a body.

    Attributes:
        to: The recipient (a room's bare address for group chat).
        body: The text (with any reply fallback already prefixed).
        origin_id: Stanza id and XEP-0359 origin-id.
        kind: Chat or groupchat.
        thread: XEP-0201 thread id to keep, if any.
        reply_to: Id of the answered message (XEP-0461), if any.
        reply_to_jid: Author of the answered message.
        fallback_length: Length of the quoted fallback at the start of ``body``
            (XEP-0428), 0 when there is none.
        replaces: Id of the message this corrects (XEP-0308), if any.
        markable: Ask for XEP-0333 markers and XEP-0184 receipts (1:1 chats).
        encrypted: Send it OMEMO encrypted (with what the recipients' devices
            support) or not at all: never fall back to clear text.
        attachment: The URL of a shared file (sent as XEP-0066 out-of-band data
            unless encrypted), empty when none.
    """

    to: Jid
    body: str
    origin_id: str
    kind: ChatKind = ChatKind.CHAT
    thread: str = ""
    reply_to: str = ""
    reply_to_jid: str = ""
    fallback_length: int = 0
    replaces: str = ""
    markable: bool = True
    encrypted: bool = False
    attachment: str = ""


class ChatState(enum.Enum):
    """XEP-0085 chat states."""

    ACTIVE = "active"
    COMPOSING = "composing"
    PAUSED = "paused"
    INACTIVE = "inactive"
    GONE = "gone"


class Subscription(enum.Enum):
    """RFC 6121 roster subscription state."""

    NONE = "none"
    TO = "to"
    FROM = "from"
    BOTH = "both"
    REMOVE = "remove"


@dataclass(frozen=True, slots=True)
class RosterItem:
    """A contact in an account's roster.

    Attributes:
        jid: Bare address.
        name: Name given by the user; may be empty.
        subscription: Presence subscription state.
        groups: Roster groups.
        ask: True while our subscription request is pending.
    """

    jid: Jid
    name: str = ""
    subscription: Subscription = Subscription.NONE
    groups: tuple[str, ...] = ()
    ask: bool = False

    @property
    def display_name(self) -> str:
        """The name to show: the given name, or the address."""
        return self.name or str(self.jid)


class Availability(enum.Enum):
    """Presence shown for a contact, ordered roughly from most to least available."""

    CHAT = "chat"
    ONLINE = "online"
    AWAY = "away"
    XA = "xa"
    DND = "dnd"
    OFFLINE = "offline"


class DecisionKind(enum.Enum):
    """Questions the core asks the user."""

    SUBSCRIPTION = "subscription"  # allow a contact to see our presence?
    CERTIFICATE = "certificate"  # trust a certificate the system does not?
    TRUST = "trust"  # trust a new OMEMO device of a contact whose devices we verified?
    INVITATION = "invitation"  # join a room we were invited to?


# --- group chats


class Role(enum.Enum):
    """An occupant's XEP-0045 role: what they may do now, in this visit."""

    MODERATOR = "moderator"
    PARTICIPANT = "participant"
    VISITOR = "visitor"
    NONE = "none"


class Affiliation(enum.Enum):
    """A user's lasting XEP-0045 affiliation with a room."""

    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    OUTCAST = "outcast"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Occupant:
    """Someone in a room, as its presence shows them.

    Attributes:
        nick: Their nickname (the resource of ``room@service/nick``).
        role: Their role.
        affiliation: Their affiliation.
        real_jid: Their real full address, when the room shows it to us.
        occupant_id: XEP-0421 id, stable across nick changes, if the room gives one.
        availability: Presence shown.
        status: Free text status.
        own: True for our own occupant.
    """

    nick: str
    role: Role = Role.PARTICIPANT
    affiliation: Affiliation = Affiliation.NONE
    real_jid: Jid | None = None
    occupant_id: str = ""
    availability: Availability = Availability.ONLINE
    status: str = ""
    own: bool = False


@dataclass(frozen=True, slots=True)
class OccupantChange:
    """One occupant presence: someone is there (``occupant``) or left (``occupant`` None).

    Attributes:
        nick: The nick the presence came from.
        occupant: The occupant now, or None when they left.
        codes: XEP-0045 status codes carried (303 nick change, 307 kick, 301 ban...).
        new_nick: With code 303, the nick they changed to.
        actor: Who kicked or banned them, when the room says.
        reason: The reason given for it.
    """

    nick: str
    occupant: Occupant | None
    codes: frozenset[int] = frozenset()
    new_nick: str = ""
    actor: str = ""
    reason: str = ""


class RoomState(enum.Enum):
    """Where we are with a room."""

    JOINING = "joining"
    JOINED = "joined"
    LEFT = "left"  # we left, or were removed (the reason says which)
    FAILED = "failed"  # the join was refused (the reason says why)


@dataclass(frozen=True, slots=True)
class RoomConfig:
    """Settings for a room we create (XEP-0045 ``muc#roomconfig`` fields).

    Attributes:
        name: Natural-language room name.
        description: Short description.
        persistent: The room outlives its last occupant.
        members_only: Only members may enter.
        password: Entering needs this password (empty: none).
        public: Listed in the service's room directory.
        moderated: Only participants with voice may speak.
        non_anonymous: Every occupant sees real addresses.
        allow_invites: Occupants may invite others.
        archived: Keep a XEP-0313 archive when the service supports it.
    """

    name: str = ""
    description: str = ""
    persistent: bool = False
    members_only: bool = False
    password: str = ""
    public: bool = True
    moderated: bool = False
    non_anonymous: bool = False
    allow_invites: bool = False
    archived: bool = True


@dataclass(frozen=True, slots=True)
class RoomInfo:
    """What a room says about itself (XEP-0030 disco#info).

    Attributes:
        room: Its bare address.
        exists: False when the room does not exist yet (joining creates it).
        name: Its name, if any.
        features: The features it announces.
    """

    room: Jid
    exists: bool = True
    name: str = ""
    features: frozenset[str] = frozenset()

    @property
    def archived(self) -> bool:
        """The room keeps a XEP-0313 archive."""
        return "urn:xmpp:mam:2" in self.features

    @property
    def members_only(self) -> bool:
        """Only members may enter."""
        return "muc_membersonly" in self.features

    @property
    def password_protected(self) -> bool:
        """Entering needs a password."""
        return "muc_passwordprotected" in self.features


@dataclass(frozen=True, slots=True)
class Bookmark:
    """A saved room (XEP-0402 PEP bookmark, or a converted XEP-0048 one).

    Attributes:
        room: The room's bare address.
        name: A name for it.
        nick: Our nick there (empty: the account's default).
        password: The room's password, if it needs one.
        autojoin: Join it on login.
    """

    room: Jid
    name: str = ""
    nick: str = ""
    password: str = ""
    autojoin: bool = False


@dataclass(frozen=True, slots=True)
class Invitation:
    """An invitation to a room, direct (XEP-0249) or mediated by the room (XEP-0045).

    Attributes:
        room: The room's bare address.
        inviter: Who invites (their real address as given).
        reason: Their text.
        password: The room's password, when they sent it.
        mediated: True when the room forwarded it.
    """

    room: Jid
    inviter: Jid
    reason: str = ""
    password: str = ""
    mediated: bool = False


class MembershipOutcome(enum.Enum):
    """What came of asking a members-only room for membership (XEP-0045 7.10)."""

    MEMBER = "member"  # the room registered us: we are a member now
    PENDING = "pending"  # the room took the request; an admin has to approve it


@dataclass(frozen=True, slots=True)
class RoomSettings:
    """A room as kept across restarts.

    Attributes:
        room: Its bare address.
        nick: Our nick there.
        password: Its password, if any.
        name: A name for it.
        autojoin: Join it on login (the user joined with "remember").
        bookmarked: It is saved as a XEP-0402 bookmark on the server.
        subject: The last subject seen.
    """

    room: Jid
    nick: str
    password: str = ""
    name: str = ""
    autojoin: bool = True
    bookmarked: bool = False
    subject: str = ""


class TransferState(enum.Enum):
    """Where a shared file is (ours being uploaded, or a peer's being fetched)."""

    OFFERED = "offered"  # a peer's file, not fetched (nothing is fetched unasked)
    UPLOADING = "uploading"
    DOWNLOADING = "downloading"
    DONE = "done"  # uploaded and shared, or downloaded (and decrypted)
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class FileTransfer:
    """The local side of a file shared in a message.

    Attributes:
        message_id: The message sharing it.
        name: The file name shown (taken from the URL for a peer's file).
        size: Bytes, -1 while unknown.
        mime: Media type, "" while unknown.
        path: The local file ("" until downloaded, or for a failed one).
        state: Where it is.
        done: Bytes transferred so far.
        error: What went wrong, in words ("" unless FAILED).
    """

    message_id: int
    name: str
    size: int
    mime: str
    path: str
    state: TransferState
    done: int = 0
    error: str = ""

    @property
    def image(self) -> bool:
        """True for an image format the app previews."""
        return self.mime in ("image/png", "image/jpeg", "image/gif", "image/webp")


@dataclass(frozen=True, slots=True)
class UploadService:
    """A XEP-0363 upload service: its address and its size limit (0: none given)."""

    jid: Jid
    max_size: int = 0


@dataclass(frozen=True, slots=True)
class UploadSlot:
    """Where to PUT a file and where it is fetched from afterwards.

    Attributes:
        put_url: The URL to upload to.
        get_url: The URL to share.
        headers: Headers the server asks to send with the PUT (only the ones
            XEP-0363 allows).
    """

    put_url: str
    get_url: str
    headers: tuple[tuple[str, str], ...] = ()
