"""Jingle ``<content/>`` XML <-> ``SessionDescription``: RTP descriptions and ICE-UDP transports.

Pure: stdlib, ``domain`` and ``core.relay_only``. Reads and writes XEP-0167 RTP
descriptions (payload types and parameters), XEP-0293 RTCP feedback, XEP-0294
header extensions, XEP-0339 sources and groups, XEP-0338 BUNDLE groups, XEP-0176
ICE-UDP transports and XEP-0320 DTLS fingerprints. Only UDP candidates are
written and read (ICE-UDP cannot carry TCP ones; Conversations refuses them) and
only the first fingerprint is read, as Conversations does.
Untrusted input is bounded; anything unreadable raises ``MalformedSignalling``.
"""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from typing import TypeVar

from siproxylin.core.relay_only import HIDDEN_ADDR
from siproxylin.domain.calls import (
    STATIC_PAYLOAD_TYPES,
    Candidate,
    CandidateType,
    Content,
    Fingerprint,
    HeaderExtension,
    IceTransport,
    MalformedSignalling,
    PayloadType,
    RtcpFeedback,
    RtpDescription,
    Senders,
    SessionDescription,
    Setup,
    Source,
    SourceGroup,
    TransportUpdate,
)

JINGLE = "urn:xmpp:jingle:1"  # XEP-0166
RTP = "urn:xmpp:jingle:apps:rtp:1"  # XEP-0167
RTCP_FB = "urn:xmpp:jingle:apps:rtp:rtcp-fb:0"  # XEP-0293
HDREXT = "urn:xmpp:jingle:apps:rtp:rtp-hdrext:0"  # XEP-0294
SSMA = "urn:xmpp:jingle:apps:rtp:ssma:0"  # XEP-0339
GROUPING = "urn:xmpp:jingle:apps:grouping:0"  # XEP-0338
ICE_UDP = "urn:xmpp:jingle:transports:ice-udp:1"  # XEP-0176
DTLS = "urn:xmpp:jingle:apps:dtls:0"  # XEP-0320

MAX_CONTENTS = 8
MAX_PAYLOAD_TYPES = 64
MAX_CANDIDATES = 64
MAX_ITEMS = 128  # parameters, feedback, extensions, sources per element
MAX_ATTR = 1024  # characters in one attribute or text


def q(namespace: str, tag: str) -> str:
    """The ElementTree name of ``tag`` in ``namespace``."""
    return f"{{{namespace}}}{tag}"


def children(parent: ET.Element, name: str, limit: int) -> list[ET.Element]:
    """The children called ``name`` (Clark notation), refusing more than ``limit``."""
    found = parent.findall(name)
    if len(found) > limit:
        raise MalformedSignalling(f"too many <{name.rpartition('}')[2]}/> elements")
    return found


def attr(element: ET.Element, name: str, default: str | None = None) -> str:
    """An attribute, bounded; missing without a default raises ``MalformedSignalling``."""
    value = element.get(name, default)
    if value is None:
        tag = element.tag.rpartition("}")[2]
        raise MalformedSignalling(f"<{tag}/> without {name!r}")
    if len(value) > MAX_ATTR:
        raise MalformedSignalling(f"attribute {name!r} too long")
    return value


def int_attr(
    element: ET.Element, name: str, low: int, high: int, default: int | None = None
) -> int:
    """An integer attribute within ``low..high``."""
    text = attr(element, name, None if default is None else str(default)).strip()
    if not text.isdigit() or len(text) > 10 or not low <= int(text) <= high:
        raise MalformedSignalling(f"attribute {name!r} is not a number in range: {text[:20]!r}")
    return int(text)


_E = TypeVar("_E", Senders, Setup, CandidateType)


def _enum_attr(element: ET.Element, name: str, kind: type[_E], default: _E) -> _E:
    value = element.get(name)
    if value is None:
        return default
    try:
        return kind(value)
    except ValueError:
        raise MalformedSignalling(f"bad {name!r} value {value[:20]!r}") from None


