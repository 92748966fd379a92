"""Search benchmark: full text search and opening a long conversation in a 1M-message store.

Builds a store of N messages (default 1,000,000) of synthetic text with the
application's own schema (``Database`` runs the migrations, so the FTS5 index
has the prefix indexes the app has), then measures through the real
``SearchService`` / ``ChatService`` over the real store:

search  ~200 realistic queries: common words, rare words, prefixes of 1-5
        characters (a word being typed), several words, non-Latin words, words
        found nowhere; across every account, at most 50 hits with snippets,
        like the Find dialog. Each is timed the first time it is asked
        (SQLite's cache starts empty; the OS page cache is warm right after a
        build, maybe not when a kept store is reused), then all of them again.
        Then the same queries restricted to one conversation: the smallest
        (searched through a temporary index of its own), the smallest above
        that size limit (through the big index) and the 100,000-message one.
        Median, p95 and max in ms, overall and per kind.
open    the conversation of 100,000 messages: the first page of history (200
        messages, what opening a conversation loads), the messages around a hit
        in its middle (open_at: 100 on each side), and, with Qt available, the
        whole GUI path (``ChatPresenter.open`` + the chat view laid out and
        painted offscreen).

Targets: search median < 50 ms; first page of history < 100 ms.

The store: 3 accounts; one conversation of 100,000 messages, 20 small ones
(20-200 messages), 5 medium ones (1,200-3,000), both spread over the whole
history, and the rest over the other 154 conversations (~5,700 each). Bodies
are 2-18 words drawn Zipf-like from ~40,000 words: common English chat words
first, a few non-Latin and accented words, then invented words for the long
tail. Rows are written with ``executemany`` in one transaction through
``Database.write_many`` (the tables and columns ``MessagesRepo.add_message``
writes, FTS included).

    .venv/bin/python bench/search.py [--messages 1000000] [--queries 200]
                                     [--db PATH] [--keep] [--no-gui]

``--db PATH`` keeps the store there and reuses it when it already holds the
same number of messages (a build takes ~35 s; delete the file after changing
the generator). Prints a table and writes
bench/results/search-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from siproxylin.core.accounts import AccountManager  # noqa: E402
from siproxylin.core.bus import EventBus  # noqa: E402
from siproxylin.core.decisions import Decisions  # noqa: E402
from siproxylin.core.ports import XmppSession  # noqa: E402
from siproxylin.core.services.chat import ChatService  # noqa: E402
from siproxylin.core.services.search import SearchService  # noqa: E402
from siproxylin.domain.config import AccountConfig  # noqa: E402
from siproxylin.domain.ids import AccountId, Jid  # noqa: E402
from siproxylin.store.accounts import AccountsRepo  # noqa: E402
from siproxylin.store.db import Database  # noqa: E402
from siproxylin.store.message_features import MessageFeatures  # noqa: E402
from siproxylin.store.messages import MessagesRepo  # noqa: E402
from siproxylin.store.read_state import ReadState  # noqa: E402
from siproxylin.store.search import SMALL_CONVERSATION, MessageSearch  # noqa: E402
from siproxylin.store.secrets import MemorySecretStore  # noqa: E402

RESULTS = ROOT / "bench" / "results"
SEARCH_TARGET_MS = 50.0  # median
FIRST_PAGE_TARGET_MS = 100.0
BIG = 100_000  # messages in the long conversation
HISTORY_PAGE = 200  # what ChatPresenter.open loads (HISTORY_LIMIT)
AROUND = 100  # what ChatPresenter.open_at loads on each side
ACCOUNTS = 3
PEERS_PER_ACCOUNT = 60
SMALL = 20  # small conversations, 20-200 messages each
MEDIUM = 5  # medium ones, 1,200-3,000 messages each
CHUNK = 100_000
SEED = 20261123

_COMMON_TEXT = """
the be to of and a in that have i it for not on with he as you do at this but his by from
they we say her she or an will my one all would there their what so up out if about who get
which go me when make can like time no just him know take people into year your good some
could them see other than then now look only come its over think also back after use two how
our work first well way even new want because any these give day most us is are was were
been has had did said got okay ok yes yeah sure thanks thank please hi hello hey tomorrow
today tonight meeting call later soon lunch dinner coffee office home train bus car late
early morning evening night week weekend monday tuesday friday saturday sunday project
release review server proxy client message chat photo file link video music book movie game
party birthday holiday trip flight hotel ticket price money bank card phone laptop update bug
test build deploy branch merge issue team boss doctor school kids dog cat weather rain snow
sun great nice cool awesome sorry maybe really very much more need let send sent check done
ready wait stop start free busy
"""
_UNICODE_TEXT = """
café naïve résumé grüße straße привет спасибо москва 東京 ありがとう こんにちは ελλάδα
καλημέρα żółć łódź são paulo ærø niño año jalapeño façade zürich kraków
"""
COMMON = _COMMON_TEXT.split()
UNICODE = _UNICODE_TEXT.split()
_CONSONANTS = "bcdfghjklmnprstvwz"
_VOWELS = "aeiou"


# --- the store ------------------------------------------------------------------


def vocabulary(rng: random.Random, size: int = 40_000) -> list[str]:
    """Common words first (most frequent), then non-Latin ones, then invented words."""
    words = list(dict.fromkeys(COMMON + UNICODE))
    seen = set(words)
    while len(words) < size:
        word = "".join(
            rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(rng.randint(2, 4))
        )
        if rng.random() < 0.3:
            word += rng.choice(_CONSONANTS)
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def plan_conversations(
    rng: random.Random, n: int, peers: list[tuple[AccountId, int]]
) -> Iterator[tuple[AccountId, int]]:
    """(account, jid id) of message 1..n: the big one, small and medium ones, the rest.

    Small and medium conversations are spread over the whole history (a contact
    one writes to now and then), so their messages are far apart in the index.
    """
    big = peers[0]
    sizes = [rng.randint(20, 200) for _ in range(SMALL)]
    sizes += [rng.randint(1200, 3000) for _ in range(MEDIUM)]
    special = peers[1 : 1 + len(sizes)]
    rest = peers[1 + len(sizes) :]
    big_every = max(1, n // BIG)
    free = [i for i in range(n) if not (i % big_every == 0 and i // big_every < BIG)]
    chosen = rng.sample(free, sum(sizes))
    owner: dict[int, tuple[AccountId, int]] = {}
    start = 0
    for peer, size in zip(special, sizes, strict=True):
        owner.update((i, peer) for i in chosen[start : start + size])
        start += size
    for i in range(n):
        if i % big_every == 0 and i // big_every < BIG:
            yield big
        else:
            yield owner.get(i) or rest[rng.randrange(len(rest))]


def build(path: Path, n: int) -> dict[str, Any]:
    """Create the store at ``path`` with ``n`` messages; return what was built."""
    started = time.perf_counter()
    rng = random.Random(SEED)
    words = vocabulary(rng)
    weights = list(itertools.accumulate(1 / (rank + 1) ** 1.07 for rank in range(len(words))))
    db = Database(path)  # migrated: the app's schema, FTS5 prefix indexes included
    secrets = MemorySecretStore()
    repo = AccountsRepo(db, secrets)
    accounts = [
        repo.add_account(
            AccountConfig(AccountId(0), Jid.parse(f"me{a}@bench{a}.example"), enabled=False)
        ).id
        for a in range(ACCOUNTS)
    ]
    peers = [
        (account, db.jid_id(Jid.parse(f"friend{p}@host{account}.example")))
        for account in accounts
        for p in range(PEERS_PER_ACCOUNT)
    ]
    conversation_ids = {peer: number for number, peer in enumerate(peers, 1)}
    db.commit()
    base = 1_700_000_000_000  # ms; one message every 60 s from there
    plan = plan_conversations(rng, n, peers)
    with db.batch():  # one transaction, committed once at the end
        db.write_many(
            "INSERT INTO conversation (id, account_id, jid_id, type, last_active)"
            " VALUES (?, ?, ?, 0, ?)",
            [(c, a, j, base + n * 60_000) for (a, j), c in conversation_ids.items()],
        )
        for first in range(1, n + 1, CHUNK):
            ids = range(first, min(first + CHUNK, n + 1))
            lengths = [rng.randint(2, 18) for _ in ids]
            pool = rng.choices(words, cum_weights=weights, k=sum(lengths))
            bodies = []
            start = 0
            for length in lengths:
                bodies.append(" ".join(pool[start : start + length]))
                start += length
            where = [next(plan) for _ in ids]
            messages = []
            items = []
            for row_id, body, (account, jid_id) in zip(ids, bodies, where, strict=True):
                stamp = base + row_id * 60_000
                outgoing = row_id % 3 == 0
                messages.append(
                    (
                        row_id,
                        account,
                        jid_id,
                        "" if outgoing else "phone",
                        "desk" if outgoing else "",
                        int(outgoing),
                        body,
                        stamp,
                        stamp,
                        f"o-{row_id}",
                        f"s-{row_id}",
                        f"o-{row_id}" if outgoing else "",
                        2 if outgoing else 3,
                    )
                )
                items.append((conversation_ids[(account, jid_id)], 1, row_id, stamp, stamp))
            db.write_many(
                "INSERT INTO message (id, account_id, counterpart_id, counterpart_resource,"
                " our_resource, direction, type, body, time, local_time, origin_id, stanza_id,"
                " message_id, state) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)",
                messages,
            )
            db.write_many(
                "INSERT INTO message_fts (rowid, body) VALUES (?, ?)",
                zip(ids, bodies, strict=True),
            )
            db.write_many(
                "INSERT INTO content_item (conversation_id, content_type, foreign_id, time,"
                " local_time) VALUES (?, ?, ?, ?, ?)",
                items,
            )
            print(f"  {ids[-1]:>9,} messages  {time.perf_counter() - started:6.1f} s", flush=True)
    db.commit()
    db.close()
    return {"build_s": round(time.perf_counter() - started, 1)}


def count_messages(path: Path) -> int:
    """Messages in an existing store (0 when it is not one)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return 0
    try:
        return int(conn.execute("SELECT count(*) FROM message").fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


# --- the queries ----------------------------------------------------------------


def term_counts(db: Database, words: list[str]) -> dict[str, int]:
    """How many messages contain each word (through the index's vocabulary)."""
    db.connection.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.bench_vocab"
        " USING fts5vocab(main, message_fts, row)"
    )
    wanted = set(words)
    counts = {}
    for term, docs in db.read("SELECT term, doc FROM temp.bench_vocab"):
        if term in wanted:
            counts[term] = docs
    return counts


