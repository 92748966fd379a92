"""SDP ``a=candidate`` lines <-> ``Candidate``, for descriptions and trickled candidates.

Pure: stdlib, ``domain`` and ``core.relay_only``. Reads the lines aioice,
libwebrtc and libnice write (UDP and TCP with ``tcptype``, related addresses,
extension fields such as ``network-id`` ignored) and writes them as aiortc's
``candidate_from_sdp`` reads them. Anything unreadable raises
``MalformedSignalling``.
"""

from __future__ import annotations

from siproxylin.core.relay_only import HIDDEN_ADDR
from siproxylin.domain.calls import Candidate, CandidateType, MalformedSignalling


def sdp_int(text: str, what: str, low: int = 0, high: int = 2**32 - 1) -> int:
    if not text.isdigit() or len(text) > 10:
        raise MalformedSignalling(f"{what} is not a number: {text[:40]!r}")
    value = int(text)
    if not low <= value <= high:
        raise MalformedSignalling(f"{what} out of range: {value}")
    return value


def candidate_from_sdp(text: str) -> Candidate:
    """Read one ``a=candidate`` line (with or without ``a=`` and ``candidate:``).

    Args:
        text: ``candidate:1 1 udp 2130706431 192.0.2.1 3478 typ host ...``.

    Returns:
        The candidate.

    Raises:
        MalformedSignalling: If the line is not a valid candidate.
    """
    text = text.strip()
    text = text.removeprefix("a=").removeprefix("candidate:")
    if len(text) > 1024:
        raise MalformedSignalling("candidate line too long")
    parts = text.split()
    if len(parts) < 8 or parts[6] != "typ" or len(parts) % 2:
        raise MalformedSignalling(f"not a candidate line: {text[:80]!r}")
    foundation, component, protocol, priority, ip, port, _, kind = parts[:8]
    try:
        ctype = CandidateType(kind.lower())
    except ValueError:
        raise MalformedSignalling(f"unknown candidate type {kind[:20]!r}") from None
    extra = dict(zip(parts[8::2], parts[9::2], strict=True))
    protocol = protocol.lower()
    if protocol not in ("udp", "tcp"):
        raise MalformedSignalling(f"unknown candidate protocol {protocol[:20]!r}")
    return Candidate(
        foundation=foundation[:64],
        component=sdp_int(component, "component", 1, 256),
        protocol=protocol,
        priority=sdp_int(priority, "priority"),
        ip=ip[:255],
        port=sdp_int(port, "port", 0, 65535),
        type=ctype,
        rel_addr=extra.get("raddr", "")[:255],
        rel_port=sdp_int(extra["rport"], "rport", 0, 65535) if "rport" in extra else 0,
        generation=sdp_int(extra["generation"], "generation", 0, 255)
        if "generation" in extra
        else 0,
        tcptype=extra.get("tcptype", "")[:16],
    )


def candidate_to_sdp(candidate: Candidate) -> str:
    """Write one candidate as the value of an ``a=`` line: ``candidate:...``.

    Args:
        candidate: The candidate.

    Returns:
        The attribute text, without ``a=`` (as ``RTCIceCandidate`` strings are).
    """
    c = candidate
    line = (
        f"candidate:{c.foundation} {c.component} {c.protocol} {c.priority} "
        f"{c.ip} {c.port} typ {c.type.value}"
    )
    if c.rel_addr or c.rel_port:
        line += f" raddr {c.rel_addr or HIDDEN_ADDR} rport {c.rel_port}"
    if c.tcptype:
        line += f" tcptype {c.tcptype}"
    return line + f" generation {c.generation}"
