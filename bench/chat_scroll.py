"""Long-conversation benchmark: open a 100,000-message chat and scroll it end to end.

Builds (or reuses, ``--db``) a store with ``bench/search.py``'s generator: one
conversation of 100,000 messages plus smaller ones around it. Then, with the real
chat view (Qt offscreen, on a qasync loop as in the app) over the real store and
core services:

open    ``ChatPresenter.open`` of the big conversation until the message list's
        viewport has painted (an event filter sees its first Paint): the time a
        user waits to see the conversation. Repeated; median and max.
scroll  from the newest message to the first one, the way a user scrolls up: the
        scroll bar to the top loads the next older page (50 messages), the view
        keeps its place, paints; repeated until the beginning. Per step: ms from
        the scroll to the page painted. VmRSS is sampled every 50 steps, so a
        growing process shows (the list keeps at most 1,000 rows).

Targets: open < 100 ms to first paint; RSS flat while scrolling (end within a few
MB of the start, no upward trend).

    .venv/bin/python bench/chat_scroll.py [--db PATH] [--keep]

Prints the figures and writes bench/results/chat_scroll-<stamp>.json.
"""

# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for entry in (ROOT, ROOT / "bench"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

RESULTS = ROOT / "bench" / "results"
MESSAGES = 130_000  # the 100,000 of the big conversation and 30,000 elsewhere
OPENS = 7


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def run(path: Path) -> dict[str, Any]:
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication
    from search import (
        _NoRoster,
        conversations,
        load_accounts,
        no_xmpp,
    )

    from siproxylin.core.accounts import AccountManager
    from siproxylin.core.bus import EventBus
    from siproxylin.core.decisions import Decisions
    from siproxylin.core.services.chat import ChatService
    from siproxylin.core.services.roster import RosterService
    from siproxylin.gui.presenters.chat import ChatPresenter
    from siproxylin.gui.views.chat_view import ChatView
    from siproxylin.store.accounts import AccountsRepo
    from siproxylin.store.db import Database
    from siproxylin.store.message_features import MessageFeatures
    from siproxylin.store.messages import MessagesRepo
    from siproxylin.store.read_state import ReadState
    from siproxylin.store.secrets import MemorySecretStore

    db = Database(path)
    bus = EventBus()
    decisions = Decisions(bus)
    secrets = MemorySecretStore()
    manager = AccountManager(AccountsRepo(db, secrets), secrets, no_xmpp, bus, decisions, 5.0)
    await load_accounts(manager)
    chat = ChatService(bus, manager, MessagesRepo(db), MessageFeatures(db), ReadState(db))
    big, _small, _medium = conversations(db)
    account, peer = big[0], big[1]
    roster = RosterService(bus, manager, _NoRoster(), decisions)
    presenter = ChatPresenter(chat, roster)
    view = ChatView(presenter)
    view.resize(760, 640)
    view.show()
    app = QApplication.instance()
    assert app is not None
    await asyncio.sleep(0.2)

    painted = asyncio.Event()

    class PaintWatch(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() is QEvent.Type.Paint and presenter.model.rowCount():
                painted.set()
            return False

    watch = PaintWatch()
    view.messages.viewport().installEventFilter(watch)
    opens: list[float] = []
    for _ in range(OPENS):
        presenter.close()
        await asyncio.sleep(0.05)
        painted.clear()
        start = time.perf_counter()
        presenter.open(account, peer)
        await asyncio.wait_for(painted.wait(), 10)
        opens.append((time.perf_counter() - start) * 1000)
    await asyncio.sleep(0.3)
    bar = view.messages.verticalScrollBar()
    rss_start = rss_mb()
    samples = [(0, rss_start)]
    steps: list[float] = []
    loaded = presenter.model.rowCount()
    while not presenter.at_beginning and len(steps) < 5000:
        painted.clear()
        start = time.perf_counter()
        bar.setValue(bar.minimum())  # the user reaches the top: the next page loads
        view.request_older()
        for _ in range(400):
            await asyncio.sleep(0)
            if not presenter.loading_older:
                break
        await asyncio.wait_for(painted.wait(), 10)
        steps.append((time.perf_counter() - start) * 1000)
        loaded += 50
        if len(steps) % 50 == 0:
            samples.append((len(steps), rss_mb()))
    samples.append((len(steps), rss_mb()))
    first = presenter.model.message(0)
    view.close()
    db.close()
    rss = [value for _step, value in samples]
    half = len(rss) // 2
    return {
        "conversation_messages": loaded,
        "open_ms": {
            "median": round(statistics.median(opens), 1),
            "max": round(max(opens), 1),
            "values": [round(v, 1) for v in opens],
        },
        "scroll_steps": len(steps),
        "step_ms": {
            "median": round(statistics.median(steps), 1),
            "p95": round(sorted(steps)[int(len(steps) * 0.95)], 1),
            "max": round(max(steps), 1),
        },
        "reached_first_message": first.timestamp,
        "rss_mb": {
            "start": round(rss_start, 1),
            "max": round(max(rss), 1),
            "end": round(rss[-1], 1),
            "first_half_median": round(statistics.median(rss[:half] or rss), 1),
            "second_half_median": round(statistics.median(rss[half:]), 1),
            "samples": [(step, round(value, 1)) for step, value in samples],
        },
        "rows_kept": presenter.model.rowCount(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", type=Path, help="keep (and reuse) the store here")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication
    from search import build, count_messages

    scratch = Path(tempfile.mkdtemp(prefix="siproxylin-scroll-bench-"))
    path = args.db or scratch / "bench.db"
    try:
        if count_messages(path) != MESSAGES:
            path.unlink(missing_ok=True)
            print(f"building a store of {MESSAGES:,} messages in {path}")
            build(path, MESSAGES)
        app = QApplication(sys.argv[:1])
        app.setFont(QFont("DejaVu Sans", 10))
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            report = loop.run_until_complete(run(path))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    report["when"] = stamp
    report["targets"] = {
        "open_under_100_ms": report["open_ms"]["median"] < 100,
        "rss_flat": report["rss_mb"]["end"] - report["rss_mb"]["start"] < 30,
    }
    print(json.dumps({k: v for k, v in report.items() if k != "rss_mb"}, indent=2))
    print("rss:", {k: v for k, v in report["rss_mb"].items() if k != "samples"})
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(report, indent=2) + "\n"
    (RESULTS / f"chat_scroll-{stamp}.json").write_text(payload)
    (RESULTS / "chat_scroll-latest.json").write_text(payload)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