def make_queries(
    rng: random.Random, words: list[str], counts: dict[str, int], total: int
) -> list[tuple[str, str]]:
    """(kind, text) of about ``total`` queries a user could type."""
    common = [w for w in COMMON if counts.get(w, 0) > 2000]
    rare = [w for w in words[len(COMMON) + len(UNICODE) :] if 1 <= counts.get(w, 0) <= 50]
    share = total // 8
    queries: list[tuple[str, str]] = []
    queries += [("common word", w) for w in rng.sample(common, min(share, len(common)))]
    queries += [("rare word", w) for w in rng.sample(rare, share)]
    for word in rng.sample(common, share):  # a common word being typed
        queries.append(("prefix", word[: rng.randint(1, min(3, len(word)))]))
    for word in rng.sample(rare, share):  # a rare word being typed
        queries.append(("prefix", word[: rng.randint(2, min(5, len(word)))]))
    for _ in range(share):
        queries.append(("two words", f"{rng.choice(common)} {rng.choice(common)}"))
    for _ in range(share // 2):
        queries.append(("three words", " ".join(rng.sample(common, 3))))
    for _ in range(share // 2):  # the last word half typed
        queries.append(("words + prefix", f"{rng.choice(common)} {rng.choice(common)[:2]}"))
    queries += [("non-latin", w) for w in rng.sample(UNICODE, min(share // 2, len(UNICODE)))]
    for _ in range(total - len(queries)):
        queries.append(("not found", f"{rng.choice(common)} qxzv{rng.randint(0, 999)}"))
    return queries


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "median_ms": round(statistics.median(values), 2),
        "p95_ms": round(percentile(values, 0.95), 2),
        "max_ms": round(max(values), 2),
    }


def timed(call: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = call()
    return (time.perf_counter() - start) * 1000, result


# --- measuring ------------------------------------------------------------------


def no_xmpp(config: AccountConfig, password: str, bus: EventBus) -> XmppSession:
    raise RuntimeError("the benchmark never connects")


async def load_accounts(manager: AccountManager) -> None:
    await manager.load()  # disabled accounts: sessions exist, nothing connects


def measure(path: Path, query_total: int, gui: bool) -> dict[str, Any]:
    db = Database(path)
    bus = EventBus()
    decisions = Decisions(bus)
    secrets = MemorySecretStore()
    manager = AccountManager(AccountsRepo(db, secrets), secrets, no_xmpp, bus, decisions)
    asyncio.run(load_accounts(manager))
    search = SearchService(manager, MessageSearch(db))
    chat = ChatService(bus, manager, MessagesRepo(db), MessageFeatures(db), ReadState(db))
    rng = random.Random(SEED + 1)
    words = vocabulary(random.Random(SEED))
    counts = term_counts(db, words)
    queries = make_queries(rng, words, counts, query_total)
    report: dict[str, Any] = {}

    # Every account, like the Find dialog.
    times: dict[str, list[float]] = {}
    hits: list[int] = []
    samples = []
    for kind, text in queries:
        took, found = timed(lambda text=text: search.search(text, 50))
        assert isinstance(found, list)
        times.setdefault(kind, []).append(took)
        hits.append(len(found))
        samples.append({"kind": kind, "text": text, "ms": round(took, 2), "hits": len(found)})
    everything = [t for values in times.values() for t in values]
    report["search_all_accounts"] = {
        **summary(everything),
        "mean_hits": round(statistics.mean(hits), 1),
        "by_kind": {kind: summary(values) for kind, values in times.items()},
    }
    report["slowest_queries"] = sorted(samples, key=lambda s: -s["ms"])[:10]
    warm = [timed(lambda text=text: search.search(text, 50))[0] for _, text in queries]
    report["search_all_accounts_again"] = summary(warm)

    # One conversation: a small one (where common words are sparse) and the big one.
    (big_account, big_peer), medium, small = conversations(db)
    for label, (account, peer) in (
        ("search_small_conversation", small),
        ("search_medium_conversation", medium),
        ("search_big_conversation", (big_account, big_peer)),
    ):
        values = [
            timed(lambda text=text, a=account, p=peer: search.search(text, 50, a, p))[0]
            for _, text in queries
        ]
        report[label] = summary(values)
        report[label]["messages"] = db.read(
            "SELECT count(*) FROM message WHERE account_id = ? AND counterpart_id = ?",
            (account, db.find_jid_id(peer)),
        )[0][0]

    # Opening the conversation of 100,000 messages.
    first = [timed(lambda: chat.history(big_account, big_peer, HISTORY_PAGE))[0] for _ in range(21)]
    middle_id = db.read(
        "SELECT id FROM message WHERE account_id = ? AND counterpart_id = ?"
        " ORDER BY id LIMIT 1 OFFSET ?",
        (big_account, db.find_jid_id(big_peer), BIG // 2),
    )[0][0]
    around = [
        timed(lambda: search.history_around(big_account, big_peer, middle_id, AROUND, AROUND + 1))[
            0
        ]
        for _ in range(21)
    ]
    size = db.read(
        "SELECT count(*) FROM message WHERE account_id = ? AND counterpart_id = ?",
        (big_account, db.find_jid_id(big_peer)),
    )[0][0]
    report["open_big_conversation"] = {
        "messages": size,
        "first_page_first_ms": round(first[0], 2),
        "first_page": summary(first),
        "around_hit_first_ms": round(around[0], 2),
        "around_hit": summary(around),
    }
    if gui:
        report["open_big_conversation"]["gui"] = measure_gui(
            chat, search, manager, bus, decisions, big_account, big_peer, middle_id
        )
    db.close()
    return report


Conversation = tuple[AccountId, Jid]


def conversations(db: Database) -> tuple[Conversation, Conversation, Conversation]:
    """(account, peer) of the biggest conversation, the smallest above the size
    searched through an index of its own, and the smallest one."""
    rows = db.read(
        "SELECT account_id, counterpart_id, count(*) AS n FROM message"
        " GROUP BY account_id, counterpart_id ORDER BY n DESC"
    )
    medium = min((r for r in rows if r[2] > SMALL_CONVERSATION), key=lambda r: r[2])
    big, small = rows[0], rows[-1]
    return (
        (AccountId(big[0]), db.jid(big[1])),
        (AccountId(medium[0]), db.jid(medium[1])),
        (AccountId(small[0]), db.jid(small[1])),
    )


def measure_gui(
    chat: ChatService,
    search: SearchService,
    manager: AccountManager,
    bus: EventBus,
    decisions: Decisions,
    account: AccountId,
    peer: Jid,
    middle_id: int,
) -> dict[str, Any]:
    """ChatPresenter.open / open_at with a ChatView laid out and painted (offscreen)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Qt only here, so --no-gui runs without it.
    from PySide6.QtWidgets import QApplication  # noqa: PLC0415

    from siproxylin.core.services.roster import RosterService  # noqa: PLC0415
    from siproxylin.gui.presenters.chat import ChatPresenter  # noqa: PLC0415
    from siproxylin.gui.views.chat_view import ChatView  # noqa: PLC0415

    app = QApplication.instance() or QApplication([])
    roster = RosterService(bus, manager, _NoRoster(), decisions)
    presenter = ChatPresenter(chat, roster, search=search)
    view = ChatView(presenter)
    view.resize(700, 600)
    view.show()
    app.processEvents()

    def show(action: Callable[[], None]) -> float:
        start = time.perf_counter()
        action()
        app.processEvents()  # the view lays the rows out and scrolls
        view.grab()  # and paints
        return (time.perf_counter() - start) * 1000

    opens, opens_at = [], []
    for _ in range(7):
        opens.append(show(lambda: presenter.open(account, peer)))
        presenter.close()
        opens_at.append(show(lambda: presenter.open_at(account, peer, middle_id)))
        presenter.close()
    view.close()
    return {
        "open_first_ms": round(opens[0], 2),
        "open": summary(opens),
        "open_at_first_ms": round(opens_at[0], 2),
        "open_at": summary(opens_at),
        "note": "ChatPresenter.open/open_at + processEvents + ChatView.grab(), offscreen",
    }


class _NoRoster:
    """RosterRepo with empty rosters (the GUI measurement needs names only)."""

    def roster(self, account: AccountId) -> list[Any]:
        return []

    def replace_roster(self, account: AccountId, items: Any) -> None:
        return None

    def upsert_roster(self, account: AccountId, items: Any) -> None:
        return None

    def remove_roster(self, account: AccountId, jids: Any) -> None:
        return None


# --- report ---------------------------------------------------------------------


def render(report: dict[str, Any]) -> str:
    lines = []
    meta = report["meta"]
    lines.append(
        f"store: {meta['messages']:,} messages, {meta['db_mb']} MB;"
        f" build {meta.get('build_s') or '-'} s"
    )
    everything = report["search_all_accounts"]
    lines.append("")
    lines.append(
        f"{'search (50 hits, every account)':<34}{'n':>5}{'median':>10}{'p95':>10}{'max':>10}"
    )
    rows = [("all queries", everything), *everything["by_kind"].items()]
    rows.append(("all queries, asked again", report["search_all_accounts_again"]))
    for label, key in (
        ("one small conversation", "search_small_conversation"),
        ("one medium conversation", "search_medium_conversation"),
    ):
        sized = report[key]
        rows.append((f"{label} ({sized['messages']:,})", sized))
    rows.append(("the 100k conversation", report["search_big_conversation"]))
    for label, values in rows:
        lines.append(
            f"  {label:<32}{values['n']:>5}{values['median_ms']:>8.2f}ms"
            f"{values['p95_ms']:>8.2f}ms{values['max_ms']:>8.2f}ms"
        )
    opened = report["open_big_conversation"]
    lines.append("")
    lines.append(f"open the conversation of {opened['messages']:,} messages")
    lines.append(
        f"  first page ({HISTORY_PAGE}): first {opened['first_page_first_ms']:.2f} ms,"
        f" median {opened['first_page']['median_ms']:.2f} ms"
    )
    lines.append(
        f"  around a hit ({AROUND}+1+{AROUND}): first {opened['around_hit_first_ms']:.2f} ms,"
        f" median {opened['around_hit']['median_ms']:.2f} ms"
    )
    if "gui" in opened:
        gui = opened["gui"]
        lines.append(
            "  GUI open (presenter + view laid out + painted):"
            f" first {gui['open_first_ms']:.1f} ms,"
            f" median {gui['open']['median_ms']:.1f} ms"
        )
        lines.append(
            f"  GUI open_at: first {gui['open_at_first_ms']:.1f} ms,"
            f" median {gui['open_at']['median_ms']:.1f} ms"
        )
    lines.append("")
    for name, target in report["targets"].items():
        lines.append(f"  target {name}: {target['value']} ms < {target['limit']} ms: "
                     f"{'met' if target['met'] else 'MISSED'}")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Siproxylin search benchmark")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--db", type=Path, help="keep (and reuse) the store at this path")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--no-gui", action="store_true", help="skip the Qt measurement")
    args = parser.parse_args(argv)
    if args.messages < BIG * 2:
        parser.error(f"--messages must be at least {BIG * 2}")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    scratch = Path(tempfile.mkdtemp(prefix="siproxylin-search-bench-"))
    path = args.db or scratch / "siproxylin.db"
    report: dict[str, Any] = {"meta": {"stamp": stamp, "messages": args.messages}}
    try:
        if count_messages(path) == args.messages:
            print(f"reusing {path}")
            report["meta"]["build_s"] = None
            report["meta"]["cache"] = "store reused: the OS may have dropped it from its cache"
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            print(f"building {args.messages:,} messages in {path}", flush=True)
            report["meta"].update(build(path, args.messages))
            report["meta"]["cache"] = "store built in this run: in the OS page cache"
        report["meta"]["db_mb"] = round(path.stat().st_size / 2**20)
        report.update(measure(path, args.queries, gui=not args.no_gui))
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    median = report["search_all_accounts"]["median_ms"]
    first_page = report["open_big_conversation"]["first_page_first_ms"]
    report["targets"] = {
        "search_median": {
            "value": median,
            "limit": SEARCH_TARGET_MS,
            "met": median < SEARCH_TARGET_MS,
        },
        "first_page": {
            "value": first_page,
            "limit": FIRST_PAGE_TARGET_MS,
            "met": first_page < FIRST_PAGE_TARGET_MS,
        },
    }
    report["meta"].update(environment())
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"search-{stamp}.json"
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    print(render(report))
    print(f"\nwrote {out.relative_to(ROOT)}")
    return 0 if all(t["met"] for t in report["targets"].values()) else 1


def environment() -> dict[str, Any]:
    commit = "?"
    with contextlib.suppress(OSError):
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, timeout=10, check=False,
        ).stdout.strip()  # fmt: skip
    changed: list[str] = []
    with contextlib.suppress(OSError):
        status = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "siproxylin"],
            capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
        changed = [line[3:] for line in status.stdout.splitlines() if line.strip()]
    return {
        "commit": commit,
        "uncommitted_app_files": changed,  # others edit the tree while we measure
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "cpus": os.cpu_count(),
        "kernel": platform.release(),
        "limit": 50,
        "timing": "each query timed the first time it is asked, then all of them again",
    }


if __name__ == "__main__":
    sys.exit(main())
