"""XEP-0313 archive queries (with XEP-0059 paging): the query element, results, the ``<fin/>``.

Pure: stdlib, ``domain`` and the message translator. ``query_element`` builds the
``<query xmlns='urn:xmpp:mam:2'/>`` payload; a :class:`PageCollector` takes the
``<result/>`` messages of one query, checks they belong to it (our queryid, sent
by the archive itself) and turns each forwarded message into an event through
:func:`~siproxylin.xmpp.translate.messages.translate_message`, with the archive
stamp as its delay and the archive id as its XEP-0359 stanza-id (so a copy that
also arrived live, as a carbon or from offline storage, is the same message to
the store); ``parse_fin`` reads the end of the page.
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from siproxylin.domain.events import (
    ChatStateReceived,
    Event,
    MessageErrorReceived,
    MessageReceived,
    StanzaRejected,
)
from siproxylin.domain.ids import AccountId, InvalidJid, Jid
from siproxylin.xmpp.translate._namespaces import DELAY, FORWARD, MESSAGE, SID, qname
from siproxylin.xmpp.translate._timestamps import parse_stamp
from siproxylin.xmpp.translate.messages import translate_message

MAM = "urn:xmpp:mam:2"
RSM = "http://jabber.org/protocol/rsm"
DATA_FORMS = "jabber:x:data"
RESULT = qname(MAM, "result")
FIN = qname(MAM, "fin")
MAX_ID_CHARS = 256

_QUERY = qname(MAM, "query")
_FORWARDED = qname(FORWARD, "forwarded")
_DELAY = qname(DELAY, "delay")
_STANZA_ID = qname(SID, "stanza-id")
_SET = qname(RSM, "set")
_X = qname(DATA_FORMS, "x")
_FIELD = qname(DATA_FORMS, "field")
_VALUE = qname(DATA_FORMS, "value")
_FIRST = qname(RSM, "first")
_LAST = qname(RSM, "last")
# Stale or meaningless when read back from an archive.
_DROPPED = (ChatStateReceived, MessageErrorReceived)


def format_stamp(seconds: float) -> str:
    """UTC seconds as a XEP-0082 date-time with milliseconds (``...T12:00:00.250Z``)."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def query_element(
    queryid: str,
    *,
    with_jid: Jid | None = None,
    start: float | None = None,
    after: str | None = None,
    before: str | None = None,
    max_items: int = 50,
) -> ET.Element:
    """The ``<query/>`` of an archive request (the payload of an ``<iq type='set'/>``).

    Args:
        queryid: Our id for the query; every result must carry it.
        with_jid: Only messages exchanged with this address.
        start: Only messages at or after this UTC time.
        after: RSM: the page after this archive id (paging forward).
        before: RSM: the page before this archive id; "" asks for the last page.
        max_items: RSM page size.
    """
    query = ET.Element(_QUERY, {"queryid": queryid})
    if with_jid is not None or start is not None:
        form = ET.SubElement(query, _X, {"type": "submit"})
        _field(form, "FORM_TYPE", MAM, "hidden")
        if with_jid is not None:
            _field(form, "with", str(with_jid))
        if start is not None:
            _field(form, "start", format_stamp(start))
    rsm = ET.SubElement(query, _SET)
    ET.SubElement(rsm, qname(RSM, "max")).text = str(max(1, max_items))
    if after is not None:
        ET.SubElement(rsm, qname(RSM, "after")).text = after
    if before is not None:
        element = ET.SubElement(rsm, qname(RSM, "before"))
        if before:
            element.text = before
    return query


def _field(form: ET.Element, var: str, value: str, kind: str = "") -> None:
    attrs = {"var": var, "type": kind} if kind else {"var": var}
    ET.SubElement(ET.SubElement(form, _FIELD, attrs), _VALUE).text = value


@dataclass(frozen=True, slots=True)
class Fin:
    """What the ``<fin/>`` of a query said.

    Attributes:
        complete: The page reaches the end of the results.
        first: Archive id of the first result of the page ("" when empty).
        last: Archive id of the last result ("" when empty).
        count: The total number of results the server reported, -1 if it did not.
    """

    complete: bool
    first: str = ""
    last: str = ""
    count: int = -1


