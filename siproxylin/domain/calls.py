"""Values of call signalling: a negotiated audio session without its wire formats.

Stdlib only. A ``SessionDescription`` is what one side offers or answers: its
contents (one per media stream), each with the RTP description (codecs, header
extensions, sources), the ICE transport (credentials, candidates) and the DTLS
fingerprint. Both Jingle XML and SDP text are read into these values and written
from them, so the core reasons about a call without either format. The errors
name the reason the session must end with (``TerminateReason``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace

from siproxylin.domain.errors import SiproxylinError

Parameters = tuple[tuple[str, str], ...]
"""Ordered ``name -> value`` pairs (an empty name is a bare value, as for red)."""

STATIC_PAYLOAD_TYPES = {0: ("PCMU", 8000), 8: ("PCMA", 8000), 9: ("G722", 8000), 18: ("G729", 8000)}
"""Audio payload types with a fixed meaning (RFC 3551): id -> (name, clock rate)."""


class Senders(enum.Enum):
    """Who sends media in a content, relative to the session's initiator."""

    BOTH = "both"
    NONE = "none"
    INITIATOR = "initiator"
    RESPONDER = "responder"


class Setup(enum.Enum):
    """The DTLS role a side announces (RFC 4145 ``a=setup``)."""

    ACTPASS = "actpass"
    ACTIVE = "active"
    PASSIVE = "passive"


class TerminateReason(enum.Enum):
    """Why a session ended, as the Jingle ``<reason/>`` conditions name it."""

    SUCCESS = "success"
    DECLINE = "decline"
    BUSY = "busy"
    CANCEL = "cancel"
    TIMEOUT = "timeout"
    CONNECTIVITY_ERROR = "connectivity-error"
    FAILED_APPLICATION = "failed-application"
    FAILED_TRANSPORT = "failed-transport"
    INCOMPATIBLE_PARAMETERS = "incompatible-parameters"
    SECURITY_ERROR = "security-error"
    GENERAL_ERROR = "general-error"
    GONE = "gone"
    MEDIA_ERROR = "media-error"
    UNSUPPORTED_APPLICATIONS = "unsupported-applications"
    UNSUPPORTED_TRANSPORTS = "unsupported-transports"
    EXPIRED = "expired"
    ALTERNATIVE_SESSION = "alternative-session"

    @property
    def text(self) -> str:
        """A sentence fit to show the user."""
        return _REASON_TEXTS[self]


_REASON_TEXTS = {
    TerminateReason.SUCCESS: "The call ended.",
    TerminateReason.DECLINE: "The call was declined.",
    TerminateReason.BUSY: "The other side is busy.",
    TerminateReason.CANCEL: "The call was cancelled.",
    TerminateReason.TIMEOUT: "Nobody answered.",
    TerminateReason.CONNECTIVITY_ERROR: "The call could not connect through the relay.",
    TerminateReason.FAILED_APPLICATION: "The audio could not be set up.",
    TerminateReason.FAILED_TRANSPORT: "The connection failed.",
    TerminateReason.INCOMPATIBLE_PARAMETERS: "The other client offered no audio format we share.",
    TerminateReason.SECURITY_ERROR: "The call was not encrypted as required and was ended.",
    TerminateReason.GENERAL_ERROR: "The call failed.",
    TerminateReason.GONE: "The other side went offline.",
    TerminateReason.MEDIA_ERROR: "The audio failed.",
    TerminateReason.UNSUPPORTED_APPLICATIONS: "The other client does not support this call.",
    TerminateReason.UNSUPPORTED_TRANSPORTS: "The other client cannot use our relay transport.",
    TerminateReason.EXPIRED: "The call request expired.",
    TerminateReason.ALTERNATIVE_SESSION: "The call continues in another session.",
}


@dataclass(frozen=True, slots=True)
class RtcpFeedback:
    """One RTCP feedback mechanism (``a=rtcp-fb``).

    Attributes:
        type: ``nack``, ``transport-cc``, ``goog-remb``... or ``trr-int``.
        subtype: ``pli`` for ``nack pli``; the interval for ``trr-int``; else empty.
    """

    type: str
    subtype: str = ""


