"""Shared files against the real Prosody (mod_http_file_share) through real proxies.

Upload and download of 5 MB through microsocks and through tinyproxy (only the
proxies resolve the upload host's name), an encrypted file between two OMEMO
accounts, a slot refused as too large, a broken upload and a download that
resumes: each ends with the file intact or a clear reason.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from siproxylin.domain.config import ProxyConfig, ProxyKind
from siproxylin.domain.errors import TransferFailed
from siproxylin.domain.events import MessageStored, SessionStarted, TransferChanged
from siproxylin.domain.ids import Jid
from siproxylin.domain.models import (
    DeliveryState,
    Direction,
    Encryption,
    TransferState,
    UploadService,
    UploadSlot,
)
from tests.integration.harness import Client, start_client
from tests.support.prosody import ProsodyServer

pytestmark = pytest.mark.upload

SIZE = 5 * 1024 * 1024


@pytest.fixture
def socks(socks_proxy: Any) -> ProxyConfig:
    """Through microsocks: only the proxy resolves the upload host's name."""
    return ProxyConfig(ProxyKind.SOCKS5, socks_proxy.host, socks_proxy.port)


def write_file(folder: Path, name: str, size: int) -> tuple[Path, str]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    data = os.urandom(size)
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


async def client(
    prosody: ProsodyServer, root: Path, jid: str, password: str, proxy: ProxyConfig
) -> Client:
    # By name: only the proxy resolves siproxylin.test and its upload host.
    return await start_client(
        root, jid, password, prosody.domain, prosody.c2s_port, str(prosody.ca_file), proxy=proxy
    )


async def transfer_state(
    who: Client, message_id: int, state: TransferState, timeout: float = 60
) -> Any:
    current = who.app.files.transfer(message_id)
    if current is not None and current.state is state:
        return current
    event = await who.log.wait(
        TransferChanged,
        lambda e: e.transfer.message_id == message_id and e.transfer.state is state,
        timeout,
    )
    return event.transfer


async def share_and_fetch(alice: Client, bob: Client, path: Path, digest: str) -> tuple[Any, Any]:
    """alice shares ``path`` with bob; bob sees the offer, fetches it, checks it."""
    mark = bob.log.mark()
    sent = alice.app.files.send_file(alice.account, bob.jid, path)
    assert alice.app.files.transfer(sent.id).state is TransferState.UPLOADING
    uploaded = await transfer_state(alice, sent.id, TransferState.DONE)
    assert uploaded.done == uploaded.size
    stored = await bob.log.wait(
        MessageStored, lambda e: bool(e.message.attachment) and e.new, 30, since=mark
    )
    offered = bob.app.files.transfer(stored.message.id)
    assert offered is not None
    assert offered.state is TransferState.OFFERED  # nothing fetched unasked
    assert offered.name == path.name
    bob.app.files.download(bob.account, stored.message.id)
    fetched = await transfer_state(bob, stored.message.id, TransferState.DONE)
    assert hashlib.sha256(Path(fetched.path).read_bytes()).hexdigest() == digest
    assert Path(fetched.path).parent.parent == bob.app.paths.data / "files"
    progress = [
        e.transfer.done
        for e in bob.log.of(TransferChanged)
        if e.transfer.message_id == stored.message.id
        and e.transfer.state is TransferState.DOWNLOADING
    ]
    assert progress == sorted(progress)
    assert len(progress) > 2  # progress was reported on the way
    return alice.app.chat.message(sent.id), stored.message


