"""The words of a notification: title and body for a privacy level, nothing more.

Pure functions. The one rule owned here: a notification never carries more than
its level allows. FULL shows the sender and an excerpt of the text; SENDER only
who wrote (and in which room); ANONYMOUS neither. A shared file shows as "File"
rather than its address (an encrypted file's address holds its key), and the
excerpt is cut at ``MAX_TEXT`` characters. Imports ``domain`` only.
"""

from __future__ import annotations

from typing import NamedTuple

from siproxylin.domain.notifications import NotifyLevel

MAX_TEXT = 200
FILE_TEXT = "File"


class Content(NamedTuple):
    """What a notification says.

    Attributes:
        title: The summary line.
        body: The text ("" when the level hides it).
    """

    title: str
    body: str


def content(
    level: NotifyLevel,
    count: int,
    sender: str,
    room: str = "",
    text: str = "",
) -> Content:
    """The title and body of a notification.

    Args:
        level: How much may be shown.
        count: Messages it stands for (a burst is one notification).
        sender: Who wrote the newest one (a name, an address or a nick); ""
            for a burst from several people in a room.
        room: The room's name for a group chat message or a private message
            from a room occupant; "" for a 1:1 chat.
        text: The newest message's text (``excerpt`` of it).

    Returns:
        Title and body; only FULL has a body.
    """
    many = count > 1
    if level is NotifyLevel.ANONYMOUS:
        return Content(f"{count} new messages" if many else "New message", "")
    if not sender:  # several authors in a room
        if level is NotifyLevel.SENDER:
            return Content(f"{count} new messages in {room}", "")
        return Content(room, f"{count} new messages\n{text}" if many else text)
    who = f"{sender} in {room}" if room else sender
    if level is NotifyLevel.SENDER:
        if not many:
            return Content(f"Message from {who}", "")
        return Content(f"{count} new messages from {who}", "")
    body = f"{count} new messages\n{text}" if many else text
    return Content(who, body)


def excerpt(body: str, attachment: str = "") -> str:
    """The text a FULL notification shows for a message."""
    if attachment:
        return FILE_TEXT
    text = body.strip()
    if len(text) <= MAX_TEXT:
        return text
    return text[: MAX_TEXT - 1].rstrip() + "…"