@dataclass(frozen=True, slots=True)
class PayloadType:
    """One codec a side can receive (``a=rtpmap`` with its fmtp and feedback).

    Attributes:
        id: RTP payload type number (0..127).
        name: Codec name as written (``opus``, ``PCMU``...).
        clockrate: Clock rate in Hz (0 when unknown).
        channels: Number of channels (1 when not given; opus is always 2).
        parameters: The fmtp parameters in order.
        feedback: RTCP feedback for this codec.
        ptime: Packet time in ms, 0 when not given.
        maxptime: Maximum packet time in ms, 0 when not given.
    """

    id: int
    name: str
    clockrate: int = 0
    channels: int = 1
    parameters: Parameters = ()
    feedback: tuple[RtcpFeedback, ...] = ()
    ptime: int = 0
    maxptime: int = 0


@dataclass(frozen=True, slots=True)
class HeaderExtension:
    """An RTP header extension (``a=extmap``).

    Attributes:
        id: Local identifier (1..255).
        uri: What the extension means.
        senders: Who sends it (``both`` unless restricted).
    """

    id: int
    uri: str
    senders: Senders = Senders.BOTH


@dataclass(frozen=True, slots=True)
class Source:
    """One RTP synchronisation source (``a=ssrc``) with its attributes (cname, msid)."""

    ssrc: int
    parameters: Parameters = ()


@dataclass(frozen=True, slots=True)
class SourceGroup:
    """A group of sources (``a=ssrc-group``), e.g. ``FID`` for retransmission."""

    semantics: str
    ssrcs: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RtpDescription:
    """What flows in one content: an RTP media description.

    Attributes:
        media: ``audio`` (or ``video``).
        payload_types: Codecs in order of preference.
        feedback: RTCP feedback for every codec (``a=rtcp-fb:*``).
        header_extensions: RTP header extensions.
        extmap_allow_mixed: Whether one- and two-byte extensions may mix.
        sources: Sources the writer will send from.
        source_groups: Groups of those sources.
        rtcp_mux: RTP and RTCP share one port (required by the media engine).
    """

    media: str
    payload_types: tuple[PayloadType, ...]
    feedback: tuple[RtcpFeedback, ...] = ()
    header_extensions: tuple[HeaderExtension, ...] = ()
    extmap_allow_mixed: bool = False
    sources: tuple[Source, ...] = ()
    source_groups: tuple[SourceGroup, ...] = ()
    rtcp_mux: bool = True


class CandidateType(enum.Enum):
    """How an ICE candidate's address was found."""

    HOST = "host"
    PRFLX = "prflx"
    SRFLX = "srflx"
    RELAY = "relay"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One ICE candidate.

    ``id`` and ``network`` exist only in Jingle; they are left out of equality so a
    candidate read back from SDP compares equal to the one written.

    Attributes:
        foundation: Candidates with the same base and server share it.
        component: 1 for RTP (the only one with rtcp-mux).
        protocol: ``udp`` (``tcp`` only for ICE-TCP, which Jingle cannot carry).
        priority: ICE priority.
        ip: Address (IPv4, IPv6 or an mDNS name).
        port: Port.
        type: Host, server reflexive, peer reflexive or relayed.
        rel_addr: Related address, empty when none.
        rel_port: Related port, 0 when none.
        generation: ICE generation (0).
        tcptype: ``active``/``passive``/``so`` for TCP candidates, else empty.
        id: Jingle's unique candidate id.
        network: Jingle's network index.
    """

    foundation: str
    component: int
    protocol: str
    priority: int
    ip: str
    port: int
    type: CandidateType
    rel_addr: str = ""
    rel_port: int = 0
    generation: int = 0
    tcptype: str = ""
    id: str = field(default="", compare=False)
    network: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """The DTLS certificate fingerprint a side will present.

    Attributes:
        hash: Hash function name (``sha-256``).
        value: Colon-separated upper-case hex.
        setup: The DTLS role announced with it.
    """

    hash: str
    value: str
    setup: Setup


@dataclass(frozen=True, slots=True)
class IceTransport:
    """An ICE-UDP transport: credentials, candidates and the DTLS fingerprint.

    Attributes:
        ufrag: ICE user fragment (empty in a candidate-only transport-info).
        pwd: ICE password.
        candidates: Candidates known so far.
        fingerprint: DTLS fingerprint, None when not (yet) known.
    """

    ufrag: str = ""
    pwd: str = ""
    candidates: tuple[Candidate, ...] = ()
    fingerprint: Fingerprint | None = None


@dataclass(frozen=True, slots=True)
class Content:
    """One media stream of a session (a Jingle content, an SDP ``m=`` section).

    Attributes:
        name: Content name (the SDP ``mid``).
        creator: Which party created the content (always the initiator here).
        senders: Who sends media.
        description: The RTP description.
        transport: The ICE transport.
    """

    name: str
    description: RtpDescription
    transport: IceTransport
    creator: str = "initiator"
    senders: Senders = Senders.BOTH


@dataclass(frozen=True, slots=True)
class SessionDescription:
    """What one side offers or answers.

    Attributes:
        contents: The media streams in order.
        bundle: Content names bundled on one transport, empty when not bundled.
    """

    contents: tuple[Content, ...]
    bundle: tuple[str, ...] = ()


class CallSignallingError(SiproxylinError):
    """Signalling input or output that cannot be used; ``reason`` ends the session."""

    reason = TerminateReason.GENERAL_ERROR


class MalformedSignalling(CallSignallingError):
    """Jingle, JMI or SDP input that is unreadable, inconsistent or too large."""

    reason = TerminateReason.GENERAL_ERROR


class IncompatibleCall(CallSignallingError):
    """The other side offered nothing we can use (no shared codec, no audio, no ICE)."""

    reason = TerminateReason.INCOMPATIBLE_PARAMETERS


class InsecureCall(CallSignallingError):
    """A content has no usable DTLS fingerprint: media would not be authenticated."""

    reason = TerminateReason.SECURITY_ERROR


class RelayPolicyViolation(CallSignallingError):
    """An outgoing candidate would reveal an address other than the TURN relay's."""

    reason = TerminateReason.CONNECTIVITY_ERROR