# --- reading


def _parameters(parent: ET.Element, namespace: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (attr(p, "name", ""), attr(p, "value", ""))
        for p in children(parent, q(namespace, "parameter"), MAX_ITEMS)
    )


def _feedback(parent: ET.Element) -> tuple[RtcpFeedback, ...]:
    out = [
        RtcpFeedback(attr(fb, "type"), attr(fb, "subtype", ""))
        for fb in children(parent, q(RTCP_FB, "rtcp-fb"), MAX_ITEMS)
    ]
    out += [
        RtcpFeedback("trr-int", str(int_attr(t, "value", 0, 2**32 - 1)))
        for t in children(parent, q(RTCP_FB, "rtcp-fb-trr-int"), MAX_ITEMS)
    ]
    return tuple(out)


def _payload_type(element: ET.Element) -> PayloadType:
    ident = int_attr(element, "id", 0, 127)
    static_name, static_rate = STATIC_PAYLOAD_TYPES.get(ident, ("", 0))
    name = attr(element, "name", "") or static_name  # a static type may come without its name
    if not name:
        raise MalformedSignalling(f"payload type {ident} without a name")
    channels = int_attr(element, "channels", 1, 255, 1)
    if name.lower() == "opus":
        channels = 2  # RFC 7587: opus is always written with two channels
    return PayloadType(
        id=ident,
        name=name,
        clockrate=int_attr(element, "clockrate", 0, 2**32 - 1, static_rate),
        channels=channels,
        parameters=_parameters(element, RTP),
        feedback=_feedback(element),
        ptime=int_attr(element, "ptime", 0, 10000, 0),
        maxptime=int_attr(element, "maxptime", 0, 10000, 0),
    )


def _sources(desc: ET.Element) -> tuple[tuple[Source, ...], tuple[SourceGroup, ...]]:
    sources = tuple(
        Source(int_attr(s, "ssrc", 0, 2**32 - 1), _parameters(s, SSMA))
        for s in children(desc, q(SSMA, "source"), MAX_ITEMS)
    )
    groups = tuple(
        SourceGroup(
            attr(g, "semantics"),
            tuple(
                int_attr(s, "ssrc", 0, 2**32 - 1) for s in children(g, q(SSMA, "source"), MAX_ITEMS)
            ),
        )
        for g in children(desc, q(SSMA, "ssrc-group"), MAX_ITEMS)
    )
    return sources, groups


def read_description(desc: ET.Element) -> RtpDescription:
    """Read an XEP-0167 ``<description/>``."""
    pts = children(desc, q(RTP, "payload-type"), MAX_PAYLOAD_TYPES)
    extensions = tuple(
        HeaderExtension(
            int_attr(e, "id", 1, 255),
            attr(e, "uri"),
            _enum_attr(e, "senders", Senders, Senders.BOTH),
        )
        for e in children(desc, q(HDREXT, "rtp-hdrext"), MAX_ITEMS)
    )
    sources, groups = _sources(desc)
    return RtpDescription(
        media=attr(desc, "media"),
        payload_types=tuple(_payload_type(pt) for pt in pts),
        feedback=_feedback(desc),
        header_extensions=extensions,
        extmap_allow_mixed=desc.find(q(HDREXT, "extmap-allow-mixed")) is not None,
        sources=sources,
        source_groups=groups,
        rtcp_mux=desc.find(q(RTP, "rtcp-mux")) is not None,
    )


def read_candidate(element: ET.Element) -> Candidate:
    """Read an XEP-0176 ``<candidate/>``."""
    return Candidate(
        foundation=attr(element, "foundation"),
        component=int_attr(element, "component", 1, 256),
        protocol=attr(element, "protocol").lower(),
        priority=int_attr(element, "priority", 0, 2**32 - 1),
        ip=attr(element, "ip"),
        port=int_attr(element, "port", 0, 65535),
        type=_enum_attr(element, "type", CandidateType, CandidateType.HOST),
        rel_addr=attr(element, "rel-addr", ""),
        rel_port=int_attr(element, "rel-port", 0, 65535, 0),
        generation=int_attr(element, "generation", 0, 255, 0),
        id=attr(element, "id", ""),
        network=int_attr(element, "network", 0, 2**16, 0),
    )


