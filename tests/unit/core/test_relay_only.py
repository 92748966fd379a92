"""The relay-only guard on our own candidates, for every candidate type."""

from __future__ import annotations

import pytest

from siproxylin.core import relay_only
from siproxylin.domain.calls import (
    Candidate,
    CandidateType,
    Content,
    IceTransport,
    NoRelayCandidate,
    RelayPolicyViolation,
    RtpDescription,
    SessionDescription,
    TerminateReason,
)


def candidate(
    kind: CandidateType, rel_addr: str = "", rel_port: int = 0, ip: str = "203.0.113.1"
) -> Candidate:
    return Candidate("f1", 1, "udp", 16777215, ip, 50000, kind, rel_addr, rel_port)


def session(*candidates: Candidate) -> SessionDescription:
    content = Content("0", RtpDescription("audio", ()), IceTransport("abcd", "p" * 22, candidates))
    return SessionDescription((content,))


ALLOWED = [
    candidate(CandidateType.RELAY, "0.0.0.0", 9),
    candidate(CandidateType.RELAY),
]
REFUSED = [
    candidate(CandidateType.HOST, ip="192.168.1.2"),
    candidate(CandidateType.HOST, ip="5b0dfe46.local"),
    candidate(CandidateType.SRFLX, "192.168.1.2", 5000),
    candidate(CandidateType.PRFLX),
    candidate(CandidateType.RELAY, "198.51.100.1", 5000),
    candidate(CandidateType.RELAY, "0.0.0.0", 0),
    candidate(CandidateType.RELAY, "0.0.0.0", 5000),
    candidate(CandidateType.RELAY, "198.51.100.1", 9),
    candidate(CandidateType.RELAY, "", 9),
    candidate(CandidateType.RELAY, "::", 9),
]


@pytest.mark.parametrize("allowed", ALLOWED)
def test_relay_with_hidden_or_no_related_address_may_be_sent(allowed: Candidate) -> None:
    assert relay_only.violation(allowed) is None
    relay_only.check_candidate(allowed)
    relay_only.check_outgoing(session(allowed))


@pytest.mark.parametrize("refused", REFUSED)
def test_anything_else_is_refused(refused: Candidate) -> None:
    assert relay_only.violation(refused)
    with pytest.raises(RelayPolicyViolation) as caught:
        relay_only.check_candidate(refused)
    assert caught.value.reason is TerminateReason.CONNECTIVITY_ERROR
    with pytest.raises(RelayPolicyViolation):
        relay_only.check_outgoing(session(ALLOWED[0], refused))


def test_a_description_without_candidates_is_refused_unless_allowed() -> None:
    with pytest.raises(NoRelayCandidate):
        relay_only.check_outgoing(session())
    relay_only.check_outgoing(session(), require_candidates=False)
    relay_only.check_candidates([])


def test_trickled_candidates_are_filtered() -> None:
    assert relay_only.outgoing_candidates([*REFUSED, *ALLOWED]) == tuple(ALLOWED)
    assert relay_only.outgoing_candidates(REFUSED) == ()
