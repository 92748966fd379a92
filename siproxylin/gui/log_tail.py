"""Reading log files for the viewer: the folder's files, a large file's tail, new lines.

No Qt: plain file reads, driven by the viewer's timer. ``LogTail`` opens a file at
its last ``max_bytes`` (a 50 MB file is not read whole), then returns the complete
lines written since; it notices a rotation (the name now points to a new file:
the rest of the old one is read first) and a truncation (the file got shorter:
read again from the start). Reads only; never writes or deletes.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from siproxylin.gui.log_lines import file_account

TAIL_BYTES = 2 * 1024 * 1024
_LOG_NAME = re.compile(r"^(main|xmpp-protocol|account-\d+-app)\.log(?:\.(\d+))?$")


@dataclass(frozen=True, slots=True)
class LogFile:
    """A file of the log folder.

    Attributes:
        path: Where it is.
        size: Its size in bytes when listed.
        account: The account it belongs to (``account-N-app.log``), if any.
        backup: 0 for the current file, N for the rotated copy ``name.log.N``.
    """

    path: Path
    size: int
    account: int | None
    backup: int

    @property
    def name(self) -> str:
        """The file name."""
        return self.path.name

    @property
    def kind(self) -> str:
        """What it holds, in words."""
        if self.account is not None:
            what = f"Account {self.account}"
        elif self.name.startswith("xmpp-protocol"):
            what = "Protocol"
        else:
            what = "Application"
        return f"{what}, older ({self.backup})" if self.backup else what


def _order(file: LogFile) -> tuple[int, int, int]:
    group = 0 if file.name.startswith("main") else 2 if file.account is None else 1
    return (group, file.account or 0, file.backup)


def list_log_files(folder: Path) -> list[LogFile]:
    """The log files in ``folder``: main first, then accounts, then the protocol log."""
    files: list[LogFile] = []
    try:
        candidates = list(folder.iterdir())
    except OSError:
        return files
    for path in candidates:
        match = _LOG_NAME.match(path.name)
        if match is None:
            continue
        try:
            size = path.stat().st_size
        except OSError:
            continue
        files.append(LogFile(path, size, file_account(path.name), int(match.group(2) or 0)))
    return sorted(files, key=_order)


@dataclass(slots=True)
class TailRead:
    """What one read returned.

    Attributes:
        lines: Complete new lines, without line breaks.
        reset: The file was truncated: what was shown before is gone.
        rotated: The file was rotated: these lines come from the new file.
    """

    lines: list[str] = field(default_factory=list)
    reset: bool = False
    rotated: bool = False


class LogTail:
    """Follows one log file."""

    def __init__(self, path: Path, max_bytes: int = TAIL_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.size = 0  # the file's size at opening
        self.skipped = 0  # bytes before the tail that were not read
        self._file: BinaryIO | None = None
        self._offset = 0
        self._partial = b""

    def open(self) -> list[str]:
        """Open the file and return the complete lines of its tail."""
        self.close()
        self._file = self.path.open("rb")
        self.size = os.fstat(self._file.fileno()).st_size
        self.skipped = max(0, self.size - self.max_bytes)
        self._file.seek(self.skipped)
        self._offset = self.skipped
        data = self._read()
        if self.skipped:
            # The tail starts in the middle of a line: drop that piece.
            cut = data.find(b"\n")
            data = data[cut + 1 :] if cut >= 0 else b""
        return self._lines(data)

    def poll(self) -> TailRead:
        """Return the lines written since the last call."""
        if self._file is None:
            return TailRead()
        result = TailRead(self._lines(self._read()))
        try:
            current = self.path.stat()
        except OSError:
            return result  # between a rotation's rename and the new file
        opened = os.fstat(self._file.fileno())
        if (current.st_dev, current.st_ino) != (opened.st_dev, opened.st_ino):
            self._file.close()
            self._file = self.path.open("rb")
            self._offset, self._partial = 0, b""
            result.lines.extend(self._lines(self._read_limited()))
            result.rotated = True
        elif current.st_size < self._offset:
            self._file.seek(0)
            self._offset, self._partial = 0, b""
            result = TailRead(self._lines(self._read_limited()), reset=True)
        return result

    def close(self) -> None:
        """Close the file."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._partial = b""

    def _read(self) -> bytes:
        assert self._file is not None
        data = self._file.read()
        self._offset += len(data)
        return data

    def _read_limited(self) -> bytes:
        """Read a file found anew, keeping only its last ``max_bytes``."""
        assert self._file is not None
        size = os.fstat(self._file.fileno()).st_size
        if size > self.max_bytes:
            self._file.seek(size - self.max_bytes)
            self._offset = size - self.max_bytes
            data = self._read()
            return data[data.find(b"\n") + 1 :]
        return self._read()

    def _lines(self, data: bytes) -> list[str]:
        data = self._partial + data
        end = data.rfind(b"\n")
        if end < 0:
            self._partial = data
            return []
        self._partial = data[end + 1 :]
        text = data[:end].decode("utf-8", errors="replace")
        return [line.removesuffix("\r") for line in text.split("\n")]
