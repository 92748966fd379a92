"""The relay-only rule for our own ICE candidates: calls never reveal the user's address.

Pure (imports ``domain`` only). Every candidate we send must be a TURN relay
candidate whose related address is hidden (``0.0.0.0`` port 9, as aioice writes
it with ``hide_related_address``) or absent; anything else raises
``RelayPolicyViolation`` so the call is aborted instead of leaking. The peer's
host and server-reflexive candidates are fine to receive: traffic to them still
leaves through our relay. Apply ``check_outgoing`` to whole descriptions
(session-initiate, session-accept, a local SDP) and ``outgoing_candidates`` to
trickled ones.
"""

from __future__ import annotations

from collections.abc import Iterable

from siproxylin.domain.calls import (
    Candidate,
    CandidateType,
    NoRelayCandidate,
    RelayPolicyViolation,
    SessionDescription,
)

HIDDEN_ADDR = "0.0.0.0"  # noqa: S104 (a placeholder written in SDP, nothing binds to it)
HIDDEN_PORT = 9


def violation(candidate: Candidate) -> str | None:
    """Say why ``candidate`` may not be sent, or None when it may.

    Args:
        candidate: One of our own candidates.

    Returns:
        A short reason, or None for a relay candidate with a hidden related address.
    """
    if candidate.type is not CandidateType.RELAY:
        return f"candidate of type {candidate.type.value}, only relay candidates may be sent"
    if candidate.rel_addr == "" and candidate.rel_port == 0:
        return None
    if candidate.rel_addr == HIDDEN_ADDR and candidate.rel_port == HIDDEN_PORT:
        return None
    return "relay candidate carries a real related address"


def check_candidate(candidate: Candidate) -> None:
    """Refuse one outgoing candidate unless it is a relay with a hidden related address.

    Args:
        candidate: One of our own candidates.

    Raises:
        RelayPolicyViolation: If sending it would reveal an address.
    """
    why = violation(candidate)
    if why is not None:
        raise RelayPolicyViolation(why)


def check_candidates(candidates: Iterable[Candidate], *, require_one: bool = False) -> None:
    """Refuse a set of outgoing candidates if any of them breaks the rule.

    Args:
        candidates: Our own candidates.
        require_one: Also refuse an empty set (gathering failed silently).

    Raises:
        RelayPolicyViolation: If one candidate would reveal an address.
        NoRelayCandidate: If ``require_one`` and there is none.
    """
    count = 0
    for candidate in candidates:
        check_candidate(candidate)
        count += 1
    if require_one and count == 0:
        raise NoRelayCandidate("no relay candidate: the TURN server gave us no allocation")


def check_outgoing(session: SessionDescription, *, require_candidates: bool = True) -> None:
    """Refuse an outgoing description unless every candidate in it is allowed.

    Args:
        session: Our offer or answer.
        require_candidates: Also refuse a description without any candidate.

    Raises:
        RelayPolicyViolation: If one candidate would reveal an address.
        NoRelayCandidate: If ``require_candidates`` and no content has a candidate.
    """
    check_candidates(
        (c for content in session.contents for c in content.transport.candidates),
        require_one=require_candidates,
    )


def outgoing_candidates(candidates: Iterable[Candidate]) -> tuple[Candidate, ...]:
    """Keep only the candidates we may trickle (relay with a hidden related address).

    Args:
        candidates: Candidates our ICE agent produced.

    Returns:
        The allowed ones, in order.
    """
    return tuple(c for c in candidates if violation(c) is None)
