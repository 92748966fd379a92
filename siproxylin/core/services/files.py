"""Shared files: uploading ours, fetching others', each through the account's proxy.

``FileService`` owns the life of a shared file:

* **sending** (``send_file``): the message is stored at once (held, showing the
  file's name and the upload's progress), a XEP-0363 slot is asked for, the file
  is PUT through the account's HTTP client (encrypted with XEP-0454 AES-GCM when
  the conversation is encrypted) and only then is the message sent, its body and
  XEP-0066 URL the file's address (``aesgcm://`` with the key for an encrypted
  conversation, never as clear out-of-band data). An upload cut off by a lost
  connection starts again after the next login; a refused slot or a failed PUT
  marks the message failed with the reason.
* **receiving**: a message sharing a file gets an OFFERED transfer; nothing is
  fetched until the user asks (``download``), unless the account allows automatic
  download for files up to a size that come from the sender's own server.
  Downloads resume where a partial file stopped (when the server allows ranges),
  are decrypted at the end for ``aesgcm://`` and land under the data folder.

Progress is published as ``TransferChanged`` at most ten times a second per file.
Imports ``domain`` and ``core`` only.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import time
import urllib.parse
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from siproxylin.core.accounts import AccountManager
from siproxylin.core.aesgcm import (
    TAG_BYTES,
    AesGcmError,
    FileDecryptor,
    FileEncryptor,
    FileKey,
    aesgcm_url,
    parse_aesgcm_url,
)
from siproxylin.core.bus import EventBus
from siproxylin.core.ports import FileTransferRepo, XmppSession
from siproxylin.core.services.chat import ChatService
from siproxylin.domain.errors import NotConnected, TransferFailed
from siproxylin.domain.events import MessageStored, SessionStarted, TransferChanged
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    ChatKind,
    ChatMessage,
    ConnectionState,
    Direction,
    Encryption,
    FileTransfer,
    TransferState,
)

CHUNK = 64 * 1024
PROGRESS_INTERVAL = 0.1  # seconds between two progress events of one file
OFFLINE_GRACE = 5.0  # seconds a cut-off transfer waits to see whether the account went offline
MAX_NAME = 120

log = logging.getLogger(__name__)


class FileService:
    """Uploads and downloads of shared files (see the module doc).

    Args:
        bus: The event bus.
        accounts: The account manager (sessions, configs).
        chat: Stores and sends the messages that share files.
        repo: The local side of shared files.
        folder: Where downloaded files are kept (per account below it).
        clock: Monotonic seconds (tests pass their own).
    """

    def __init__(
        self,
        bus: EventBus,
        accounts: AccountManager,
        chat: ChatService,
        repo: FileTransferRepo,
        folder: Path,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bus = bus
        self._accounts = accounts
        self._chat = chat
        self._repo = repo
        self._folder = folder
        self._clock = clock
        self._tasks: dict[int, asyncio.Task[Any]] = {}
        self._published: dict[int, float] = {}
        chat.held = self._held
        bus.subscribe(MessageStored, self._on_message_stored)
        bus.subscribe(SessionStarted, self._on_session_started)

    # --- queries ---------------------------------------------------------------------

    def transfer(self, message_id: int) -> FileTransfer | None:
        """The file a message shares, if any."""
        return self._repo.get(message_id)

    # --- commands --------------------------------------------------------------------

    def send_file(
        self, account: AccountId, peer: Jid, path: Path, kind: ChatKind = ChatKind.CHAT
    ) -> ChatMessage:
        """Share a file with ``peer``: the message is stored now and sent once uploaded.

        Raises:
            TransferFailed: The file cannot be read.
        """
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise TransferFailed(f"cannot read {path.name}: {exc.strerror or exc}") from None
        if not path.is_file():
            raise TransferFailed(f"{path.name} is not a file")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        message = self._chat.send_message(account, peer, path.name, kind, hold=True)
        transfer = FileTransfer(
            message.id, path.name[:255], size, mime, str(path), TransferState.UPLOADING
        )
        self._save(transfer)
        self._start(account, message.id, self._upload(message, transfer))
        return message

    def download(self, account: AccountId, message_id: int) -> None:
        """Fetch a peer's file (again, after a failure or a cancel)."""
        transfer = self._repo.get(message_id)
        message = self._chat.message(message_id)
        if transfer is None or message is None or message.account != account:
            raise ValueError(f"message {message_id} shares no file")
        if message_id in self._tasks or transfer.state is TransferState.DONE:
            return
        if message.direction is Direction.OUTGOING:
            if transfer.state is TransferState.UPLOADING:
                return
            # Our failed or cancelled upload: try it again.
            again = replace(transfer, state=TransferState.UPLOADING, done=0, error="")
            self._save(again)
            self._start(account, message_id, self._upload(message, again))
            return
        fetching = replace(transfer, state=TransferState.DOWNLOADING, error="")
        self._save(fetching)
        self._start(account, message_id, self._download(message, fetching))

    def cancel(self, message_id: int) -> None:
        """Stop an upload or a download (a partial download is kept to resume)."""
        task = self._tasks.pop(message_id, None)
        if task is not None:
            task.cancel()
        transfer = self._repo.get(message_id)
        if transfer is not None and transfer.state in (
            TransferState.UPLOADING,
            TransferState.DOWNLOADING,
        ):
            self._save(replace(transfer, state=TransferState.CANCELLED))
            message = self._chat.message(message_id)
            if message is not None and message.direction is Direction.OUTGOING:
                self._chat.mark_failed(message)

    # --- uploads ---------------------------------------------------------------------

    async def _upload(self, message: ChatMessage, transfer: FileTransfer) -> None:
        try:
            xmpp = self._accounts.online_xmpp(message.account)
            url = await self._put(xmpp, message, transfer)
        except NotConnected:
            log.info("upload of message %s waits for the next login", message.id)
            return  # still UPLOADING: started again by _on_session_started
        except TransferFailed as exc:
            if exc.network and await self._went_offline(message.account):
                log.info("upload of message %s cut off; again after the next login", message.id)
                self._save(replace(transfer, done=0))
                return
            self._fail(transfer, str(exc))
            self._chat.mark_failed(message)
            return
        shared = self._repo.share(message.id, url)
        self._save(replace(transfer, state=TransferState.DONE, done=transfer.size))
        if shared is not None:
            self._chat.release(shared)

    async def _put(self, xmpp: XmppSession, message: ChatMessage, transfer: FileTransfer) -> str:
        service = await xmpp.upload_service()
        if service is None:
            raise TransferFailed("the server has no file upload")
        encrypted = message.encryption is not Encryption.NONE
        key = FileKey.generate() if encrypted else None
        size = transfer.size + (TAG_BYTES if encrypted else 0)
        mime = "application/octet-stream" if encrypted else transfer.mime
        slot = await xmpp.request_upload_slot(service, transfer.name, size, mime)
        progress = self._progress(transfer)
        await xmpp.http().put(
            slot.put_url, slot.headers, _chunks(Path(transfer.path), key), size, progress
        )
        return aesgcm_url(slot.get_url, key) if key is not None else slot.get_url

    async def _went_offline(self, account: AccountId) -> bool:
        """After a network failure: did the account lose its connection too (within
        ``OFFLINE_GRACE`` seconds)? Then the transfer waits for the next login."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + OFFLINE_GRACE
        while self._accounts.status(account).state is ConnectionState.ONLINE:
            if loop.time() > deadline:
                return False
            await asyncio.sleep(0.1)
        return True

    # --- downloads -------------------------------------------------------------------

    async def _download(self, message: ChatMessage, transfer: FileTransfer) -> None:
        try:
            xmpp = self._accounts.xmpp(message.account)
            if xmpp is None:
                raise TransferFailed("the account is not enabled")
            url, key = _fetch_url(message.attachment)
            folder = self._folder / str(int(message.account))
            await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
            part = folder / f".{message.id}.part"
            total = await xmpp.http().get(url, part, self._progress(transfer))
            target = await asyncio.to_thread(_free_name, folder, transfer.name)
            if key is not None:
                await asyncio.to_thread(_decrypt_file, part, target, key)
                total -= TAG_BYTES
            else:
                await asyncio.to_thread(part.rename, target)
        except TransferFailed as exc:
            self._fail(transfer, str(exc))
            return
        mime = transfer.mime or mimetypes.guess_type(target.name)[0] or ""
        self._save(
            replace(
                transfer,
                state=TransferState.DONE,
                path=str(target),
                size=total,
                done=total,
                mime=mime,
            )
        )

    async def _auto_download(self, message: ChatMessage, limit: int) -> None:
        """Fetch a peer's file without asking when the account allows it for its size."""
        xmpp = self._accounts.xmpp(message.account)
        if xmpp is None:
            return
        try:
            url, _key = _fetch_url(message.attachment)
            size = await xmpp.http().size(url)
        except TransferFailed as exc:
            log.info("file of message %s not fetched automatically: %s", message.id, exc)
            return
        if size < 0 or size > limit:
            return
        self._tasks.pop(message.id, None)
        self.download(message.account, message.id)

    # --- handlers --------------------------------------------------------------------

    def _on_message_stored(self, event: MessageStored) -> None:
        message = event.message
        if not event.new or not message.attachment or message.direction is Direction.OUTGOING:
            return
        if self._repo.get(message.id) is not None:
            return
        name = _name_of(message.attachment)
        mime = mimetypes.guess_type(name)[0] or ""
        self._save(FileTransfer(message.id, name, -1, mime, "", TransferState.OFFERED))
        limit = self._accounts.config(message.account).privacy.auto_download_max
        if limit > 0 and _from_senders_server(message):
            self._start(message.account, message.id, self._auto_download(message, limit))

    def _on_session_started(self, event: SessionStarted) -> None:
        for transfer in self._repo.unfinished((TransferState.UPLOADING,)):
            if transfer.message_id in self._tasks:
                continue
            message = self._chat.message(transfer.message_id)
            if message is None or message.account != event.account:
                continue
            log.info("upload of message %s started again", message.id)
            self._start(event.account, message.id, self._upload(message, transfer))

    # --- internals -------------------------------------------------------------------

    def _held(self, message: ChatMessage) -> bool:
        if message.attachment:
            return False
        transfer = self._repo.get(message.id)
        return transfer is not None and transfer.state is not TransferState.DONE

    def _start(self, account: AccountId, message_id: int, coro: Any) -> None:
        session = self._accounts.session(account)
        if session is None:
            coro.close()
            return
        task = session.spawn(coro)
        self._tasks[message_id] = task
        task.add_done_callback(lambda done: self._finished(message_id, done))

    def _finished(self, message_id: int, task: asyncio.Task[Any]) -> None:
        if self._tasks.get(message_id) is task:
            del self._tasks[message_id]
        self._published.pop(message_id, None)

    def _progress(self, transfer: FileTransfer) -> Callable[[int], None]:
        """A progress callback publishing at most every ``PROGRESS_INTERVAL`` seconds;
        the latest figure is published at the end of an interval even when the
        transfer stalls (so a stuck transfer shows where it stopped)."""
        account = _account_of(self, transfer)
        latest = [0]
        pending: list[asyncio.TimerHandle] = []

        def publish() -> None:
            pending.clear()
            self._published[transfer.message_id] = self._clock()
            current = self._repo.get(transfer.message_id) or transfer
            if current.state in (TransferState.UPLOADING, TransferState.DOWNLOADING):
                self._bus.publish(TransferChanged(account, replace(current, done=latest[0])))

        def report(done: int) -> None:
            latest[0] = done
            wait = PROGRESS_INTERVAL - (
                self._clock() - self._published.get(transfer.message_id, 0.0)
            )
            if wait <= 0 or done >= transfer.size:
                for handle in pending:
                    handle.cancel()
                publish()
            elif not pending:
                pending.append(asyncio.get_running_loop().call_later(wait, publish))

        return report

    def _fail(self, transfer: FileTransfer, reason: str) -> None:
        log.info("file of message %s: %s", transfer.message_id, reason)
        current = self._repo.get(transfer.message_id) or transfer
        self._save(replace(current, state=TransferState.FAILED, error=reason))

    def _save(self, transfer: FileTransfer) -> None:
        self._repo.save(transfer)
        self._bus.publish(TransferChanged(_account_of(self, transfer), transfer))


