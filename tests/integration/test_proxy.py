"""Accounts behind real proxies (microsocks, tinyproxy) and broken ones: fail closed.

The XMPP domain ``siproxylin.test`` does not resolve on this machine; only the
proxies can resolve it. So every successful login here proves the name went to
the proxy, and no direct connection or local lookup could have worked.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import pytest

from siproxylin.domain.config import ProxyConfig, ProxyKind
from siproxylin.domain.errors import FailureReason
from siproxylin.domain.events import MessageStored, SessionEnded, SessionStarted
from siproxylin.domain.ids import Jid
from siproxylin.domain.models import (
    Availability,
    ConnectionState,
    DeliveryState,
    Direction,
    Subscription,
)
from siproxylin.net.network import AccountNetwork
from tests.integration.harness import Client, start_client
from tests.support.prosody import ProsodyServer
from tests.support.xmpp import online


def proxy_config(kind: ProxyKind, proxy: Any, user: str = "", password: str = "") -> ProxyConfig:
    return ProxyConfig(kind, proxy.host, proxy.port, user, password)


async def proxied_client(
    prosody: ProsodyServer,
    root: Path,
    jid: str,
    password: str,
    proxy: ProxyConfig,
    wait_online: bool = True,
) -> Client:
    # By name: only the proxy can resolve siproxylin.test.
    return await start_client(
        root,
        jid,
        password,
        prosody.domain,
        prosody.c2s_port,
        str(prosody.ca_file),
        proxy=proxy,
        wait_online=wait_online,
    )


def test_the_xmpp_domain_does_not_resolve_here(prosody: ProsodyServer) -> None:
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo(prosody.domain, prosody.c2s_port)


@pytest.mark.parametrize("which", ["socks", "socks-auth", "http", "http-auth"])
async def test_login_roster_chat_and_reconnect_through_each_proxy(
    which: str, prosody: ProsodyServer, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    fixture = {
        "socks": "socks_proxy",
        "socks-auth": "socks_proxy_auth",
        "http": "http_proxy",
        "http-auth": "http_proxy_auth",
    }[which]
    proxy = request.getfixturevalue(fixture)
    kind = ProxyKind.HTTP if which.startswith("http") else ProxyKind.SOCKS5
    config = proxy_config(kind, proxy, proxy.user or "", proxy.password or "")
    (a_jid, a_pw), (p_jid, p_pw) = prosody.new_account(), prosody.new_account("peer")
    alice = await proxied_client(prosody, tmp_path, a_jid, a_pw, config)
    try:
        # The stream's far end is the proxy, and TLS was verified for the XMPP domain.
        peer_address = alice.stream.transport.get_extra_info("peername")[:2]
        assert tuple(peer_address) == (proxy.host, proxy.port)
        assert alice.stream.transport.get_extra_info("ssl_object") is not None
        peer_jid = Jid.parse(p_jid)
        async with online(prosody, p_jid, p_pw) as peer:
            answers: list[str] = []

            def on_message(message: Any) -> None:
                answers.append(str(message["body"]))
                peer.send_message(mto=a_jid, mbody=f"re: {message['body']}", mtype="chat")

            peer.add_event_handler("message", on_message)
            alice.app.roster.add_contact(alice.account, peer_jid, "Peer")
            await _wait(
                lambda: any(
                    i.jid == peer_jid and i.subscription in (Subscription.TO, Subscription.BOTH)
                    for i in alice.app.roster.roster(alice.account)
                )
            )
            await _wait(
                lambda: (
                    alice.app.roster.availability(alice.account, peer_jid)[0] is Availability.ONLINE
                )
            )
            alice.app.chat.send_message(alice.account, peer_jid, "hello via proxy")
            await alice.log.wait(MessageStored, lambda e: e.message.body == "re: hello via proxy")
            # The link drops; the account comes back through the same proxy.
            mark = alice.log.mark()
            alice.stream.transport.abort()
            await alice.log.wait(SessionStarted, since=mark)
            alice.app.chat.send_message(alice.account, peer_jid, "after reconnect")
            await alice.log.wait(MessageStored, lambda e: e.message.body == "re: after reconnect")
            assert answers == ["hello via proxy", "after reconnect"]
            peer_address = alice.stream.transport.get_extra_info("peername")[:2]
            assert tuple(peer_address) == (proxy.host, proxy.port)
    finally:
        await alice.stop()


async def test_dead_proxy_never_falls_back_and_outbox_survives(
    prosody: ProsodyServer, tmp_path: Path, socks_proxy_fresh: Any
) -> None:
    proxy = socks_proxy_fresh
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    proxy.kill()  # down before the account even starts
    alice = await proxied_client(
        prosody,
        tmp_path / "a",
        a_jid,
        a_pw,
        proxy_config(ProxyKind.SOCKS5, proxy),
        wait_online=False,
    )
    bob = await start_client(
        tmp_path / "b", b_jid, b_pw, "127.0.0.1", prosody.c2s_port, str(prosody.ca_file)
    )
    try:
        waiting = await alice.wait_state(ConnectionState.RECONNECTING)
        assert waiting.status.reason is FailureReason.PROXY
        assert "unreachable" in waiting.status.detail
        queued = alice.app.chat.send_message(alice.account, bob.jid, "waited for the proxy")
        await asyncio.sleep(1.0)  # several retries at 0.2 s backoff: all through the proxy
        assert not alice.log.of(SessionStarted)
        assert all(e.reason is FailureReason.PROXY for e in alice.log.of(SessionEnded))
        assert queued.state is DeliveryState.PENDING
        proxy.start()  # the proxy is back on the same port
        await alice.wait_state(ConnectionState.ONLINE, timeout=30)
        await bob.log.wait(
            MessageStored, lambda e: e.message.body == "waited for the proxy", timeout=20
        )
        history = bob.app.chat.history(bob.account, alice.jid)
        assert [(m.direction, m.body) for m in history] == [
            (Direction.INCOMING, "waited for the proxy")
        ]
    finally:
        await alice.stop()
        await bob.stop()


async def test_wrong_proxy_password_stops_the_account(
    prosody: ProsodyServer, tmp_path: Path, socks_proxy_auth: Any
) -> None:
    jid, password = prosody.new_account()
    config = proxy_config(ProxyKind.SOCKS5, socks_proxy_auth, socks_proxy_auth.user, "wrong")
    client = await proxied_client(prosody, tmp_path, jid, password, config, wait_online=False)
    try:
        failed = await client.wait_state(ConnectionState.FAILED)
        assert failed.status.reason is FailureReason.PROXY_AUTH
        await asyncio.sleep(1.0)
        assert len(client.log.of(SessionEnded)) == 1  # no retry storm
    finally:
        await client.stop()


@pytest.mark.parametrize(
    ("mode", "options", "words"),
    [
        ("garbage", {}, "unexpected"),
        ("refuse-destination", {"protocol": "socks5"}, "could not reach"),
        ("refuse-destination", {"protocol": "http", "http_status": 403}, "could not reach"),
        ("black-hole", {}, "did not answer"),
    ],
)
async def test_broken_proxies_give_clear_states_and_no_direct_fallback(
    mode: str,
    options: dict[str, Any],
    words: str,
    prosody: ProsodyServer,
    tmp_path: Path,
    garbage_proxy: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy = garbage_proxy(mode, **options)
    kind = ProxyKind.HTTP if options.get("protocol") == "http" else ProxyKind.SOCKS5
    jid, password = prosody.new_account()
    if mode == "black-hole":  # wait 1 s for the handshake instead of 20
        original = AccountNetwork.open_socket

        async def quick(self: AccountNetwork, host: str, port: int, timeout: float = 20.0) -> Any:
            return await original(self, host, port, timeout=1.0)

        monkeypatch.setattr(AccountNetwork, "open_socket", quick)
    client = await proxied_client(
        prosody, tmp_path, jid, password, proxy_config(kind, proxy), wait_online=False
    )
    try:
        waiting = await client.wait_state(ConnectionState.RECONNECTING)
        assert waiting.status.reason is FailureReason.PROXY
        assert words in waiting.status.detail
        assert not client.log.of(SessionStarted)
    finally:
        await client.stop()


async def test_proxy_cut_mid_stream_reconnects_without_loss(
    prosody: ProsodyServer, tmp_path: Path, garbage_proxy: Any
) -> None:
    relay = garbage_proxy("close-mid-stream")
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await proxied_client(
        prosody, tmp_path / "a", a_jid, a_pw, proxy_config(ProxyKind.SOCKS5, relay)
    )
    bob = await start_client(
        tmp_path / "b", b_jid, b_pw, "127.0.0.1", prosody.c2s_port, str(prosody.ca_file)
    )
    try:
        mark = alice.log.mark()
        relay.trigger_close()
        await alice.log.wait(SessionEnded, since=mark)
        bob.app.chat.send_message(bob.account, alice.jid, "sent while the proxy cut us")
        await alice.log.wait(SessionStarted, since=mark, timeout=20)
        await alice.log.wait(
            MessageStored, lambda e: e.message.body == "sent while the proxy cut us", timeout=20
        )
        await asyncio.sleep(0.5)
        bodies = [m.body for m in alice.app.chat.history(alice.account, bob.jid)]
        assert bodies == ["sent while the proxy cut us"]
    finally:
        await alice.stop()
        await bob.stop()


async def _wait(predicate: Any, timeout: float = 15.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


@pytest.mark.parametrize("which", ["socks_proxy", "http_proxy"])
async def test_http_client_goes_through_the_proxy_with_remote_dns(
    which: str, prosody: ProsodyServer, request: pytest.FixtureRequest
) -> None:
    from siproxylin.domain.ids import AccountId
    from siproxylin.net.guard import LeakBlocked
    from siproxylin.net.http import http_session

    proxy = request.getfixturevalue(which)
    kind = ProxyKind.HTTP if which == "http_proxy" else ProxyKind.SOCKS5
    network = AccountNetwork(AccountId(99), proxy_config(kind, proxy))
    session = await http_session(network)
    try:
        # Only the proxy can resolve this name; Prosody's HTTP server answers.
        url = f"http://{prosody.upload_domain}:{prosody.http_port}/"
        async with session.get(url) as response:
            assert response.status == 200
            assert "Prosody" in await response.text()
    finally:
        await session.close()
    # The same account cannot open anything without its proxy.
    with network.activate(), pytest.raises(LeakBlocked):
        await asyncio.open_connection("127.0.0.1", prosody.http_port)


async def test_three_identities_through_three_proxies_at_once(
    prosody: ProsodyServer,
    tmp_path: Path,
    socks_proxy: Any,
    socks_proxy_auth: Any,
    http_proxy: Any,
) -> None:
    from dataclasses import replace

    from siproxylin.domain.config import AccountConfig, TlsPolicy
    from siproxylin.domain.ids import AccountId

    first_jid, first_pw = prosody.new_account("tor")
    client = await proxied_client(
        prosody, tmp_path, first_jid, first_pw, proxy_config(ProxyKind.SOCKS5, socks_proxy)
    )
    app = client.app
    proxies = {
        client.account: socks_proxy,
    }
    try:
        for proxy, kind in ((socks_proxy_auth, ProxyKind.SOCKS5), (http_proxy, ProxyKind.HTTP)):
            jid, password = prosody.new_account("identity")
            config = AccountConfig(
                id=AccountId(0),
                jid=Jid.parse(jid),
                server_host=prosody.domain,
                server_port=prosody.c2s_port,
                tls=TlsPolicy(ca_file=str(prosody.ca_file)),
                proxy=proxy_config(kind, proxy, proxy.user or "", proxy.password or ""),
            )
            stored = await app.accounts.add_account(replace(config), password)
            proxies[stored.id] = proxy
        await _wait(
            lambda: all(
                app.accounts.status(account).state is ConnectionState.ONLINE for account in proxies
            )
        )
        for account, proxy in proxies.items():
            session = app.accounts.session(account)
            assert session is not None
            assert session.xmpp is not None
            transport = session.xmpp.stream.transport  # type: ignore[attr-defined]
            assert tuple(transport.get_extra_info("peername")[:2]) == (proxy.host, proxy.port)
        assert len({p.port for p in proxies.values()}) == 3
    finally:
        await client.stop()


async def test_proxy_given_by_name_is_looked_up_once_and_the_user_told(
    prosody: ProsodyServer, tmp_path: Path, socks_proxy: Any
) -> None:
    from siproxylin.domain.events import ProxyNameResolved

    jid, password = prosody.new_account()
    by_name = ProxyConfig(ProxyKind.SOCKS5, "localhost", socks_proxy.port)
    client = await proxied_client(prosody, tmp_path / "a", jid, password, by_name)
    try:
        (note,) = client.log.of(ProxyNameResolved)
        assert note.host == "localhost"
        assert note.address in ("127.0.0.1", "::1")
        session = client.app.accounts.session(client.account)
        assert session is not None
        assert "looked up on this computer" in session.proxy_note
        mark = client.log.mark()
        client.stream.transport.abort()
        await client.log.wait(SessionStarted, since=mark)
        assert len(client.log.of(ProxyNameResolved)) == 1  # once, not per connection
    finally:
        await client.stop()


async def test_tor_isolation_gives_each_account_its_own_credentials(
    prosody: ProsodyServer, tmp_path: Path, garbage_proxy: Any
) -> None:
    proxy = garbage_proxy("refuse-destination", protocol="socks5")
    seen: dict[str, ProxyConfig] = {
        "one": proxy_config(ProxyKind.SOCKS5, proxy),
        "two": proxy_config(ProxyKind.SOCKS5, proxy),
        "plain": ProxyConfig(ProxyKind.SOCKS5, proxy.host, proxy.port, isolate=False),
    }
    clients = []
    try:
        for name, config in seen.items():
            jid, password = prosody.new_account(name)
            client = await proxied_client(
                prosody, tmp_path / name, jid, password, config, wait_online=False
            )
            clients.append(client)
            await client.wait_state(ConnectionState.RECONNECTING)
        requests = proxy.requests
        assert all(r.address_type == "domain" and r.host == prosody.domain for r in requests)
        credentials = [r.auth for r in requests]
        isolated = {c for c in credentials if c is not None}
        assert len(isolated) >= 2  # two isolated accounts, two different circuits
        assert None in credentials  # the account without isolation sent none
    finally:
        for client in clients:
            await client.stop()
