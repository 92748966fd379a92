"""Call media against a real coturn: two relay-only peers in this process, SDP passed
directly (no XMPP at this layer), tones detected on the far side, the process's
sockets checked while the call runs.

Direct accounts use TURN over UDP; proxied ones TURN over TCP or TLS through a real
SOCKS5 proxy (microsocks) or HTTP CONNECT proxy (tinyproxy), with the TURN server
named ``siproxylin.test``, a name only the proxies can resolve.
"""

from __future__ import annotations

import asyncio
import re
import socket
import statistics
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

from siproxylin.domain.call_media import (
    CallFailure,
    CallMediaError,
    TurnScheme,
    TurnServer,
    TurnTransport,
)
from siproxylin.domain.config import ProxyConfig, ProxyKind
from siproxylin.domain.ids import AccountId
from siproxylin.media.candidates import check_candidate
from siproxylin.media.peer import RelayPeer
from siproxylin.media.tone import RecordingSink, ToneSource, frequency, rms
from siproxylin.net.network import AccountNetwork
from siproxylin.net.turn import TurnRoute
from tests.support.certs import CertSet
from tests.support.coturn import CoturnServer
from tests.support.proxies import LOOPBACK, TEST_DOMAIN, MicrosocksProxy, TinyProxy
from tests.support.sockets import InetSocket, inet_sockets

pytestmark = pytest.mark.calls

A_HZ, B_HZ = 1000.0, 600.0


@dataclass
class Side:
    peer: RelayPeer
    source: ToneSource
    sink: RecordingSink
    sdp: str = ""


def turn_server(
    coturn: CoturnServer,
    user: str,
    *,
    scheme: TurnScheme = TurnScheme.TURN,
    transport: TurnTransport = TurnTransport.UDP,
    host: str = LOOPBACK,
    password: str | None = None,
) -> TurnServer:
    username, secret = coturn.credentials(user)
    port = coturn.tls_port if scheme is TurnScheme.TURNS else coturn.port
    return TurnServer(scheme, host, port, transport, username, password or secret)


def side(server: TurnServer, route: TurnRoute, hz: float, **options: object) -> Side:
    source, sink = ToneSource(hz), RecordingSink()
    return Side(RelayPeer(server, route, source, sink, **options), source, sink)  # type: ignore[arg-type]


def proxied_route(proxy: MicrosocksProxy | TinyProxy, certs: CertSet | None = None) -> TurnRoute:
    kind = ProxyKind.SOCKS5 if proxy.scheme == "socks5" else ProxyKind.HTTP
    config = ProxyConfig(kind, LOOPBACK, proxy.port, proxy.user or "", proxy.password or "")
    network = AccountNetwork(AccountId(7), config)
    return TurnRoute(network, allocation_timeout=10.0, ca_file=str(certs.ca_file) if certs else "")


async def connect(a: Side, b: Side) -> None:
    a.sdp = await a.peer.create_offer()
    b.sdp = await b.peer.accept_offer(a.sdp)
    await a.peer.set_answer(b.sdp)
    async with asyncio.timeout(10):
        await asyncio.gather(a.peer.wait_connected(), b.peer.wait_connected())


async def wait_for_tone(sink: RecordingSink, frames: int = 25) -> None:
    async with asyncio.timeout(10):
        while len(sink.loud_frames()) < frames:  # noqa: ASYNC110 - frames arrive meanwhile
            await asyncio.sleep(0.05)


def heard(sink: RecordingSink) -> float:
    return statistics.median(frequency(f.pcm, f.sample_rate) for f in sink.loud_frames()[5:])


def assert_only_relay_candidates(*sdps: str) -> None:
    for sdp in sdps:
        lines = [line for line in sdp.splitlines() if line.startswith("a=candidate:")]
        assert lines, sdp
        for line in lines:
            candidate = check_candidate(line)
            assert candidate.type == "relay"
            assert candidate.related_host in {"0.0.0.0", "::"}, line


_before: set[str] = set()


def call_sockets() -> list[InetSocket]:
    """This process's sockets, less those it held before the test (other tests' fixtures)."""
    return [s for s in inet_sockets() if s.inode not in _before]


