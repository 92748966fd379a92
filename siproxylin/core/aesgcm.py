"""Encrypted file sharing (XEP-0454 "OMEMO Media Sharing"): AES-256-GCM and ``aesgcm://`` URLs.

A file shared in an encrypted conversation is encrypted with a fresh key and IV,
uploaded as ciphertext with the 16-byte GCM tag appended, and shared as
``aesgcm://host/path#<iv hex><key hex>``: the fragment never reaches the server,
and the URL itself travels inside the OMEMO encrypted message. Receivers accept
12-byte IVs (the standard) and the 16-byte IVs older clients send.

Streaming: :class:`FileEncryptor` and :class:`FileDecryptor` take chunks, so files
are never held in memory whole; the decryptor refuses to finish unless the tag
matches (nothing may be shown from a file that fails it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from cryptography.hazmat.primitives.ciphers import (
    AEADDecryptionContext,
    AEADEncryptionContext,
    Cipher,
    algorithms,
    modes,
)

KEY_BYTES = 32
IV_BYTES = 12
LEGACY_IV_BYTES = 16
TAG_BYTES = 16


class AesGcmError(ValueError):
    """A malformed ``aesgcm://`` URL, or ciphertext that fails authentication."""


@dataclass(frozen=True, slots=True)
class FileKey:
    """The secret of one shared file.

    Attributes:
        key: The 32-byte AES key.
        iv: The 12-byte (or legacy 16-byte) IV.
    """

    key: bytes
    iv: bytes

    @classmethod
    def generate(cls) -> FileKey:
        """A fresh random key and IV."""
        return cls(os.urandom(KEY_BYTES), os.urandom(IV_BYTES))

    @property
    def fragment(self) -> str:
        """The URL fragment: IV then key, lowercase hex."""
        return (self.iv + self.key).hex()


def aesgcm_url(https_url: str, key: FileKey) -> str:
    """The ``aesgcm://`` URL to share for a file uploaded to ``https_url``."""
    parts = urlsplit(https_url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise AesGcmError(f"not an upload URL: {https_url!r}")
    return urlunsplit(("aesgcm", parts.netloc, parts.path, parts.query, key.fragment))


def parse_aesgcm_url(url: str) -> tuple[str, FileKey]:
    """The https URL to download from, and the key to decrypt with.

    Raises:
        AesGcmError: If ``url`` is not a well-formed ``aesgcm://`` URL.
    """
    parts = urlsplit(url)
    if parts.scheme != "aesgcm" or not parts.netloc:
        raise AesGcmError("not an aesgcm:// URL")
    fragment = parts.fragment
    try:
        secret = bytes.fromhex(fragment)
    except ValueError:
        raise AesGcmError("the URL's key is not hexadecimal") from None
    if len(secret) == IV_BYTES + KEY_BYTES:
        iv, key = secret[:IV_BYTES], secret[IV_BYTES:]
    elif len(secret) == LEGACY_IV_BYTES + KEY_BYTES:
        iv, key = secret[:LEGACY_IV_BYTES], secret[LEGACY_IV_BYTES:]
    else:
        raise AesGcmError(f"the URL's key has {len(secret)} bytes")
    return urlunsplit(("https", parts.netloc, parts.path, parts.query, "")), FileKey(key, iv)


class FileEncryptor:
    """Encrypts a file chunk by chunk; ``finish()`` returns the tag to append."""

    def __init__(self, key: FileKey) -> None:
        self._context: AEADEncryptionContext = Cipher(
            algorithms.AES(key.key), modes.GCM(key.iv)
        ).encryptor()

    def update(self, chunk: bytes) -> bytes:
        """Ciphertext for ``chunk``."""
        return self._context.update(chunk)

    def finish(self) -> bytes:
        """The last ciphertext bytes followed by the 16-byte tag."""
        tail = self._context.finalize()
        return tail + self._context.tag


class FileDecryptor:
    """Decrypts a downloaded file chunk by chunk, holding back what may be the tag.

    ``update`` returns plaintext that must not be shown or kept until ``finish()``
    returned without raising.
    """

    def __init__(self, key: FileKey) -> None:
        self._key = key
        self._pending = b""
        self._context: AEADDecryptionContext | None = None

    def update(self, chunk: bytes) -> bytes:
        """Plaintext for the ciphertext so far, minus the last 16 bytes (the tag)."""
        data = self._pending + chunk
        if len(data) <= TAG_BYTES:
            self._pending = data
            return b""
        self._pending = data[-TAG_BYTES:]
        return self._decryptor().update(data[:-TAG_BYTES])

    def finish(self) -> bytes:
        """Check the tag; the remaining plaintext.

        Raises:
            AesGcmError: If the file was cut short or changed.
        """
        if len(self._pending) != TAG_BYTES:
            raise AesGcmError("the file is shorter than its authentication tag")
        context = self._decryptor()
        try:
            return context.finalize_with_tag(self._pending)
        except Exception as exc:  # cryptography raises InvalidTag
            raise AesGcmError("the file was changed or is not the one shared") from exc

    def _decryptor(self) -> AEADDecryptionContext:
        if self._context is None:
            self._context = Cipher(
                algorithms.AES(self._key.key), modes.GCM(self._key.iv)
            ).decryptor()
        return self._context


def encrypt(data: bytes, key: FileKey) -> bytes:
    """The ciphertext with the tag appended, for a whole small file."""
    encryptor = FileEncryptor(key)
    return encryptor.update(data) + encryptor.finish()


def decrypt(data: bytes, key: FileKey) -> bytes:
    """The plaintext of a whole small file.

    Raises:
        AesGcmError: If it fails authentication.
    """
    decryptor = FileDecryptor(key)
    head = decryptor.update(data)
    return head + decryptor.finish()
