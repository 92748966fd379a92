"""Parsing of XEP-0082 date-time stamps (as used by XEP-0203 delays) into UTC seconds."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_stamp(stamp: str | None) -> float | None:
    """Return UTC seconds for an XEP-0082 ``stamp``, or None when it is not valid.

    Args:
        stamp: For example ``2002-09-10T23:08:25Z`` or ``...25.123+02:00``.

    Returns:
        Seconds since the epoch, or None for a missing or malformed stamp.
    """
    if not stamp or len(stamp) > 64:
        return None
    text = stamp.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # XEP-0082 says UTC when unspecified
    return moment.timestamp()
