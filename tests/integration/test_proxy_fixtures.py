"""The proxy test infrastructure works: real proxies resolve the test domain (the host
cannot), auth is enforced, the GarbageProxy misbehaves as documented, and the leak
harness sees what it must see (and nothing else).

Plain python_socks / slixmpp clients only, not the application's proxy code.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from python_socks import ProxyConnectionError, ProxyError, ProxyTimeoutError
from python_socks.async_.asyncio import Proxy as AsyncProxy
from python_socks.sync import Proxy
from slixmpp import ClientXMPP

from tests.support.dns_canary import DnsCanary, read_queries
from tests.support.netns import (
    POSITIVE_CONTROL_NAME,
    POSITIVE_CONTROL_UDP,
    LeakHarness,
    parse_tcpdump,
)
from tests.support.prosody import AccountFactory, ProsodyServer
from tests.support.proxies import GarbageProxy, MicrosocksProxy, TinyProxy
from tests.support.xmpp import connect_client, disconnect_client

DOMAIN = "siproxylin.test"
GarbageFactory = Callable[..., GarbageProxy]
HarnessFactory = Callable[..., LeakHarness]
PROXIES = ["socks_proxy", "socks_proxy_auth", "http_proxy", "http_proxy_auth"]


def stream_header(domain: str = DOMAIN) -> bytes:
    return (
        f"<?xml version='1.0'?><stream:stream to='{domain}' version='1.0' "
        "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
    ).encode()


def read_until(sock: socket.socket, marker: bytes, limit: int = 65536) -> bytes:
    data = b""
    while marker not in data and len(data) < limit:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def xmpp_features_via(url: str, port: int, host: str = DOMAIN) -> bytes:
    """Tunnel to host:port by name (remote DNS) and return the stream features."""
    sock = Proxy.from_url(url, rdns=True).connect(host, port, timeout=5)
    with sock:
        sock.settimeout(5)
        sock.sendall(stream_header())
        return read_until(sock, b"</stream:features>")


# ---- the host cannot resolve the test domain ---------------------------------------------


def test_host_cannot_resolve_the_test_domain() -> None:
    # Only the files source: a real DNS query would leave loopback (and .test is
    # reserved by RFC 6761, so no public resolver answers it anyway).
    for name in (DOMAIN, f"conference.{DOMAIN}", f"upload.{DOMAIN}"):
        result = subprocess.run(["getent", "-s", "files", "hosts", name], check=False)
        assert result.returncode == 2, f"{name} resolves on the host"


# ---- real proxies ---------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", PROXIES)
def test_every_prosody_port_is_reachable_by_name_through_each_proxy(
    fixture: str, request: pytest.FixtureRequest, prosody: ProsodyServer
) -> None:
    proxy = request.getfixturevalue(fixture)
    assert proxy.host == "127.0.0.1"
    features = xmpp_features_via(proxy.url, prosody.c2s_port)
    assert b"urn:ietf:params:xml:ns:xmpp-tls" in features

    context = ssl.create_default_context(cafile=str(prosody.ca_file))
    raw = Proxy.from_url(proxy.url, rdns=True).connect(DOMAIN, prosody.direct_tls_port, timeout=5)
    with context.wrap_socket(raw, server_hostname=DOMAIN) as tls:
        assert tls.version() == "TLSv1.3"

    upload = f"upload.{DOMAIN}"
    with Proxy.from_url(proxy.url, rdns=True).connect(upload, prosody.http_port, timeout=5) as s:
        s.sendall(f"GET / HTTP/1.1\r\nHost: {upload}\r\nConnection: close\r\n\r\n".encode())
        assert read_until(s, b"\r\n").startswith(b"HTTP/1.1 ")


@pytest.mark.parametrize("fixture", ["socks_proxy", "http_proxy"])
def test_proxies_listen_on_loopback_only(fixture: str, request: pytest.FixtureRequest) -> None:
    proxy = request.getfixturevalue(fixture)
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    listening = [r.split()[1] for r in rows if r.split()[3] == "0A"]
    port_hex = f"{proxy.port:04X}"
    assert f"0100007F:{port_hex}" in listening
    assert f"00000000:{port_hex}" not in listening


def test_proxy_resolves_only_its_hosts_map(
    socks_proxy: MicrosocksProxy, prosody: ProsodyServer
) -> None:
    t0 = time.monotonic()
    with pytest.raises(ProxyError):
        Proxy.from_url(socks_proxy.url, rdns=True).connect(
            "not-in-the-map.example", prosody.c2s_port, timeout=5
        )
    assert time.monotonic() - t0 < 1.0  # "hosts: files": no DNS, fails at once


@pytest.mark.parametrize("fixture", ["socks_proxy_auth", "http_proxy_auth"])
def test_auth_proxy_refuses_missing_or_wrong_credentials(
    fixture: str, request: pytest.FixtureRequest, prosody: ProsodyServer
) -> None:
    proxy = request.getfixturevalue(fixture)
    for url in (proxy.url_without_auth, proxy.url_with(proxy.user, "wrong-password")):
        with pytest.raises(ProxyError):
            Proxy.from_url(url, rdns=True).connect(DOMAIN, prosody.c2s_port, timeout=5)
    assert b"xmpp-tls" in xmpp_features_via(proxy.url, prosody.c2s_port)


def test_http_proxy_allows_connect_only_to_the_listed_ports(
    http_proxy: TinyProxy, socks_proxy: MicrosocksProxy, prosody: ProsodyServer
) -> None:
    # An open port (the SOCKS proxy's) that is not a ConnectPort: refused by the rule.
    assert socks_proxy.port not in http_proxy.connect_ports
    with pytest.raises(ProxyError) as info:
        Proxy.from_url(http_proxy.url).connect(DOMAIN, socks_proxy.port, timeout=5)
    assert info.value.error_code == 403


def test_fresh_proxy_down_then_back_on_the_same_port(
    socks_proxy_fresh: MicrosocksProxy, prosody: ProsodyServer
) -> None:
    proxy = socks_proxy_fresh
    port = proxy.port
    tunnel = Proxy.from_url(proxy.url, rdns=True).connect(DOMAIN, prosody.c2s_port, timeout=5)
    tunnel.settimeout(5)
    tunnel.sendall(stream_header())
    assert b"xmpp-tls" in read_until(tunnel, b"</stream:features>")

    proxy.kill()  # a crash: the open tunnel is cut, new connections are refused
    assert tunnel.recv(4096) == b""
    tunnel.close()
    with pytest.raises(ProxyConnectionError):
        Proxy.from_url(proxy.url, rdns=True).connect(DOMAIN, prosody.c2s_port, timeout=5)

    proxy.start()
    assert proxy.port == port
    assert b"xmpp-tls" in xmpp_features_via(proxy.url, prosody.c2s_port)
    proxy.restart()
    assert proxy.port == port
    assert proxy.starts == 3
    assert b"xmpp-tls" in xmpp_features_via(proxy.url, prosody.c2s_port)


# ---- slixmpp through each proxy -----------------------------------------------------------


class ProxiedClient(ClientXMPP):
    """slixmpp with its TCP connect replaced by a python_socks tunnel (remote DNS)."""

    proxy_url: str = ""

    async def _attempt_connection(
        self, host: str, port: int, tls: bool, server_hostname: str | None
    ) -> bool:
        self.event_when_connected = "connected"
        self._connect_loop_wait += 1
        if self._current_connection_attempt is None:
            return False
        try:
            sock = await AsyncProxy.from_url(self.proxy_url, rdns=True).connect(
                dest_host=host, dest_port=port, timeout=10
            )
            await self.loop.create_connection(
                lambda: self,
                sock=sock,
                ssl=self.get_ssl_context() if tls else None,
                server_hostname=server_hostname if tls else None,
            )
        except (ProxyError, ProxyConnectionError, ProxyTimeoutError, OSError) as exc:
            self.event("connection_failed", exc)
            return False
        self._connect_loop_wait = 0
        return True

    async def get_dns_records(self, domain: str, port: int | None = None) -> Any:
        raise AssertionError(f"DNS lookup for {domain} while proxied")


async def login_through(url: str, prosody: ProsodyServer, jid: str, password: str) -> str:
    client = ProxiedClient(jid, password)
    client.proxy_url = url
    client.loop = asyncio.get_running_loop()
    client.ca_certs = Path(prosody.ca_file)
    client.register_plugin("xep_0030")
    try:
        await connect_client(client, prosody, host=DOMAIN)
        peer = client.transport.get_extra_info("peername")
        assert peer[:2] == ("127.0.0.1", int(url.rsplit(":", 1)[1]))
        return str(client.transport.get_extra_info("ssl_object").version())
    finally:
        await disconnect_client(client)


@pytest.mark.parametrize("fixture", ["socks_proxy", "socks_proxy_auth", "http_proxy"])
async def test_slixmpp_logs_in_through_each_proxy_with_remote_dns(
    fixture: str,
    request: pytest.FixtureRequest,
    prosody: ProsodyServer,
    accounts: AccountFactory,
) -> None:
    proxy = request.getfixturevalue(fixture)
    jid, password = accounts()
    assert await login_through(proxy.url, prosody, jid, password) == "TLSv1.3"


async def test_python_socks_sends_the_name_not_an_address(
    garbage_proxy: GarbageFactory, prosody: ProsodyServer, accounts: AccountFactory
) -> None:
    relay = garbage_proxy("close-mid-stream")  # no limit, no trigger: a plain relay
    jid, password = accounts()
    assert await login_through(relay.socks_url, prosody, jid, password) == "TLSv1.3"
    request = relay.requests[0]
    assert (request.protocol, request.host, request.port) == ("socks5", DOMAIN, prosody.c2s_port)
    assert request.address_type == "domain"


# ---- GarbageProxy ------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["socks5", "http"])
def test_garbage_mode_answers_the_handshake_with_junk(
    scheme: str, garbage_proxy: GarbageFactory, prosody: ProsodyServer
) -> None:
    proxy = garbage_proxy("garbage", seed=1)
    with pytest.raises(ProxyError):
        Proxy.from_url(proxy.url(scheme), rdns=True).connect(DOMAIN, prosody.c2s_port, timeout=5)
    assert proxy.requests[0].protocol == scheme


@pytest.mark.parametrize(
    ("scheme", "options", "code"),
    [
        ("socks5", {}, 0x05),
        ("socks5", {"socks_reply": 0x02}, 0x02),
        ("http", {}, 502),
        ("http", {"http_status": 403}, 403),
    ],
)
def test_refuse_destination_mode(
    scheme: str,
    options: dict[str, int],
    code: int,
    garbage_proxy: GarbageFactory,
    prosody: ProsodyServer,
) -> None:
    proxy = garbage_proxy("refuse-destination", **options)
    with pytest.raises(ProxyError) as info:
        Proxy.from_url(proxy.url(scheme), rdns=True).connect(DOMAIN, prosody.c2s_port, timeout=5)
    assert info.value.error_code == code
    assert (proxy.requests[0].host, proxy.requests[0].port) == (DOMAIN, prosody.c2s_port)


def test_refuse_destination_accepts_any_socks_credentials(garbage_proxy: GarbageFactory) -> None:
    proxy = garbage_proxy("refuse-destination")
    with pytest.raises(ProxyError):
        Proxy.from_url(f"socks5://who:ever@127.0.0.1:{proxy.port}").connect(DOMAIN, 1, timeout=5)
    assert proxy.requests[0].auth == ("who", "ever")


@pytest.mark.parametrize("scheme", ["socks5", "http"])
@pytest.mark.parametrize("reset", [False, True])
def test_close_mid_stream_after_n_bytes(
    scheme: str, reset: bool, garbage_proxy: GarbageFactory, prosody: ProsodyServer
) -> None:
    proxy = garbage_proxy("close-mid-stream", close_after_bytes=100, reset=reset)
    sock = Proxy.from_url(proxy.url(scheme), rdns=True).connect(DOMAIN, prosody.c2s_port, timeout=5)
    sock.settimeout(5)
    sock.sendall(stream_header())
    received = b""
    error: OSError | None = None
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except OSError as exc:
        error = exc
    sock.close()
    if reset:  # RST: what was relayed before it (if read in time), then ECONNRESET
        assert isinstance(error, ConnectionResetError)
        assert len(received) <= 100
        assert b"<?xml".startswith(received[:5])
    else:  # FIN: exactly the first 100 bytes, then EOF
        assert error is None
        assert len(received) == 100
        assert received.startswith(b"<?xml")
    assert proxy.relays_cut == 1


@pytest.mark.parametrize("scheme", ["socks5", "http"])
def test_close_mid_stream_on_trigger(
    scheme: str, garbage_proxy: GarbageFactory, prosody: ProsodyServer
) -> None:
    proxy = garbage_proxy("close-mid-stream")
    sock = Proxy.from_url(proxy.url(scheme), rdns=True).connect(DOMAIN, prosody.c2s_port, timeout=5)
    sock.settimeout(5)
    sock.sendall(stream_header())
    assert b"xmpp-tls" in read_until(sock, b"</stream:features>")
    assert proxy.trigger_close() == 1
    assert sock.recv(4096) == b""
    sock.close()


@pytest.mark.parametrize("scheme", ["socks5", "http"])
def test_black_hole_times_out(
    scheme: str, garbage_proxy: GarbageFactory, prosody: ProsodyServer
) -> None:
    proxy = garbage_proxy("black-hole")
    t0 = time.monotonic()
    with pytest.raises(ProxyTimeoutError):
        Proxy.from_url(proxy.url(scheme), rdns=True).connect(DOMAIN, prosody.c2s_port, timeout=0.3)
    assert 0.25 < time.monotonic() - t0 < 2.0
    proxy.wait_for(1)
    assert proxy.requests == []


# ---- DNS canary ------------------------------------------------------------------------------


@pytest.mark.parametrize(("rcode", "value"), [("NXDOMAIN", 3), ("REFUSED", 5)])
def test_dns_canary_records_udp_and_tcp_queries(rcode: str, value: int, tmp_path: Path) -> None:
    log = tmp_path / "q.jsonl"
    canary = DnsCanary(log, port=0, rcode=rcode, ipv6=False).start()
    try:
        query = bytes.fromhex("1234 0100 0001 0000 0000 0000")
        query += b"\x03www\x07example\x00" + bytes.fromhex("0021 0001")  # SRV
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.settimeout(2)
            udp.sendto(query, ("127.0.0.1", canary.port))
            answer = udp.recv(512)
        assert answer[:2] == b"\x12\x34"
        assert answer[3] & 0x0F == value
        assert answer[2] & 0x80  # QR
        with socket.create_connection(("127.0.0.1", canary.port), 2) as tcp:
            tcp.sendall(len(query).to_bytes(2, "big") + query)
            length = int.from_bytes(tcp.recv(2), "big")
            assert tcp.recv(length)[3] & 0x0F == value
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.sendto(b"\x00\x01junk", ("127.0.0.1", canary.port))
        deadline = time.monotonic() + 2
        while len(read_queries(log)) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        canary.stop()
    queries = read_queries(log)
    assert [(q.name, q.type, q.proto) for q in queries[:2]] == [
        ("www.example", "SRV", "udp"),
        ("www.example", "SRV", "tcp"),
    ]
    assert queries[2].name is None
    assert queries[2].error


def test_parse_tcpdump_output() -> None:
    quick = (
        "1.000001 lo    In  IP 127.0.0.1.40000 > 127.0.0.1.1080: tcp 0\n"
        "1.000001 lo    In  IP 127.0.0.1.1080 > 127.0.0.1.40000: tcp 0\n"
        "1.000002 lo    In  IP6 ::1.5000 > ::1.53: UDP, length 40\n"
        "1.000003 lo    In  IP 127.0.0.2 > 127.0.0.1: ICMP 127.0.0.2 udp port 9 unreachable\n"
    )
    full = (
        "1.000001 lo    In  IP 127.0.0.1.40000 > 127.0.0.1.1080: Flags [S], seq 1\n"
        "1.000001 lo    In  IP 127.0.0.1.1080 > 127.0.0.1.40000: Flags [S.], seq 2\n"
    )
    packets = parse_tcpdump(quick, full)
    assert [p.as_tuple() for p in packets] == [
        ("tcp", "127.0.0.1", "127.0.0.1", 1080),
        ("tcp", "127.0.0.1", "127.0.0.1", 40000),
        ("udp", "::1", "::1", 53),
        ("icmp", "127.0.0.2", "127.0.0.1", None),
    ]
    assert [p.flags for p in packets] == ["S", "S.", None, None]
    assert packets[0].syn
    assert not packets[1].syn


# ---- leak harness ----------------------------------------------------------------------------

# What "the person writing the real leak test" does with the app: a script that gets its
# whole config from a JSON file, run by the venv's python inside the namespace.
SAMPLE_CLIENT = '''\
"""Sample client: tunnel to the XMPP domain by name through the proxy, read the stream
features, exit. Optionally resolves a name locally first (a deliberate leak)."""
import json
import socket
import sys

from python_socks.sync import Proxy

config = json.loads(open(sys.argv[1]).read())
local_lookup = None
if config.get("leak_lookup"):
    try:
        socket.getaddrinfo(config["host"], config["port"])
        local_lookup = "resolved"
    except OSError as exc:
        local_lookup = type(exc).__name__
sock = Proxy.from_url(config["proxy"], rdns=True).connect(
    dest_host=config["host"], dest_port=config["port"], timeout=10
)
sock.settimeout(10)
peer = sock.getpeername()
sock.sendall(
    ("<?xml version='1.0'?><stream:stream to='%s' version='1.0' xmlns='jabber:client' "
     "xmlns:stream='http://etherx.jabber.org/streams'>" % config["host"]).encode()
)
data = b""
while b"</stream:features>" not in data:
    chunk = sock.recv(4096)
    if not chunk:
        break
    data += chunk
sock.sendall(b"</stream:stream>")
sock.close()
print(json.dumps({"peer": list(peer[:2]), "starttls": b"xmpp-tls" in data,
                  "local_lookup": local_lookup}))
'''


def run_sample_client(
    harness: LeakHarness, tmp_path: Path, url: str, port: int, **extra: Any
) -> dict[str, Any]:
    script = tmp_path / "sample_client.py"
    script.write_text(SAMPLE_CLIENT)
    config = tmp_path / "client.json"
    config.write_text(json.dumps({"proxy": url, "host": DOMAIN, "port": port, **extra}))
    result = harness.run([sys.executable, script, config], timeout=30)
    assert result.returncode == 0, f"{result.stderr}\n{harness.diagnostics()}"
    return json.loads(result.stdout)


@pytest.mark.leak
@pytest.mark.parametrize(("fixture", "scheme"), [("socks_proxy", "socks5"), ("http_proxy", "http")])
def test_leak_harness_clean_client_and_controls(
    fixture: str,
    scheme: str,
    request: pytest.FixtureRequest,
    leak_harness: HarnessFactory,
    prosody: ProsodyServer,
    tmp_path: Path,
) -> None:
    proxy = request.getfixturevalue(fixture)
    harness = leak_harness(proxy)
    assert harness.proxy_address == ("127.0.0.1", 1080)

    out = run_sample_client(harness, tmp_path, harness.proxy_url(scheme), prosody.c2s_port)
    assert out == {"peer": ["127.0.0.1", 1080], "starttls": True, "local_lookup": None}
    assert harness.dns_queries() == []
    packets = harness.packets()
    assert packets, "the capture saw nothing"
    assert all(harness.is_proxy_traffic(p) for p in packets), packets
    assert [(p.dst, p.dport) for p in harness.connections()] == [("127.0.0.1", 1080)]
    harness.assert_no_leaks()

    # Negative/positive controls: the harness would have seen a leak.
    after_client = harness.mark()
    direct = [prosody.c2s_port, prosody.direct_tls_port, prosody.http_port, proxy.port]
    controls = harness.verify_controls(direct)
    assert set(controls.direct) >= {f"127.0.0.1:{p}" for p in direct}
    for port in direct:
        assert controls.direct[f"127.0.0.1:{port}"].startswith("ConnectionRefusedError")
    assert {q.type for q in controls.dns} >= {"A"}
    assert {q.name for q in harness.dns_queries(after_client)} == {POSITIVE_CONTROL_NAME}
    assert [(p.dst, p.dport) for p in controls.udp_packets] == [POSITIVE_CONTROL_UDP]
    syns = {(p.dst, p.dport) for p in harness.connections(after_client)}
    assert syns >= {("127.0.0.1", p) for p in direct}
    assert harness.leaks(after_client)
    with pytest.raises(AssertionError):
        harness.assert_no_leaks()


@pytest.mark.leak
def test_leak_harness_catches_a_local_lookup(
    leak_harness: HarnessFactory,
    socks_proxy: MicrosocksProxy,
    prosody: ProsodyServer,
    tmp_path: Path,
) -> None:
    harness = leak_harness(socks_proxy)
    out = run_sample_client(
        harness, tmp_path, harness.proxy_url(), prosody.c2s_port, leak_lookup=True
    )
    assert out["starttls"] is True  # the proxy still resolved it
    assert out["local_lookup"] == "gaierror"  # siproxylin.test does not resolve inside
    assert {(q.name, q.type) for q in harness.dns_queries()} >= {(DOMAIN, "A")}
    leaks = harness.leaks()
    assert any(DOMAIN in leak for leak in leaks)
    assert any(":53" in leak for leak in leaks)  # the query packets are captured too


@pytest.mark.leak
def test_leak_harness_reaches_an_auth_proxy_and_a_garbage_proxy(
    leak_harness: HarnessFactory,
    socks_proxy_auth: MicrosocksProxy,
    garbage_proxy: GarbageFactory,
    prosody: ProsodyServer,
    tmp_path: Path,
) -> None:
    harness = leak_harness(socks_proxy_auth)
    url = harness.proxy_url("socks5", socks_proxy_auth.user, socks_proxy_auth.password)
    assert run_sample_client(harness, tmp_path, url, prosody.c2s_port)["starttls"] is True
    harness.assert_no_leaks()

    hole = garbage_proxy("black-hole")
    harness = leak_harness(hole, local_port=9050)
    code = (
        "from python_socks.sync import Proxy\n"
        "from python_socks import ProxyTimeoutError\n"
        "try:\n"
        f"    Proxy.from_url('socks5://127.0.0.1:9050').connect('{DOMAIN}', 5222, timeout=0.3)\n"
        "except ProxyTimeoutError:\n"
        "    print('timeout')\n"
    )
    result = harness.run_python(code, timeout=10)
    assert result.stdout.strip() == "timeout", result.stderr
    hole.wait_for(1)
    harness.assert_no_leaks()


@pytest.mark.leak
def test_leak_harness_times_out_a_hanging_client(
    leak_harness: HarnessFactory, socks_proxy: MicrosocksProxy
) -> None:
    harness = leak_harness(socks_proxy)
    t0 = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        harness.run_python("import time; time.sleep(30)", timeout=0.3)
    assert time.monotonic() - t0 < 3
