"""SDP text <-> ``SessionDescription``, as aiortc and libwebrtc write and read it.

Pure: stdlib, ``domain`` and ``core.relay_only``; no aiortc. Together with
``contents`` (Jingle XML <-> the same values) this is the Jingle <-> SDP mapping
of XEP-0167 (RTP), XEP-0176 (ICE-UDP), XEP-0293 (RTCP feedback), XEP-0294
(header extensions), XEP-0320 (DTLS fingerprints), XEP-0338 (BUNDLE) and
XEP-0339 (sources). The content name is the SDP ``mid``; ``senders`` becomes a
direction relative to whoever wrote the SDP; an answer never says ``actpass``;
only one fingerprint (sha-256 when offered) is kept; ``a=end-of-candidates`` is
dropped (Jingle has none). Input is bounded and anything unreadable raises
``MalformedSignalling``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from siproxylin.core.relay_only import check_outgoing
from siproxylin.domain.calls import (
    STATIC_PAYLOAD_TYPES,
    Candidate,
    Content,
    Fingerprint,
    HeaderExtension,
    IceTransport,
    InsecureCall,
    MalformedSignalling,
    PayloadType,
    RtcpFeedback,
    RtpDescription,
    Senders,
    SessionDescription,
    Setup,
    Source,
    SourceGroup,
)
from siproxylin.xmpp.jingle.sdp_candidates import candidate_from_sdp, candidate_to_sdp, sdp_int

__all__ = [
    "candidate_from_sdp",
    "candidate_to_sdp",
    "check_outgoing_sdp",
    "direction_of",
    "parse_sdp",
    "senders_of",
    "write_sdp",
]

MAX_SDP = 64 * 1024  # characters
MAX_MEDIA = 8
MAX_CANDIDATES = 64  # per media section
MAX_PAYLOAD_TYPES = 64
MAX_ITEMS = 128  # extensions, sources, feedback lines per media section
PREFERRED_HASH = "sha-256"
_DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")


def direction_of(senders: Senders, *, writer_is_initiator: bool) -> str:
    """The SDP direction attribute for ``senders`` as seen by the SDP's writer."""
    if senders is Senders.BOTH:
        return "sendrecv"
    if senders is Senders.NONE:
        return "inactive"
    writer_sends = (senders is Senders.INITIATOR) == writer_is_initiator
    return "sendonly" if writer_sends else "recvonly"


def senders_of(direction: str, *, writer_is_initiator: bool) -> Senders:
    """The Jingle ``senders`` for an SDP direction written by one side."""
    if direction == "sendrecv":
        return Senders.BOTH
    if direction == "inactive":
        return Senders.NONE
    writer_sends = direction == "sendonly"
    initiator_sends = writer_sends == writer_is_initiator
    return Senders.INITIATOR if initiator_sends else Senders.RESPONDER


# --- writing


def _format_parameters(parameters: tuple[tuple[str, str], ...]) -> str:
    return ";".join(f"{name}={value}" if name else value for name, value in parameters)


def _feedback_line(pt: str, fb: RtcpFeedback) -> str:
    return f"a=rtcp-fb:{pt} {fb.type} {fb.subtype}".rstrip()


def _codec_lines(pt: PayloadType) -> list[str]:
    channels = 2 if pt.name.lower() == "opus" else pt.channels
    rtpmap = f"a=rtpmap:{pt.id} {pt.name}/{pt.clockrate}"
    if channels > 1:
        rtpmap += f"/{channels}"
    lines = [rtpmap]
    lines += [_feedback_line(str(pt.id), fb) for fb in pt.feedback]
    if pt.parameters:
        lines.append(f"a=fmtp:{pt.id} {_format_parameters(pt.parameters)}")
    return lines


def _transport_lines(transport: IceTransport, *, answer: bool, require_fp: bool) -> list[str]:
    lines = [f"a={candidate_to_sdp(c)}" for c in transport.candidates]
    if transport.ufrag:
        lines += [f"a=ice-ufrag:{transport.ufrag}", f"a=ice-pwd:{transport.pwd}"]
    lines.append("a=ice-options:trickle")
    fp = transport.fingerprint
    if fp is None:
        if require_fp:
            raise InsecureCall("no DTLS fingerprint for the media")
        return lines
    setup = fp.setup
    if answer and setup is Setup.ACTPASS:
        setup = Setup.ACTIVE  # RFC 4145: an answer must choose; the answerer default is active
    lines += [f"a=fingerprint:{fp.hash} {fp.value}", f"a=setup:{setup.value}"]
    return lines


