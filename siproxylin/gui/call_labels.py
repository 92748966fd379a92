"""Calls in words: state lines, durations, history lines, the relay-only verdict.

Pure functions over the ``domain.call_info`` values, shared by the call window,
the ringing dialog, the header's call button and the call menu. No Qt: nothing
here draws, so every text is tested without widgets.
"""

from __future__ import annotations

from siproxylin.domain.call_info import (
    AdvertisedCandidate,
    CallDetails,
    CallDirection,
    CallInfo,
    CallRecord,
    CallState,
)
from siproxylin.gui.labels import message_time

CALLING = "Calling…"
RINGING = "Ringing…"
INCOMING = "Incoming call…"
CONNECTING = "Connecting…"
ENDED = "Call ended"
RELAYS_ONLY = "Only relays were used: your address was not given to the peer."
NOT_RELAYED = "Warning: this call is not relay-only; the peer may see your address."
NOT_CONNECTED = "No connection chosen yet."

_WAITING = (CallState.PROPOSED, CallState.RINGING)


def needs_answer(call: CallInfo) -> bool:
    """True for an incoming call that rings here (not yet taken, declined or ended)."""
    return call.direction is CallDirection.INCOMING and call.state in _WAITING


def duration_text(seconds: float) -> str:
    """``m:ss`` (``h:mm:ss`` from an hour on)."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def clock_text(seconds: float) -> str:
    """``mm:ss`` for the running call (``h:mm:ss`` from an hour on)."""
    text = duration_text(seconds)
    return text if text.count(":") > 1 else text.zfill(5)


def state_text(call: CallInfo, now: float) -> str:
    """What the call window says under the peer's name, at time ``now``."""
    state = call.state
    if state is CallState.ENDED:
        return call.end_text or ENDED
    if state is CallState.ACTIVE:
        return clock_text(now - call.connected) if call.connected else "00:00"
    if state in _WAITING:
        if call.direction is CallDirection.INCOMING:
            return INCOMING
        return CALLING if state is CallState.PROPOSED else RINGING
    return CONNECTING


def record_of(call: CallInfo) -> CallRecord:
    """The history entry an ended call makes (id 0: not stored yet)."""
    return CallRecord(
        id=0,
        account=call.account,
        peer=call.peer.bare,
        call_id=call.call_id,
        direction=call.direction,
        started=call.started,
        duration=call.duration,
        missed=call.missed,
        end_text=call.end_text,
    )


def history_line(record: CallRecord, now: float | None = None) -> str:
    """ "Missed call · 14:02", "Call · 2:13", "Outgoing call, no answer · 09:30"…"""
    when = message_time(record.started, now)
    if record.missed:
        return f"Missed call · {when}"
    if record.duration > 0:
        arrow = "Outgoing call" if record.direction is CallDirection.OUTGOING else "Call"
        return f"{arrow} · {duration_text(record.duration)} · {when}"
    if record.direction is CallDirection.OUTGOING:
        return f"Outgoing call, not answered · {when}"
    return f"Declined call · {when}"


def candidate_line(candidate: AdvertisedCandidate) -> str:
    """One advertised candidate: ``relay udp 203.0.113.5:3478 (via 198.51.100.2:5000)``."""
    text = f"{candidate.kind} {candidate.protocol} {candidate.address}"
    return f"{text} (via {candidate.related})" if candidate.related else text


def relays_only(details: CallDetails) -> bool:
    """True when every local candidate is a relay that names no real address of ours
    (no related address, or the 0.0.0.0 placeholder) and the chosen local side is one."""
    if not details.local or any(
        c.kind != "relay" or c.related.split(":")[0] not in ("", "0.0.0.0")  # noqa: S104
        for c in details.local
    ):
        return False
    if not details.chosen_local:
        return True  # nothing chosen yet; all we advertised is relays
    chosen = details.chosen_local
    return "relay" in chosen or any(c.address in chosen for c in details.local)


def relay_verdict(details: CallDetails) -> tuple[str, bool]:
    """The line under the candidates and whether it is good news."""
    if relays_only(details):
        return RELAYS_ONLY, True
    return NOT_RELAYED, False
