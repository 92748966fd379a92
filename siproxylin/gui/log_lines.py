"""Log lines as the log viewer reads them: parsing, grouping and filtering.

Pure: standard library only, no Qt, no file access. Lines have the format the
application's log files are written in
(``2026-01-02 10:00:00,123 WARNING siproxylin.account.3: text``); a line that does
not start that way continues the entry above it (a traceback, a multi-line
message), or stands alone as plain text when nothing precedes it. Nothing is
added to what the file holds: the entry's ``text`` is the lines as written.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

_HEADER = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:[,.]\d+)?) "
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) +"
    r"(?P<logger>[^\s:]+(?::[^\s:]+)*):(?: (?P<message>.*))?$"
)
_ACCOUNT_LOGGER = re.compile(r"^siproxylin\.account\.(\d+)(?:\.|$)")
_ACCOUNT_FILE = re.compile(r"^account-(\d+)-app\.log(?:\.\d+)?$")


class Level(enum.IntEnum):
    """Log levels, ordered like ``logging``'s."""

    DEBUG = 10
    INFO = 20
    WARNING = 30
    ERROR = 40
    CRITICAL = 50


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One record of a log file: its first line and the lines that continue it.

    Attributes:
        text: The lines exactly as written, joined by newlines.
        time: The time stamp as written ("" for plain text).
        level: The level, or None for a line that is not a record.
        logger: The logger's name ("" for plain text).
        account: The account number in the logger's name, if any.
        message: The message: the rest of the first line and any continuation lines.
    """

    text: str
    time: str = ""
    level: Level | None = None
    logger: str = ""
    account: int | None = None
    message: str = ""

    @property
    def line_count(self) -> int:
        """How many lines the entry spans."""
        return self.text.count("\n") + 1


def parse_line(line: str) -> LogEntry | None:
    """Parse the first line of a record.

    Args:
        line: One line, without its line break.

    Returns:
        The entry it starts, or None when the line is not a record's first line.
    """
    match = _HEADER.match(line)
    if match is None:
        return None
    logger = match.group("logger")
    account = _ACCOUNT_LOGGER.match(logger)
    return LogEntry(
        text=line,
        time=match.group("time"),
        level=Level[match.group("level")],
        logger=logger,
        account=int(account.group(1)) if account else None,
        message=match.group("message") or "",
    )


def continue_entry(entry: LogEntry, line: str) -> LogEntry:
    """Attach a continuation line (a traceback line, say) to ``entry``."""
    return replace(entry, text=f"{entry.text}\n{line}", message=f"{entry.message}\n{line}")


def plain_entry(line: str) -> LogEntry:
    """A line that belongs to no record, kept as it is."""
    return LogEntry(text=line, message=line)


def append_lines(entries: list[LogEntry], lines: Iterable[str]) -> int:
    """Parse ``lines`` onto the end of ``entries``, in place.

    Args:
        entries: Entries parsed so far; the last one may be continued.
        lines: New lines, without line breaks.

    Returns:
        The index of the first entry that changed or was added (``len(entries)``
        before the call when only new entries were added).
    """
    first_changed = len(entries)
    for line in lines:
        entry = parse_line(line)
        if entry is not None:
            entries.append(entry)
        elif entries and entries[-1].level is not None:
            first_changed = min(first_changed, len(entries) - 1)
            entries[-1] = continue_entry(entries[-1], line)
        else:
            entries.append(plain_entry(line))
    return first_changed


def parse_log(text: str) -> list[LogEntry]:
    """Parse a whole text into entries (lines split on ``\\n``; a final break ends it)."""
    entries: list[LogEntry] = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    append_lines(entries, (line.removesuffix("\r") for line in lines))
    return entries


def file_account(name: str) -> int | None:
    """The account number of an ``account-N-app.log`` file (or a rotated copy)."""
    match = _ACCOUNT_FILE.match(name)
    return int(match.group(1)) if match else None


@dataclass(frozen=True, slots=True)
class LogFilter:
    """What the viewer shows.

    Attributes:
        min_level: The lowest level shown; None shows everything, plain text too.
        account: Only entries of this account (from the file or the logger name).
        text: Only entries containing this text (case-insensitive).
        file_account: The account the whole file belongs to, if it is an account file.
    """

    min_level: Level | None = None
    account: int | None = None
    text: str = ""
    file_account: int | None = None

    def matches(self, entry: LogEntry) -> bool:
        """True when ``entry`` is to be shown."""
        if self.min_level is not None and (entry.level is None or entry.level < self.min_level):
            return False
        if self.account is not None:
            account = entry.account if entry.account is not None else self.file_account
            if account != self.account:
                return False
        return not self.text or self.text.casefold() in entry.text.casefold()
