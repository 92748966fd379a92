"""HTTP File Upload (XEP-0363) slots, asked for with raw IQs.

``UploadLink`` finds our server's upload service (disco#items of our domain, then
disco#info of each item for ``urn:xmpp:http:upload:0`` and its ``max-file-size``)
once per stream and asks it for slots. The PUT and GET themselves go through the
account's HTTP client (``net.transfers``), never through slixmpp's upload helper
(its own HTTP session ignores the proxy). The parsers are pure functions, tested
from XML literals.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from typing import Any

from slixmpp.exceptions import IqError, IqTimeout

from siproxylin.domain.errors import TransferFailed
from siproxylin.domain.ids import InvalidJid, Jid
from siproxylin.domain.models import UploadService, UploadSlot

NS_UPLOAD = "urn:xmpp:http:upload:0"
_INFO = "http://jabber.org/protocol/disco#info"
_ITEMS = "http://jabber.org/protocol/disco#items"
_DATA = "jabber:x:data"
_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"
IQ_TIMEOUT = 30
_PUT_HEADERS = frozenset({"authorization", "cookie", "expires"})
_REASONS = {
    "not-acceptable": "the file is too large for the server",
    "resource-constraint": "the upload quota is used up",
    "not-allowed": "the server does not allow this account to upload",
    "forbidden": "the server does not allow this account to upload",
    "service-unavailable": "the server has no file upload",
}

log = logging.getLogger(__name__)


def parse_service(jid: Jid, info: ET.Element) -> UploadService | None:
    """The upload service a disco#info answer describes, or None if it is not one."""
    features = {f.get("var", "") for f in info.iterfind(f"{{{_INFO}}}feature")}
    if NS_UPLOAD not in features:
        return None
    limit = 0
    for form in info.iterfind(f"{{{_DATA}}}x"):
        fields = {f.get("var", ""): f for f in form.iterfind(f"{{{_DATA}}}field")}
        kind = fields.get("FORM_TYPE")
        if kind is None or kind.findtext(f"{{{_DATA}}}value", "") != NS_UPLOAD:
            continue
        size = fields.get("max-file-size")
        text = size.findtext(f"{{{_DATA}}}value", "") if size is not None else ""
        if text.strip().isdigit():
            limit = int(text.strip())
    return UploadService(jid, limit)


def slot_request(name: str, size: int, mime: str) -> ET.Element:
    """The ``<request/>`` of a slot for a file."""
    safe = name.replace("/", "_").replace("\\", "_").strip() or "file"
    attributes = {"filename": safe[:255], "size": str(size)}
    if mime:
        attributes["content-type"] = mime
    return ET.Element(f"{{{NS_UPLOAD}}}request", attributes)


def parse_slot(slot: ET.Element | None) -> UploadSlot:
    """The URLs and PUT headers of a ``<slot/>``.

    Raises:
        TransferFailed: Not a slot, or URLs that are not http(s).
    """
    if slot is None or slot.tag != f"{{{NS_UPLOAD}}}slot":
        raise TransferFailed("the server answered without an upload slot")
    put = slot.find(f"{{{NS_UPLOAD}}}put")
    get = slot.find(f"{{{NS_UPLOAD}}}get")
    put_url = put.get("url", "") if put is not None else ""
    get_url = get.get("url", "") if get is not None else ""
    for url in (put_url, get_url):
        if not url.lower().startswith(("https://", "http://")) or len(url) > 4096:
            raise TransferFailed("the server gave an upload slot without a usable URL")
    headers = tuple(
        (h.get("name", ""), (h.text or "").replace("\n", "").strip())
        for h in (put.iterfind(f"{{{NS_UPLOAD}}}header") if put is not None else ())
        if h.get("name", "").lower() in _PUT_HEADERS
    )
    return UploadSlot(put_url, get_url, headers)


def slot_error(error: ET.Element | None, size: int, limit: int) -> str:
    """Why a slot was refused, in words."""
    if error is None:
        return "the server refused the upload"
    condition = next(
        (c.tag.partition("}")[2] for c in error if c.tag.startswith(f"{{{_STANZAS}}}")), ""
    )
    text = error.findtext(f"{{{_STANZAS}}}text", "").strip()
    if error.find(f"{{{NS_UPLOAD}}}file-too-large") is not None or (
        condition == "not-acceptable" and limit and size > limit
    ):
        return (
            f"the file is too large for the server (at most {_size(limit)})"
            if limit
            else ("the file is too large for the server")
        )
    reason = _REASONS.get(condition, f"the server refused the upload ({condition or 'error'})")
    return f"{reason}: {text[:200]}" if text else reason


def _size(count: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024  # type: ignore[assignment]
    return str(count)


class UploadLink:
    """XEP-0363 on one account's stream.

    Args:
        stream: The account's slixmpp client.
        domain: Returns our server's domain.
    """

    def __init__(self, stream: Any, domain: Any) -> None:
        self._stream = stream
        self._domain = domain
        self._service: UploadService | None = None
        self._searched = False

    def reset(self) -> None:
        """A new stream: look for the service again."""
        self._service = None
        self._searched = False

    async def service(self) -> UploadService | None:
        """Our server's upload service (None if it has none)."""
        if self._searched:
            return self._service
        domain = Jid.parse(str(self._domain()))
        candidates = [domain]
        items = await self._query(domain, _ITEMS)
        if items is not None:
            for item in items.iterfind(f"{{{_ITEMS}}}item"):
                try:
                    candidates.append(Jid.parse(item.get("jid", "")))
                except InvalidJid:
                    continue
        for candidate in candidates:
            info = await self._query(candidate, _INFO)
            found = parse_service(candidate, info) if info is not None else None
            if found is not None:
                self._service = found
                break
        self._searched = True
        return self._service

    async def request_slot(
        self, service: UploadService, name: str, size: int, mime: str
    ) -> UploadSlot:
        """A slot for a file (see ``XmppSession.request_upload_slot``)."""
        if service.max_size and size > service.max_size:
            raise TransferFailed(
                f"the file is too large for the server (at most {_size(service.max_size)})"
            )
        iq = self._stream.Iq()
        iq["type"] = "get"
        iq["to"] = str(service.jid)
        iq.xml.append(slot_request(name, size, mime))
        try:
            reply = await iq.send(timeout=IQ_TIMEOUT)
        except IqTimeout:
            raise TransferFailed("the upload service did not answer") from None
        except IqError as exc:
            error = exc.iq.xml.find("{jabber:client}error")
            raise TransferFailed(slot_error(error, size, service.max_size)) from None
        return parse_slot(next(iter(reply.xml), None))

    async def _query(self, jid: Jid, namespace: str) -> ET.Element | None:
        iq = self._stream.Iq()
        iq["type"] = "get"
        iq["to"] = str(jid)
        ET.SubElement(iq.xml, f"{{{namespace}}}query")
        try:
            reply = await iq.send(timeout=IQ_TIMEOUT)
        except (IqError, IqTimeout) as exc:
            log.debug("disco of %s failed: %s", jid, type(exc).__name__)
            return None
        found: ET.Element | None = reply.xml.find(f"{{{namespace}}}query")
        return found
