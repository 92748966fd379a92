"""Who wrote a stored message, and whether a later stanza comes from the same author.

Corrections (XEP-0308) and retractions (XEP-0424) are accepted only from the
original author; this module owns that rule. In a 1:1 chat the conversation
already fixes the other party, so only the direction must match. In a room the
XEP-0421 occupant id decides when both messages carry one (nicks can be
reused by someone else); otherwise the nick must match. Imports ``domain`` only.
"""

from __future__ import annotations

from siproxylin.domain.ids import Jid
from siproxylin.domain.models import ChatKind, ChatMessage, Direction


def conversation_of(kind: ChatKind, sender: Jid, recipient: Jid, outgoing: bool) -> Jid:
    """The address naming the conversation a stanza belongs to.

    Rooms are named by their bare address, private messages with an occupant by
    the occupant's full address, 1:1 chats by the other party's bare address.
    """
    if kind is ChatKind.GROUPCHAT:
        return sender.bare
    other = recipient if outgoing else sender
    return other if kind is ChatKind.GROUPCHAT_PM else other.bare


def conversation_jid(message: ChatMessage) -> Jid:
    """The address naming a stored message's conversation."""
    return message.peer if message.kind is ChatKind.GROUPCHAT_PM else message.peer.bare


def same_author(target: ChatMessage, sender: Jid, occupant_id: str, outgoing: bool) -> bool:
    """True when the stanza from ``sender`` comes from whoever wrote ``target``.

    Args:
        target: The stored message the stanza refers to.
        sender: Full address of the stanza's author (``room/nick`` in rooms).
        occupant_id: The stanza's XEP-0421 occupant id, if the room stamped one.
        outgoing: The stanza is ours (a carbon, or our reflection in a room).
    """
    expected = Direction.OUTGOING if outgoing else Direction.INCOMING
    if target.direction is not expected:
        return False
    if target.kind is not ChatKind.GROUPCHAT or outgoing:
        return True
    if target.occupant_id and occupant_id:
        return target.occupant_id == occupant_id
    return target.resource == sender.resource
