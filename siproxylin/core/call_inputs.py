"""Which call machine input a received Jingle request or call message is.

Pure (imports ``domain`` and ``core.calls_state`` only). The adapter publishes
``JingleRequest`` and ``JmiMessage`` values; these functions say what each
means to one call's ``CallMachine``, or None when it means nothing to the
machine (a transport-info is media's business, a mute is shown by the GUI, a
propose starts a new call, a message about another call or from someone who
is neither the peer nor one of our devices is ignored).
"""

from __future__ import annotations

from collections.abc import Callable

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
from siproxylin.domain.calls import TerminateReason
from siproxylin.domain.ids import Jid


def input_for_request(request: JingleRequest) -> CallInput | None:
    """The machine input for a Jingle request already checked against the session.

    Args:
        request: The request (``check_request`` let it through).

    Returns:
        The input, or None when the machine has nothing to do with it.
    """
    action = request.action
    if action is JingleAction.SESSION_INITIATE:
        return PeerInitiated()
    if action is JingleAction.SESSION_ACCEPT:
        return PeerAccepted()
    if action is JingleAction.SESSION_TERMINATE:
        return PeerTerminated(request.reason or TerminateReason.SUCCESS)
    if action is JingleAction.SESSION_INFO and request.info is SessionInfo.RINGING:
        return PeerRinging()
    return None


def input_for_message(
    message: JmiMessage, call_id: str, peer: Jid, elsewhere: JmiKind | None
) -> CallInput | None:
    """The machine input for a call message about the call ``call_id`` with ``peer``.

    Args:
        message: The message as read.
        call_id: The call's id (the proposal id and Jingle session id).
        peer: The other party (bare, or the full address that proceeded).
        elsewhere: What ``answered_elsewhere`` said about it.

    Returns:
        The input, or None when it is not about this call or not from its parties.
    """
    if message.call_id != call_id:
        return None
    if elsewhere is not None:
        return AnsweredElsewhere(accepted=elsewhere is JmiKind.PROCEED)
    if message.sender.bare != peer.bare:
        return None
    make = _FROM_PEER.get(message.kind)
    return None if make is None else make(message)


_FROM_PEER: dict[JmiKind, Callable[[JmiMessage], CallInput]] = {
    JmiKind.RINGING: lambda _m: PeerRinging(),
    JmiKind.PROCEED: lambda _m: PeerProceeded(),
    JmiKind.ACCEPT: lambda _m: PeerProceeded(),
    JmiKind.REJECT: lambda m: PeerRejected(m.reason or TerminateReason.DECLINE),
    JmiKind.RETRACT: lambda m: PeerRetracted(m.reason or TerminateReason.CANCEL),
    JmiKind.FINISH: lambda m: PeerTerminated(m.reason or TerminateReason.SUCCESS),
}