def assert_sockets_only_to(port: int, proto: str) -> list[InetSocket]:
    held = call_sockets()
    assert held, "the call holds no socket at all"
    for s in held:
        assert s.proto == proto, held
        assert s.remote == (LOOPBACK, port), held  # connected, and only there: no host socket
    return held


async def sockets_gone(timeout: float = 3.0) -> list[InetSocket]:
    deadline = time.monotonic() + timeout
    while (held := call_sockets()) and time.monotonic() < deadline:  # noqa: ASYNC110 - polls /proc
        await asyncio.sleep(0.05)
    return held


@pytest.fixture
async def closing() -> AsyncIterator[list[Side]]:
    _before.clear()
    _before.update(s.inode for s in inet_sockets())
    sides: list[Side] = []
    yield sides
    for s in sides:
        await s.peer.close()


@pytest.fixture
def http_turn_proxy(coturn: CoturnServer) -> Iterator[TinyProxy]:
    with TinyProxy(connect_ports=[coturn.port, coturn.tls_port]) as proxy:
        yield proxy


async def test_tone_both_ways_over_turn_udp(coturn: CoturnServer, closing: list[Side]) -> None:
    a = side(turn_server(coturn, "alice"), TurnRoute(), A_HZ)
    b = side(turn_server(coturn, "bob"), TurnRoute(), B_HZ)
    closing += [a, b]
    await connect(a, b)
    await asyncio.gather(wait_for_tone(b.sink), wait_for_tone(a.sink))

    assert heard(b.sink) == pytest.approx(A_HZ, abs=10)
    assert heard(a.sink) == pytest.approx(B_HZ, abs=10)
    assert_only_relay_candidates(a.sdp, b.sdp)
    held = assert_sockets_only_to(coturn.port, "udp")
    assert len(held) == 2  # one TURN allocation per peer, nothing else

    stats = await a.peer.statistics()
    assert stats.state == "connected"
    assert stats.local_candidates == (stats.selected_local,)
    assert stats.selected_local.startswith("relay 127.0.0.1:")
    assert stats.remote_candidates == (stats.selected_remote,)
    assert stats.packets_received > 0
    assert stats.packets_sent > 0

    a.peer.set_muted(True)
    await asyncio.sleep(0.6)
    assert max(rms(f.pcm) for f in b.sink.frames[-10:]) < 100

    await asyncio.gather(a.peer.close(), b.peer.close())
    assert a.peer.state == b.peer.state == "closed"
    assert await sockets_gone() == []
    log = coturn.log_text()
    assert "ALLOCATE processed, success" in log
    assert "CHANNEL_BIND processed, success" in log


async def test_tone_both_ways_over_turn_tcp_through_socks5(
    coturn: CoturnServer, socks_proxy_auth: MicrosocksProxy, closing: list[Side]
) -> None:
    route = proxied_route(socks_proxy_auth)
    tcp = {"transport": TurnTransport.TCP, "host": TEST_DOMAIN}
    a = side(turn_server(coturn, "alice", **tcp), route, A_HZ)  # type: ignore[arg-type]
    b = side(turn_server(coturn, "bob", **tcp), route, B_HZ)  # type: ignore[arg-type]
    closing += [a, b]
    await connect(a, b)
    await asyncio.gather(wait_for_tone(b.sink), wait_for_tone(a.sink))

    assert heard(b.sink) == pytest.approx(A_HZ, abs=10)
    assert heard(a.sink) == pytest.approx(B_HZ, abs=10)
    assert_only_relay_candidates(a.sdp, b.sdp)
    held = assert_sockets_only_to(socks_proxy_auth.port, "tcp")
    assert len(held) == 2
    assert all(s.state == "ESTABLISHED" for s in held)

    await asyncio.gather(a.peer.close(), b.peer.close())
    assert await sockets_gone() == []