def _account_of(service: FileService, transfer: FileTransfer) -> AccountId:
    message = service._chat.message(transfer.message_id)
    return message.account if message is not None else AccountId(0)


async def _chunks(path: Path, key: FileKey | None) -> AsyncIterator[bytes]:
    """The file's bytes in chunks (encrypted, with the tag last, when ``key`` is given)."""
    encryptor = FileEncryptor(key) if key is not None else None
    with path.open("rb") as source:
        while True:
            chunk = await asyncio.to_thread(source.read, CHUNK)
            if not chunk:
                break
            yield encryptor.update(chunk) if encryptor is not None else chunk
    if encryptor is not None:
        yield encryptor.finish()


def _fetch_url(attachment: str) -> tuple[str, FileKey | None]:
    """The https URL to GET and the key to decrypt with (None: not encrypted)."""
    if attachment.lower().startswith("aesgcm://"):
        try:
            return parse_aesgcm_url(attachment)
        except AesGcmError as exc:
            raise TransferFailed(f"the file's address is not usable: {exc}") from None
    if attachment.lower().startswith(("https://", "http://")):
        return attachment, None
    raise TransferFailed("the file's address is not usable")


def _decrypt_file(part: Path, target: Path, key: FileKey) -> None:
    decryptor = FileDecryptor(key)
    try:
        with part.open("rb") as source, target.open("wb") as out:
            while chunk := source.read(CHUNK):
                out.write(decryptor.update(chunk))
            out.write(decryptor.finish())
    except AesGcmError as exc:
        target.unlink(missing_ok=True)
        part.unlink(missing_ok=True)  # a wrong file: fetching it again would not help
        raise TransferFailed(f"the file could not be decrypted: {exc}") from None
    part.unlink(missing_ok=True)


def _name_of(url: str) -> str:
    """A safe local file name from a URL's last path segment."""
    _scheme, _sep, rest = url.partition("://")
    path = urllib.parse.urlsplit("x://" + rest).path
    name = urllib.parse.unquote(path.rsplit("/", 1)[-1])
    name = "".join(c for c in name if c.isprintable() and c not in '/\\:*?"<>|').strip(". ")
    return name[:MAX_NAME] or "file"


def _free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``name (2)`` and so on when taken."""
    target = folder / name
    stem, suffix = target.stem, target.suffix
    number = 2
    while target.exists():
        target = folder / f"{stem} ({number}){suffix}"
        number += 1
    return target


def _from_senders_server(message: ChatMessage) -> bool:
    """True when the file is on the sender's own server (or a subdomain of it)."""
    if message.kind is not ChatKind.CHAT:
        return False  # a room's occupants are not known by their servers
    try:
        url, _key = _fetch_url(message.attachment)
    except TransferFailed:
        return False
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    domain = message.peer.domain.lower()
    return host == domain or host.endswith("." + domain)
