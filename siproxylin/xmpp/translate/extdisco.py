"""TURN servers from an XEP-0215 External Service Discovery answer.

Reads ``<services xmlns='urn:xmpp:extdisco:2'>`` (or ``<credentials>``, or the
``<iq>`` carrying either) into ``TurnServer`` values: only ``turn`` and ``turns``
services with a usable host, port and transport. STUN entries are dropped: a
relay-only call never asks a STUN server. Untrusted input is bounded (number of
services, host length) and anything malformed is skipped, never guessed. Pure:
stdlib and ``domain`` only.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from siproxylin.domain.call_media import TurnScheme, TurnServer, TurnTransport
from siproxylin.xmpp.translate._namespaces import qname

EXTDISCO = "urn:xmpp:extdisco:2"
MAX_SERVICES = 32
MAX_HOST_CHARS = 253
MAX_CREDENTIAL_CHARS = 1024
_DEFAULT_PORTS = {TurnScheme.TURN: 3478, TurnScheme.TURNS: 5349}
_CONTAINERS = (qname(EXTDISCO, "services"), qname(EXTDISCO, "credentials"))


def read_turn_servers(xml: ET.Element) -> list[TurnServer]:
    """The TURN servers of an external service discovery answer, in document order.

    Args:
        xml: ``<services/>``, ``<credentials/>`` or the ``<iq/>`` result holding one.

    Returns:
        Every well-formed ``turn``/``turns`` service; empty when there is none.
    """
    container = xml if xml.tag in _CONTAINERS else _find_container(xml)
    if container is None:
        return []
    servers: list[TurnServer] = []
    for element in container.findall(qname(EXTDISCO, "service"))[:MAX_SERVICES]:
        server = _read_service(element)
        if server is not None:
            servers.append(server)
    return servers


def _find_container(xml: ET.Element) -> ET.Element | None:
    for tag in _CONTAINERS:
        found = xml.find(tag)
        if found is not None:
            return found
    return None


def _read_service(element: ET.Element) -> TurnServer | None:
    try:
        scheme = TurnScheme(element.get("type", ""))
    except ValueError:
        return None  # stun, stuns, or something we do not use
    host = element.get("host", "").strip()
    if not host or len(host) > MAX_HOST_CHARS or any(c.isspace() for c in host):
        return None
    port = _read_port(element.get("port"), _DEFAULT_PORTS[scheme])
    transport = _read_transport(element.get("transport"), scheme)
    if port is None or transport is None:
        return None
    username = element.get("username", "")
    password = element.get("password", "")
    if len(username) > MAX_CREDENTIAL_CHARS or len(password) > MAX_CREDENTIAL_CHARS:
        return None
    return TurnServer(
        scheme=scheme,
        host=host.strip("[]"),
        port=port,
        transport=transport,
        username=username,
        password=password,
        expires=_read_time(element.get("expires")),
    )


def _read_port(text: str | None, default: int) -> int | None:
    if text is None or not text.strip():
        return default
    if not text.strip().isdigit():
        return None
    port = int(text)
    return port if 0 < port < 65536 else None


def _read_transport(text: str | None, scheme: TurnScheme) -> TurnTransport | None:
    if text is None or not text.strip():
        # RFC 7065 defaults: turn -> UDP, turns -> TCP.
        return TurnTransport.TCP if scheme is TurnScheme.TURNS else TurnTransport.UDP
    try:
        transport = TurnTransport(text.strip().lower())
    except ValueError:
        return None
    if scheme is TurnScheme.TURNS and transport is TurnTransport.UDP:
        return None  # TURN over DTLS: aiortc cannot use it
    return transport


def _read_time(text: str | None) -> dt.datetime | None:
    """An XEP-0082 date-time; a stamp without zone or unparsable is ignored."""
    if not text:
        return None
    try:
        stamp = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if stamp.tzinfo is None:
        return None
    return stamp.astimezone(dt.UTC)
