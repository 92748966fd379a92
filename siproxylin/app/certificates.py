"""Certificates of account servers: fetched to ask the user, and the trusted ones kept.

``NetworkProbe`` implements ``core.ports.CertificateProbe``: a connection of its own
built from the account's settings (its proxy; the name resolved there), STARTTLS or
direct TLS, the certificate read and nothing else sent (``net.tls_probe``).

``FilePins`` implements ``core.ports.CertificatePins``: ``certs/account-<id>.pem``
(owner-only) holds the pinned certificate and, when the account already verified
with a CA file of its own, that file's certificates too, so nothing the user set
before stops working. The account's TLS policy then points at this file.
"""

from __future__ import annotations

import os
import ssl
from pathlib import Path

from siproxylin.domain.config import AccountConfig
from siproxylin.domain.errors import CertificateUnavailable
from siproxylin.domain.ids import AccountId
from siproxylin.net.network import AccountNetwork
from siproxylin.net.tls_probe import ProbeFailed, fetch_certificate


class NetworkProbe:
    """Fetches a server's certificate the account's way (see the module doc)."""

    async def fetch(self, config: AccountConfig) -> bytes:
        """See ``CertificateProbe.fetch``."""
        host, port = config.address
        try:
            return await fetch_certificate(
                AccountNetwork(config.id, config.proxy),
                host,
                port,
                config.jid.domain,
                direct_tls=config.tls.direct_tls,
            )
        except ProbeFailed as exc:
            raise CertificateUnavailable(str(exc)) from None


class FilePins:
    """Pinned certificates under ``folder`` (see the module doc)."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def pin(self, account: AccountId, der: bytes, existing_ca: str) -> str:
        """See ``CertificatePins.pin``."""
        self._folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self._folder / f"account-{int(account)}.pem"
        pem = ssl.DER_cert_to_PEM_cert(der)
        kept = ""
        if existing_ca and Path(existing_ca) != path:
            try:
                kept = Path(existing_ca).read_text(encoding="ascii", errors="ignore")
            except OSError:
                kept = ""
        elif existing_ca:
            kept = path.read_text(encoding="ascii", errors="ignore") if path.exists() else ""
        text = kept if pem in kept else kept.rstrip("\n") + ("\n" if kept else "") + pem
        temporary = path.with_suffix(".tmp")
        temporary.write_text(text, encoding="ascii")
        os.chmod(temporary, 0o600)
        temporary.replace(path)
        return str(path)
