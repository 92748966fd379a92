"""The certificate question: fingerprint and description of a real test certificate; pins."""

from __future__ import annotations

import ssl
from pathlib import Path

from siproxylin.app.certificates import FilePins
from siproxylin.core.services.certificates import describe, fingerprint
from siproxylin.domain.ids import AccountId
from tests.support.certs import generate_certs


def test_the_question_names_the_certificate_and_its_fingerprint() -> None:
    certs = generate_certs()
    der = ssl.PEM_cert_to_DER_cert(certs.server_cert.read_text())
    print_ = fingerprint(der)
    assert len(print_) == 32 * 3 - 1
    assert print_.count(":") == 31
    text = describe(der, "siproxylin.test")
    assert print_ in text
    assert "siproxylin.test" in text
    assert "Valid until" in text
    other = describe(der, "elsewhere.example")
    assert "it is not for elsewhere.example" in other
    garbage = describe(b"not a certificate", "x.example")
    assert fingerprint(b"not a certificate") in garbage


def test_pins_keep_the_accounts_own_ca_and_are_private(tmp_path: Path) -> None:
    certs = generate_certs()
    der = ssl.PEM_cert_to_DER_cert(certs.server_cert.read_text())
    pins = FilePins(tmp_path / "certs")
    path = Path(pins.pin(AccountId(3), der, str(certs.ca_file)))
    text = path.read_text()
    assert path.name == "account-3.pem"
    assert certs.ca_file.read_text().strip() in text
    assert ssl.DER_cert_to_PEM_cert(der) in text
    assert path.stat().st_mode & 0o777 == 0o600
    again = Path(pins.pin(AccountId(3), der, str(path)))  # pinned again: not doubled
    assert again.read_text().count("BEGIN CERTIFICATE") == text.count("BEGIN CERTIFICATE")
    context = ssl.create_default_context(cafile=str(path))
    assert context.cert_store_stats()["x509"] >= 2
