"""Received call signals mapped to call machine inputs."""

from __future__ import annotations

import pytest

from siproxylin.core.call_inputs import input_for_message, input_for_request
from siproxylin.core.calls_state import (
    AnsweredElsewhere,
    CallInput,
    PeerAccepted,
    PeerInitiated,
    PeerProceeded,
    PeerRejected,
    PeerRetracted,
    PeerRinging,
    PeerTerminated,
)
from siproxylin.domain.call_signals import (
    JingleAction,
    JingleRequest,
    JmiKind,
    JmiMessage,
    SessionInfo,
)
from siproxylin.domain.calls import TerminateReason as R
from siproxylin.domain.ids import Jid

PEER = Jid.parse("romeo@montague.example/phone")
CALL = "c1"


def request(action: JingleAction, **kw: object) -> JingleRequest:
    return JingleRequest(PEER, "i1", action, CALL, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("req", "expected"),
    [
        (request(JingleAction.SESSION_INITIATE), PeerInitiated()),
        (request(JingleAction.SESSION_ACCEPT), PeerAccepted()),
        (request(JingleAction.SESSION_TERMINATE, reason=R.BUSY), PeerTerminated(R.BUSY)),
        (request(JingleAction.SESSION_TERMINATE), PeerTerminated(R.SUCCESS)),
        (request(JingleAction.SESSION_INFO, info=SessionInfo.RINGING), PeerRinging()),
        (request(JingleAction.SESSION_INFO, info=SessionInfo.MUTE), None),
        (request(JingleAction.TRANSPORT_INFO), None),
    ],
)
def test_requests(req: JingleRequest, expected: CallInput | None) -> None:
    assert input_for_request(req) == expected


def message(kind: JmiKind, reason: R | None = None, sender: Jid = PEER) -> JmiMessage:
    return JmiMessage(kind, CALL, sender, reason=reason)


@pytest.mark.parametrize(
    ("msg", "expected"),
    [
        (message(JmiKind.RINGING), PeerRinging()),
        (message(JmiKind.PROCEED), PeerProceeded()),
        (message(JmiKind.ACCEPT), PeerProceeded()),
        (message(JmiKind.REJECT), PeerRejected(R.DECLINE)),
        (message(JmiKind.REJECT, R.BUSY), PeerRejected(R.BUSY)),
        (message(JmiKind.RETRACT), PeerRetracted(R.CANCEL)),
        (message(JmiKind.RETRACT, R.TIMEOUT), PeerRetracted(R.TIMEOUT)),
        (message(JmiKind.FINISH), PeerTerminated(R.SUCCESS)),
        (message(JmiKind.FINISH, R.CONNECTIVITY_ERROR), PeerTerminated(R.CONNECTIVITY_ERROR)),
        (message(JmiKind.PROPOSE), None),
        (message(JmiKind.PROCEED, sender=Jid.parse("tybalt@capulet.example/x")), None),
    ],
)
def test_messages_from_the_peer(msg: JmiMessage, expected: CallInput | None) -> None:
    assert input_for_message(msg, CALL, PEER.bare, None) == expected


def test_other_calls_are_ignored_and_our_devices_answers_count() -> None:
    assert input_for_message(message(JmiKind.PROCEED), "other", PEER, None) is None
    mine = Jid.parse("juliet@capulet.example/laptop")
    taken = message(JmiKind.PROCEED, sender=mine)
    assert input_for_message(taken, CALL, PEER, JmiKind.PROCEED) == AnsweredElsewhere(True)
    declined = message(JmiKind.REJECT, sender=mine)
    assert input_for_message(declined, CALL, PEER, JmiKind.REJECT) == AnsweredElsewhere(False)
