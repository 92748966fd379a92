"""The real-server fixtures work: Prosody on loopback, verified TLS, accounts, restarts.

Uses plain slixmpp clients (tests.support.xmpp), not the application's XMPP adapter.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from pathlib import Path

import pytest

from tests.support.certs import CertSet
from tests.support.prosody import AccountFactory, ProsodyError, ProsodyServer
from tests.support.xmpp import (
    LoginError,
    connect_client,
    disconnect_client,
    make_client,
    online,
    register_in_band,
)


def _tls_version(client) -> str | None:  # type: ignore[no-untyped-def]
    ssl_object = client.transport.get_extra_info("ssl_object")
    return ssl_object.version() if ssl_object is not None else None


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 0.5):
            return True
    except OSError:
        return False


async def _next_message(client, wait: float = 10.0):  # type: ignore[no-untyped-def]
    future = asyncio.get_running_loop().create_future()

    def on_message(msg) -> None:  # type: ignore[no-untyped-def]
        if msg["type"] in ("chat", "normal") and msg["body"] and not future.done():
            future.set_result(msg)

    client.add_event_handler("message", on_message)
    try:
        return await asyncio.wait_for(future, wait)
    finally:
        client.del_event_handler("message", on_message)


async def test_two_users_exchange_a_message_over_starttls(
    prosody: ProsodyServer, accounts: AccountFactory
) -> None:
    (alice, alice_pw), (bob, bob_pw) = accounts.many(2)
    async with online(prosody, alice, alice_pw) as a, online(prosody, bob, bob_pw) as b:
        assert _tls_version(a) == "TLSv1.3"
        assert _tls_version(b) == "TLSv1.3"
        assert str(a.boundjid.bare) == alice
        incoming = asyncio.ensure_future(_next_message(b))
        a.send_message(mto=bob, mbody="hello from alice", mtype="chat")
        msg = await incoming
        assert msg["body"] == "hello from alice"
        assert str(msg["from"].bare) == alice


async def test_direct_tls_port(prosody: ProsodyServer, accounts: AccountFactory) -> None:
    jid, password = accounts()
    assert prosody.direct_tls_port not in (0, prosody.c2s_port)
    async with online(prosody, jid, password, direct_tls=True) as client:
        assert _tls_version(client) == "TLSv1.3"
        assert str(client.boundjid.bare) == jid


def test_direct_tls_port_serves_the_test_certificate(prosody: ProsodyServer) -> None:
    context = ssl.create_default_context(cafile=str(prosody.ca_file))
    with (
        socket.create_connection((prosody.host, prosody.direct_tls_port), 5) as raw,
        context.wrap_socket(raw, server_hostname=prosody.domain) as tls,
    ):
        assert tls.version() == "TLSv1.3"
        sans = tls.getpeercert()["subjectAltName"]  # type: ignore[index]
        assert ("DNS", prosody.domain) in sans
        assert ("IP Address", "127.0.0.1") in sans


async def test_server_cert_from_an_untrusted_ca_is_refused(
    prosody: ProsodyServer, accounts: AccountFactory
) -> None:
    jid, password = accounts()
    # Trust only the *other* CA: the server's real certificate must not verify.
    client = make_client(jid, password, prosody, ca_file=prosody.certs.untrusted_ca_file)
    with pytest.raises(LoginError, match="TLS certificate chain invalid"):
        await connect_client(client, prosody, timeout=5)
    await disconnect_client(client)


async def test_wrong_password_is_refused(prosody: ProsodyServer, accounts: AccountFactory) -> None:
    jid, _password = accounts()
    client = make_client(jid, "not-the-password", prosody)
    with pytest.raises(LoginError, match="authentication failed"):
        await connect_client(client, prosody, timeout=5)
    await disconnect_client(client)


async def test_offline_message_is_delivered_on_login(
    prosody: ProsodyServer, accounts: AccountFactory
) -> None:
    (alice, alice_pw), (bob, bob_pw) = accounts.many(2)
    async with online(prosody, alice, alice_pw) as a:
        a.send_message(mto=bob, mbody="while you were away", mtype="chat")
        await a.plugin["xep_0199"].ping(prosody.domain, timeout=5)  # message processed
    b = make_client(bob, bob_pw, prosody, plugins=("xep_0030", "xep_0203"))
    incoming = asyncio.ensure_future(_next_message(b))
    await connect_client(b, prosody, presence=True)
    try:
        msg = await incoming
        assert msg["body"] == "while you were away"
        assert msg["delay"]["stamp"] is not None
    finally:
        await disconnect_client(b)


async def test_in_band_and_prosodyctl_registration(prosody: ProsodyServer) -> None:
    user = prosody.unique_user("ibr")
    jid = await register_in_band(prosody, user, "ibr-secret")
    async with online(prosody, jid, "ibr-secret") as client:
        assert str(client.boundjid.bare) == jid

    ctl_jid = prosody.register(prosody.unique_user("ctl"), "ctl-secret", method="prosodyctl")
    async with online(prosody, ctl_jid, "ctl-secret") as client:
        assert str(client.boundjid.bare) == ctl_jid


def test_registering_an_existing_user_fails(prosody: ProsodyServer) -> None:
    user = prosody.unique_user()
    prosody.register(user, "first")
    with pytest.raises(ProsodyError, match="User exists"):
        prosody.register(user, "second")
    assert prosody.unique_user() != prosody.unique_user()


async def test_kill_and_start_keeps_accounts_and_ports(
    prosody_fresh: ProsodyServer,
) -> None:
    server = prosody_fresh
    jid, password = server.new_account()
    ports = (server.c2s_port, server.direct_tls_port, server.http_port)
    async with online(server, jid, password):
        pass

    old_pid = server.pid
    client = make_client(jid, password, server)
    await connect_client(client, server)
    lost = asyncio.get_running_loop().create_future()
    client.add_event_handler("disconnected", lambda _e: lost.done() or lost.set_result(True))
    server.kill()  # crash: no stream close
    assert not server.running
    assert not _port_open(ports[0])
    await asyncio.wait_for(lost, 10)
    client.abort()

    server.start()
    assert server.running
    assert server.pid != old_pid
    assert (server.c2s_port, server.direct_tls_port, server.http_port) == ports
    async with online(server, jid, password) as again:
        assert str(again.boundjid.bare) == jid
    async with online(server, jid, password, direct_tls=True):
        pass


def test_stop_frees_the_ports_and_start_reuses_them(
    prosody_fresh: ProsodyServer,
) -> None:
    server = prosody_fresh
    ports = (server.c2s_port, server.direct_tls_port, server.http_port)
    assert all(_port_open(p) for p in ports)
    server.stop()
    assert not server.running
    assert not any(_port_open(p) for p in ports)
    assert "Shutdown complete" in server.log_path.read_text()
    server.start()
    assert all(_port_open(p) for p in ports)


def _handshake(certs: CertSet, cert: Path, key: Path, ca: Path) -> None:
    """A TLS handshake in memory: server with cert/key, client trusting ca only and
    expecting the XMPP domain. Raises ssl.SSLCertVerificationError on refusal."""
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    client_ctx = ssl.create_default_context(cafile=str(ca))
    client_ctx.verify_flags |= ssl.VERIFY_X509_STRICT
    c_in, c_out, s_in, s_out = (ssl.MemoryBIO() for _ in range(4))
    client = client_ctx.wrap_bio(c_in, c_out, server_hostname=certs.domain)
    server = server_ctx.wrap_bio(s_in, s_out, server_side=True)
    for _ in range(10):
        done = 0
        for end, out, peer_in in ((client, c_out, s_in), (server, s_out, c_in)):
            try:
                end.do_handshake()
                done += 1
            except ssl.SSLWantReadError:
                pass
            peer_in.write(out.read())
        if done == 2:
            return
    raise AssertionError("handshake did not finish")


def test_cert_set_is_trusted_only_for_the_right_name_and_ca(certs: CertSet) -> None:
    _handshake(certs, certs.server_cert, certs.server_key, certs.ca_file)
    with pytest.raises(ssl.SSLCertVerificationError, match="local issuer"):
        _handshake(certs, certs.untrusted_cert, certs.untrusted_key, certs.ca_file)
    with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
        _handshake(certs, certs.other_cert, certs.other_key, certs.ca_file)
    assert certs.untrusted_ca_file != certs.ca_file


def test_generated_config_passes_prosodyctl_check(prosody: ProsodyServer) -> None:
    assert "All checks passed" in prosody.prosodyctl("check", "config")
