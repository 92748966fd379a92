"""The Jingle link on a real slixmpp stream over slixmpp's mock socket (no server)."""

from __future__ import annotations

from slixmpp.test import SlixTest

from siproxylin.domain.call_signals import JingleAction
from siproxylin.domain.calls import TerminateReason
from siproxylin.domain.events import Event, JingleRequestReceived, StanzaRejected
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.xmpp.jingle import stanzas
from siproxylin.xmpp.jingle.link import JingleLink
from tests.unit.xmpp import jingle_samples as samples

ME = "juliet@capulet.example/sip1"
ROMEO = "romeo@montague.example/Conversations.Xu3q"


class TestJingleLinkOnAStream(SlixTest):
    def setUp(self) -> None:
        self.stream_start(mode="client", jid=ME)
        self.events: list[Event] = []
        self.sessions: dict[str, stanzas.KnownSession] = {}
        self.link = JingleLink(
            self.xmpp,
            AccountId(1),
            lambda: Jid.parse(ME),
            self.events.append,
            lambda: self.sessions,
        )
        self.link.register()

    def tearDown(self) -> None:
        self.stream_close()

    def test_an_initiate_is_acknowledged(self) -> None:
        self.recv(samples.CONVERSATIONS_INITIATE)
        self.send(f"<iq type='result' id='cv1' to='{ROMEO}'/>")
        (event,) = self.events
        assert isinstance(event, JingleRequestReceived)
        assert event.request.action is JingleAction.SESSION_INITIATE

    def test_an_unknown_session_is_refused(self) -> None:
        self.recv(
            f"<iq type='set' id='t9' from='{ROMEO}' to='{ME}'>"
            "<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='nope'>"
            "<reason><success/></reason></jingle></iq>"
        )
        self.send(
            f"<iq type='error' id='t9' to='{ROMEO}'><error type='cancel'>"
            "<item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
            "<unknown-session xmlns='urn:xmpp:jingle:errors:1'/></error></iq>",
            use_values=False,  # slixmpp has no stanza class for the Jingle error condition
        )
        assert isinstance(self.events[0], StanzaRejected)

    def test_a_terminate_goes_out_with_its_reason(self) -> None:
        jingle = stanzas.session_terminate("s1", Jid.parse(ME), TerminateReason.DECLINE)
        task = self.xmpp.loop.create_task(self.link.send_jingle(Jid.parse(ROMEO), jingle))
        self.wait_()
        self.send(
            f"<iq type='set' to='{ROMEO}' id='1'>"
            f"<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='s1'"
            f" initiator='{ME}'><reason><decline/></reason></jingle></iq>",
            use_values=False,
        )
        self.recv(f"<iq type='result' id='1' from='{ROMEO}' to='{ME}'/>")
        self.wait_()
        assert task.done()
        assert task.exception() is None
