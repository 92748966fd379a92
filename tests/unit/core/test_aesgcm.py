"""XEP-0454 file encryption: round trips, streaming, tampering, URLs."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from siproxylin.core.aesgcm import (
    AesGcmError,
    FileDecryptor,
    FileEncryptor,
    FileKey,
    aesgcm_url,
    decrypt,
    encrypt,
    parse_aesgcm_url,
)


def test_round_trip_matches_the_one_shot_aead() -> None:
    key = FileKey.generate()
    data = os.urandom(100_000)
    sealed = encrypt(data, key)
    assert len(sealed) == len(data) + 16
    # Same bytes as the standard one-shot AES-GCM (ciphertext || tag): what other clients expect.
    assert sealed == AESGCM(key.key).encrypt(key.iv, data, None)
    assert decrypt(sealed, key) == data


def test_streaming_in_odd_chunks() -> None:
    key = FileKey.generate()
    data = os.urandom(70_001)
    encryptor = FileEncryptor(key)
    sealed = b"".join(encryptor.update(data[i : i + 4097]) for i in range(0, len(data), 4097))
    sealed += encryptor.finish()
    decryptor = FileDecryptor(key)
    plain = b"".join(decryptor.update(sealed[i : i + 7]) for i in range(0, len(sealed), 7))
    plain += decryptor.finish()
    assert plain == data


@pytest.mark.parametrize("where", [0, 500, -1])
def test_any_change_or_truncation_is_refused(where: int) -> None:
    key = FileKey.generate()
    sealed = bytearray(encrypt(b"x" * 1000, key))
    sealed[where] ^= 1
    with pytest.raises(AesGcmError):
        decrypt(bytes(sealed), key)
    with pytest.raises(AesGcmError):
        decrypt(encrypt(b"x" * 1000, key)[:-1], key)
    with pytest.raises(AesGcmError):
        decrypt(b"short", key)


def test_urls_carry_the_key_in_the_fragment() -> None:
    key = FileKey(bytes(range(32)), bytes(range(12)))
    url = aesgcm_url("https://upload.example.org/f/abc/photo.jpg", key)
    assert url == (
        "aesgcm://upload.example.org/f/abc/photo.jpg#"
        + bytes(range(12)).hex()
        + bytes(range(32)).hex()
    )
    assert parse_aesgcm_url(url) == ("https://upload.example.org/f/abc/photo.jpg", key)
    legacy = "aesgcm://h.example/p#" + "11" * 16 + "22" * 32
    assert parse_aesgcm_url(legacy)[1] == FileKey(b"\x22" * 32, b"\x11" * 16)


@pytest.mark.parametrize(
    "url",
    [
        "https://h.example/p#" + "00" * 44,
        "aesgcm://h.example/p#" + "00" * 10,
        "aesgcm://h.example/p#zz" + "00" * 43,
        "aesgcm:///p#" + "00" * 44,
    ],
)
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(AesGcmError):
        parse_aesgcm_url(url)
