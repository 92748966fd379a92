"""Test certificates made with the ``openssl`` CLI (about 0.1 s for the whole set).

* ``ca_file``: the trusted test CA (strict extensions: critical basicConstraints
  CA:TRUE, critical keyUsage keyCertSign/cRLSign, SKI and AKI), so it also passes
  Python 3.13's ``VERIFY_X509_STRICT``.
* ``server_cert`` / ``server_key``: issued by that CA for the XMPP domain, SANs
  ``DNS:<domain>, DNS:*.<domain>, DNS:localhost, IP:127.0.0.1, IP:::1``.
* ``untrusted_*``: a second CA nobody trusts and a cert with the same names from it
  (for "refuses an unknown issuer" tests).
* ``other_cert`` / ``other_key``: issued by the trusted CA but for ``other.test`` only
  (for "refuses a wrong name" tests).

Key files are mode 0640, group ``prosody`` when running as root, so Prosody (running as
the prosody user) can read them.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .tmpdirs import make_shared_tmpdir, share_with_prosody

DEFAULT_DOMAIN = "siproxylin.test"
OTHER_DOMAIN = "other.test"

_CA_CNF = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = {cn}
O = Siproxylin tests
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""

_LEAF_EXT = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = {san}
"""


@dataclass(frozen=True)
class CertSet:
    """Paths of one generated set of test certificates."""

    directory: Path
    domain: str
    ca_file: Path  # trusted test CA certificate (PEM)
    ca_key: Path
    server_cert: Path  # <domain>, issued by the trusted CA
    server_key: Path
    untrusted_ca_file: Path  # a CA that nobody trusts
    untrusted_cert: Path  # <domain>, same SANs, issued by the untrusted CA
    untrusted_key: Path
    other_domain: str
    other_cert: Path  # other.test, issued by the trusted CA
    other_key: Path

    def server_sans(self) -> list[str]:
        return _server_sans(self.domain)


def _server_sans(domain: str) -> list[str]:
    return [
        f"DNS:{domain}",
        f"DNS:*.{domain}",
        "DNS:localhost",
        "IP:127.0.0.1",
        "IP:::1",
    ]


def _openssl(*args: str | Path, cwd: Path) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("openssl CLI not found: run `make test` (tools/install-test-deps.sh)")
    proc = subprocess.run(
        [openssl, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(map(str, args))} failed:\n{proc.stderr}")


def _make_ca(directory: Path, name: str, cn: str) -> tuple[Path, Path]:
    cnf = directory / f"{name}.cnf"
    cnf.write_text(_CA_CNF.format(cn=cn))
    key, crt = directory / f"{name}.key", directory / f"{name}.crt"
    _openssl(
        "req", "-x509", "-new",
        "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", key, "-out", crt, "-days", "30",
        "-config", cnf, "-extensions", "v3_ca",
        "-set_serial", str(secrets.randbits(63)),
        cwd=directory,
    )  # fmt: skip
    return crt, key


def _make_leaf(
    directory: Path, name: str, cn: str, sans: list[str], ca: tuple[Path, Path]
) -> tuple[Path, Path]:
    ext = directory / f"{name}.ext"
    ext.write_text(_LEAF_EXT.format(san=", ".join(sans)))
    key, csr, crt = (directory / f"{name}.{s}" for s in ("key", "csr", "crt"))
    _openssl(
        "req", "-new",
        "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", key, "-out", csr, "-subj", f"/CN={cn}",
        cwd=directory,
    )  # fmt: skip
    _openssl(
        "x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1],
        "-set_serial", str(secrets.randbits(63)),
        "-out", crt, "-days", "30", "-extfile", ext,
        cwd=directory,
    )  # fmt: skip
    return crt, key


def generate_certs(directory: Path | None = None, domain: str = DEFAULT_DOMAIN) -> CertSet:
    """Generate the whole set into ``directory`` (a new shared temp dir if None)."""
    if directory is None:
        directory = make_shared_tmpdir("certs")
    directory.mkdir(parents=True, exist_ok=True)
    share_with_prosody(directory, 0o750)

    ca = _make_ca(directory, "ca", "Siproxylin Test CA")
    server = _make_leaf(directory, "server", domain, _server_sans(domain), ca)
    other = _make_leaf(directory, "other", OTHER_DOMAIN, [f"DNS:{OTHER_DOMAIN}"], ca)
    bad_ca = _make_ca(directory, "untrusted-ca", "Untrusted Test CA")
    untrusted = _make_leaf(directory, "untrusted", domain, _server_sans(domain), bad_ca)

    for path in directory.iterdir():
        if path.suffix in {".csr", ".cnf", ".ext", ".srl"}:
            path.unlink()
        elif path.suffix == ".key":
            share_with_prosody(path, 0o640)
        else:
            share_with_prosody(path, 0o644)

    return CertSet(
        directory=directory,
        domain=domain,
        ca_file=ca[0],
        ca_key=ca[1],
        server_cert=server[0],
        server_key=server[1],
        untrusted_ca_file=bad_ca[0],
        untrusted_cert=untrusted[0],
        untrusted_key=untrusted[1],
        other_domain=OTHER_DOMAIN,
        other_cert=other[0],
        other_key=other[1],
    )
