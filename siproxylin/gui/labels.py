"""Words and marks shown for domain states: account state, proxy, presence, delivery, times.

Pure functions over ``siproxylin.domain`` values; no Qt. Models return plain data
and views call these to turn it into text.
"""

from __future__ import annotations

from collections.abc import Sequence
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
# quadrant is there and sits on the text baseline like the check marks. One check:
# our server has it; two: the recipient's client has it (shown in the accent
# colour once it was seen, see ``delivery_seen``).
_DELIVERY_MARK = {
    DeliveryState.PENDING: "◷",
    DeliveryState.SENT: "✓",
    DeliveryState.ACKED: "✓",
    DeliveryState.DELIVERED: "✓✓",
    DeliveryState.DISPLAYED: "✓✓",
    DeliveryState.FAILED: "✗",
    DeliveryState.RECEIVED: "",
}

_DELIVERY_TEXT = {
    DeliveryState.PENDING: "waiting to be sent",
    DeliveryState.SENT: "sent",
    DeliveryState.ACKED: "received by the server",
    DeliveryState.DELIVERED: "delivered",
    DeliveryState.DISPLAYED: "seen",
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


def delivery_seen(state: DeliveryState) -> bool:
    """True when the recipient has seen the message (its mark shows in the accent colour)."""
    return state is DeliveryState.DISPLAYED


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


def day_label(timestamp: float, now: float | None = None) -> str:
    """The separator above a day's first message: "Today", "Yesterday", or the date."""
    day = _local(timestamp).date()
    today = _local(now if now is not None else datetime.now(tz=UTC).timestamp()).date()
    delta = (today - day).days
    if delta == 0:
        return "Today"
    if delta == 1:
        return "Yesterday"
    if 1 < delta < 7:
        return day.strftime("%A")
    return day.strftime("%A, %d %B %Y")


def same_day(first: float, second: float) -> bool:
    """True when two times fall on the same local day."""
    return _local(first).date() == _local(second).date()


def full_time(timestamp: float) -> str:
    """Date and time with seconds, for tooltips."""
    return _local(timestamp).strftime("%Y-%m-%d %H:%M:%S")


RETRACTED = "This message was retracted"
_EXCERPT = 90  # characters of a quoted message shown above a reply


UNDECRYPTABLE = "This encrypted message could not be decrypted."
NOT_ENCRYPTED = "not encrypted"


def undecryptable_text(notice: str) -> str:
    """What a message that could not be decrypted shows: the core's notice, or a default."""
    return notice.strip() or UNDECRYPTABLE


def retracted_text(moderated_by: str = "") -> str:
    """What a retracted message shows instead of its body."""
    return f"{RETRACTED} by {moderated_by}" if moderated_by else RETRACTED


def action_text(body: str, nick: str) -> str:
    """A ``/me`` message as "* nick does something"."""
    return f"* {nick} {body.removeprefix('/me ')}"


def thread_tag(thread: str) -> str:
    """A short tag for a conversation thread: "thread 1a2b"."""
    short = "".join(char for char in thread if char.isalnum())[:4].lower()
    return f"thread {short or '?'}"


def excerpt(body: str, limit: int = _EXCERPT) -> str:
    """The start of ``body`` on one line, cut at ``limit`` characters with an ellipsis."""
    text = " ".join(body.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quote_text(body: str, author: str, limit: int = _EXCERPT) -> str:
    """A message as quoted above a reply: "Bob: excerpt", or "* Bob waves" for ``/me``.

    The quoted message's own quotes (lines starting with ">") are older context
    and left out, unless there is nothing else.
    """
    if body.startswith("/me "):
        return excerpt(action_text(body, author), limit)
    own = [line for line in body.splitlines() if not line.startswith(">")]
    text = excerpt("\n".join(own) if any(own) else body, limit)
    return f"{author}: {text}" if author else text


def typing_text(names: Sequence[str]) -> str:
    """ "Bob is typing…", "Bob and Alice are typing…", "4 people are typing…"; "" for none."""
    if not names:
        return ""
    if len(names) == 1:
        return f"{names[0]} is typing…"
    if len(names) <= 3:
        return f"{', '.join(names[:-1])} and {names[-1]} are typing…"
    return f"{len(names)} people are typing…"


def reaction_tooltip(emoji: str, senders: Sequence[str]) -> str:
    """Who reacted with ``emoji``: "👍 Bob, Alice"."""
    return f"{emoji} {', '.join(senders)}"
