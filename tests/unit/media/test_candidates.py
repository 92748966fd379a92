"""The relay-only guard on local SDP (media/candidates.py)."""

from __future__ import annotations

import pytest

from siproxylin.domain.call_media import CallFailure, CallMediaError
from siproxylin.media.candidates import check_candidate, parse_candidate, relay_candidates

RELAY = "a=candidate:16893dfb 1 udp 16777215 198.51.100.7 49162 typ relay raddr 0.0.0.0 rport 9"
RELAY_V6 = "candidate:1 1 udp 16777215 2001:db8::7 49162 typ relay raddr :: rport 9"
RELAY_NO_RADDR = "candidate:2 1 udp 16777215 198.51.100.7 49163 typ relay"
LEAKY_RELAY = (
    "a=candidate:3 1 udp 16777215 198.51.100.7 49162 typ relay raddr 203.0.113.9 rport 40000"
)
HOST = "a=candidate:4 1 udp 2130706431 192.168.1.20 50000 typ host"
SRFLX = "a=candidate:5 1 udp 1694498815 203.0.113.9 50000 typ srflx raddr 192.168.1.20 rport 50000"


def sdp(*candidates: str, c: str = "198.51.100.7", port: int = 49162) -> str:
    return "\r\n".join(
        [
            "v=0",
            "o=- 1 1 IN IP4 0.0.0.0",
            "s=-",
            "t=0 0",
            f"m=audio {port} UDP/TLS/RTP/SAVPF 96",
            f"c=IN IP4 {c}",
            "a=rtcp:9 IN IP4 0.0.0.0",
            *candidates,
            "a=end-of-candidates",
            "",
        ]
    )


def test_relay_candidates_with_hidden_related_address_pass() -> None:
    for line in (RELAY, RELAY_V6, RELAY_NO_RADDR):
        assert check_candidate(line).type == "relay"
    assert relay_candidates(sdp(RELAY)) == [RELAY]


@pytest.mark.parametrize("line", [HOST, SRFLX, LEAKY_RELAY])
def test_anything_else_is_refused(line: str) -> None:
    with pytest.raises(CallMediaError) as info:
        check_candidate(line)
    assert info.value.failure is CallFailure.REFUSED_CANDIDATE
    with pytest.raises(CallMediaError):
        relay_candidates(sdp(RELAY, line))


def test_a_description_without_candidates_gives_none() -> None:
    assert relay_candidates(sdp(c="0.0.0.0", port=9)) == []


def test_connection_and_media_lines_must_name_the_relay_or_a_dummy() -> None:
    with pytest.raises(CallMediaError, match="connection address"):
        relay_candidates(sdp(RELAY, c="192.168.1.20"))
    with pytest.raises(CallMediaError, match="media port"):
        relay_candidates(sdp(RELAY, port=50000))
    assert relay_candidates(sdp(RELAY, c="0.0.0.0", port=9)) == [RELAY]


def test_parse_reads_the_fields() -> None:
    parsed = parse_candidate(RELAY)
    assert (parsed.host, parsed.port, parsed.related_host, parsed.related_port) == (
        "198.51.100.7",
        49162,
        "0.0.0.0",
        9,
    )


@pytest.mark.parametrize(
    "line", ["a=candidate:", "candidate:1 1 udp x 1.2.3.4 5 typ relay", "a=foo"]
)
def test_garbage_is_refused(line: str) -> None:
    with pytest.raises(CallMediaError):
        parse_candidate(line)
