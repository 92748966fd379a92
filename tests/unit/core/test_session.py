"""AccountSession's state machine with a scripted XMPP session."""

from __future__ import annotations

import asyncio
import random

from siproxylin.core.backoff import Backoff
from siproxylin.core.bus import EventBus
from siproxylin.core.session import AccountSession
from siproxylin.domain.config import AccountConfig
from siproxylin.domain.errors import FailureReason
from siproxylin.domain.events import AccountStateChanged, SessionEnded, SessionStarted
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    Availability,
    ChatKind,
    ChatState,
    ConnectionState,
    OmemoDevice,
    OutgoingMessage,
    TrustLevel,
)

ACCOUNT = AccountId(7)
CONFIG = AccountConfig(id=ACCOUNT, jid=Jid.parse("me@example.org"))


class ScriptedXmpp:
    """Counts connect attempts; the test publishes what the server 'did'."""

    def __init__(self) -> None:
        self.connects = 0
        self.disconnects = 0

    @property
    def online(self) -> bool:
        return False

    async def connect(self) -> None:
        self.connects += 1

    async def disconnect(self) -> None:
        self.disconnects += 1

    def send_message(self, message: OutgoingMessage) -> None: ...
    def send_reactions(
        self, to: Jid, kind: ChatKind, target_id: str, emojis: tuple[str, ...]
    ) -> None: ...
    def send_retraction(self, to: Jid, kind: ChatKind, target_id: str, origin_id: str) -> None: ...
    def send_marker(self, to: Jid, kind: ChatKind, target_id: str, thread: str = "") -> None: ...
    def send_receipt(self, to: Jid, message_id: str) -> None: ...
    def publish_displayed(self, peer: Jid, stanza_id: str, by: Jid) -> None: ...
    def send_chat_state(self, to: Jid, kind: ChatKind, state: ChatState) -> None: ...
    def set_blocked(self, jids: tuple[Jid, ...], blocked: bool) -> None: ...
    def add_contact(self, jid: Jid, name: str) -> None: ...
    def remove_contact(self, jid: Jid) -> None: ...
    def answer_subscription(self, jid: Jid, allow: bool) -> None: ...
    def set_presence(self, availability: Availability, status: str) -> None: ...
    async def omemo_devices(self, jid: Jid) -> list[OmemoDevice]:
        return []

    async def set_device_trust(self, jid: Jid, device_id: int, trust: TrustLevel) -> None: ...
    async def remove_own_device(self, device_id: int) -> None: ...
    def own_fingerprint(self) -> str:
        return ""

    async def can_encrypt(self, jid: Jid) -> bool:
        return False


def make(
    password: str | None = "pw", base: float = 0.01
) -> tuple[AccountSession, ScriptedXmpp, list[AccountStateChanged]]:
    bus = EventBus()
    xmpp = ScriptedXmpp()
    states: list[AccountStateChanged] = []
    bus.subscribe(AccountStateChanged, states.append)
    session = AccountSession(CONFIG, password, lambda _c, _p, _b: xmpp, bus, Backoff(base=base))
    bus.subscribe(SessionStarted, session.on_session_started)
    bus.subscribe(SessionEnded, session.on_session_ended)
    return session, xmpp, states


async def test_connecting_then_online() -> None:
    session, xmpp, states = make()
    await session.enable()
    assert xmpp.connects == 1
    session.on_session_started(SessionStarted(ACCOUNT, Jid.parse("me@example.org/r")))
    assert [s.status.state for s in states] == [ConnectionState.CONNECTING, ConnectionState.ONLINE]
    assert session.online


async def test_auth_failure_stops_without_retry() -> None:
    session, xmpp, states = make()
    await session.enable()
    session.on_session_ended(SessionEnded(ACCOUNT, FailureReason.AUTH, "bad password"))
    # the disconnect that follows the auth failure must not start a retry either
    session.on_session_ended(SessionEnded(ACCOUNT, FailureReason.NETWORK, "closed"))
    await asyncio.sleep(0.1)
    assert xmpp.connects == 1
    assert states[-1].status.state is ConnectionState.FAILED
    assert states[-1].status.reason is FailureReason.AUTH
    assert states[-1].status.detail == "bad password"


async def test_network_failure_retries_with_growing_backoff() -> None:
    session, xmpp, states = make(base=0.01)
    await session.enable()
    for _ in range(3):
        before = xmpp.connects
        session.on_session_ended(SessionEnded(ACCOUNT, FailureReason.NETWORK, "refused"))
        for _ in range(100):
            if xmpp.connects > before:
                break
            await asyncio.sleep(0.01)
        assert xmpp.connects == before + 1
    delays = [s.status.retry_in for s in states if s.status.state is ConnectionState.RECONNECTING]
    assert len(delays) == 3
    assert delays[0] < delays[2]


async def test_success_resets_backoff_and_disable_cancels_retry() -> None:
    session, xmpp, states = make(base=5.0)
    await session.enable()
    session.on_session_ended(SessionEnded(ACCOUNT, FailureReason.NETWORK, "refused"))
    assert states[-1].status.state is ConnectionState.RECONNECTING
    await session.disable()
    assert states[-1].status.state is ConnectionState.DISABLED
    assert xmpp.disconnects == 1
    await asyncio.sleep(0.05)
    assert xmpp.connects == 1


async def test_missing_password_fails_with_config_reason() -> None:
    session, xmpp, states = make(password=None)
    await session.enable()
    assert xmpp.connects == 0
    assert states[-1].status.reason is FailureReason.CONFIG


def test_backoff_has_jitter_and_cap() -> None:
    backoff = Backoff(base=1.0, cap=8.0, _random=random.Random(1))
    delays = [backoff.next_delay() for _ in range(8)]
    assert all(0.5 <= d <= 8.0 for d in delays)
    assert max(delays[5:]) <= 8.0
    assert delays[0] < delays[3]
    other = Backoff(base=1.0, cap=8.0, _random=random.Random(2))
    assert [other.next_delay() for _ in range(8)] != delays
    backoff.reset()
    assert backoff.next_delay() <= 1.0
