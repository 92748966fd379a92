"""Shared fixtures: test certificates and real Prosody servers on loopback.

Fixtures
    certs          session   tests.support.certs.CertSet: trusted CA, server cert for
                             siproxylin.test, an untrusted CA + cert, an other.test cert
    prosody        session   one running ProsodyServer shared by all tests; use fresh
                             accounts (``accounts``), never stop/kill it
    prosody_fresh  function  a ProsodyServer of the test's own (kill/start/stop it)
    accounts       function  AccountFactory on ``prosody``: ``accounts()`` -> (jid,
                             password) of a newly registered user, ``accounts.many(n)``

Tests under tests/integration/ get the ``integration`` marker automatically.
SIPROXYLIN_KEEP_TEST_SERVERS=1 keeps the servers' config/data/log dirs after the run;
SIPROXYLIN_PROSODY_LOG=debug makes Prosody log every stanza.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TESTS_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = TESTS_DIR.parent
INTEGRATION_DIR = TESTS_DIR / "integration"
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from tests.support.certs import CertSet, generate_certs  # noqa: E402
from tests.support.prosody import (  # noqa: E402
    INSTALL_HINT,
    AccountFactory,
    ProsodyServer,
)

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