def read_transport(transport: ET.Element) -> IceTransport:
    """Read an XEP-0176 ``<transport/>`` with its XEP-0320 fingerprint."""
    fingerprint = None
    fp = transport.find(q(DTLS, "fingerprint"))
    if fp is not None:
        value = "".join(fp.itertext()).strip().upper()
        if not value or len(value) > MAX_ATTR:
            raise MalformedSignalling("empty or oversized fingerprint")
        setup = _enum_attr(fp, "setup", Setup, Setup.ACTPASS)
        fingerprint = Fingerprint(attr(fp, "hash").lower(), value, setup)
    candidates = tuple(
        read_candidate(c) for c in children(transport, q(ICE_UDP, "candidate"), MAX_CANDIDATES)
    )
    return IceTransport(
        ufrag=attr(transport, "ufrag", ""),
        pwd=attr(transport, "pwd", ""),
        candidates=tuple(c for c in candidates if c.protocol == "udp"),
        fingerprint=fingerprint,
    )


def _content_parts(content: ET.Element) -> tuple[str, str, IceTransport]:
    transport = content.find(q(ICE_UDP, "transport"))
    if transport is None:
        raise MalformedSignalling("content without an ICE-UDP transport")
    return (
        attr(content, "name")[:64],
        attr(content, "creator", "initiator"),
        read_transport(transport),
    )


def read_session(jingle: ET.Element) -> SessionDescription:
    """Read the contents and BUNDLE group of a session-initiate or session-accept.

    Args:
        jingle: The ``<jingle/>`` element.

    Returns:
        The description; contents without an RTP description are refused.

    Raises:
        MalformedSignalling: If a content is missing parts or the input is unreadable.
    """
    contents = []
    for element in children(jingle, q(JINGLE, "content"), MAX_CONTENTS):
        name, creator, transport = _content_parts(element)
        desc = element.find(q(RTP, "description"))
        if desc is None:
            raise MalformedSignalling(f"content {name!r} has no RTP description")
        senders = _enum_attr(element, "senders", Senders, Senders.BOTH)
        contents.append(Content(name, read_description(desc), transport, creator, senders))
    if not contents:
        raise MalformedSignalling("no content")
    bundle: tuple[str, ...] = ()
    for group in children(jingle, q(GROUPING, "group"), MAX_CONTENTS):
        if group.get("semantics") == "BUNDLE":
            names = children(group, q(GROUPING, "content"), MAX_CONTENTS)
            bundle = tuple(attr(c, "name") for c in names)
    return SessionDescription(tuple(contents), bundle)


def read_transport_updates(jingle: ET.Element) -> tuple[TransportUpdate, ...]:
    """Read the contents of a transport-info (candidates, credentials, a late fingerprint)."""
    updates = []
    for element in children(jingle, q(JINGLE, "content"), MAX_CONTENTS):
        name, creator, transport = _content_parts(element)
        updates.append(TransportUpdate(name, transport, creator))
    if not updates:
        raise MalformedSignalling("transport-info without content")
    return tuple(updates)


# --- writing


def _sub(parent: ET.Element, namespace: str, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, q(namespace, tag), attrs)


def _write_feedback(parent: ET.Element, feedback: tuple[RtcpFeedback, ...]) -> None:
    for fb in feedback:
        if fb.type == "trr-int":
            _sub(parent, RTCP_FB, "rtcp-fb-trr-int", value=fb.subtype)
        elif fb.subtype:
            _sub(parent, RTCP_FB, "rtcp-fb", type=fb.type, subtype=fb.subtype)
        else:
            _sub(parent, RTCP_FB, "rtcp-fb", type=fb.type)


