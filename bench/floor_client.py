"""The floor of the message-burst benchmark: bare slixmpp plus one SQLite table.

This is the anchors' ``slix-commit-wal`` receiver (see
shared/notes/performance-anchors.md): a plain ``ClientXMPP`` that logs in,
fetches its roster, sends its initial presence and writes every chat message
with a body into one table, one COMMIT per message, in WAL mode with
``synchronous=NORMAL``. Nothing else: no plugins, no GUI, no dedup.

    .venv/bin/python bench/floor_client.py --jid bob@siproxylin.test \
        --password-file PW --host 127.0.0.1 --port 5222 --ca-file ca.crt \
        --db floor.db [--resource floor]

The password is read from a file so that it does not show in ``ps``. SIGTERM or
SIGINT closes the stream and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sqlite3
import sys
from pathlib import Path

from slixmpp import ClientXMPP

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS message ("
    " id INTEGER PRIMARY KEY,"
    " sender TEXT NOT NULL,"
    " stanza_id TEXT NOT NULL,"
    " body TEXT NOT NULL,"
    " received REAL NOT NULL)"
)
INSERT = "INSERT INTO message (sender, stanza_id, body, received) VALUES (?, ?, ?, ?)"


def open_db(path: Path) -> sqlite3.Connection:
    """The floor's database: WAL, synchronous=NORMAL, autocommit mode."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute(SCHEMA)
    return conn


class FloorClient(ClientXMPP):
    """Login, roster, presence; every chat message is one committed row."""

    def __init__(self, jid: str, password: str, conn: sqlite3.Connection) -> None:
        super().__init__(jid, password)
        self.conn = conn
        self.stopped = asyncio.Event()
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("disconnected", self.on_disconnected)

    async def on_session_start(self, _event: object) -> None:
        await self.get_roster()
        self.send_presence()

    def on_message(self, msg: object) -> None:
        xml = msg.xml  # type: ignore[attr-defined]
        if xml.get("type", "normal") not in ("chat", "normal"):
            return
        body = xml.find("{jabber:client}body")
        if body is None or body.text is None:
            return
        loop = asyncio.get_running_loop()
        self.conn.execute("BEGIN")
        self.conn.execute(INSERT, (xml.get("from", ""), xml.get("id", ""), body.text, loop.time()))
        self.conn.execute("COMMIT")

    def on_disconnected(self, _event: object) -> None:
        self.stopped.set()


async def run(args: argparse.Namespace, password: str) -> int:
    conn = open_db(args.db)
    jid = f"{args.jid}/{args.resource}" if args.resource else args.jid
    client = FloorClient(jid, password, conn)
    client.ca_certs = args.ca_file
    client.enable_plaintext = False
    client.enable_starttls = True
    client.enable_direct_tls = False
    client.whitespace_keepalive = False

    loop = asyncio.get_running_loop()
    quit_now = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, quit_now.set)

    client.connect(args.host, args.port)
    quit_task = asyncio.ensure_future(quit_now.wait())
    stop_task = asyncio.ensure_future(client.stopped.wait())
    await asyncio.wait({quit_task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
    code = 0 if quit_now.is_set() else 1
    if quit_now.is_set() and client.transport is not None:
        try:
            await asyncio.wait_for(client.disconnect(wait=1.0), 3.0)
        except TimeoutError:
            client.abort()
    for task in (quit_task, stop_task):
        task.cancel()
    conn.close()
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jid", required=True)
    parser.add_argument("--password-file", required=True, type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ca-file", required=True)
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--resource", default="floor")
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    password = Path(args.password_file).read_text("utf-8").strip()
    return asyncio.run(run(args, password))


if __name__ == "__main__":
    sys.exit(main())