async def test_turns_through_an_http_proxy_verifies_tls_in_the_tunnel(
    coturn: CoturnServer, http_turn_proxy: TinyProxy, certs: CertSet, closing: list[Side]
) -> None:
    route = proxied_route(http_turn_proxy, certs)
    tls = {"scheme": TurnScheme.TURNS, "transport": TurnTransport.TCP, "host": TEST_DOMAIN}
    a = side(turn_server(coturn, "alice", **tls), route, A_HZ)  # type: ignore[arg-type]
    b = side(turn_server(coturn, "bob", **tls), route, B_HZ)  # type: ignore[arg-type]
    closing += [a, b]
    await connect(a, b)
    await wait_for_tone(b.sink)

    assert heard(b.sink) == pytest.approx(A_HZ, abs=10)
    assert_only_relay_candidates(a.sdp, b.sdp)
    assert_sockets_only_to(http_turn_proxy.port, "tcp")


async def test_turns_with_an_untrusted_certificate_fails_with_the_reason(
    coturn: CoturnServer, socks_proxy_auth: MicrosocksProxy, closing: list[Side]
) -> None:
    route = proxied_route(socks_proxy_auth)  # the test CA is not trusted here
    server = turn_server(
        coturn, "alice", scheme=TurnScheme.TURNS, transport=TurnTransport.TCP, host=TEST_DOMAIN
    )
    a = side(server, route, A_HZ)
    closing.append(a)
    with pytest.raises(CallMediaError) as info:
        await a.peer.create_offer()
    assert info.value.failure is CallFailure.NO_RELAY
    assert str(info.value).startswith("no relay available: the TURN server's certificate")
    assert a.peer.state == "closed"


async def test_candidates_trickled_one_by_one(coturn: CoturnServer, closing: list[Side]) -> None:
    trickled: dict[str, list[tuple[str, str]]] = {"a": [], "b": []}

    def strip(sdp: str) -> str:
        keep = ("a=candidate:", "a=end-of-candidates")
        return "\r\n".join(line for line in sdp.splitlines() if not line.startswith(keep)) + "\r\n"

    a = side(
        turn_server(coturn, "alice"),
        TurnRoute(),
        A_HZ,
        on_local_candidate=lambda c, mid: trickled["a"].append((c, mid)),
    )
    b = side(
        turn_server(coturn, "bob"),
        TurnRoute(),
        B_HZ,
        on_local_candidate=lambda c, mid: trickled["b"].append((c, mid)),
    )
    closing += [a, b]
    offer = await a.peer.create_offer()
    answer = await b.peer.accept_offer(strip(offer))
    await a.peer.set_answer(strip(answer))
    assert len(trickled["a"]) == len(trickled["b"]) == 1
    for line, mid in trickled["a"]:
        assert line.startswith("candidate:")
        assert " typ relay " in line
        await b.peer.add_remote_candidate(line, mid)
    for line, mid in trickled["b"]:
        await a.peer.add_remote_candidate(line, mid)
    async with asyncio.timeout(10):
        await asyncio.gather(a.peer.wait_connected(), b.peer.wait_connected())
    await wait_for_tone(b.sink, frames=10)
    assert heard(b.sink) == pytest.approx(A_HZ, abs=10)


async def test_wrong_turn_credentials_fail_with_the_reason(
    coturn: CoturnServer, closing: list[Side]
) -> None:
    a = side(turn_server(coturn, "alice", password="d3Jvbmc="), TurnRoute(), A_HZ)
    closing.append(a)
    started = time.monotonic()
    with pytest.raises(CallMediaError) as info:
        await a.peer.create_offer()
    assert time.monotonic() - started < 5
    assert info.value.failure is CallFailure.TURN_AUTH
    assert str(info.value) == "the TURN server refused our credentials"
    assert a.peer.state == "closed"
    assert a.peer.failure is info.value
    with pytest.raises(CallMediaError):
        await a.peer.wait_connected()  # returns at once: nothing hangs
    assert await sockets_gone() == []


