"""Shared files in core and GUI tests: the real FileService over memory, a fake server.

``FakeUploadServer`` stands in for the XMPP slot request and the HTTP PUT/GET of
the fake session: uploads land in a dict, downloads write what it holds (a
``gate`` event can hold a transfer mid-way so tests see progress and cancel).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

from siproxylin.core.services.files import FileService
from siproxylin.domain.errors import TransferFailed
from siproxylin.domain.events import MessageReceived
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    ChatMessage,
    FileTransfer,
    TransferState,
    UploadService,
    UploadSlot,
)
from tests.fakes import Core, FakeXmppSession, MemoryMessageRepo

UPLOAD = Jid.parse("upload.x.org")
BOB = Jid.parse("bob@x.org")
ME = Jid.parse("me@x.org")


class MemoryFileTransfers:
    """FileTransferRepo over the memory message repo."""

    def __init__(self, messages: MemoryMessageRepo) -> None:
        self._messages = messages
        self.rows: dict[int, FileTransfer] = {}

    def save(self, transfer: FileTransfer) -> None:
        self.rows[transfer.message_id] = transfer

    def get(self, message_id: int) -> FileTransfer | None:
        return self.rows.get(message_id)

    def unfinished(self, states: tuple[TransferState, ...]) -> list[FileTransfer]:
        return [t for t in self.rows.values() if t.state in states]

    def share(self, message_id: int, url: str) -> ChatMessage | None:
        message = self._messages._by_id.get(message_id)
        if message is None:
            return None
        shared = replace(message, body=url, attachment=url)
        self._messages._by_id[message_id] = shared
        return shared


class FakeUploadServer:
    """Slots, PUT and GET of a fake server (see the module doc)."""

    def __init__(self, limit: int = 10 * 1024 * 1024) -> None:
        self.limit = limit
        self.files: dict[str, bytes] = {}
        self.gate: asyncio.Event | None = None  # when set up, transfers wait on it halfway

    def attach(self, session: FakeXmppSession) -> None:
        session.upload_service = self.upload_service  # type: ignore[attr-defined]
        session.request_upload_slot = self.request_upload_slot  # type: ignore[attr-defined]
        session.http = lambda: self  # type: ignore[attr-defined]

    async def upload_service(self) -> UploadService:
        return UploadService(UPLOAD, self.limit)

    async def request_upload_slot(
        self, service: UploadService, name: str, size: int, mime: str
    ) -> UploadSlot:
        if size > self.limit:
            raise TransferFailed("the file is too large for the server")
        url = f"https://upload.x.org/{len(self.files)}/{name}"
        return UploadSlot(url, url)

    async def put(
        self,
        url: str,
        headers: tuple[tuple[str, str], ...],
        chunks: AsyncIterator[bytes],
        size: int,
        progress: Callable[[int], None],
    ) -> None:
        data = b""
        async for chunk in chunks:
            data += chunk
            progress(len(data))
            if self.gate is not None and len(data) >= size // 2:
                await self.gate.wait()
        self.files[url] = data

    async def get(self, url: str, path: Path, progress: Callable[[int], None]) -> int:
        data = self.files[url]
        half = len(data) // 2
        path.write_bytes(data[:half])
        progress(half)
        if self.gate is not None:
            await self.gate.wait()
        path.write_bytes(data)
        progress(len(data))
        return len(data)

    async def size(self, url: str) -> int:
        return len(self.files.get(url, b""))


def file_service(core: Core, folder: Path) -> FileService:
    """The real FileService over the test core (memory store, the fake session)."""
    return FileService(
        core.bus, core.accounts, core.chat, MemoryFileTransfers(core.messages), folder
    )


def file_from_bob(core: Core, account: AccountId, url: str, number: int = 1) -> None:
    """Bob shares a file (XEP-0066: the body is the URL)."""
    core.bus.publish(
        MessageReceived(
            account,
            sender=BOB.with_resource("phone"),
            recipient=ME,
            body=url,
            message_id=f"f{number}",
            origin_id=f"f{number}",
            stanza_id=f"sf{number}",
            timestamp=time.time(),
            attachment=url,
        )
    )
