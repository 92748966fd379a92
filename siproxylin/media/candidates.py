"""The relay-only guard: which local SDP candidates may be handed to the other side.

A local candidate leaves this machine only if it is ``typ relay`` and its related
address is absent or unspecified (``0.0.0.0`` / ``::``): aioice hides the
mapped address of a relay candidate, which is the user's public address, and
this guard makes sure it stays hidden whatever a future version does. The
``c=`` and ``m=`` lines may only carry a relay address or a dummy. Pure: stdlib
and ``domain`` only.
"""

from __future__ import annotations

from dataclasses import dataclass

from siproxylin.domain.call_media import CallFailure, CallMediaError

_UNSPECIFIED = frozenset({"0.0.0.0", "::"})  # noqa: S104 - a placeholder, not a bind
_DUMMY_PORTS = frozenset({0, 9})


@dataclass(frozen=True, slots=True)
class SdpCandidate:
    """The fields of one ``a=candidate`` line the guard needs."""

    foundation: str
    component: int
    protocol: str
    priority: int
    host: str
    port: int
    type: str
    related_host: str | None = None
    related_port: int | None = None


def parse_candidate(line: str) -> SdpCandidate:
    """Read ``a=candidate:...`` (with or without ``a=`` / ``candidate:``).

    Raises:
        CallMediaError: The line is not a candidate (``REFUSED_CANDIDATE``).
    """
    text = line.strip().removeprefix("a=").removeprefix("candidate:")
    bits = text.split()
    try:
        if len(bits) < 8 or bits[6] != "typ":
            raise ValueError(line)
        extras = dict(zip(bits[8::2], bits[9::2], strict=False))
        return SdpCandidate(
            foundation=bits[0],
            component=int(bits[1]),
            protocol=bits[2].lower(),
            priority=int(bits[3]),
            host=bits[4],
            port=int(bits[5]),
            type=bits[7],
            related_host=extras.get("raddr"),
            related_port=int(extras["rport"]) if "rport" in extras else None,
        )
    except ValueError as exc:
        raise CallMediaError(
            CallFailure.REFUSED_CANDIDATE, f"not an ICE candidate: {line[:120]!r}"
        ) from exc


def check_candidate(line: str) -> SdpCandidate:
    """The candidate, if it may leave this machine.

    Raises:
        CallMediaError: It is not a relay candidate, or it carries a real related
            address (``REFUSED_CANDIDATE``).
    """
    candidate = parse_candidate(line)
    if candidate.type != "relay":
        raise CallMediaError(
            CallFailure.REFUSED_CANDIDATE,
            f"refused to send a {candidate.type} candidate: only relay candidates may leave",
        )
    if candidate.related_host is not None and candidate.related_host not in _UNSPECIFIED:
        raise CallMediaError(
            CallFailure.REFUSED_CANDIDATE,
            "refused to send a relay candidate that names a related address",
        )
    return candidate


def relay_candidates(sdp: str) -> list[str]:
    """The candidate lines of a local SDP, after checking the whole description.

    Returns:
        The ``a=candidate:...`` lines, all relay; empty when there is none.

    Raises:
        CallMediaError: A candidate, ``c=`` or ``m=`` line would reveal an address.
    """
    lines = [line.strip() for line in sdp.splitlines()]
    candidate_lines = [line for line in lines if line.startswith("a=candidate:")]
    relays = [check_candidate(line) for line in candidate_lines]
    hosts = {c.host for c in relays} | _UNSPECIFIED
    ports = {c.port for c in relays} | _DUMMY_PORTS
    for line in lines:
        if line.startswith("c="):
            address = line.split()[-1].split("/")[0]
            if address not in hosts:
                raise CallMediaError(
                    CallFailure.REFUSED_CANDIDATE,
                    "refused a description whose connection address is not the relay",
                )
        elif line.startswith("m="):
            bits = line.split()
            if len(bits) > 1 and bits[1].isdigit() and int(bits[1]) not in ports:
                raise CallMediaError(
                    CallFailure.REFUSED_CANDIDATE,
                    "refused a description whose media port is not the relay's",
                )
    return candidate_lines
