"""XEP-0313 archive queries on one account's stream: send the query, route the results.

``ArchiveQueries`` owns the queries in flight. ``query`` sends one
``<iq type='set'><query xmlns='urn:xmpp:mam:2'/></iq>`` and waits for its ``<fin/>``;
the ``<message><result/></message>`` stanzas that come before it reach ``on_result``
from the client's one message handler (no handler of its own, so no other stanza
pays a match for it). A result is taken only for a query of ours (its queryid)
and only from the archive asked (see ``translate.mam.PageCollector``); anything
else is reported as ``StanzaRejected``. Encrypted results are decrypted (by the
``decrypt`` hook, OMEMO) before they are collected, in arrival order; the page is
returned once all of them are.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

from slixmpp.exceptions import IqError, IqTimeout

from siproxylin.core.ports import ArchivePage, ArchiveQueryError
from siproxylin.domain.events import Event, MessageReceived, StanzaRejected
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.xmpp.connect import StreamClient
from siproxylin.xmpp.translate.mam import PageCollector, parse_fin, query_element

# Decrypts an archived message in place: (message, archive, archive id) -> what it did
# (an object with ``encryption``, ``error`` and ``empty``), None when not encrypted.
Decrypt = Callable[[ET.Element, Jid, str], Awaitable[Any]]
_FORWARDED_MESSAGE = "{urn:xmpp:forward:0}forwarded/{jabber:client}message"
_BODY = "{jabber:client}body"

QUERY_TIMEOUT = 60.0

log = logging.getLogger(__name__)


class ArchiveQueries:
    """The archive queries of one account.

    Args:
        stream: The account's slixmpp client.
        account: The account.
        own: Returns the account's current (bound) address.
        rooms: Returns the rooms we are in (bare address -> our nick).
        publish: Reports a rejected result (logged and put on the bus).
    """

    def __init__(
        self,
        stream: StreamClient,
        account: AccountId,
        own: Callable[[], Jid],
        rooms: Callable[[], Mapping[Jid, str]],
        publish: Callable[[Event], None],
    ) -> None:
        self._stream = stream
        self._account = account
        self._own = own
        self._rooms = rooms
        self._publish = publish
        self._pending: dict[str, PageCollector] = {}
        self.decrypt: Decrypt | None = None
        # Per query: the last decryption under way (later results wait behind it).
        self._tails: dict[str, asyncio.Future[None]] = {}
        self._archives: dict[str, Jid] = {}  # queryid -> the archive asked

    async def query(
        self,
        archive: Jid | None = None,
        *,
        with_jid: Jid | None = None,
        start: float | None = None,
        after: str | None = None,
        before: str | None = None,
        max_items: int = 50,
    ) -> ArchivePage:
        """Fetch one page (see ``core.ports.XmppSession.query_archive``)."""
        own = self._own()
        queryid = uuid.uuid4().hex
        room = archive is not None and archive.bare != own.bare
        rooms = self._rooms()
        if room and archive is not None and archive.bare not in rooms:
            # A room we are not in (scrolling back after leaving): take its group
            # chat anyway, with no nick of ours to recognise.
            rooms = {**rooms, archive.bare: ""}
        collector = PageCollector(
            self._account, own, queryid, archive.bare if archive else own.bare, room, rooms
        )
        iq = self._stream.Iq()
        iq["type"] = "set"
        if room and archive is not None:
            iq["to"] = str(archive.bare)
        iq.xml.append(
            query_element(
                queryid,
                with_jid=with_jid,
                start=start,
                after=after,
                before=before,
                max_items=max_items,
            )
        )
        self._pending[queryid] = collector
        self._archives[queryid] = archive.bare if archive else own.bare
        send = cast("Callable[..., Awaitable[Any]]", iq.send)  # slixmpp: not annotated
        try:
            reply = await send(timeout=QUERY_TIMEOUT)
        except IqError as exc:
            condition = str(exc.iq["error"]["condition"]) or "error"
            raise ArchiveQueryError(condition, str(exc.iq["error"]["text"] or "")) from None
        except IqTimeout:
            raise ArchiveQueryError("timeout") from None
        finally:
            tail = self._tails.pop(queryid, None)
            if tail is not None:
                await asyncio.wait([tail])
            self._pending.pop(queryid, None)
            self._archives.pop(queryid, None)
        fin = parse_fin(reply.xml)
        if fin is None:
            raise ArchiveQueryError("bad-request", "the archive answered without <fin/>")
        return ArchivePage(
            tuple(collector.events),
            fin.first,
            fin.last,
            fin.complete,
            collector.first_time(),
            collector.last_time(),
        )

    def on_result(self, message: ET.Element, result: ET.Element) -> None:
        """A ``<message/>`` carrying a ``<result xmlns='urn:xmpp:mam:2'/>``."""
        collector = self._pending.get(result.get("queryid", ""))
        if collector is None:
            self._publish(
                StanzaRejected(
                    self._account, message.get("from", ""), "archive result for no query of ours"
                )
            )
            return
        queryid = result.get("queryid", "")
        tail = self._tails.get(queryid)
        if self.decrypt is not None and collector.accepts_sender(message.get("from", "")):
            inner = result.find(_FORWARDED_MESSAGE)
            if (tail is not None and not tail.done()) or (inner is not None and _encrypted(inner)):
                self._tails[queryid] = asyncio.ensure_future(
                    self._decrypt_then_accept(
                        tail, collector, self._archives[queryid], message, result
                    )
                )
                return
        self._accept(collector, message, result)

    def _accept(self, collector: PageCollector, message: ET.Element, result: ET.Element) -> None:
        rejected = collector.accept(message, result, time.time())
        if rejected is not None:
            self._publish(rejected)

    async def _decrypt_then_accept(
        self,
        previous: asyncio.Future[None] | None,
        collector: PageCollector,
        archive: Jid,
        message: ET.Element,
        result: ET.Element,
    ) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        inner = result.find(_FORWARDED_MESSAGE)
        done = None
        if inner is not None and self.decrypt is not None and _encrypted(inner):
            try:
                done = await self.decrypt(inner, archive, result.get("id", ""))
            except Exception:
                log.exception("archived message not decrypted")
                return
        if done is not None and done.empty and inner is not None:
            for body in inner.findall(_BODY):  # a key transport: nothing to show
                inner.remove(body)
        count = len(collector.events)
        self._accept(collector, message, result)
        if done is not None and len(collector.events) > count:
            event = collector.events[-1]
            if isinstance(event, MessageReceived):
                collector.events[-1] = dataclasses.replace(
                    event, encryption=done.encryption, decryption_error=done.error
                )


def _encrypted(message: ET.Element) -> bool:
    return any(
        child.tag in ("{urn:xmpp:omemo:2}encrypted", "{eu.siacs.conversations.axolotl}encrypted")
        for child in message
    )
