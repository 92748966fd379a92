"""Parsing log lines into entries (time, level, logger, account, message) and filtering them."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from siproxylin.app.logs import LogFiles, LogSettings
from siproxylin.domain.config import LogLevel
from siproxylin.domain.ids import AccountId
from siproxylin.gui.log_lines import (
    Level,
    LogFilter,
    append_lines,
    file_account,
    parse_line,
    parse_log,
)

TRACEBACK = """\
2026-03-01 10:00:00,001 INFO    siproxylin.core.accounts: starting
2026-03-01 10:00:01,002 ERROR   siproxylin.account.3.xmpp: connect failed
Traceback (most recent call last):
  File "x.py", line 1, in <module>
OSError: [Errno 111] Connection refused
2026-03-01 10:00:02,003 DEBUG   siproxylin.account.3: backoff 2.0 s
"""


@pytest.mark.parametrize("level", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
def test_every_level_is_read(level: str) -> None:
    entry = parse_line(f"2026-03-01 10:00:00,123 {level:<7} siproxylin.gui.window: hello there")
    assert entry is not None
    assert entry.level is Level[level]
    assert entry.time == "2026-03-01 10:00:00,123"
    assert entry.logger == "siproxylin.gui.window"
    assert entry.message == "hello there"
    assert entry.account is None


def test_account_comes_from_the_logger_name() -> None:
    for logger in ("siproxylin.account.12", "siproxylin.account.12.xmpp"):
        entry = parse_line(f"2026-03-01 10:00:00,123 INFO    {logger}: online")
        assert entry is not None
        assert entry.account == 12
    other = parse_line("2026-03-01 10:00:00,123 INFO    siproxylin.accounts12: x")
    assert other is not None
    assert other.account is None


def test_message_may_hold_colons_and_be_empty() -> None:
    entry = parse_line("2026-03-01 10:00:00,123 DEBUG   slixmpp.xmlstream.xmlstream: SEND: <a/>")
    assert entry is not None
    assert entry.logger == "slixmpp.xmlstream.xmlstream"
    assert entry.message == "SEND: <a/>"
    empty = parse_line("2026-03-01 10:00:00,123 INFO    root:")
    assert empty is not None
    assert empty.message == ""


def test_traceback_lines_belong_to_their_record() -> None:
    entries = parse_log(TRACEBACK)
    assert [entry.level for entry in entries] == [Level.INFO, Level.ERROR, Level.DEBUG]
    error = entries[1]
    assert error.line_count == 4
    assert error.message.startswith("connect failed\nTraceback")
    assert error.text.endswith("OSError: [Errno 111] Connection refused")
    assert error.account == 3


def test_malformed_lines_are_kept_as_plain_text() -> None:
    entries = parse_log("garbage at the start\nmore garbage\n" + TRACEBACK)
    assert [entry.text for entry in entries[:2]] == ["garbage at the start", "more garbage"]
    assert all(entry.level is None for entry in entries[:2])
    assert entries[2].level is Level.INFO
    not_a_level = parse_log("2026-03-01 10:00:00,123 NOTICE  x: y\n")
    assert not_a_level[0].level is None
    assert not_a_level[0].text == "2026-03-01 10:00:00,123 NOTICE  x: y"


def test_appending_continues_the_last_record() -> None:
    entries = parse_log(TRACEBACK.split("Traceback", maxsplit=1)[0])
    count = len(entries)
    first = append_lines(entries, ["Traceback (most recent call last):", "  boom"])
    assert first == count - 1
    assert entries[-1].line_count == 3
    first = append_lines(entries, ["2026-03-01 10:00:05,000 INFO    a: b"])
    assert first == count


def test_filters_by_level_account_and_text() -> None:
    entries = parse_log("stray line\n" + TRACEBACK)
    everything = LogFilter()
    assert all(everything.matches(entry) for entry in entries)
    warnings = LogFilter(min_level=Level.WARNING)
    assert [e.level for e in entries if warnings.matches(e)] == [Level.ERROR]
    debug = LogFilter(min_level=Level.DEBUG)
    assert len([e for e in entries if debug.matches(e)]) == 3  # not the stray line
    account = LogFilter(account=3)
    assert [e.level for e in entries if account.matches(e)] == [Level.ERROR, Level.DEBUG]
    text = LogFilter(text="CONNECTION REFUSED")
    assert [e.level for e in entries if text.matches(e)] == [Level.ERROR]


def test_an_account_file_gives_its_account_to_every_line() -> None:
    entry = parse_line("2026-03-01 10:00:00,123 INFO    siproxylin.core.session: x")
    assert entry is not None
    assert LogFilter(account=4, file_account=4).matches(entry)
    assert not LogFilter(account=5, file_account=4).matches(entry)
    assert file_account("account-4-app.log") == 4
    assert file_account("account-4-app.log.2") == 4
    assert file_account("main.log") is None


def test_reads_what_the_application_writes(tmp_path: Path) -> None:
    files = LogFiles(tmp_path, LogSettings(LogLevel.DEBUG))
    try:
        files.attach_account(AccountId(7), LogLevel.DEBUG)
        logging.getLogger("siproxylin.account.7").warning("proxy %s down", "tor")
        try:
            raise ValueError("bad")
        except ValueError:
            logging.getLogger("siproxylin.core.test").exception("it failed")
    finally:
        files.close()
    main = parse_log((tmp_path / "main.log").read_text(encoding="utf-8"))
    warning = next(e for e in main if e.level is Level.WARNING)
    assert (warning.account, warning.message) == (7, "proxy tor down")
    error = next(e for e in main if e.level is Level.ERROR)
    assert "ValueError: bad" in error.message
    own = parse_log((tmp_path / "account-7-app.log").read_text(encoding="utf-8"))
    assert [e.message for e in own] == ["proxy tor down"]
