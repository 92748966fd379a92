"""Shared fixtures: test certificates and real Prosody servers on loopback.

Fixtures
    certs          session   tests.support.certs.CertSet: trusted CA, server cert for
                             siproxylin.test, an untrusted CA + cert, an other.test cert
    prosody        session   one running ProsodyServer shared by all tests; use fresh
                             accounts (``accounts``), never stop/kill it
    prosody_fresh  function  a ProsodyServer of the test's own (kill/start/stop it)
    accounts       function  AccountFactory on ``prosody``: ``accounts()`` -> (jid,
                             password) of a newly registered user, ``accounts.many(n)``

Proxy fixtures (tests.support.proxies; only the proxies resolve siproxylin.test):
    socks_proxy        session   MicrosocksProxy, no auth; ``.url`` socks5://127.0.0.1:P
    socks_proxy_auth   session   MicrosocksProxy with ``.user``/``.password``
    http_proxy         session   TinyProxy, CONNECT allowed to the ``prosody`` c2s,
                                 direct-TLS and http ports; ``.url`` http://127.0.0.1:P
    http_proxy_auth    session   the same with BasicAuth ``.user``/``.password``
    socks_proxy_fresh  function  a MicrosocksProxy of the test's own (kill/stop/start it)
    garbage_proxy      function  factory: ``garbage_proxy("black-hole", **options)`` ->
                                 a started GarbageProxy, stopped after the test
    coturn             session   tests.support.coturn.CoturnServer on loopback (UDP, TCP,
                                 TLS with the test certificate); ``.credentials(user)``
    leak_harness       function  factory: ``leak_harness(proxy_or_port, **options)`` -> a
                                 started tests.support.netns.LeakHarness, closed after
                                 the test; skips when not root (the ``leak`` marker)

Tests under tests/integration/ get the ``integration`` marker automatically.
SIPROXYLIN_KEEP_TEST_SERVERS=1 keeps the servers' config/data/log dirs after the run;
SIPROXYLIN_PROSODY_LOG=debug makes Prosody log every stanza.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TESTS_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = TESTS_DIR.parent
INTEGRATION_DIR = TESTS_DIR / "integration"
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

# As in the application: the OMEMO libraries validate with the schema stand-in,
# whichever test imports them first.
import siproxylin.xmpp.omemo  # noqa: E402, F401
from tests.support.certs import CertSet, generate_certs  # noqa: E402
from tests.support.coturn import CoturnServer  # noqa: E402
from tests.support.netns import LeakHarness, unavailable_reason  # noqa: E402
from tests.support.prosody import (  # noqa: E402
    INSTALL_HINT,
    AccountFactory,
    ProsodyServer,
)
from tests.support.proxies import GarbageProxy, MicrosocksProxy, TinyProxy  # noqa: E402

KEEP_SERVERS = os.environ.get("SIPROXYLIN_KEEP_TEST_SERVERS", "") not in {"", "0"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if INTEGRATION_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.integration)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On failure, attach the tail of each Prosody log the test used to the report."""
    report = yield
    if report.failed:
        funcargs = getattr(item, "funcargs", {})
        for name in ("prosody", "prosody_fresh"):
            server = funcargs.get(name)
            if isinstance(server, ProsodyServer):
                try:
                    tail = server.log_path.read_text(errors="replace").splitlines()[-60:]
                except OSError:
                    continue
                report.sections.append((f"{name} log ({server.log_path})", "\n".join(tail)))
    return report


def _new_server(certs: CertSet) -> ProsodyServer:
    if shutil.which("prosody") is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    return ProsodyServer(certs)


def _finish(server: ProsodyServer) -> None:
    if KEEP_SERVERS:
        server.stop()
        print(f"\nkept Prosody dir {server.base_dir}")
    else:
        server.cleanup()


@pytest.fixture(scope="session")
def certs() -> Iterator[CertSet]:
    cert_set = generate_certs()
    yield cert_set
    if not KEEP_SERVERS:
        shutil.rmtree(cert_set.directory, ignore_errors=True)


@pytest.fixture(scope="session")
def prosody(certs: CertSet) -> Iterator[ProsodyServer]:
    server = _new_server(certs)
    try:
        server.start()
        yield server
    finally:
        _finish(server)


@pytest.fixture
def prosody_fresh(certs: CertSet) -> Iterator[ProsodyServer]:
    server = _new_server(certs)
    try:
        server.start()
        yield server
    finally:
        _finish(server)


@pytest.fixture
def accounts(prosody: ProsodyServer) -> AccountFactory:
    return AccountFactory(prosody)


# ---- proxies and the leak harness --------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "leak: runs a client in a network namespace whose only way out is a proxy, with a "
        "DNS canary and a packet capture (tests.support.netns; needs root)",
    )


@pytest.fixture(scope="session")
def socks_proxy() -> Iterator[MicrosocksProxy]:
    with MicrosocksProxy() as proxy:
        yield proxy


@pytest.fixture(scope="session")
def socks_proxy_auth() -> Iterator[MicrosocksProxy]:
    with MicrosocksProxy(user="sip-proxy-user", password=secrets.token_urlsafe(12)) as proxy:
        yield proxy


def _prosody_ports(server: ProsodyServer) -> list[int]:
    return [server.c2s_port, server.direct_tls_port, server.http_port, server.https_port]


@pytest.fixture(scope="session")
def http_proxy(prosody: ProsodyServer) -> Iterator[TinyProxy]:
    with TinyProxy(connect_ports=_prosody_ports(prosody)) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def http_proxy_auth(prosody: ProsodyServer) -> Iterator[TinyProxy]:
    password = secrets.token_urlsafe(12)
    with TinyProxy(
        connect_ports=_prosody_ports(prosody), user="sip-proxy-user", password=password
    ) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def coturn(certs: CertSet) -> Iterator[CoturnServer]:
    if shutil.which("turnserver") is None:
        pytest.fail("coturn is not installed: run `sudo tools/install-test-deps.sh`", pytrace=False)
    with CoturnServer(certs) as server:
        yield server


@pytest.fixture
def socks_proxy_fresh() -> Iterator[MicrosocksProxy]:
    with MicrosocksProxy() as proxy:
        yield proxy


@pytest.fixture
def garbage_proxy() -> Iterator[Callable[..., GarbageProxy]]:
    started: list[GarbageProxy] = []

    def factory(mode: str, **options: Any) -> GarbageProxy:
        proxy = GarbageProxy(mode, **options).start()
        started.append(proxy)
        return proxy

    yield factory
    for proxy in started:
        proxy.stop()


@pytest.fixture
def leak_harness() -> Iterator[Callable[..., LeakHarness]]:
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    started: list[LeakHarness] = []

    def factory(proxy: Any, **options: Any) -> LeakHarness:
        port = proxy if isinstance(proxy, int) else proxy.port
        harness = LeakHarness(port, **options).start()
        started.append(harness)
        return harness

    yield factory
    for harness in started:
        harness.close()
