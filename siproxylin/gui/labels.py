"""Words and marks shown for domain states: account state, proxy, presence, delivery, times.

Pure functions over ``siproxylin.domain`` values; no Qt. Models return plain data
and views call these to turn it into text.
"""

from __future__ import annotations

from datetime import UTC, datetime

from siproxylin.domain.config import ProxyConfig, ProxyKind
from siproxylin.domain.errors import FailureReason
from siproxylin.domain.ids import Jid
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


# Words in the core's proxy failure texts (net.proxy) that say it was not the
# proxy's address that failed; any other proxy failure reads "proxy unreachable".
_PROXY_FAILURE_TEXT = (("could not reach", "proxy could not reach the server"),)
PROXY_REFUSED_LOGIN = "proxy refused the login"
PROXY_UNREACHABLE = "proxy unreachable"


def account_state_text(status: AccountStatus) -> str:
    """Short state text: "connecting…", "online", "reconnecting, next try at …", "error: …".

    A proxy failure reads "proxy unreachable" (or what else the proxy did wrong)
    instead of the core's long detail; ``account_state_detail`` gives that detail.
    """
    state = status.state
    if state is ConnectionState.ONLINE:
        return "online"
    if state is ConnectionState.CONNECTING:
        return "connecting…"
    proxy = _proxy_failure(status)
    if state is ConnectionState.RECONNECTING:
        what = proxy or "reconnecting"
        if status.retry_at:
            # An absolute time stays true while the label sits unchanged on screen.
            at = datetime.fromtimestamp(status.retry_at).astimezone().strftime("%H:%M:%S")
            return f"{what}, next try at {at}"
        return f"{what}, retrying…" if proxy else "reconnecting…"
    if state is ConnectionState.FAILED:
        reason = status.reason.value if status.reason is not None else "unknown"
        return f"error: {proxy or status.detail or reason}"
    return "disabled"


def account_state_detail(status: AccountStatus) -> str:
    """The core's explanation of a failure when the short state text leaves it out."""
    if status.state not in (ConnectionState.RECONNECTING, ConnectionState.FAILED):
        return ""
    if status.state is ConnectionState.FAILED and not _proxy_failure(status):
        return ""  # the short text already is the detail
    return status.detail


def proxy_text(proxy: ProxyConfig) -> str:
    """How an account connects: "via SOCKS5 127.0.0.1:9050 (isolated circuits)", "direct…"."""
    if not proxy.enabled:
        return "direct connection (no proxy)"
    text = f"via {proxy.label}"
    if proxy.kind is ProxyKind.SOCKS5 and proxy.isolate and not proxy.username:
        text += " (isolated circuits)"
    return text


def account_summary(jid: Jid, status: AccountStatus, proxy: ProxyConfig) -> str:
    """One line for the status bar: address, state, failure detail, and the proxy."""
    parts = [f"{jid}: {account_state_text(status)}"]
    detail = account_state_detail(status)
    if detail:
        parts.append(detail)
    if not (detail and proxy.enabled and f"{proxy.host}:{proxy.port}" in detail):
        parts.append(proxy_text(proxy))  # unless the detail already names the proxy
    return " — ".join(parts)


def _proxy_failure(status: AccountStatus) -> str:
    if status.reason is FailureReason.PROXY_AUTH:
        return PROXY_REFUSED_LOGIN
    if status.reason is not FailureReason.PROXY:
        return ""
    lowered = status.detail.lower()
    for words, text in _PROXY_FAILURE_TEXT:
        if words in lowered:
            return text
    return PROXY_UNREACHABLE


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
