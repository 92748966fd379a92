"""HTTP uploads and downloads of one account's shared files, through its proxy.

``AccountTransfers`` implements ``siproxylin.core.ports.HttpTransfers`` on the
account's HTTP client (``net.http``): a proxied account's requests go through its
proxy with the host name resolved there, never here. Uploads stream from the
caller's chunks with progress; downloads stream into a file, resuming after what
it already holds when the server answers a range request with 206. Every failure
is a ``TransferFailed`` with a reason a person can read.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import BinaryIO

import aiohttp
from aiohttp_socks import ProxyError

from siproxylin.domain.errors import TransferFailed
from siproxylin.net.http import http_session
from siproxylin.net.network import AccountNetwork

CHUNK = 64 * 1024
# Long enough for Tor; a stalled transfer still ends.
TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=60, sock_read=120)
_PUT_HEADERS = frozenset({"authorization", "cookie", "expires"})  # XEP-0363 § 4


class AccountTransfers:
    """HTTP for one account's files.

    Args:
        network: The account's network access (its proxy).
        tls: Context for https (the system CAs plus the account's CA file).
    """

    def __init__(self, network: AccountNetwork, tls: ssl.SSLContext | None = None) -> None:
        self._network = network
        self._tls = tls

    async def put(
        self,
        url: str,
        headers: tuple[tuple[str, str], ...],
        chunks: AsyncIterator[bytes],
        size: int,
        progress: Callable[[int], None],
    ) -> None:
        """See ``HttpTransfers.put``."""
        sent = 0

        async def counted() -> AsyncIterator[bytes]:
            nonlocal sent
            async for chunk in chunks:
                sent += len(chunk)
                progress(sent)
                yield chunk

        allowed = {k: v for k, v in headers if k.lower() in _PUT_HEADERS}
        allowed["Content-Length"] = str(size)
        allowed["Content-Type"] = "application/octet-stream"
        async with await self._session() as session:
            try:
                async with session.put(url, data=counted(), headers=allowed) as response:
                    if response.status not in (200, 201):
                        raise TransferFailed(f"the server refused the upload ({_status(response)})")
            except (TimeoutError, aiohttp.ClientError, ProxyError, OSError) as exc:
                raise TransferFailed(f"upload failed: {_reason(exc)}", network=True) from None

    async def get(self, url: str, path: Path, progress: Callable[[int], None]) -> int:
        """See ``HttpTransfers.get``."""
        have = _size_on_disk(path)
        headers = {"Range": f"bytes={have}-"} if have else {}
        async with await self._session() as session:
            try:
                async with session.get(url, headers=headers) as response:
                    if response.status == 416 and have:
                        return have  # everything is here already
                    if response.status not in (200, 206):
                        raise TransferFailed(
                            f"the server refused the download ({_status(response)})"
                        )
                    resumed = response.status == 206 and have > 0
                    total = _total(response, have if resumed else 0)
                    done = have if resumed else 0
                    with _open(path, append=resumed) as out:
                        progress(done)
                        async for chunk in response.content.iter_chunked(CHUNK):
                            out.write(chunk)
                            done += len(chunk)
                            progress(done)
            except (TimeoutError, aiohttp.ClientError, ProxyError, OSError) as exc:
                raise TransferFailed(f"download failed: {_reason(exc)}", network=True) from None
        if total >= 0 and done != total:
            raise TransferFailed(f"download cut off at {done} of {total} bytes", network=True)
        return done

    async def size(self, url: str) -> int:
        """See ``HttpTransfers.size``."""
        async with await self._session() as session:
            try:
                async with session.head(url, allow_redirects=True) as response:
                    if response.status != 200:
                        raise TransferFailed(f"the server refused ({_status(response)})")
                    return response.content_length if response.content_length is not None else -1
            except (TimeoutError, aiohttp.ClientError, ProxyError, OSError) as exc:
                raise TransferFailed(f"size not known: {_reason(exc)}", network=True) from None

    async def _session(self) -> aiohttp.ClientSession:
        try:
            return await http_session(self._network, self._tls, TIMEOUT)
        except (ProxyError, OSError) as exc:
            raise TransferFailed(f"proxy unreachable: {_reason(exc)}", network=True) from None


def _size_on_disk(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _open(path: Path, *, append: bool) -> BinaryIO:
    return path.open("ab" if append else "wb")


def _status(response: aiohttp.ClientResponse) -> str:
    return f"HTTP {response.status} {response.reason or ''}".strip()


def _total(response: aiohttp.ClientResponse, offset: int) -> int:
    ranged = response.headers.get("Content-Range", "")
    if ranged.rpartition("/")[2].isdigit():
        return int(ranged.rpartition("/")[2])
    length = response.content_length
    return offset + length if length is not None else -1


def _reason(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "timed out"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
