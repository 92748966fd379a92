"""The Jingle link on a stub stream: requests answered, refused or published; messages taken."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any, cast

import pytest

from siproxylin.domain.call_signals import JingleAction, JmiKind
from siproxylin.domain.calls import TerminateReason
from siproxylin.domain.events import (
    CallMessageReceived,
    Event,
    JingleRequestReceived,
    StanzaRejected,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.xmpp.jingle import jmi, stanzas
from siproxylin.xmpp.jingle.link import JingleIqFailed, JingleLink
from tests.unit.xmpp import jingle_samples as samples

ME = Jid.parse("juliet@capulet.example/sip1")
ROMEO = Jid.parse("romeo@montague.example/Conversations.Xu3q")
SID = "Hk2HAVWJdLwIv5Yz8Wm8uA"
ACCOUNT = AccountId(1)


class Outgoing:
    """A stanza the link asked the stub stream to send."""

    def __init__(self, stream: StubStream, xml: ET.Element) -> None:
        self.stream = stream
        self.xml = xml

    def send(self, timeout: float | None = None) -> asyncio.Future[Any] | None:
        self.stream.sent.append(self.xml)
        if self.xml.get("type") != "set":
            return None  # replies and messages: nobody waits
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self.stream.answer is None:
            future.set_result(None)
        else:
            future.set_exception(self.stream.answer)
        return future


class StubStream:
    """Just what ``JingleLink`` touches of a slixmpp client."""

    def __init__(self) -> None:
        self.handlers: list[Any] = []
        self.sent: list[ET.Element] = []
        self.answer: Exception | None = None

    def register_handler(self, handler: Any) -> None:
        self.handlers.append(handler)

    def remove_handler(self, name: str) -> None:
        self.handlers = [h for h in self.handlers if h.name != name]

    def new_id(self) -> str:
        return f"id{len(self.sent)}"

    def Iq(self, xml: ET.Element) -> Outgoing:
        return Outgoing(self, xml)

    def Message(self, xml: ET.Element) -> Outgoing:
        return Outgoing(self, xml)

    def receive(self, text: str) -> None:
        stanza = SimpleNamespace(xml=ET.fromstring(text))
        for handler in self.handlers:
            if handler._matcher.match(stanza):
                handler.run(stanza)


@pytest.fixture
def wired() -> tuple[StubStream, list[Event], dict[str, stanzas.KnownSession]]:
    stream = StubStream()
    events: list[Event] = []
    sessions: dict[str, stanzas.KnownSession] = {}

    def live() -> Mapping[str, stanzas.KnownSession]:
        return sessions

    link = JingleLink(stream, ACCOUNT, lambda: ME, events.append, live)
    link.register()
    stream.link = link  # type: ignore[attr-defined]
    return stream, events, sessions


def terminate(sender: Jid = ROMEO, sid: str = SID) -> str:
    return (
        f"<iq xmlns='jabber:client' type='set' id='t1' from='{sender}' to='{ME}'>"
        f"<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='{sid}'>"
        "<reason><busy/></reason></jingle></iq>"
    )


def test_an_initiate_is_acknowledged_and_published(wired: Any) -> None:
    stream, events, _ = wired
    stream.receive(samples.CONVERSATIONS_INITIATE)
    (reply,) = stream.sent
    assert (reply.get("type"), reply.get("id"), reply.get("to")) == ("result", "cv1", str(ROMEO))
    (event,) = events
    assert isinstance(event, JingleRequestReceived)
    assert event.request.action is JingleAction.SESSION_INITIATE


def test_a_terminate_from_the_peer_is_published(wired: Any) -> None:
    stream, events, sessions = wired
    sessions[SID] = stanzas.KnownSession(SID, ROMEO, we_initiated=True)
    stream.receive(terminate())
    assert stream.sent[0].get("type") == "result"
    assert events[0].request.reason is TerminateReason.BUSY


def test_a_stranger_gets_unknown_session_and_nothing_is_published(wired: Any) -> None:
    stream, events, sessions = wired
    sessions[SID] = stanzas.KnownSession(SID, ROMEO, we_initiated=True)
    stream.receive(terminate(Jid.parse("tybalt@capulet.example/x")))
    (reply,) = stream.sent
    assert reply.get("type") == "error"
    assert reply.find(f"*/{{{stanzas.ERRORS}}}unknown-session") is not None
    (event,) = events
    assert isinstance(event, StanzaRejected)
    assert "item-not-found" in event.why


def test_garbage_gets_bad_request(wired: Any) -> None:
    stream, events, _ = wired
    stream.receive(
        f"<iq xmlns='jabber:client' type='set' id='g1' from='{ROMEO}'>"
        "<jingle xmlns='urn:xmpp:jingle:1' action='session-dance' sid='x'/></iq>"
    )
    (reply,) = stream.sent
    assert reply.get("type") == "error"
    assert reply.find(f"*/{{{stanzas.STANZAS}}}bad-request") is not None
    assert isinstance(events[0], StanzaRejected)


def test_replies_to_our_requests_are_left_alone(wired: Any) -> None:
    stream, events, _ = wired
    stream.receive(
        f"<iq xmlns='jabber:client' type='error' id='x' from='{ROMEO}'>"
        f"<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='{SID}'/></iq>"
    )
    assert (stream.sent, events) == ([], [])


def test_unregister_stops_answering(wired: Any) -> None:
    stream, _, _ = wired
    stream.link.unregister()
    stream.receive(samples.CONVERSATIONS_INITIATE)
    assert stream.sent == []


def test_call_messages_are_taken_and_published(wired: Any) -> None:
    stream, events, _ = wired
    phone = ME.bare.with_resource("phone")
    proceed = (
        f"<message xmlns='jabber:client' from='{ME.bare}' to='{ME}'>"
        "<sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>"
        f"<message xmlns='jabber:client' from='{phone}' to='{ROMEO}' type='chat'>"
        "<proceed xmlns='urn:xmpp:jingle-message:0' id='c1'/>"
        "</message></forwarded></sent></message>"
    )
    assert stream.link.on_message(ET.fromstring(proceed))
    (event,) = events
    assert isinstance(event, CallMessageReceived)
    assert (event.message.kind, event.elsewhere) == (JmiKind.PROCEED, JmiKind.PROCEED)
    chat = f"<message xmlns='jabber:client' from='{ROMEO}'><body>hi</body></message>"
    assert not stream.link.on_message(ET.fromstring(chat))
    forged = proceed.replace(f"from='{ME.bare}' to='{ME}'", f"from='{ROMEO}' to='{ME}'")
    assert stream.link.on_message(ET.fromstring(forged))
    assert isinstance(events[-1], StanzaRejected)


async def test_sending_a_request_and_a_message(wired: Any) -> None:
    stream, _, _ = wired
    await stream.link.send_jingle(
        ROMEO, stanzas.session_terminate(SID, ME, TerminateReason.SUCCESS)
    )
    assert stream.sent[0].get("type") == "set"
    stream.link.send_message(jmi.jmi_message(ROMEO, JmiKind.RETRACT, "c1"))
    assert stream.sent[1].find("{urn:xmpp:jingle-message:0}retract") is not None


async def test_a_refused_or_unanswered_request_raises(wired: Any) -> None:
    from slixmpp.exceptions import IqTimeout

    stream, _, _ = wired
    stream.answer = cast(Any, IqTimeout)(None)
    with pytest.raises(JingleIqFailed) as caught:
        await stream.link.send_jingle(
            ROMEO, stanzas.session_terminate(SID, ME, TerminateReason.GONE)
        )
    assert caught.value.condition == "timeout"