@pytest.mark.parametrize("which", ["socks_proxy", "http_proxy"])
async def test_five_megabytes_up_and_down_through_each_proxy(
    which: str, prosody: ProsodyServer, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    proxy = request.getfixturevalue(which)
    kind = ProxyKind.HTTP if which == "http_proxy" else ProxyKind.SOCKS5
    config = ProxyConfig(kind, proxy.host, proxy.port)
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client(prosody, tmp_path / "a", a_jid, a_pw, config)
    bob = await client(prosody, tmp_path / "b", b_jid, b_pw, config)
    try:
        path, digest = write_file(tmp_path / "out", "holiday photo.jpg", SIZE)
        sent, received = await share_and_fetch(alice, bob, path, digest)
        assert sent.attachment.startswith(f"https://{prosody.upload_domain}:")
        assert sent.body == sent.attachment == received.attachment
        assert sent.state in (DeliveryState.ACKED, DeliveryState.DELIVERED, DeliveryState.SENT)
    finally:
        await alice.stop()
        await bob.stop()


async def test_an_encrypted_file_between_two_omemo_accounts(
    prosody: ProsodyServer, tmp_path: Path, socks: ProxyConfig
) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client(prosody, tmp_path / "a", a_jid, a_pw, socks)
    bob = await client(prosody, tmp_path / "b", b_jid, b_pw, socks)
    try:
        for who in (alice, bob):
            session: Any = who.app.accounts.xmpp(who.account)
            await asyncio.wait_for(session.omemo.engine.manager(), 30)
        alice.app.encryption.set_encrypted(alice.account, bob.jid, True)
        path, digest = write_file(tmp_path / "out", "secret.pdf", 300_000)
        sent, received = await share_and_fetch(alice, bob, path, digest)
        assert sent.attachment.startswith("aesgcm://")
        assert sent.encryption is not Encryption.NONE
        assert received.encryption is not Encryption.NONE
        # What the server keeps is ciphertext (16 bytes longer: the GCM tag).
        https = "https://" + sent.attachment.removeprefix("aesgcm://").split("#")[0]
        stored = prosody.base_dir.rglob("*")
        assert not any(
            p.is_file() and p.stat().st_size == 300_000 and p.read_bytes() == path.read_bytes()
            for p in stored
        )
        assert https.startswith(f"https://{prosody.upload_domain}:")
    finally:
        await alice.stop()
        await bob.stop()


async def test_a_slot_refused_as_too_large_says_so(
    prosody: ProsodyServer, tmp_path: Path, socks: ProxyConfig
) -> None:
    (a_jid, a_pw), (b_jid, _b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client(prosody, tmp_path / "a", a_jid, a_pw, socks)
    try:
        session: Any = alice.app.accounts.xmpp(alice.account)
        service = await session.upload_service()
        assert service is not None
        assert service.max_size == 10 * 1024 * 1024
        # The server itself refuses, when asked past our own check.
        with pytest.raises(TransferFailed, match="too large"):
            await session.request_upload_slot(
                UploadService(service.jid), "big.bin", 11 * 1024 * 1024, ""
            )
        # Through the service: the message fails with the reason; nothing is sent.
        path, _digest = write_file(tmp_path / "out", "big.bin", 11 * 1024 * 1024)
        sent = alice.app.files.send_file(alice.account, Jid.parse(b_jid), path)
        failed = await transfer_state(alice, sent.id, TransferState.FAILED)
        assert "too large" in failed.error
        await alice.log.wait(
            MessageStored,
            lambda e: e.message.id == sent.id and e.message.state is DeliveryState.FAILED,
        )
    finally:
        await alice.stop()


async def test_a_broken_upload_fails_with_the_reason_and_can_be_retried(
    prosody: ProsodyServer, tmp_path: Path, socks: ProxyConfig
) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client(prosody, tmp_path / "a", a_jid, a_pw, socks)
    bob = await client(prosody, tmp_path / "b", b_jid, b_pw, socks)
    try:
        session: Any = alice.app.accounts.xmpp(alice.account)
        real = session.request_upload_slot

        async def forged(*args: Any) -> UploadSlot:
            slot: UploadSlot = await real(*args)
            return replace(slot, headers=())  # without the server's authorization

        session.request_upload_slot = forged
        path, _digest = write_file(tmp_path / "out", "notes.txt", 40_000)
        mark = bob.log.mark()
        sent = alice.app.files.send_file(alice.account, bob.jid, path)
        failed = await transfer_state(alice, sent.id, TransferState.FAILED)
        assert failed.error.startswith("the server refused the upload (HTTP 4")
        await asyncio.sleep(0.5)
        later = [e for e in bob.log.events[mark:] if isinstance(e, MessageStored)]
        assert not [e for e in later if e.message.attachment]
        # Tried again (the card's button): it goes out this time.
        session.request_upload_slot = real
        alice.app.files.download(alice.account, sent.id)
        await transfer_state(alice, sent.id, TransferState.DONE)
        got = await bob.log.wait(MessageStored, lambda e: bool(e.message.attachment), 30)
        assert got.message.direction is Direction.INCOMING
    finally:
        await alice.stop()
        await bob.stop()


async def test_a_download_resumes_after_a_cut(
    prosody: ProsodyServer, tmp_path: Path, socks: ProxyConfig
) -> None:
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client(prosody, tmp_path / "a", a_jid, a_pw, socks)
    bob = await client(prosody, tmp_path / "b", b_jid, b_pw, socks)
    try:
        path, digest = write_file(tmp_path / "out", f"big-{uuid.uuid4().hex[:6]}.bin", SIZE)
        mark = bob.log.mark()
        sent = alice.app.files.send_file(alice.account, bob.jid, path)
        await transfer_state(alice, sent.id, TransferState.DONE)
        stored = await bob.log.wait(
            MessageStored, lambda e: bool(e.message.attachment), 30, since=mark
        )
        message_id = stored.message.id
        bob.app.files.download(bob.account, message_id)
        await bob.log.wait(
            TransferChanged,
            lambda e: e.transfer.message_id == message_id and e.transfer.done > 0,
        )
        bob.app.files.cancel(message_id)
        cancelled = bob.app.files.transfer(message_id)
        assert cancelled.state is TransferState.CANCELLED
        part = next((bob.app.paths.data / "files").rglob(f".{message_id}.part"))
        kept = part.stat().st_size
        assert 0 < kept < SIZE
        mark = bob.log.mark()
        bob.app.files.download(bob.account, message_id)
        done = await transfer_state(bob, message_id, TransferState.DONE)
        assert hashlib.sha256(Path(done.path).read_bytes()).hexdigest() == digest
        first = next(
            e.transfer.done
            for e in bob.log.events[mark:]
            if isinstance(e, TransferChanged)
            and e.transfer.state is TransferState.DOWNLOADING
            and e.transfer.done
        )
        assert first >= kept  # went on from where it stopped
    finally:
        await alice.stop()
        await bob.stop()


async def test_an_upload_cut_by_a_lost_connection_goes_on_after_the_reconnect(
    prosody: ProsodyServer, tmp_path: Path, garbage_proxy: Any, socks: ProxyConfig
) -> None:
    relay = garbage_proxy("close-mid-stream")
    cut = ProxyConfig(ProxyKind.SOCKS5, relay.host, relay.port)
    (a_jid, a_pw), (b_jid, b_pw) = prosody.new_account(), prosody.new_account()
    alice = await client(prosody, tmp_path / "a", a_jid, a_pw, cut)
    bob = await client(prosody, tmp_path / "b", b_jid, b_pw, socks)
    try:
        session: Any = alice.app.accounts.xmpp(alice.account)
        http = session.http
        halfway = asyncio.Event()

        class Slow:
            """The account's real HTTP client, writing slowly (so the cut lands mid-way)."""

            def __init__(self) -> None:
                self.real = http()

            async def put(
                self, url: str, headers: Any, chunks: Any, size: int, progress: Any
            ) -> None:
                async def slowly() -> Any:
                    sent = 0
                    async for chunk in chunks:
                        sent += len(chunk)
                        if sent > size // 3:
                            halfway.set()
                        await asyncio.sleep(0.002)
                        yield chunk

                await self.real.put(url, headers, slowly(), size, progress)

            def __getattr__(self, name: str) -> Any:
                return getattr(self.real, name)

        session.http = Slow
        path, digest = write_file(tmp_path / "out", "cut.bin", 2 * 1024 * 1024)
        mark = alice.log.mark()
        sent = alice.app.files.send_file(alice.account, bob.jid, path)
        await asyncio.wait_for(halfway.wait(), 30)
        assert relay.trigger_close() >= 2  # the stream and the upload, both cut
        await alice.log.wait(SessionStarted, since=mark, timeout=30)
        assert alice.app.files.transfer(sent.id).state is not TransferState.FAILED
        done = await transfer_state(alice, sent.id, TransferState.DONE)
        assert done.error == ""
        stored = await bob.log.wait(MessageStored, lambda e: bool(e.message.attachment), 30)
        bob.app.files.download(bob.account, stored.message.id)
        fetched = await transfer_state(bob, stored.message.id, TransferState.DONE)
        assert hashlib.sha256(Path(fetched.path).read_bytes()).hexdigest() == digest
    finally:
        await alice.stop()
        await bob.stop()
