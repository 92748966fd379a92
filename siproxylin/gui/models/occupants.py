"""OccupantListModel: the occupants of the open room, grouped by role under header rows.

Owns the rows: a header row per non-empty role group (moderators, participants,
visitors), each followed by its occupants sorted by nick. A batch of occupant
changes (``OccupantsChanged``) is applied with the fewest row signals: a complete
list is one model reset; a partial batch removes the rows that went (or changed
group), inserts the new ones in runs and emits ``dataChanged`` for the rest. A
batch that would scatter into many small runs becomes one reset instead, so a
1,000-occupant flood never costs a signal per occupant. Imports ``domain`` and Qt.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from siproxylin.domain.models import Affiliation, Occupant, Role

Index = QModelIndex | QPersistentModelIndex

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)

MAX_RUNS = 32  # a partial batch scattered into more insert/remove runs is applied as a reset

ROLE_GROUPS = (Role.MODERATOR, Role.PARTICIPANT, Role.VISITOR)
GROUP_TITLE = {
    Role.MODERATOR: "Moderators",
    Role.PARTICIPANT: "Participants",
    Role.VISITOR: "Visitors",
}
AFFILIATION_BADGE = {
    Affiliation.OWNER: "owner",
    Affiliation.ADMIN: "admin",
    Affiliation.MEMBER: "member",
}

# Sort key of a row: (group rank, 0 for the header / 1 for an occupant, folded nick, nick).
_Key = tuple[int, int, str, str]


class OccupantRole(enum.IntEnum):
    """Data roles of an occupant row."""

    OCCUPANT = int(Qt.ItemDataRole.UserRole) + 1  # Occupant, None on a header row
    HEADER = enum.auto()  # bool: a group header row
    BADGE = enum.auto()  # str: "owner", "admin", "member" or ""
    NICK = enum.auto()  # str


def _rank(role: Role) -> int:
    return ROLE_GROUPS.index(role) if role in ROLE_GROUPS else len(ROLE_GROUPS)


def _key(occupant: Occupant) -> _Key:
    return (_rank(occupant.role), 1, occupant.nick.casefold(), occupant.nick)


def _header_key(role: Role) -> _Key:
    return (_rank(role), 0, "", "")


class OccupantListModel(QAbstractListModel):
    """Header and occupant rows of one room."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._occupants: dict[str, Occupant] = {}
        self._keys: list[_Key] = []  # the rows, in order
        self._row_of: dict[_Key, int] = {}
        self.resets = 0  # model resets so far (tests read it)

    # --- queries -----------------------------------------------------------------

    def occupant(self, nick: str) -> Occupant | None:
        """The occupant called ``nick``, if present."""
        return self._occupants.get(nick)

    def occupant_at(self, row: int) -> Occupant | None:
        """The occupant of ``row``; None for a header row or out of range."""
        if not 0 <= row < len(self._keys):
            return None
        key = self._keys[row]
        return self._occupants.get(key[3]) if key[1] else None

    def row_of(self, nick: str) -> int | None:
        """The row of an occupant, if present."""
        occupant = self._occupants.get(nick)
        return self._row_of.get(_key(occupant)) if occupant is not None else None

    def count(self, role: Role | None = None) -> int:
        """How many occupants there are (with ``role``, if given)."""
        if role is None:
            return len(self._occupants)
        return sum(1 for occupant in self._occupants.values() if occupant.role is role)

    def nicks(self) -> list[str]:
        """Occupant nicks in row order."""
        return [key[3] for key in self._keys if key[1]]

    # --- changes -----------------------------------------------------------------

    def set_occupants(self, occupants: Iterable[Occupant]) -> None:
        """Replace every row (a room was opened, or a complete list arrived)."""
        self.beginResetModel()
        self._occupants = {occupant.nick: occupant for occupant in occupants}
        self._keys = self._target()
        self._row_of = {key: row for row, key in enumerate(self._keys)}
        self.resets += 1
        self.endResetModel()

    def clear(self) -> None:
        """No room open."""
        self.set_occupants(())

    def apply(
        self, present: Iterable[Occupant], left: Iterable[str] = (), complete: bool = False
    ) -> None:
        """Apply one batch: occupants who arrived or changed, nicks that left."""
        if complete:
            self.set_occupants(present)
            return
        changed: set[_Key] = set()
        for nick in left:
            self._occupants.pop(nick, None)
        for occupant in present:
            old = self._occupants.get(occupant.nick)
            if old != occupant:
                self._occupants[occupant.nick] = occupant
                changed.add(_key(occupant))
        target = self._target()
        wanted = set(target)
        removed = [row for row, key in enumerate(self._keys) if key not in wanted]
        kept = set(self._keys)
        inserted = [row for row, key in enumerate(target) if key not in kept]
        if len(_runs(removed)) + len(_runs(inserted)) > MAX_RUNS:
            self.set_occupants(self._occupants.values())
            return
        for first, last in reversed(_runs(removed)):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._keys[first : last + 1]
            self.endRemoveRows()
        for first, last in _runs(inserted):
            self.beginInsertRows(QModelIndex(), first, last)
            self._keys[first:first] = target[first : last + 1]
            self.endInsertRows()
        self._row_of = {key: row for row, key in enumerate(self._keys)}
        # Header counts and changed occupants (status, affiliation) are repainted.
        rows = [self._row_of[key] for key in changed if key in self._row_of]
        rows += [row for row, key in enumerate(self._keys) if not key[1]]
        if rows:
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), 0))

    def _target(self) -> list[_Key]:
        keys = [_key(occupant) for occupant in self._occupants.values()]
        groups = {key[0] for key in keys}
        keys += [_header_key(role) for role in ROLE_GROUPS if _rank(role) in groups]
        keys.sort()
        return keys

    # --- Qt virtuals -------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._keys)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if not self._keys[index.row()][1]:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = _DISPLAY) -> Any:  # noqa: PLR0911
        if not index.isValid() or not 0 <= index.row() < len(self._keys):
            return None
        key = self._keys[index.row()]
        if not key[1]:
            return self._header_data(key[0], role)
        occupant = self._occupants[key[3]]
        if role in (_DISPLAY, OccupantRole.NICK):
            return occupant.nick
        if role == OccupantRole.OCCUPANT:
            return occupant
        if role == OccupantRole.HEADER:
            return False
        if role == OccupantRole.BADGE:
            return AFFILIATION_BADGE.get(occupant.affiliation, "")
        if role == _TOOLTIP:
            return occupant_tooltip(occupant)
        return None

    def _header_data(self, rank: int, role: int) -> Any:
        group = ROLE_GROUPS[rank] if rank < len(ROLE_GROUPS) else Role.NONE
        if role == _DISPLAY:
            title = GROUP_TITLE.get(group, "Others")
            return f"{title} ({self.count(group)})"
        if role == OccupantRole.HEADER:
            return True
        return None


def occupant_tooltip(occupant: Occupant) -> str:
    """Nick, real address when known, role, affiliation and status."""
    lines = [occupant.nick]
    if occupant.real_jid is not None:
        lines.append(str(occupant.real_jid.bare))
    lines.append(f"{occupant.role.value}, {occupant.affiliation.value}")
    if occupant.status:
        lines.append(occupant.status)
    if occupant.own:
        lines.append("(you)")
    return "\n".join(lines)


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Ascending row numbers grouped into (first, last) runs of consecutive rows."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs
