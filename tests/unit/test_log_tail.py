"""Reading log files: the folder's list, a big file's tail, appended lines, rotation, truncation."""

from __future__ import annotations

import os
from pathlib import Path

from siproxylin.gui.log_tail import LogTail, list_log_files

LINE = "2026-03-01 10:00:00,001 INFO    siproxylin.core: line {}\n"


def write(path: Path, text: str, mode: str = "a") -> None:
    with path.open(mode, encoding="utf-8") as file:
        file.write(text)


def test_lists_only_log_files_in_order(tmp_path: Path) -> None:
    for name in (
        "xmpp-protocol.log",
        "account-2-app.log",
        "main.log.1",
        "main.log",
        "account-10-app.log",
        "notes.txt",
        "main.log.bak",
    ):
        write(tmp_path / name, "x\n")
    files = list_log_files(tmp_path)
    assert [f.name for f in files] == [
        "main.log",
        "main.log.1",
        "account-2-app.log",
        "account-10-app.log",
        "xmpp-protocol.log",
    ]
    assert [f.kind for f in files][:3] == ["Application", "Application, older (1)", "Account 2"]
    assert files[-1].kind == "Protocol"
    assert list_log_files(tmp_path / "missing") == []


def test_a_big_file_is_read_from_its_tail(tmp_path: Path) -> None:
    path = tmp_path / "main.log"
    write(path, "".join(LINE.format(n) for n in range(20_000)))
    tail = LogTail(path, max_bytes=10_000)
    lines = tail.open()
    assert tail.skipped == path.stat().st_size - 10_000
    assert lines[-1].endswith("line 19999")
    assert all(line.startswith("2026-03-01") for line in lines)  # the cut line is dropped
    tail.close()


def test_new_lines_are_returned_once_complete(tmp_path: Path) -> None:
    path = tmp_path / "main.log"
    write(path, LINE.format(1))
    tail = LogTail(path)
    assert len(tail.open()) == 1
    assert tail.poll().lines == []
    write(path, LINE.format(2) + "2026-03-01 10:00:00,001 INFO    half")
    assert [line[-6:] for line in tail.poll().lines] == ["line 2"]
    write(path, " a line\n")
    assert tail.poll().lines == ["2026-03-01 10:00:00,001 INFO    half a line"]
    tail.close()


def test_rotation_reads_the_old_rest_then_the_new_file(tmp_path: Path) -> None:
    path = tmp_path / "main.log"
    write(path, LINE.format(1))
    tail = LogTail(path)
    tail.open()
    write(path, LINE.format(2))
    os.rename(path, tmp_path / "main.log.1")
    write(path, LINE.format(3), "w")
    read = tail.poll()
    assert read.rotated
    assert [line[-6:] for line in read.lines] == ["line 2", "line 3"]
    write(path, LINE.format(4))
    assert [line[-6:] for line in tail.poll().lines] == ["line 4"]
    tail.close()


def test_truncation_starts_again(tmp_path: Path) -> None:
    path = tmp_path / "main.log"
    write(path, LINE.format(1) + LINE.format(2))
    tail = LogTail(path)
    tail.open()
    write(path, LINE.format(3), "w")
    read = tail.poll()
    assert read.reset
    assert [line[-6:] for line in read.lines] == ["line 3"]
    tail.close()


def test_undecodable_bytes_are_replaced(tmp_path: Path) -> None:
    path = tmp_path / "main.log"
    path.write_bytes(b"caf\xe9\n")
    tail = LogTail(path)
    assert tail.open() == ["caf\ufffd"]
    tail.close()