def _media_lines(
    content: Content, *, writer_is_initiator: bool, answer: bool, require_fp: bool
) -> list[str]:
    desc = content.description
    pts = " ".join(str(pt.id) for pt in desc.payload_types)
    lines = [
        f"m={desc.media} 9 UDP/TLS/RTP/SAVPF {pts}",
        "c=IN IP4 0.0.0.0",
        "a=rtcp:9 IN IP4 0.0.0.0",
    ]
    lines += _transport_lines(content.transport, answer=answer, require_fp=require_fp)
    lines.append(f"a=mid:{content.name}")
    for ext in desc.header_extensions:
        direction = direction_of(ext.senders, writer_is_initiator=writer_is_initiator)
        suffix = "" if direction == "sendrecv" else f"/{direction}"
        lines.append(f"a=extmap:{ext.id}{suffix} {ext.uri}")
    if desc.extmap_allow_mixed:
        lines.append("a=extmap-allow-mixed")
    lines.append("a=" + direction_of(content.senders, writer_is_initiator=writer_is_initiator))
    # aiortc refuses audio without rtcp-mux; every peer we meet multiplexes anyway
    lines.append("a=rtcp-mux")
    lines += [_feedback_line("*", fb) for fb in desc.feedback]
    for pt in desc.payload_types:
        lines += _codec_lines(pt)
    for group in desc.source_groups:
        lines.append(f"a=ssrc-group:{group.semantics} " + " ".join(map(str, group.ssrcs)))
    # a source without attributes has no SDP line (aiortc needs "a=ssrc:N attr"); it is left out
    for source in desc.sources:
        for name, value in source.parameters:
            lines.append(
                f"a=ssrc:{source.ssrc} {name}:{value}" if value else f"a=ssrc:{source.ssrc} {name}"
            )
    return lines


def write_sdp(
    session: SessionDescription,
    *,
    writer_is_initiator: bool,
    answer: bool,
    session_id: int = 1,
    require_fingerprint: bool = True,
) -> str:
    """Write a description as SDP for the media engine.

    Args:
        session: The description (read from Jingle, or our own).
        writer_is_initiator: Whether the side that produced it is the session initiator.
        answer: Whether it is an answer (then ``actpass`` becomes ``active``).
        session_id: The ``o=`` session id.
        require_fingerprint: Refuse a content without a DTLS fingerprint.

    Returns:
        The SDP text with CRLF line ends.

    Raises:
        InsecureCall: If a content has no fingerprint and one is required.
    """
    lines = ["v=0", f"o=- {session_id} 2 IN IP4 0.0.0.0", "s=-", "t=0 0"]
    if session.bundle:
        lines.append("a=group:BUNDLE " + " ".join(session.bundle))
    lines.append("a=msid-semantic:WMS *")
    for content in session.contents:
        lines += _media_lines(
            content,
            writer_is_initiator=writer_is_initiator,
            answer=answer,
            require_fp=require_fingerprint,
        )
    return "\r\n".join(lines) + "\r\n"


# --- reading


@dataclass
class _Media:
    """One ``m=`` section while it is being read."""

    media: str
    pt_order: list[int]
    attrs: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Lines:
    session_attrs: list[tuple[str, str]] = field(default_factory=list)
    media: list[_Media] = field(default_factory=list)


def _split(text: str) -> _Lines:
    if len(text) > MAX_SDP:
        raise MalformedSignalling("SDP too large")
    lines = _Lines()
    for raw in text.splitlines():
        line = raw.strip()
        if len(line) < 2 or line[1] != "=":
            if line:
                raise MalformedSignalling(f"not an SDP line: {line[:40]!r}")
            continue
        kind, value = line[0], line[2:]
        if kind == "m":
            lines.media.append(_media_header(value))
            if len(lines.media) > MAX_MEDIA:
                raise MalformedSignalling("too many media sections")
        elif kind == "a":
            name, _, rest = value.partition(":")
            target = lines.media[-1].attrs if lines.media else lines.session_attrs
            if len(target) > MAX_CANDIDATES + MAX_PAYLOAD_TYPES * 4 + MAX_ITEMS:
                raise MalformedSignalling("too many SDP attributes")
            target.append((name, rest))
    if not lines.media:
        raise MalformedSignalling("SDP without media")
    return lines