async def test_turn_over_udp_is_refused_for_a_proxied_account(
    coturn: CoturnServer, socks_proxy_auth: MicrosocksProxy, closing: list[Side]
) -> None:
    a = side(turn_server(coturn, "alice"), proxied_route(socks_proxy_auth), A_HZ)
    closing.append(a)
    with pytest.raises(CallMediaError) as info:
        await a.peer.create_offer()
    assert info.value.failure is CallFailure.NO_RELAY
    assert str(info.value) == (
        "no relay available: TURN over UDP cannot go through the account's proxy"
    )
    assert call_sockets() == []


async def test_a_silent_turn_server_hits_the_allocation_timeout(closing: list[Side]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind((LOOPBACK, 0))
        server = TurnServer(
            TurnScheme.TURN, LOOPBACK, silent.getsockname()[1], TurnTransport.UDP, "u", "p"
        )
        a = side(server, TurnRoute(allocation_timeout=1.0), A_HZ)
        closing.append(a)
        started = time.monotonic()
        with pytest.raises(CallMediaError) as info:
            await a.peer.create_offer()
    assert 0.9 < time.monotonic() - started < 3
    assert info.value.failure is CallFailure.NO_RELAY
    assert str(info.value) == "no relay available: the TURN server did not answer within 1 s"


async def test_an_unanswered_offer_hits_the_ice_timeout(
    coturn: CoturnServer, closing: list[Side]
) -> None:
    a = side(turn_server(coturn, "alice"), TurnRoute(), A_HZ, ice_timeout=1.5)
    closing.append(a)
    await a.peer.create_offer()
    started = time.monotonic()
    with pytest.raises(CallMediaError) as info:
        await a.peer.wait_connected()
    assert 1.0 < time.monotonic() - started < 4
    assert info.value.failure is CallFailure.ICE_TIMEOUT
    assert str(info.value) == "the peer never connected"
    assert a.peer.state == "closed"
    assert await sockets_gone() == []


async def test_a_direct_account_may_use_turns(
    coturn: CoturnServer, certs: CertSet, closing: list[Side]
) -> None:
    route = TurnRoute(ca_file=str(certs.ca_file))
    tls = {"scheme": TurnScheme.TURNS, "transport": TurnTransport.TCP, "host": LOOPBACK}
    a = side(turn_server(coturn, "alice", **tls), route, A_HZ)  # type: ignore[arg-type]
    b = side(turn_server(coturn, "bob", **tls), route, B_HZ)  # type: ignore[arg-type]
    closing += [a, b]
    await connect(a, b)
    await wait_for_tone(a.sink, frames=10)
    assert heard(a.sink) == pytest.approx(B_HZ, abs=10)
    assert_sockets_only_to(coturn.tls_port, "tcp")
    assert "TLSv1" in coturn.log_text()


async def test_a_wrong_dtls_fingerprint_ends_the_call_with_a_reason(
    coturn: CoturnServer, closing: list[Side]
) -> None:
    """The answer names a certificate the answerer does not have (a man in the middle,
    or a broken peer): ICE connects but the DTLS handshake fails on our side, the call
    ends at once with that reason (not an ICE timeout), no audio ever flows."""
    a = side(turn_server(coturn, "alice"), TurnRoute(), A_HZ, ice_timeout=8)
    b = side(turn_server(coturn, "bob"), TurnRoute(), B_HZ, ice_timeout=8)
    closing += [a, b]
    a.sdp = await a.peer.create_offer()
    b.sdp = await b.peer.accept_offer(a.sdp)
    forged = re.sub(
        r"a=fingerprint:sha-256 [0-9A-F:]+",
        "a=fingerprint:sha-256 " + ":".join(["AB"] * 32),
        b.sdp,
    )
    assert forged != b.sdp
    await a.peer.set_answer(forged)
    started = time.monotonic()
    with pytest.raises(CallMediaError) as info:
        async with asyncio.timeout(20):
            await a.peer.wait_connected()
    assert time.monotonic() - started < 6  # well before the ICE timeout
    assert info.value.failure is CallFailure.SECURITY
    assert "certificate" in str(info.value)
    assert a.sink.loud_frames() == []
    await asyncio.gather(a.peer.close(), b.peer.close())
    assert a.peer.state == "closed"
    assert await sockets_gone() == []
