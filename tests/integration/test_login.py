"""Logging in against a real Prosody: success, and every way it must fail cleanly."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from siproxylin.domain.config import TlsPolicy
from siproxylin.domain.errors import FailureReason
from siproxylin.domain.events import (
    AccountStateChanged,
    RosterReceived,
    SessionEnded,
    SessionStarted,
)
from siproxylin.domain.models import ConnectionState
from tests.integration.harness import start_client
from tests.support.prosody import ProsodyServer


async def test_login_over_verified_starttls(prosody: ProsodyServer, tmp_path: Path) -> None:
    jid, password = prosody.new_account()
    client = await start_client(
        tmp_path, jid, password, "127.0.0.1", prosody.c2s_port, str(prosody.ca_file)
    )
    try:
        started = await client.log.wait(SessionStarted)
        assert started.bound.bare == client.jid
        assert not started.resumed
        await client.log.wait(RosterReceived, lambda e: e.complete)
        transport = client.stream.transport
        assert transport.get_extra_info("ssl_object") is not None  # TLS, verified
        assert "stream_management" in client.stream.features
    finally:
        await client.stop()


async def test_login_over_direct_tls(prosody: ProsodyServer, tmp_path: Path) -> None:
    jid, password = prosody.new_account()
    client = await start_client(
        tmp_path,
        jid,
        password,
        "127.0.0.1",
        prosody.direct_tls_port,
        None,
        tls=TlsPolicy(ca_file=str(prosody.ca_file), direct_tls=True),
    )
    try:
        await client.log.wait(SessionStarted)
        assert client.stream.transport.get_extra_info("ssl_object") is not None
    finally:
        await client.stop()


async def test_wrong_password_fails_once_without_retry(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    jid, _password = prosody.new_account()
    client = await start_client(
        tmp_path,
        jid,
        "not-the-password",
        "127.0.0.1",
        prosody.c2s_port,
        str(prosody.ca_file),
        wait_online=False,
    )
    try:
        failed = await client.wait_state(ConnectionState.FAILED)
        assert failed.status.reason is FailureReason.AUTH
        assert "password" in failed.status.detail
        await asyncio.sleep(1.5)  # backoff base is 0.2 s: a retry would show by now
        assert len(client.log.of(SessionEnded)) == 1
        assert client.app.accounts.status(client.account).state is ConnectionState.FAILED
    finally:
        await client.stop()


async def test_untrusted_certificate_is_refused(prosody: ProsodyServer, tmp_path: Path) -> None:
    jid, password = prosody.new_account()
    # No CA file: only the system store, which does not know the test CA.
    client = await start_client(
        tmp_path, jid, password, "127.0.0.1", prosody.c2s_port, None, wait_online=False
    )
    try:
        failed = await client.wait_state(ConnectionState.FAILED)
        assert failed.status.reason is FailureReason.TLS
        assert "certificate" in failed.status.detail
        await asyncio.sleep(1.0)
        assert not client.log.of(SessionStarted)
        assert len(client.log.of(SessionEnded)) == 1
    finally:
        await client.stop()


async def test_certificate_for_another_name_is_refused(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    other = ProsodyServer(prosody.certs, cert=prosody.certs.other_cert, key=prosody.certs.other_key)
    other.start()
    try:
        jid, password = other.new_account()
        client = await start_client(
            tmp_path,
            jid,
            password,
            "127.0.0.1",
            other.c2s_port,
            str(prosody.ca_file),
            wait_online=False,
        )
        try:
            failed = await client.wait_state(ConnectionState.FAILED)
            assert failed.status.reason is FailureReason.TLS
            assert not client.log.of(SessionStarted)
        finally:
            await client.stop()
    finally:
        other.cleanup()


async def test_unreachable_server_backs_off(prosody: ProsodyServer, tmp_path: Path) -> None:
    jid, password = prosody.new_account()
    closed_port = _closed_port()
    client = await start_client(
        tmp_path, jid, password, "127.0.0.1", closed_port, str(prosody.ca_file), wait_online=False
    )
    try:

        def reconnecting() -> list[float]:
            return [
                e.status.retry_in
                for e in client.log.of(AccountStateChanged)
                if e.status.state is ConnectionState.RECONNECTING
            ]

        for _ in range(100):
            if len(reconnecting()) >= 3:
                break
            await asyncio.sleep(0.1)
        delays = reconnecting()
        assert len(delays) >= 3
        assert all(e.reason is FailureReason.NETWORK for e in client.log.of(SessionEnded))
        assert delays[2] > delays[0]
    finally:
        await client.stop()


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_an_untrusted_certificate_is_asked_about_and_pinned_when_trusted(
    prosody: ProsodyServer, tmp_path: Path, socks_proxy: Any
) -> None:
    """No CA file: the login fails, the certificate is fetched through the account's
    proxy and shown with its fingerprint; trusted, it is pinned for this account and
    the login succeeds, then and at the next start without asking."""
    import ssl

    from siproxylin.core.services.certificates import fingerprint
    from siproxylin.domain.config import ProxyConfig, ProxyKind
    from siproxylin.domain.events import DecisionRequested
    from siproxylin.domain.models import DecisionKind

    jid, password = prosody.new_account()
    proxy = ProxyConfig(ProxyKind.SOCKS5, socks_proxy.host, socks_proxy.port)
    client = await start_client(
        tmp_path,
        jid,
        password,
        prosody.domain,
        prosody.c2s_port,
        None,
        wait_online=False,
        proxy=proxy,
    )
    try:
        asked = await client.log.wait(
            DecisionRequested, lambda e: e.kind is DecisionKind.CERTIFICATE, timeout=20
        )
        served = ssl.PEM_cert_to_DER_cert(prosody.certs.server_cert.read_text())
        assert asked.subject == fingerprint(served)
        assert fingerprint(served) in asked.text
        assert prosody.domain in asked.text
        client.app.decisions.resolve(asked.decision_id, True)
        await client.wait_state(ConnectionState.ONLINE, timeout=20)
        config = client.app.accounts.config(client.account)
        assert config.tls.ca_file.endswith(f"account-{int(client.account)}.pem")
        assert config.proxy == proxy  # nothing else of the account changed
    finally:
        await client.stop()


async def test_a_refused_certificate_leaves_the_account_stopped(
    prosody: ProsodyServer, tmp_path: Path
) -> None:
    from siproxylin.domain.events import DecisionRequested
    from siproxylin.domain.models import DecisionKind

    jid, password = prosody.new_account()
    client = await start_client(
        tmp_path, jid, password, "127.0.0.1", prosody.c2s_port, None, wait_online=False
    )
    try:
        asked = await client.log.wait(
            DecisionRequested, lambda e: e.kind is DecisionKind.CERTIFICATE, timeout=20
        )
        client.app.decisions.resolve(asked.decision_id, False)
        await asyncio.sleep(1.0)
        status = client.app.accounts.status(client.account)
        assert status.state is ConnectionState.FAILED
        assert status.reason is FailureReason.TLS
        assert client.app.accounts.config(client.account).tls.ca_file == ""
    finally:
        await client.stop()
