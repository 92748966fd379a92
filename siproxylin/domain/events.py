"""Every event that travels on the bus, in one typed list.

Stdlib only. Two kinds live here:

* facts an adapter observed (``...Received``, ``Session...``): published by
  ``xmpp/`` after validation, consumed by core services;
* derived events a core service publishes after it persisted the change
  (``MessageStored``, ``RosterChanged``, ``AccountStateChanged``): consumed by
  the GUI bridge. Nothing is shown that was not stored first.

Names are past-tense facts; requests end in ``Requested``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from siproxylin.domain.call_info import CallInfo, CallRecord
from siproxylin.domain.call_signals import JingleRequest, JmiKind, JmiMessage
from siproxylin.domain.config import AccountConfig
from siproxylin.domain.errors import FailureReason, RoomError
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    AccountStatus,
    Availability,
    Bookmark,
    ChatKind,
    ChatMessage,
    ChatState,
    DecisionKind,
    Encryption,
    FileTransfer,
    Invitation,
    Occupant,
    OccupantChange,
    RoomSettings,
    RoomState,
    RosterItem,
)
from siproxylin.domain.profiles import AvatarSource


@dataclass(frozen=True, slots=True)
class Event:
    """Base of every bus event; every event names its account."""

    account: AccountId


# --- facts from the XMPP adapter ------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionStarted(Event):
    """The stream is authenticated and bound (or a XEP-0198 session was resumed).

    Attributes:
        bound: The full address the server bound.
        resumed: True when a previous stream was resumed: nothing was lost.
    """

    bound: Jid
    resumed: bool = False


@dataclass(frozen=True, slots=True)
class SessionEnded(Event):
    """The stream closed or could not be opened.

    Attributes:
        reason: Why, as far as the adapter knows.
        detail: Human readable explanation.
        resumable: True when a XEP-0198 resumption may still bring it back.
    """

    reason: FailureReason
    detail: str = ""
    resumable: bool = False


@dataclass(frozen=True, slots=True)
class ProxyNameResolved(Event):
    """The account's proxy was given by name, so that name was looked up on this machine.

    It is the only lookup a proxied account makes locally, once per run; the user
    is told so they can enter the proxy's address instead.

    Attributes:
        host: The proxy's name.
        address: The address it resolved to.
    """

    host: str
    address: str


@dataclass(frozen=True, slots=True)
class MessageReceived(Event):
    """A chat or group chat message with a body, validated by the adapter.

    For a carbon (XEP-0280) ``sender`` and ``recipient`` are those of the forwarded
    message, and ``outgoing`` says which way it went. In a room ``sender`` is the
    occupant's ``room@service/nick`` and ``outgoing`` means it is our own reflected
    message.

    Attributes:
        sender: Full address of the author.
        recipient: Address it was sent to.
        body: The text.
        message_id: The stanza's ``id`` attribute.
        origin_id: XEP-0359 origin-id, or the stanza id when absent.
        stanza_id: XEP-0359 stanza-id assigned by our own server, if present.
        timestamp: UTC seconds; the XEP-0203 delay stamp when there is one.
        delayed: True when the timestamp came from a delay element.
        outgoing: True for a sent carbon: a message our other device wrote.
        kind: Chat or groupchat.
        occupant_id: XEP-0421 occupant id the room stamped, if any.
        thread: XEP-0201 thread id.
        reply_to: Id of the answered message (XEP-0461).
        reply_to_jid: Author of the answered message, as claimed.
        replaces: Id of the message this one corrects (XEP-0308).
        wants_receipt: The sender asked for a XEP-0184 receipt.
        markable: The sender asked for XEP-0333 markers.
        archived: It came from a XEP-0313 archive query, not live.
        encryption: How it travelled (decrypted by the adapter before this event).
        decryption_error: Why an encrypted message could not be decrypted; the
            body then holds a notice for the user, never the ciphertext.
        attachment: The shared file's URL (XEP-0066 out-of-band data naming the
            body, or an aesgcm:// body), "" when none.
    """

    sender: Jid
    recipient: Jid
    body: str
    message_id: str
    origin_id: str
    stanza_id: str
    timestamp: float
    delayed: bool = False
    outgoing: bool = False
    kind: ChatKind = ChatKind.CHAT
    occupant_id: str = ""
    thread: str = ""
    reply_to: str = ""
    reply_to_jid: str = ""
    replaces: str = ""
    wants_receipt: bool = False
    markable: bool = False
    archived: bool = False
    encryption: Encryption = Encryption.NONE
    decryption_error: str = ""
    attachment: str = ""


@dataclass(frozen=True, slots=True)
class ReactionsReceived(Event):
    """Someone's whole set of XEP-0444 reactions to one message (empty removes them).

    Attributes:
        sender: Full address of the author (``room/nick`` in a room).
        recipient: Address it was sent to.
        target_id: Id of the message reacted to.
        emojis: The reactions, replacing that sender's earlier ones.
        kind: Chat or groupchat.
        occupant_id: XEP-0421 occupant id, if the room stamps one.
        outgoing: Our own reactions (a carbon from our other device, or reflected).
        stanza_id: The server's XEP-0359 stanza-id for dedupe, if any.
        timestamp: UTC seconds.
    """

    sender: Jid
    recipient: Jid
    target_id: str
    emojis: tuple[str, ...]
    kind: ChatKind = ChatKind.CHAT
    occupant_id: str = ""
    outgoing: bool = False
    stanza_id: str = ""
    timestamp: float = 0.0


@dataclass(frozen=True, slots=True)
class RetractionReceived(Event):
    """A XEP-0424 retraction, or a XEP-0425 moderation from a room.

    Attributes:
        sender: Full address of who retracts (the room itself for moderation).
        recipient: Address it was sent to.
        target_id: Id of the retracted message (stanza-id in rooms, origin-id in 1:1).
        kind: Chat or groupchat.
        occupant_id: XEP-0421 occupant id of the retracting occupant, if any.
        outgoing: Our own retraction (carbon or reflection).
        moderated_by: Set when a moderator removed it (XEP-0425): who did.
        reason: The moderator's reason.
    """

    sender: Jid
    recipient: Jid
    target_id: str
    kind: ChatKind = ChatKind.CHAT
    occupant_id: str = ""
    outgoing: bool = False
    moderated_by: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ReceiptReceived(Event):
    """A XEP-0184 delivery receipt for one of our messages.

    Attributes:
        sender: Who confirms.
        message_id: Id of the delivered message.
    """

    sender: Jid
    message_id: str


@dataclass(frozen=True, slots=True)
class MarkerReceived(Event):
    """A XEP-0333 displayed marker.

    From a peer it marks our messages seen; from our own other device (a sent carbon,
    or our own reflection in a room) it moves our read position.

    Attributes:
        sender: Full address of who saw.
        recipient: Address it was sent to.
        target_id: Id of the last message seen.
        kind: Chat or groupchat.
        outgoing: Our own marker, from another device.
    """

    sender: Jid
    recipient: Jid
    target_id: str
    kind: ChatKind = ChatKind.CHAT
    outgoing: bool = False


@dataclass(frozen=True, slots=True)
class DisplayedSynced(Event):
    """One of our devices read a conversation up to a message (XEP-0490, private).

    Attributes:
        peer: The conversation (contact or room bare address).
        stanza_id: The stanza-id (our archive's, or the room's) of the last message read.
    """

    peer: Jid
    stanza_id: str


@dataclass(frozen=True, slots=True)
class ChatStateReceived(Event):
    """A XEP-0085 chat state notification (typing, paused...).

    Attributes:
        sender: Full address (``room/nick`` in a room).
        state: The state.
        kind: Chat or groupchat.
    """

    sender: Jid
    state: ChatState
    kind: ChatKind = ChatKind.CHAT


@dataclass(frozen=True, slots=True)
class BlocklistReceived(Event):
    """The XEP-0191 block list (complete) or a pushed change.

    Attributes:
        blocked: Addresses added to the list (all of them when ``complete``).
        unblocked: Addresses removed from it (empty with ``complete``;
            ``complete`` with nothing blocked means the list is empty).
        complete: True when ``blocked`` is the whole list.
        unblock_all: A push that cleared the whole list.
    """

    blocked: tuple[Jid, ...]
    unblocked: tuple[Jid, ...] = ()
    complete: bool = False
    unblock_all: bool = False


@dataclass(frozen=True, slots=True)
class RoomJoined(Event):
    """We are in a room: the server sent our own presence (status 110) back.

    Attributes:
        room: The room's bare address.
        nick: Our nick there.
        archived: The room keeps a XEP-0313 archive (so history comes from there).
        created: The room was created by this join (XEP-0045 status 201).
    """

    room: Jid
    nick: str
    archived: bool = False
    created: bool = False


@dataclass(frozen=True, slots=True)
class MessageAcked(Event):
    """The server confirmed it holds an outgoing message (XEP-0198 ack).

    Attributes:
        origin_id: The acknowledged message's origin-id.
    """

    origin_id: str


@dataclass(frozen=True, slots=True)
class MessageErrorReceived(Event):
    """A message bounced with an error.

    Attributes:
        origin_id: The id of the message that failed.
        sender: Who reported the error.
        detail: The error condition and text.
    """

    origin_id: str
    sender: Jid
    detail: str


@dataclass(frozen=True, slots=True)
class RosterReceived(Event):
    """The whole roster (after login) or one pushed change.

    Attributes:
        items: The items received.
        complete: True when ``items`` replaces the whole roster.
    """

    items: tuple[RosterItem, ...]
    complete: bool


@dataclass(frozen=True, slots=True)
class PresenceReceived(Event):
    """A contact's resource became available, changed or left.

    Attributes:
        sender: Full address of the resource.
        availability: What it shows (OFFLINE when unavailable).
        status: Free text status.
        priority: Resource priority.
    """

    sender: Jid
    availability: Availability
    status: str = ""
    priority: int = 0


@dataclass(frozen=True, slots=True)
class SubscriptionRequested(Event):
    """Someone asks to see this account's presence.

    Attributes:
        sender: Bare address asking.
    """

    sender: Jid


@dataclass(frozen=True, slots=True)
class StanzaRejected(Event):
    """The adapter dropped invalid input (forged sender, oversize, malformed).

    Attributes:
        sender: Claimed sender, as text (it may not even parse).
        why: Short reason.
    """

    sender: str
    why: str


@dataclass(frozen=True, slots=True)
class JingleRequestReceived(Event):
    """A call peer's Jingle request, read, checked against our sessions and acknowledged.

    Attributes:
        request: The request.
    """

    request: JingleRequest


@dataclass(frozen=True, slots=True)
class CallMessageReceived(Event):
    """A call proposal or an answer to one (direct, or copied from another of our devices).

    Attributes:
        message: The message.
        elsewhere: ``PROCEED`` or ``REJECT`` when another of our devices answered.
    """

    message: JmiMessage
    elsewhere: JmiKind | None = None


# --- derived events from core services ------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountAdded(Event):
    """An account was created and stored.

    Attributes:
        config: Its configuration.
    """

    config: AccountConfig


@dataclass(frozen=True, slots=True)
class AccountUpdated(Event):
    """An account's configuration changed and was stored.

    Attributes:
        config: The new configuration.
    """

    config: AccountConfig


@dataclass(frozen=True, slots=True)
class AccountRemoved(Event):
    """An account and everything stored for it were deleted."""


@dataclass(frozen=True, slots=True)
class AccountStateChanged(Event):
    """An account's session moved to another state.

    Attributes:
        status: The new state with its reason.
    """

    status: AccountStatus


@dataclass(frozen=True, slots=True)
class MessageStored(Event):
    """A message was stored (new, or its delivery state changed).

    Attributes:
        message: The stored message.
        new: False when an existing message was updated (delivery state).
        archived: It came from an archive query (catch-up or scroll back).
        delayed: It carried a delay stamp (offline storage, a room's history).
    """

    message: ChatMessage
    new: bool = True
    archived: bool = False
    delayed: bool = False


@dataclass(frozen=True, slots=True)
class UnreadChanged(Event):
    """The number of unread messages in a conversation changed (and was stored).

    Attributes:
        peer: The conversation's bare address.
        count: Incoming messages after the read position.
    """

    peer: Jid
    count: int


@dataclass(frozen=True, slots=True)
class EncryptionChanged(Event):
    """A conversation's end-to-end encryption was turned on or off (and stored).

    Attributes:
        peer: The conversation.
        encrypted: True when messages to it now go out OMEMO encrypted.
    """

    peer: Jid
    encrypted: bool


@dataclass(frozen=True, slots=True)
class ChatStateChanged(Event):
    """Someone in a conversation started or stopped typing (not stored).

    Attributes:
        peer: The conversation's bare address.
        who: Who: the contact's bare address, or the nick in a room.
        state: Their state.
    """

    peer: Jid
    who: str
    state: ChatState


@dataclass(frozen=True, slots=True)
class BlocklistChanged(Event):
    """The stored block list of an account changed.

    Attributes:
        blocked: The whole list now.
    """

    blocked: tuple[Jid, ...]


@dataclass(frozen=True, slots=True)
class RosterChanged(Event):
    """The stored roster of an account changed.

    Attributes:
        items: The items that were added or updated.
        removed: Addresses that left the roster.
    """

    items: tuple[RosterItem, ...]
    removed: tuple[Jid, ...] = ()


@dataclass(frozen=True, slots=True)
class PresenceChanged(Event):
    """A contact's combined availability (best of its resources) changed.

    Attributes:
        jid: Bare address.
        availability: Best availability over its resources.
        status: Status text of that resource.
    """

    jid: Jid
    availability: Availability
    status: str = ""


@dataclass(frozen=True, slots=True)
class DecisionRequested(Event):
    """A question for the user, answered through ``core.decisions``.

    Attributes:
        decision_id: Key to resolve the question with.
        kind: What is asked.
        subject: What it is about (an address, a fingerprint...).
        text: The question, fit to show.
    """

    decision_id: int
    kind: DecisionKind
    subject: str
    text: str


@dataclass(frozen=True, slots=True)
class DecisionClosed(Event):
    """A question was answered, or withdrawn (its account was disabled or removed).

    Attributes:
        decision_id: The question's key.
    """

    decision_id: int


# --- history ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistorySyncStateChanged(Event):
    """A catch-up from a server archive (XEP-0313) started or ended.

    Attributes:
        archive: Whose archive: the account's own bare address, or a room's.
        syncing: True when the catch-up starts, False when it has ended.
        fetched: Messages newly stored by this catch-up so far (0 at the start).
        complete: At the end: True when the archive was read up to its newest
            message, False when the catch-up stopped early (error, disconnect).
        detail: Why it stopped early, fit for a log or a tooltip.
    """

    archive: Jid
    syncing: bool
    fetched: int = 0
    complete: bool = False
    detail: str = ""


# --- group chats
# Facts from the XMPP adapter (RoomJoined is above, with the message facts).


@dataclass(frozen=True, slots=True)
class RoomJoinFailed(Event):
    """A room refused our join (an error presence from it).

    Attributes:
        room: The room's bare address.
        nick: The nick we asked for.
        reason: Why, typed.
        detail: The server's own text, if any.
    """

    room: Jid
    nick: str
    reason: RoomError
    detail: str = ""


@dataclass(frozen=True, slots=True)
class RoomLeft(Event):
    """We are out of a room: our own unavailable presence came back, or a self-ping failed.

    Attributes:
        room: The room's bare address.
        reason: None when we left ourselves; else kicked, banned, dropped...
        actor: Who removed us, when the room says.
        detail: The reason text the room or the moderator gave.
    """

    room: Jid
    reason: RoomError | None = None
    actor: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class OccupantsReceived(Event):
    """A batch of occupant presences from one room.

    The presences a room sends while we join arrive as one batch with
    ``complete`` set (the whole list, ours included); later changes are batched
    per loop turn.

    Attributes:
        room: The room's bare address.
        changes: The presences, in arrival order.
        complete: True when ``changes`` is the room's whole occupant list.
    """

    room: Jid
    changes: tuple[OccupantChange, ...]
    complete: bool = False


@dataclass(frozen=True, slots=True)
class RoomSubjectReceived(Event):
    """A room's subject, sent on join or changed later.

    Attributes:
        room: The room's bare address.
        subject: The subject (empty: none).
        nick: Who set it, when known.
    """

    room: Jid
    subject: str
    nick: str = ""


@dataclass(frozen=True, slots=True)
class InvitationReceived(Event):
    """Someone invited us to a room.

    Attributes:
        invitation: The invitation.
    """

    invitation: Invitation


@dataclass(frozen=True, slots=True)
class InvitationDeclined(Event):
    """Someone declined our mediated invitation (the room forwarded it).

    Attributes:
        room: The room's bare address.
        by: Who declined.
        reason: Their text.
    """

    room: Jid
    by: Jid
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RoomNoticeReceived(Event):
    """A room announced a change of itself with XEP-0045 status codes (104, 170...).

    Attributes:
        room: The room's bare address.
        codes: The status codes.
    """

    room: Jid
    codes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class BookmarksReceived(Event):
    """Our XEP-0402 bookmarks changed on the server (a PEP notification).

    Attributes:
        bookmarks: Added or changed bookmarks.
        retracted: Rooms whose bookmark was removed.
    """

    bookmarks: tuple[Bookmark, ...]
    retracted: tuple[Jid, ...] = ()


# Derived events of the room service.


@dataclass(frozen=True, slots=True)
class RoomStateChanged(Event):
    """We are joining, in, out of, or refused by a room.

    Attributes:
        room: The room's bare address.
        state: The new state.
        nick: Our nick there.
        reason: Why we failed or left, when it was not our choice.
        detail: The server's or moderator's text.
    """

    room: Jid
    state: RoomState
    nick: str = ""
    reason: RoomError | None = None
    detail: str = ""

    @property
    def text(self) -> str:
        """What to tell the user, or an empty string."""
        if self.reason is None:
            return self.detail
        return f"{self.reason.text} {self.detail}".strip()


@dataclass(frozen=True, slots=True)
class OccupantsChanged(Event):
    """A room's occupant list changed (one event per batch).

    Attributes:
        room: The room's bare address.
        present: Occupants who arrived or changed (all of them with ``complete``).
        left: Nicks that are gone (including old nicks of renamed occupants).
        renamed: ``(old, new)`` nick pairs.
        complete: True when ``present`` is the whole list.
    """

    room: Jid
    present: tuple[Occupant, ...]
    left: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()
    complete: bool = False


@dataclass(frozen=True, slots=True)
class RoomSubjectChanged(Event):
    """A room's subject changed (and was stored).

    Attributes:
        room: The room's bare address.
        subject: The new subject.
        nick: Who set it.
    """

    room: Jid
    subject: str
    nick: str = ""


@dataclass(frozen=True, slots=True)
class RoomNotice(Event):
    """Something to tell the user about a room (config change, declined invitation...).

    Attributes:
        room: The room's bare address.
        text: The sentence to show.
    """

    room: Jid
    text: str


@dataclass(frozen=True, slots=True)
class BookmarksChanged(Event):
    """The account's stored room list (with bookmarks) changed.

    Attributes:
        rooms: Every remembered room of the account now.
    """

    rooms: tuple[RoomSettings, ...]


@dataclass(frozen=True, slots=True)
class TransferChanged(Event):
    """A shared file moved on: progress (at most a few times a second), or a new state.

    Attributes:
        transfer: Its new state.
    """

    transfer: FileTransfer


# --- profiles: avatars and nicknames ----------------------------------------------


@dataclass(frozen=True, slots=True)
class AvatarAnnounced(Event):
    """A contact said which avatar it has (a fact from the adapter).

    Attributes:
        jid: The contact's bare address.
        hash: The SHA-1 of the picture, lower-case hex; "" when it has none.
        source: Where it was announced (decides how the picture is fetched).
    """

    jid: Jid
    hash: str
    source: AvatarSource


@dataclass(frozen=True, slots=True)
class NicknameReceived(Event):
    """A contact published (or sent with a subscription request) its nickname.

    Attributes:
        jid: The contact's bare address.
        nick: The nickname; "" when it was removed.
    """

    jid: Jid
    nick: str


@dataclass(frozen=True, slots=True)
class AvatarChanged(Event):
    """The avatar shown for a contact (or ourselves) changed, and was stored.

    Attributes:
        jid: The bare address.
        path: The cached picture, or None when there is none.
    """

    jid: Jid
    path: Path | None


@dataclass(frozen=True, slots=True)
class NicknameChanged(Event):
    """The nickname stored for a contact (or ourselves) changed.

    Attributes:
        jid: The bare address.
        nick: The nickname; "" when there is none.
    """

    jid: Jid
    nick: str


@dataclass(frozen=True, slots=True)
class PreferenceChanged(Event):
    """A preference was set or reset (``account`` 0: an app-wide one).

    Attributes:
        key: Its key (a chat's: ``chat/<address>/<key>``).
        value: The new value as text ("" when reset).
    """

    key: str
    value: str


@dataclass(frozen=True, slots=True)
class CallChanged(Event):
    """A call started, rang, connected, was muted, or ended.

    Attributes:
        call: Its state now.
    """

    call: CallInfo


@dataclass(frozen=True, slots=True)
class CallLogged(Event):
    """A call finished and was kept in the call history (after its last ``CallChanged``).

    The chat view shows it in the conversation with ``record.peer`` as one line at
    ``record.started``: "Missed call" when ``record.missed``; "Call, 2:13" (the
    duration) when ``record.duration`` > 0; else the outcome in ``record.end_text``
    ("You declined the call.", "No relay available: ..."). Older lines come from
    ``CallsApi.history(account, peer)``.

    Attributes:
        record: The stored call.
    """

    record: CallRecord
