"""What we may do to an occupant of a room, by XEP-0045's role and affiliation rules.

Pure functions over ``domain`` values, used to offer only the commands the room
would accept (the room still decides: a refusal is shown as any other error).

* moderators kick, and give or take voice, from occupants who are neither admin
  nor owner;
* admins and owners ban (when the occupant's real address is known) and make
  moderators, of users whose affiliation is below theirs;
* moderators change the subject and remove messages (XEP-0425).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from siproxylin.domain.models import Affiliation, Occupant, Role

_RANK = {
    Affiliation.OUTCAST: 0,
    Affiliation.NONE: 1,
    Affiliation.MEMBER: 2,
    Affiliation.ADMIN: 3,
    Affiliation.OWNER: 4,
}


class OccupantAction(enum.Enum):
    """Commands on another occupant."""

    KICK = "kick"
    BAN = "ban"
    GRANT_VOICE = "grant-voice"
    REVOKE_VOICE = "revoke-voice"
    GRANT_MODERATOR = "grant-moderator"
    REVOKE_MODERATOR = "revoke-moderator"


@dataclass(frozen=True, slots=True)
class Rights:
    """What the own occupant may do in a room in general."""

    moderator: bool = False
    admin: bool = False

    @property
    def change_subject(self) -> bool:
        """Rooms let moderators set the subject (the default configuration)."""
        return self.moderator

    @property
    def moderate_messages(self) -> bool:
        """Remove other people's messages (XEP-0425)."""
        return self.moderator


def rights_of(own: Occupant | None) -> Rights:
    """The general rights of our own occupant (none when we are not in the room)."""
    if own is None:
        return Rights()
    admin = own.affiliation in (Affiliation.ADMIN, Affiliation.OWNER)
    return Rights(moderator=own.role is Role.MODERATOR, admin=admin)


def allowed_actions(own: Occupant | None, target: Occupant) -> list[OccupantAction]:
    """The commands ``own`` may give about ``target``, in menu order."""
    if own is None or target.own or target.nick == own.nick:
        return []
    actions: list[OccupantAction] = []
    ours, theirs = _RANK[own.affiliation], _RANK[target.affiliation]
    protected = target.affiliation in (Affiliation.ADMIN, Affiliation.OWNER)
    if own.role is Role.MODERATOR and not protected:
        if target.role is Role.VISITOR:
            actions.append(OccupantAction.GRANT_VOICE)
        elif target.role is Role.PARTICIPANT:
            actions.append(OccupantAction.REVOKE_VOICE)
    admin = own.affiliation in (Affiliation.ADMIN, Affiliation.OWNER)
    if admin and theirs < ours:
        if target.role is Role.MODERATOR:
            actions.append(OccupantAction.REVOKE_MODERATOR)
        else:
            actions.append(OccupantAction.GRANT_MODERATOR)
    if own.role is Role.MODERATOR and not protected:
        actions.append(OccupantAction.KICK)
    if admin and theirs < ours and target.real_jid is not None:
        actions.append(OccupantAction.BAN)
    return actions
