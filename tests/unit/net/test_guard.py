"""The fail-closed guard: a proxied account's code cannot connect or resolve by itself."""

from __future__ import annotations

import asyncio
import socket

import pytest

from siproxylin.domain.config import ProxyConfig, ProxyKind
from siproxylin.domain.ids import AccountId
from siproxylin.net.guard import LeakBlocked, NetPolicy, current, policy
from siproxylin.net.network import AccountNetwork

PROXIED = NetPolicy(AccountId(1), proxied=True, proxy_address=("127.0.0.1", 1080))
DIRECT = NetPolicy(AccountId(2), proxied=False)


def listening_port() -> tuple[socket.socket, int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server, server.getsockname()[1]


def test_name_lookups_are_refused_under_a_proxied_policy() -> None:
    with policy(PROXIED):
        with pytest.raises(LeakBlocked, match="lookup"):
            socket.getaddrinfo("xmpp.example.org", 5222)
        with pytest.raises(LeakBlocked):
            socket.gethostbyname("xmpp.example.org")
        # A numeric address needs no lookup: allowed (asyncio does this for the proxy).
        assert socket.getaddrinfo("127.0.0.1", 5222)


def test_only_the_proxy_may_be_contacted() -> None:
    server, port = listening_port()
    with server, policy(PROXIED):
        with pytest.raises(LeakBlocked, match="without the proxy"):
            socket.create_connection(("127.0.0.1", port), timeout=2)
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        with udp, pytest.raises(LeakBlocked, match="datagram"):
            udp.sendto(b"x", ("127.0.0.1", 9))


def test_the_proxy_address_itself_is_allowed() -> None:
    server, port = listening_port()
    allowed = NetPolicy(AccountId(1), proxied=True, proxy_address=("127.0.0.1", port))
    with server, policy(allowed):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_direct_accounts_and_code_outside_accounts_are_not_restricted() -> None:
    server, port = listening_port()
    with server:
        with policy(DIRECT):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        assert current() is None


async def test_tasks_inherit_the_policy_of_their_creator() -> None:
    server, port = listening_port()

    async def sneaky() -> None:
        await asyncio.sleep(0)
        socket.create_connection(("127.0.0.1", port), timeout=2).close()

    with server:
        with policy(PROXIED):
            task = asyncio.get_running_loop().create_task(sneaky())
        with pytest.raises(LeakBlocked):
            await task
        await asyncio.get_running_loop().create_task(sneaky())  # created outside: allowed


async def test_account_network_refuses_to_open_without_its_proxy() -> None:
    server, port = listening_port()
    network = AccountNetwork(AccountId(3), ProxyConfig(ProxyKind.SOCKS5, "127.0.0.1", 1))
    with server, network.activate(), pytest.raises(LeakBlocked):
        await asyncio.open_connection("127.0.0.1", port)


def test_isolation_credentials_only_for_socks5_without_its_own() -> None:
    tor = AccountNetwork(AccountId(4), ProxyConfig(ProxyKind.SOCKS5, "127.0.0.1", 9050))
    other = AccountNetwork(AccountId(5), ProxyConfig(ProxyKind.SOCKS5, "127.0.0.1", 9050))
    user, password = tor.proxy_credentials
    assert user
    assert password
    assert other.proxy_credentials != tor.proxy_credentials  # accounts never share a circuit
    named = AccountNetwork(
        AccountId(6), ProxyConfig(ProxyKind.SOCKS5, "127.0.0.1", 9050, "me", "pw")
    )
    assert named.proxy_credentials == ("me", "pw")
    http = AccountNetwork(AccountId(7), ProxyConfig(ProxyKind.HTTP, "127.0.0.1", 3128))
    assert http.proxy_credentials == (None, None)
    off = AccountNetwork(
        AccountId(8), ProxyConfig(ProxyKind.SOCKS5, "127.0.0.1", 9050, isolate=False)
    )
    assert off.proxy_credentials == (None, None)


async def test_a_proxy_name_that_does_not_resolve_is_a_proxy_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from siproxylin.net.proxy import ProxyUnreachable

    async def no_such_name(*_args: object, **_kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    loop = asyncio.get_running_loop()
    monkeypatch.setattr(loop, "getaddrinfo", no_such_name)
    network = AccountNetwork(AccountId(9), ProxyConfig(ProxyKind.SOCKS5, "proxy.lan", 1080))
    with pytest.raises(ProxyUnreachable, match="does not resolve"):
        await network.resolve_proxy()
    assert not network.proxy_resolved