def parse_fin(iq: ET.Element) -> Fin | None:
    """The ``<fin/>`` of an ``<iq type='result'/>``, or None when there is none."""
    fin = iq.find(FIN)
    if fin is None:
        return None
    complete = fin.get("complete", "false") in ("true", "1")
    rsm = fin.find(_SET)
    if rsm is None:
        return Fin(complete)
    count = rsm.findtext(qname(RSM, "count"), "").strip()
    return Fin(
        complete,
        _bounded((rsm.findtext(_FIRST) or "").strip()),
        _bounded((rsm.findtext(_LAST) or "").strip()),
        int(count) if count.isdigit() else -1,
    )


class PageCollector:
    """Collects the results of one archive query, in arrival (= archive) order.

    Args:
        account: The querying account.
        own: The account's bound address.
        queryid: The query's id.
        archive: The archive queried: our own bare address, or a room's.
        room: True for a room's archive (results come from the room's address);
            False for our own (results come without ``from`` or from our bare address).
        rooms: Rooms we are in (bare address -> our nick), for group chat results.
    """

    __slots__ = (
        "_account",
        "_archive",
        "_by",
        "_own",
        "_room",
        "_rooms",
        "_sender",
        "events",
        "first_stamp",
        "last_stamp",
        "queryid",
        "results",
    )

    def __init__(
        self,
        account: AccountId,
        own: Jid,
        queryid: str,
        archive: Jid,
        room: bool,
        rooms: Mapping[Jid, str],
    ) -> None:
        self._account = account
        self._own = own
        self.queryid = queryid
        self._archive = archive.bare
        self._by = str(archive.bare)
        self._room = room
        self._rooms = rooms
        self._sender = self._by
        self.events: list[Event] = []
        self.results = 0
        self.first_stamp = ""
        self.last_stamp = ""

    def accepts_sender(self, claimed: str) -> bool:
        """True when a result claiming to come from ``claimed`` may be from our archive."""
        if claimed == self._sender or (not claimed and not self._room):
            return True
        try:
            jid = Jid.parse(claimed)
        except InvalidJid:
            return False
        return jid == self._archive  # a bare address only, spelled differently

    def accept(self, message: ET.Element, result: ET.Element, now: float) -> StanzaRejected | None:
        """Take one ``<message><result/></message>`` of this query.

        The caller has matched ``result``'s queryid. Returns a rejection for a result
        from the wrong sender or without a forwarded message (nothing is collected),
        else None.
        """
        claimed = message.get("from", "")
        if not self.accepts_sender(claimed):
            return StanzaRejected(self._account, claimed, "archive result from a foreign sender")
        archive_id = result.get("id", "")
        forwarded = result.find(_FORWARDED)
        inner = forwarded.find(MESSAGE) if forwarded is not None else None
        if inner is None or forwarded is None or not archive_id or len(archive_id) > MAX_ID_CHARS:
            return StanzaRejected(self._account, claimed, "malformed archive result")
        if self._room and not self._from_room(inner):
            # A room speaks for itself only: not for other rooms, nor for anyone's 1:1 chat.
            return StanzaRejected(self._account, claimed, "room archive result not from the room")
        delay = forwarded.find(_DELAY)
        stamp = delay.get("stamp", "") if delay is not None else ""
        # The archive's id is the message's stanza-id (first, so it is the one
        # trusted); the archive's stamp its time (last, so it wins over the sender's).
        inner.insert(0, ET.Element(_STANZA_ID, {"by": self._by, "id": archive_id}))
        if delay is not None:
            forwarded.remove(delay)
            inner.append(delay)
        self.results += 1
        if not self.first_stamp:
            self.first_stamp = stamp
        self.last_stamp = stamp
        event = translate_message(inner, self._account, self._own, now, self._rooms)
        if event is None or isinstance(event, _DROPPED):
            return None
        if isinstance(event, StanzaRejected):
            return event
        if isinstance(event, MessageReceived):
            event = dataclasses.replace(event, archived=True)
        self.events.append(event)
        return None

    def _from_room(self, inner: ET.Element) -> bool:
        """True for group chat sent in this room (by an occupant or the room itself)."""
        if inner.get("type") != "groupchat":
            return False
        author = inner.get("from", "")
        if author == self._by or author.startswith(self._by + "/"):
            return True
        try:
            return Jid.parse(author).bare == self._archive
        except InvalidJid:
            return False

    def first_time(self) -> float:
        """UTC seconds of the first result, 0 when unknown."""
        return parse_stamp(self.first_stamp) or 0.0

    def last_time(self) -> float:
        """UTC seconds of the last result, 0 when unknown."""
        return parse_stamp(self.last_stamp) or 0.0


def _bounded(value: str) -> str:
    return value if len(value) <= MAX_ID_CHARS else ""