class NoRelayCandidate(RelayPolicyViolation):
    """Our side has no relay candidate at all (TURN allocation failed silently)."""


def with_transport(
    session: SessionDescription, content_name: str, update: IceTransport
) -> SessionDescription:
    """Merge a later transport update (trickled candidates, a late fingerprint) into a content.

    New credentials replace the old ones only when the update carries them;
    candidates are appended unless already known; a fingerprint in the update
    replaces a missing or older one.

    Args:
        session: The description so far.
        content_name: The content the update is for.
        update: The transport from a transport-info.

    Returns:
        The merged description.

    Raises:
        MalformedSignalling: If no content has that name.
    """
    contents = []
    found = False
    for current in session.contents:
        content = current
        if content.name == content_name:
            found = True
            old = content.transport
            known = set(old.candidates)
            added = tuple(c for c in update.candidates if c not in known)
            transport = IceTransport(
                ufrag=update.ufrag or old.ufrag,
                pwd=update.pwd or old.pwd,
                candidates=old.candidates + added,
                fingerprint=update.fingerprint or old.fingerprint,
            )
            content = replace(content, transport=transport)
        contents.append(content)
    if not found:
        raise MalformedSignalling(f"transport update for unknown content {content_name!r}")
    return SessionDescription(tuple(contents), session.bundle)


@dataclass(frozen=True, slots=True)
class TransportUpdate:
    """The transport of one content in a transport-info (trickled candidates, late fingerprint).

    Attributes:
        content_name: The content it is for.
        creator: The content's creator.
        transport: Credentials (possibly empty), candidates and possibly a fingerprint.
    """

    content_name: str
    transport: IceTransport
    creator: str = "initiator"


def fit_answer(offer: SessionDescription, answer: SessionDescription) -> SessionDescription:
    """Make an engine's answer fit the offer it answers before it is sent.

    aiortc bundles even when the offer did not (Dino does not); an answer may
    only keep a bundle group over contents the offer bundled. Each answered
    content keeps the offer's creator.

    Args:
        offer: The peer's offer.
        answer: Our answer as the media engine wrote it.

    Returns:
        The answer with its bundle group and creators matching the offer.
    """
    creators = {c.name: c.creator for c in offer.contents}
    contents = tuple(replace(c, creator=creators.get(c.name, c.creator)) for c in answer.contents)
    bundle = tuple(name for name in answer.bundle if name in offer.bundle)
    return SessionDescription(contents, bundle)


def is_ice_restart(session: SessionDescription, update: TransportUpdate) -> bool:
    """Tell whether a transport-info restarts ICE (new credentials for a known content).

    Conversations restarts ICE when its network changes; the media engine
    (aiortc) cannot, so the caller must end or re-establish the session.

    Args:
        session: The peer's description so far.
        update: The transport-info's content.

    Returns:
        True when the update names other ICE credentials than the content has.
    """
    for content in session.contents:
        if content.name == update.content_name:
            new, old = update.transport, content.transport
            return bool(new.ufrag) and (new.ufrag, new.pwd) != (old.ufrag, old.pwd)
    return False
