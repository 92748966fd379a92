"""Call signals as read from the wire: Jingle requests and call messages, without XML.

Stdlib only. A ``JingleRequest`` is one Jingle IQ after parsing; a
``JmiMessage`` is one Jingle Message Initiation message. The XMPP
adapter publishes them in events and the core turns them into inputs of the
call state machine.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from siproxylin.domain.calls import SessionDescription, TerminateReason, TransportUpdate
from siproxylin.domain.errors import SiproxylinError
from siproxylin.domain.ids import Jid


class JingleAction(enum.Enum):
    """The Jingle actions this client reads (others are refused as unsupported)."""

    SESSION_INITIATE = "session-initiate"
    SESSION_ACCEPT = "session-accept"
    SESSION_INFO = "session-info"
    SESSION_TERMINATE = "session-terminate"
    TRANSPORT_INFO = "transport-info"
    CONTENT_ADD = "content-add"
    CONTENT_MODIFY = "content-modify"
    CONTENT_REMOVE = "content-remove"
    CONTENT_ACCEPT = "content-accept"
    CONTENT_REJECT = "content-reject"
    DESCRIPTION_INFO = "description-info"
    SECURITY_INFO = "security-info"
    TRANSPORT_ACCEPT = "transport-accept"
    TRANSPORT_REJECT = "transport-reject"
    TRANSPORT_REPLACE = "transport-replace"


class SessionInfo(enum.Enum):
    """RTP informational payloads of session-info (``PING`` is an empty one)."""

    PING = ""
    RINGING = "ringing"
    MUTE = "mute"
    UNMUTE = "unmute"
    ACTIVE = "active"
    HOLD = "hold"
    UNHOLD = "unhold"


@dataclass(frozen=True, slots=True)
class JingleRequest:
    """One Jingle IQ as read, before the session decides what to do with it.

    Attributes:
        sender: The full address it came from.
        iq_id: The IQ id, for the reply.
        action: The Jingle action.
        sid: The session id.
        initiator: The ``initiator`` attribute (the sender when absent in an initiate).
        session: Contents of a session-initiate or session-accept.
        transports: Contents of a transport-info.
        info: The payload of a session-info.
        reason: The reason of a session-terminate.
        reason_text: The reason's optional text (bounded).
    """

    sender: Jid
    iq_id: str
    action: JingleAction
    sid: str
    initiator: Jid | None = None
    session: SessionDescription | None = None
    transports: tuple[TransportUpdate, ...] = ()
    info: SessionInfo | None = None
    reason: TerminateReason | None = None
    reason_text: str = ""


class JmiKind(enum.Enum):
    """The JMI message kinds."""

    PROPOSE = "propose"
    RINGING = "ringing"
    PROCEED = "proceed"
    ACCEPT = "accept"
    REJECT = "reject"
    RETRACT = "retract"
    FINISH = "finish"


class Carbon(enum.Enum):
    """How the message reached us."""

    NONE = "none"  # directly
    RECEIVED = "received"  # a copy of a message another of our devices received
    SENT = "sent"  # a copy of a message another of our devices sent


@dataclass(frozen=True, slots=True)
class JmiMessage:
    """One JMI message as read.

    Attributes:
        kind: What it says.
        call_id: The proposal id (becomes the Jingle session id).
        sender: Who wrote it (for a sent carbon: our other device).
        recipient: Whom it was for.
        media: The proposed media (``audio``), for a propose.
        reason: The reason of a reject, retract or finish, if given.
        reason_text: The reason's text, bounded.
        carbon: How it reached us.
    """

    kind: JmiKind
    call_id: str
    sender: Jid
    recipient: Jid | None = None
    media: tuple[str, ...] = ()
    reason: TerminateReason | None = None
    reason_text: str = ""
    carbon: Carbon = Carbon.NONE


class JingleIqRefused(SiproxylinError):
    """The peer answered one of our Jingle requests with an error, or not in time.

    Attributes:
        condition: The stanza error condition, or ``timeout``.
    """

    def __init__(self, condition: str) -> None:
        super().__init__(f"the other side refused the call request ({condition})")
        self.condition = condition
