"""Words and marks shown for domain states: account state, presence, delivery, times.

Pure functions over ``siproxylin.domain`` values; no Qt. Models return plain data
and views call these to turn it into text.
"""

from __future__ import annotations

from datetime import UTC, datetime

from siproxylin.domain.models import (
    AccountStatus,
    Availability,
    ConnectionState,
    DeliveryState,
)

_AVAILABILITY_TEXT = {
    Availability.CHAT: "free for chat",
    Availability.ONLINE: "online",
    Availability.AWAY: "away",
    Availability.XA: "not available",
    Availability.DND: "do not disturb",
    Availability.OFFLINE: "offline",
}

# U+23F3 (hourglass) is missing from common text fonts such as DejaVu; the clock
# quadrant is there and sits on the text baseline like the check marks.
_DELIVERY_MARK = {
    DeliveryState.PENDING: "◷",
    DeliveryState.SENT: "✓",
    DeliveryState.ACKED: "✓✓",
    DeliveryState.FAILED: "✗",
    DeliveryState.RECEIVED: "",
}

_DELIVERY_TEXT = {
    DeliveryState.PENDING: "waiting to be sent",
    DeliveryState.SENT: "sent",
    DeliveryState.ACKED: "received by the server",
    DeliveryState.FAILED: "could not be delivered",
    DeliveryState.RECEIVED: "received",
}


def account_state_text(status: AccountStatus) -> str:
    """Short state text: "connecting…", "online", "reconnecting, next try at …", "error: …"."""
    state = status.state
    if state is ConnectionState.ONLINE:
        return "online"
    if state is ConnectionState.CONNECTING:
        return "connecting…"
    if state is ConnectionState.RECONNECTING:
        if status.retry_at:
            # An absolute time stays true while the label sits unchanged on screen.
            at = datetime.fromtimestamp(status.retry_at).astimezone().strftime("%H:%M:%S")
            return f"reconnecting, next try at {at}"
        return "reconnecting…"
    if state is ConnectionState.FAILED:
        reason = status.reason.value if status.reason is not None else "unknown"
        return f"error: {status.detail or reason}"
    return "disabled"


def availability_text(availability: Availability) -> str:
    """Presence in words ("online", "away", "do not disturb"...)."""
    return _AVAILABILITY_TEXT[availability]


def delivery_mark(state: DeliveryState) -> str:
    """A short mark for an outgoing message's state; empty for incoming ones."""
    return _DELIVERY_MARK[state]


def delivery_text(state: DeliveryState) -> str:
    """The delivery state in words, for tooltips."""
    return _DELIVERY_TEXT[state]


def _local(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC).astimezone()


def message_time(timestamp: float, now: float | None = None) -> str:
    """ "14:05" for today, "2024-03-01 14:05" for an older (or future) day."""
    when = _local(timestamp)
    today = _local(now if now is not None else datetime.now(tz=UTC).timestamp())
    if when.date() == today.date():
        return when.strftime("%H:%M")
    return when.strftime("%Y-%m-%d %H:%M")


def full_time(timestamp: float) -> str:
    """Date and time with seconds, for tooltips."""
    return _local(timestamp).strftime("%Y-%m-%d %H:%M:%S")