def _write_parameters(
    parent: ET.Element, namespace: str, params: tuple[tuple[str, str], ...]
) -> None:
    for name, value in params:
        _sub(parent, namespace, "parameter", **({"name": name} if name else {}), value=value)


def _write_payload_type(desc: ET.Element, pt: PayloadType) -> None:
    attrs = {"id": str(pt.id), "name": pt.name, "clockrate": str(pt.clockrate)}
    if pt.channels != 1:
        attrs["channels"] = str(pt.channels)
    if pt.ptime:
        attrs["ptime"] = str(pt.ptime)
    if pt.maxptime:
        attrs["maxptime"] = str(pt.maxptime)
    element = _sub(desc, RTP, "payload-type", **attrs)
    _write_parameters(element, RTP, pt.parameters)
    _write_feedback(element, pt.feedback)


def write_description(parent: ET.Element, desc: RtpDescription) -> ET.Element:
    """Append an XEP-0167 ``<description/>`` to ``parent``."""
    element = _sub(parent, RTP, "description", media=desc.media)
    for pt in desc.payload_types:
        _write_payload_type(element, pt)
    _write_feedback(element, desc.feedback)
    for ext in desc.header_extensions:
        _sub(element, HDREXT, "rtp-hdrext", id=str(ext.id), uri=ext.uri, senders=ext.senders.value)
    if desc.extmap_allow_mixed:
        _sub(element, HDREXT, "extmap-allow-mixed")
    for source in desc.sources:
        _write_parameters(
            _sub(element, SSMA, "source", ssrc=str(source.ssrc)), SSMA, source.parameters
        )
    for group in desc.source_groups:
        g = _sub(element, SSMA, "ssrc-group", semantics=group.semantics)
        for ssrc in group.ssrcs:
            _sub(g, SSMA, "source", ssrc=str(ssrc))
    if desc.rtcp_mux:
        _sub(element, RTP, "rtcp-mux")
    return element


def write_candidate(parent: ET.Element, c: Candidate) -> ET.Element:
    """Append an XEP-0176 ``<candidate/>`` (a random id when it has none)."""
    attrs = {
        "component": str(c.component),
        "foundation": c.foundation,
        "generation": str(c.generation),
        "id": c.id or secrets.token_hex(6),
        "ip": c.ip,
        "network": str(c.network),
        "port": str(c.port),
        "priority": str(c.priority),
        "protocol": c.protocol,
        "type": c.type.value,
    }
    if c.rel_addr or c.rel_port:
        attrs["rel-addr"] = c.rel_addr or HIDDEN_ADDR
        attrs["rel-port"] = str(c.rel_port)
    return _sub(parent, ICE_UDP, "candidate", **attrs)


def write_transport(parent: ET.Element, transport: IceTransport) -> ET.Element:
    """Append an XEP-0176 ``<transport/>``; TCP candidates are left out."""
    attrs = {"ufrag": transport.ufrag, "pwd": transport.pwd} if transport.ufrag else {}
    element = _sub(parent, ICE_UDP, "transport", **attrs)
    fp = transport.fingerprint
    if fp is not None:
        _sub(element, DTLS, "fingerprint", hash=fp.hash, setup=fp.setup.value).text = fp.value
    for candidate in transport.candidates:
        if candidate.protocol == "udp":
            write_candidate(element, candidate)
    return element


def write_content(parent: ET.Element, content: Content, *, description: bool = True) -> None:
    """Append a ``<content/>`` (without its description for a transport-info)."""
    element = _sub(parent, JINGLE, "content", creator=content.creator, name=content.name)
    if description:
        element.set("senders", content.senders.value)
        write_description(element, content.description)
    write_transport(element, content.transport)


def write_session(jingle: ET.Element, session: SessionDescription) -> None:
    """Append the contents and BUNDLE group of a description to ``<jingle/>``."""
    for content in session.contents:
        write_content(jingle, content)
    if session.bundle:
        group = _sub(jingle, GROUPING, "group", semantics="BUNDLE")
        for name in session.bundle:
            _sub(group, GROUPING, "content", name=name)