def _media_header(value: str) -> _Media:
    parts = value.split()
    if len(parts) < 3:
        raise MalformedSignalling(f"bad m= line: {value[:60]!r}")
    pts = [sdp_int(p, "payload type", 0, 127) for p in parts[3:]]
    if len(pts) > MAX_PAYLOAD_TYPES:
        raise MalformedSignalling("too many payload types")
    return _Media(parts[0][:16], pts)


def _parameters(text: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for part in text.split(";"):
        part = part.strip()  # noqa: PLW2901
        if not part:
            continue
        name, eq, value = part.partition("=")
        out.append((name.strip(), value.strip()) if eq else ("", part))
    return tuple(out)


def _feedback(rest: str) -> tuple[str, RtcpFeedback]:
    pt, _, spec = rest.partition(" ")
    kind, _, sub = spec.strip().partition(" ")
    if not kind:
        raise MalformedSignalling(f"bad rtcp-fb: {rest[:40]!r}")
    return pt, RtcpFeedback(kind, sub.strip())


def _pick_fingerprint(values: list[str], setup: Setup | None) -> Fingerprint | None:
    parsed = []
    for value in values:
        hash_, _, hexes = value.strip().partition(" ")
        if not hexes:
            raise MalformedSignalling("bad fingerprint line")
        parsed.append((hash_.lower(), hexes.strip().upper()))
    if not parsed:
        return None
    chosen = next((p for p in parsed if p[0] == PREFERRED_HASH), parsed[0])
    return Fingerprint(chosen[0], chosen[1], setup or Setup.ACTPASS)


def _setup(value: str | None) -> Setup | None:
    if value is None:
        return None
    try:
        return Setup(value.strip().lower())
    except ValueError:
        raise MalformedSignalling(f"bad setup value {value[:20]!r}") from None


@dataclass
class _Codecs:
    rtpmap: dict[int, tuple[str, int, int]] = field(default_factory=dict)
    fmtp: dict[int, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    feedback: dict[str, list[RtcpFeedback]] = field(default_factory=dict)


def _read_rtpmap(rest: str) -> tuple[int, tuple[str, int, int]]:
    pt_text, _, spec = rest.partition(" ")
    pieces = spec.strip().split("/")
    if not pieces[0] or len(pieces) > 3:
        raise MalformedSignalling(f"bad rtpmap: {rest[:40]!r}")
    rate = sdp_int(pieces[1], "clock rate") if len(pieces) > 1 else 0
    channels = sdp_int(pieces[2], "channels", 1, 255) if len(pieces) > 2 else 1
    return sdp_int(pt_text, "payload type", 0, 127), (pieces[0][:64], rate, channels)


def _payload_types(media: _Media, codecs: _Codecs) -> tuple[PayloadType, ...]:
    out = []
    for pt in media.pt_order:
        name, rate, channels = codecs.rtpmap.get(pt, (*STATIC_PAYLOAD_TYPES.get(pt, ("", 0)), 1))
        if not name:
            continue  # a dynamic type without rtpmap cannot be used
        out.append(
            PayloadType(
                id=pt,
                name=name,
                clockrate=rate,
                channels=channels,
                parameters=codecs.fmtp.get(pt, ()),
                feedback=tuple(codecs.feedback.get(str(pt), ())),
            )
        )
    return tuple(out)


@dataclass
class _Reader:
    """State while reading one media section's attributes."""

    writer_is_initiator: bool
    codecs: _Codecs = field(default_factory=_Codecs)
    values: dict[str, str] = field(default_factory=dict)
    fingerprints: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    extensions: list[HeaderExtension] = field(default_factory=list)
    sources: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    groups: list[SourceGroup] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    def read(self, name: str, rest: str) -> None:  # noqa: C901 (one branch per attribute)
        if name == "candidate":
            if len(self.candidates) >= MAX_CANDIDATES:
                raise MalformedSignalling("too many candidates")
            self.candidates.append(candidate_from_sdp(rest))
        elif name == "rtpmap":
            pt, spec = _read_rtpmap(rest)
            self.codecs.rtpmap[pt] = spec
        elif name == "fmtp":
            pt_text, _, params = rest.partition(" ")
            self.codecs.fmtp[sdp_int(pt_text, "payload type", 0, 127)] = _parameters(params)
        elif name == "rtcp-fb":
            pt_key, fb = _feedback(rest)
            self.codecs.feedback.setdefault(pt_key, []).append(fb)
        elif name == "fingerprint":
            self.fingerprints.append(rest)
        elif name == "extmap":
            self._extmap(rest)
        elif name == "ssrc":
            self._ssrc(rest)
        elif name == "ssrc-group":
            semantics, *ssrcs = rest.split()
            self.groups.append(SourceGroup(semantics, tuple(sdp_int(s, "ssrc") for s in ssrcs)))
        elif name in ("ice-ufrag", "ice-pwd", "setup", "mid"):
            self.values[name] = rest.strip()
        elif name in _DIRECTIONS or name in ("rtcp-mux", "extmap-allow-mixed"):
            self.flags.add(name)
        if len(self.extensions) + len(self.sources) + len(self.groups) > MAX_ITEMS:
            raise MalformedSignalling("too many SDP items")

    def _extmap(self, rest: str) -> None:
        ident, _, uri = rest.partition(" ")
        ident, _, direction = ident.partition("/")
        senders = senders_of(direction or "sendrecv", writer_is_initiator=self.writer_is_initiator)
        uri = uri.strip().split(" ")[0]
        if not uri:
            raise MalformedSignalling("extmap without URI")
        self.extensions.append(HeaderExtension(sdp_int(ident, "extmap id", 1, 255), uri, senders))

    def _ssrc(self, rest: str) -> None:
        ssrc_text, _, attr = rest.partition(" ")
        name, _, value = attr.partition(":")
        self.sources.setdefault(sdp_int(ssrc_text, "ssrc"), []).append((name, value))


def _content(
    media: _Media, defaults: dict[str, str], index: int, *, writer_is_initiator: bool
) -> Content:
    reader = _Reader(writer_is_initiator)
    for name, rest in media.attrs:
        reader.read(name, rest)
    values = {**defaults, **reader.values}
    fps = reader.fingerprints or [v for k, v in defaults.items() if k.startswith("fingerprint")]
    direction = next((d for d in _DIRECTIONS if d in reader.flags), "sendrecv")
    description = RtpDescription(
        media=media.media,
        payload_types=_payload_types(media, reader.codecs),
        feedback=tuple(reader.codecs.feedback.get("*", ())),
        header_extensions=tuple(reader.extensions),
        extmap_allow_mixed="extmap-allow-mixed" in reader.flags or "extmap-allow-mixed" in defaults,
        sources=tuple(Source(ssrc, tuple(params)) for ssrc, params in reader.sources.items()),
        source_groups=tuple(reader.groups),
        rtcp_mux="rtcp-mux" in reader.flags,
    )
    transport = IceTransport(
        ufrag=values.get("ice-ufrag", ""),
        pwd=values.get("ice-pwd", ""),
        candidates=tuple(reader.candidates),
        fingerprint=_pick_fingerprint(fps, _setup(values.get("setup"))),
    )
    name = values.get("mid") or str(index)
    return Content(
        name=name[:64],
        description=description,
        transport=transport,
        senders=senders_of(direction, writer_is_initiator=writer_is_initiator),
    )


def parse_sdp(text: str, *, writer_is_initiator: bool) -> SessionDescription:
    """Read SDP (an offer or an answer) into a description.

    Args:
        text: The SDP, as the media engine wrote it (or a peer's, for tests).
        writer_is_initiator: Whether the side that wrote it is the session initiator.

    Returns:
        The description; contents are named by their ``mid``.

    Raises:
        MalformedSignalling: If the text is not usable SDP.
    """
    lines = _split(text)
    defaults: dict[str, str] = {}
    bundle: tuple[str, ...] = ()
    for i, (name, rest) in enumerate(lines.session_attrs):
        if name in ("ice-ufrag", "ice-pwd", "setup"):
            defaults[name] = rest.strip()
        elif name == "fingerprint":
            defaults[f"fingerprint{i}"] = rest
        elif name == "extmap-allow-mixed":
            defaults[name] = "1"
        elif name == "group" and rest.startswith("BUNDLE"):
            bundle = tuple(rest.split()[1:])
    contents = tuple(
        _content(m, defaults, i, writer_is_initiator=writer_is_initiator)
        for i, m in enumerate(lines.media)
    )
    return SessionDescription(contents, bundle)


def check_outgoing_sdp(text: str, *, writer_is_initiator: bool) -> SessionDescription:
    """Read our own SDP and refuse it unless every candidate is an allowed relay one.

    Args:
        text: The local description the media engine produced.
        writer_is_initiator: Whether we are the session initiator.

    Returns:
        The description, safe to send.

    Raises:
        RelayPolicyViolation: If a candidate would reveal an address.
        NoRelayCandidate: If there is no candidate at all.
        MalformedSignalling: If the text is not usable SDP.
    """
    session = parse_sdp(text, writer_is_initiator=writer_is_initiator)
    check_outgoing(session)
    return session
