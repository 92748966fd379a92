"""Deciding about a certificate the system does not trust, per account.

TLS is never skipped: a login whose certificate is not trusted fails. Then
``CertificateService`` fetches the certificate the server presents (through the
account's proxy, ``CertificateProbe``) and asks the user
(``DecisionKind.CERTIFICATE``) with what identifies it: the names it is for, who
issued it, until when, and its SHA-256 fingerprint to compare with the server's
admin. Trusted: the certificate is pinned for this account only
(``CertificatePins``, with any CA the account already had) and the account logs
in again verifying against it; a different certificate later is asked about
again. Refused, or not fetched: the account stays stopped with its TLS failure.
One question per account at a time. Imports ``domain`` and ``core`` only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from dataclasses import replace
from typing import Any

from cryptography import x509
from cryptography.x509.oid import ExtensionOID, NameOID

from siproxylin.core.accounts import AccountManager
from siproxylin.core.bus import EventBus
from siproxylin.core.decisions import Decisions
from siproxylin.core.ports import CertificatePins, CertificateProbe
from siproxylin.domain.errors import FailureReason, SiproxylinError
from siproxylin.domain.events import SessionEnded
from siproxylin.domain.ids import AccountId
from siproxylin.domain.models import DecisionKind

log = logging.getLogger(__name__)


def fingerprint(der: bytes) -> str:
    """SHA-256 of a certificate as ``AB:CD:…`` (what server admins compare)."""
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def describe(der: bytes, server: str) -> str:
    """The question about ``der``: what it is for, who issued it, when, its fingerprint."""
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return (
            f"{server} presented a certificate that could not be read."
            f" SHA-256 fingerprint: {fingerprint(der)}. Trust it for this account?"
        )
    names = _names(cert)
    issuer = _common_name(cert.issuer) or cert.issuer.rfc4514_string() or "unknown"
    until = cert.not_valid_after_utc.strftime("%Y-%m-%d")
    expired = cert.not_valid_after_utc < dt.datetime.now(dt.UTC)
    self_signed = cert.issuer == cert.subject
    notes = []
    if self_signed:
        notes.append("it is self-signed")
    if expired:
        notes.append("it has expired")
    if names and server not in names and not any(_matches(n, server) for n in names):
        notes.append(f"it is not for {server}")
    why = f" ({', '.join(notes)})" if notes else ""
    return (
        f"{server} presented a certificate your system does not trust{why}."
        f" For: {', '.join(names) or 'no name'}. Issued by: {issuer}. Valid until {until}."
        f" SHA-256 fingerprint: {fingerprint(der)}."
        " Compare it with what the server's admin publishes. Trust it for this account?"
    )


class CertificateService:
    """Asks about untrusted certificates and pins the trusted ones (see the module doc).

    Args:
        bus: The event bus.
        accounts: The account manager (sessions, configs, updates).
        decisions: Where the question goes.
        pins: Where trusted certificates are kept.
        probe: Fetches the certificate a server presents.
    """

    def __init__(
        self,
        bus: EventBus,
        accounts: AccountManager,
        decisions: Decisions,
        pins: CertificatePins,
        probe: CertificateProbe,
    ) -> None:
        self._accounts = accounts
        self._probe = probe
        self._decisions = decisions
        self._pins = pins
        self._asking: set[AccountId] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        bus.subscribe(SessionEnded, self._on_session_ended)

    def _on_session_ended(self, event: SessionEnded) -> None:
        if event.reason is not FailureReason.TLS or "certificate" not in event.detail:
            return
        if event.account in self._asking:
            return
        self._asking.add(event.account)
        task = asyncio.get_running_loop().create_task(self._ask(event.account))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _ask(self, account: AccountId) -> None:
        try:
            config = self._accounts.config(account)
            try:
                der = await self._probe.fetch(config)
            except SiproxylinError as exc:
                log.info("account %s: certificate not fetched: %s", account, exc)
                return
            server = config.server_host or config.jid.domain
            answer = await self._decisions.ask(
                account, DecisionKind.CERTIFICATE, fingerprint(der), describe(der, server)
            )
            if not answer:
                log.info("account %s: the certificate was refused", account)
                return
            path = self._pins.pin(account, der, config.tls.ca_file)
            log.info("account %s: certificate %s pinned", account, fingerprint(der))
            await self._accounts.update_account(
                replace(config, tls=replace(config.tls, ca_file=path))
            )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("account %s: certificate decision failed", account)
        finally:
            self._asking.discard(account)


def _names(cert: x509.Certificate) -> list[str]:
    try:
        alternative = cert.extensions.get_extension_for_oid(
            ExtensionOID.SUBJECT_ALTERNATIVE_NAME
        ).value
    except x509.ExtensionNotFound:
        name = _common_name(cert.subject)
        return [name] if name else []
    assert isinstance(alternative, x509.SubjectAlternativeName)
    return [str(n) for n in alternative.get_values_for_type(x509.DNSName)]


def _common_name(name: x509.Name) -> str:
    found = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(found[0].value) if found else ""


def _matches(pattern: str, server: str) -> bool:
    if pattern.startswith("*."):
        return server.endswith(pattern[1:]) and server.count(".") == pattern.count(".")
    return pattern == server
