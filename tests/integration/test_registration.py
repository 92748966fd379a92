"""Creating an account in-band through a proxy (ejabberd with a CAPTCHA, Prosody), changing
its password and deleting it, with the whole headless application.

``siproxylin.test`` does not resolve on this machine (only the proxies resolve it), so
every form fetched through a proxy here proves that the stream went through it.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from siproxylin.app.bootstrap import Application, build_application
from siproxylin.app.logs import LogSettings
from siproxylin.app.paths import resolve_paths
from siproxylin.core.services.registration import RegistrationRequest
from siproxylin.domain.config import LogLevel, ProxyConfig, ProxyKind, TlsPolicy
from siproxylin.domain.events import AccountStateChanged
from siproxylin.domain.models import ConnectionState
from siproxylin.domain.registration import RegistrationError, RegistrationFailed
from tests.support.certs import CertSet
from tests.support.ejabberd import EjabberdServer
from tests.support.ejabberd import available as ejabberd_available
from tests.support.prosody import ProsodyServer
from tests.support.xmpp import LoginError, online

pytestmark = pytest.mark.registration

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def ejabberd(certs: CertSet) -> Iterator[EjabberdServer]:
    reason = ejabberd_available()
    if reason:
        pytest.fail(reason, pytrace=False)
    server = EjabberdServer(certs)
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


def _app(root: Path) -> Application:
    paths = resolve_paths(data_dir=root)
    return build_application(paths, LogSettings(LogLevel.DEBUG, protocol=True), backoff_base=0.2)


def _proxy(kind: ProxyKind, proxy: Any) -> ProxyConfig:
    return ProxyConfig(kind, proxy.host, proxy.port, proxy.user or "", proxy.password or "")


def _request(server: Any, proxy: ProxyConfig) -> RegistrationRequest:
    return RegistrationRequest(
        server=server.domain,
        proxy=proxy,
        tls=TlsPolicy(ca_file=str(server.ca_file)),
        host=server.domain,  # by name: only the proxy can resolve it
        port=server.c2s_port,
    )


async def _online(app: Application, account: Any, timeout: float = 20.0) -> None:
    if app.accounts.status(account).state is ConnectionState.ONLINE:
        return
    reached = asyncio.Event()

    def on_state(event: AccountStateChanged) -> None:
        if event.account == account and event.status.state is ConnectionState.ONLINE:
            reached.set()

    unsubscribe = app.bus.subscribe(AccountStateChanged, on_state)
    try:
        await asyncio.wait_for(reached.wait(), timeout)
    finally:
        unsubscribe()


def _name(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(4)}"


async def test_captcha_registration_on_ejabberd_through_socks_then_login(
    ejabberd: EjabberdServer, socks_proxy: Any, tmp_path: Path
) -> None:
    app = _app(tmp_path)
    proxy = _proxy(ProxyKind.SOCKS5, socks_proxy)
    try:
        form = await app.registration.fetch_form(_request(ejabberd, proxy))
        captcha = form.captcha
        assert captcha is not None
        assert captcha.media is not None
        # The image came with the form (Bits of Binary), through the proxy.
        assert captcha.media.data.startswith(PNG_MAGIC)
        assert captcha.required
        assert form.field("username") is not None
        assert form.field("password") is not None
        user, password = _name("new"), secrets.token_urlsafe(12)
        config = await app.registration.submit(
            {
                "username": (user,),
                "password": (password,),
                captcha.var: (ejabberd.last_captcha(),),
            }
        )
        assert str(config.jid) == f"{user}@{ejabberd.domain}"
        assert config.proxy == proxy  # saved with the proxy it was registered through
        assert app.accounts.config(config.id).proxy == proxy
        await _online(app, config.id)
        session = app.accounts.session(config.id)
        assert session is not None
        assert session.xmpp is not None
        transport = session.xmpp.stream.transport  # type: ignore[attr-defined]
        assert tuple(transport.get_extra_info("peername")[:2]) == (proxy.host, proxy.port)
    finally:
        await app.stop()


async def test_wrong_captcha_and_a_taken_name_give_clear_errors(
    ejabberd: EjabberdServer, socks_proxy: Any, tmp_path: Path
) -> None:
    app = _app(tmp_path)
    proxy = _proxy(ProxyKind.SOCKS5, socks_proxy)
    request = _request(ejabberd, proxy)
    user = _name("taken")
    try:
        form = await app.registration.fetch_form(request)
        assert form.captcha is not None
        with pytest.raises(RegistrationFailed) as wrong:
            await app.registration.submit(
                {"username": (user,), "password": ("pw-1",), form.captcha.var: ("nope",)}
            )
        assert wrong.value.reason is RegistrationError.BAD_CAPTCHA
        assert "CAPTCHA" in str(wrong.value)
        assert app.registration.form is None  # one try per CAPTCHA: fetch again
        drawn = len(ejabberd.captchas())
        form = await app.registration.fetch_form()  # the same server, a new CAPTCHA
        assert len(ejabberd.captchas()) == drawn + 1
        assert form.captcha is not None
        first = await app.registration.submit(
            {
                "username": (user,),
                "password": ("pw-1",),
                form.captcha.var: (ejabberd.last_captcha(),),
            }
        )
        await app.accounts.set_enabled(first.id, False)
        form = await app.registration.fetch_form(request)
        assert form.captcha is not None
        with pytest.raises(RegistrationFailed) as taken:
            await app.registration.submit(
                {
                    "username": (user,),
                    "password": ("pw-2",),
                    form.captcha.var: (ejabberd.last_captcha(),),
                }
            )
        assert taken.value.reason is RegistrationError.CONFLICT
        assert "already taken" in str(taken.value)
    finally:
        await app.stop()


async def test_a_dead_proxy_is_a_proxy_error_never_a_direct_connection(
    ejabberd: EjabberdServer, socks_proxy_fresh: Any, tmp_path: Path
) -> None:
    app = _app(tmp_path)
    proxy = _proxy(ProxyKind.SOCKS5, socks_proxy_fresh)
    socks_proxy_fresh.kill()
    drawn = len(ejabberd.captchas())
    try:
        with pytest.raises(RegistrationFailed) as failed:
            await app.registration.fetch_form(_request(ejabberd, proxy))
        assert failed.value.reason is RegistrationError.PROXY
        assert len(ejabberd.captchas()) == drawn
    finally:
        await app.stop()


async def _register_on_prosody(
    app: Application, prosody: ProsodyServer, proxy: ProxyConfig
) -> tuple[Any, str, str]:
    form = await app.registration.fetch_form(_request(prosody, proxy))
    assert form.captcha is None
    user, password = _name("p"), secrets.token_urlsafe(12)
    config = await app.registration.submit({"username": (user,), "password": (password,)})
    await _online(app, config.id)
    return config, f"{user}@{prosody.domain}", password


async def test_registration_on_prosody_through_http_proxy(
    prosody: ProsodyServer, http_proxy: Any, tmp_path: Path
) -> None:
    app = _app(tmp_path)
    proxy = _proxy(ProxyKind.HTTP, http_proxy)
    try:
        config, jid, password = await _register_on_prosody(app, prosody, proxy)
        assert config.proxy == proxy
        async with online(prosody, jid, password):
            pass
    finally:
        await app.stop()


async def test_password_change_then_login_with_the_new_password(
    prosody: ProsodyServer, socks_proxy: Any, tmp_path: Path
) -> None:
    app = _app(tmp_path)
    try:
        config, jid, old = await _register_on_prosody(
            app, prosody, _proxy(ProxyKind.SOCKS5, socks_proxy)
        )
        new = secrets.token_urlsafe(12)
        await app.registration.change_password(config.id, new)
        await _online(app, config.id)  # reconnected with the stored new password
        async with online(prosody, jid, new):
            pass
        with pytest.raises(LoginError):
            async with online(prosody, jid, old, timeout=5):
                pass
    finally:
        await app.stop()


async def test_account_deletion_then_login_fails(
    prosody: ProsodyServer, socks_proxy: Any, tmp_path: Path
) -> None:
    app = _app(tmp_path)
    try:
        config, jid, password = await _register_on_prosody(
            app, prosody, _proxy(ProxyKind.SOCKS5, socks_proxy)
        )
        await app.registration.delete_account(config.id)
        assert config.id not in [c.id for c in app.accounts.accounts()]
        with pytest.raises(LoginError):
            async with online(prosody, jid, password, timeout=5):
                pass
    finally:
        await app.stop()


@pytest.mark.leak
async def test_registration_through_socks_leaks_nothing(
    ejabberd: EjabberdServer, socks_proxy: Any, tmp_path: Path, leak_harness: Any
) -> None:
    harness = leak_harness(socks_proxy)
    host, port = harness.proxy_address
    user = _name("leak")
    config = {
        "data_dir": str(tmp_path / "client"),
        "server": ejabberd.domain,
        "server_port": ejabberd.c2s_port,
        "ca_file": str(ejabberd.ca_file),
        "answers": str(ejabberd.answers_path),
        "user": user,
        "password": secrets.token_urlsafe(12),
        "proxy_kind": "socks5",
        "proxy_host": host,
        "proxy_port": port,
        "result": str(tmp_path / "result.json"),
    }
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    start = harness.mark()
    done = harness.run(
        [sys.executable, "-m", "tests.integration.registration_leak_client", str(config_path)],
        env=env,
        timeout=60,
    )
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["ok"], (result, done.stderr[-3000:])
    assert result["image_bytes"] > 0
    assert result["jid"] == f"{user}@{ejabberd.domain}"
    assert harness.dns_queries(since=start) == []
    packets = harness.packets(since=start)
    assert packets, "the capture saw nothing: the harness is broken"
    assert not [p for p in packets if p.proto != "tcp"]
    harness.assert_no_leaks(since=start)  # every packet is to or from the proxy
