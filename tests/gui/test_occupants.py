"""The occupant list model (row signals per batch, grouping) and the occupant rights rules."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QApplication

from siproxylin.domain.ids import Jid
from siproxylin.domain.models import Affiliation, Occupant, Role
from siproxylin.gui.models.occupants import MAX_RUNS, OccupantListModel, OccupantRole
from siproxylin.gui.presenters.room_rights import OccupantAction, allowed_actions, rights_of


@dataclass
class Signals:
    """Counts the row signals a model emits."""

    resets: int = 0
    inserts: list[tuple[int, int]] = field(default_factory=list)
    removes: list[tuple[int, int]] = field(default_factory=list)
    changes: int = 0
    layouts: int = 0

    def watch(self, model: OccupantListModel) -> Signals:
        model.modelReset.connect(self._reset)
        model.rowsInserted.connect(lambda _p, first, last: self.inserts.append((first, last)))
        model.rowsRemoved.connect(lambda _p, first, last: self.removes.append((first, last)))
        model.dataChanged.connect(self._changed)
        model.layoutChanged.connect(self._layout)
        return self

    def _reset(self) -> None:
        self.resets += 1

    def _changed(self, *_args: object) -> None:
        self.changes += 1

    def _layout(self, *_args: object) -> None:
        self.layouts += 1


def texts(model: OccupantListModel) -> list[str]:
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def person(nick: str, role: Role = Role.PARTICIPANT, **kwargs: object) -> Occupant:
    return Occupant(nick, role, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def model(qapp: QApplication) -> OccupantListModel:
    return OccupantListModel()


def test_rows_are_grouped_by_role_under_counted_headers(model: OccupantListModel) -> None:
    model.set_occupants(
        [
            person("zed", Role.VISITOR),
            person("Bob"),
            person("alice", Role.MODERATOR, affiliation=Affiliation.OWNER),
            person("carol"),
        ]
    )
    assert texts(model) == [
        "Moderators (1)",
        "alice",
        "Participants (2)",
        "Bob",
        "carol",
        "Visitors (1)",
        "zed",
    ]
    assert model.index(0, 0).data(OccupantRole.HEADER) is True
    assert model.index(1, 0).data(OccupantRole.BADGE) == "owner"
    assert model.index(3, 0).data(OccupantRole.BADGE) == ""
    assert model.occupant_at(0) is None
    assert model.occupant_at(4) == person("carol")
    assert model.row_of("carol") == 4


def test_a_complete_list_of_1000_is_one_reset(model: OccupantListModel) -> None:
    signals = Signals().watch(model)
    crowd = [
        person(f"user{n:04d}", Role.VISITOR if n % 10 == 0 else Role.PARTICIPANT)
        for n in range(1000)
    ]
    model.apply(crowd, complete=True)
    assert signals.resets == 1
    assert signals.inserts == []
    assert model.count() == 1000
    assert model.rowCount() == 1002  # two headers
    assert model.count(Role.VISITOR) == 100


def test_a_partial_flood_of_1000_is_never_a_signal_per_occupant(model: OccupantListModel) -> None:
    model.set_occupants([person(f"user{n:04d}") for n in range(0, 2000, 2)])  # even numbers
    signals = Signals().watch(model)
    model.apply([person(f"user{n:04d}") for n in range(1, 2000, 2)])  # odd ones interleave
    assert signals.resets + len(signals.inserts) <= 1
    assert model.count() == 2000
    assert model.nicks() == [f"user{n:04d}" for n in range(2000)]


def test_a_block_of_arrivals_is_one_insert(model: OccupantListModel) -> None:
    model.set_occupants([person("alice"), person("bob")])
    signals = Signals().watch(model)
    model.apply([person(f"zz{n:04d}") for n in range(1000)])
    assert signals.resets == 0
    assert signals.inserts == [(3, 1002)]
    assert model.rowCount() == 1003


def test_small_batches_insert_and_remove_rows_without_reset(model: OccupantListModel) -> None:
    model.set_occupants([person("alice"), person("bob"), person("dave")])
    signals = Signals().watch(model)
    model.apply([person("carol")], left=["alice"])
    assert signals.resets == 0
    assert signals.removes == [(1, 1)]
    assert signals.inserts == [(2, 2)]
    assert texts(model) == ["Participants (3)", "bob", "carol", "dave"]
    assert signals.layouts == 0


def test_a_role_change_moves_the_occupant_to_its_group(model: OccupantListModel) -> None:
    model.set_occupants([person("alice"), person("bob")])
    signals = Signals().watch(model)
    model.apply([person("bob", Role.MODERATOR)])
    assert signals.resets == 0
    assert texts(model) == ["Moderators (1)", "bob", "Participants (1)", "alice"]
    model.apply([], left=["bob"])
    assert texts(model) == ["Participants (1)", "alice"]  # the empty group's header went


def test_a_status_change_repaints_the_row(model: OccupantListModel) -> None:
    model.set_occupants([person("alice"), person("bob")])
    signals = Signals().watch(model)
    model.apply([person("bob", status="lunch")])
    assert signals.resets == 0
    assert signals.inserts == []
    assert signals.changes == 1
    assert model.index(2, 0).data(OccupantRole.OCCUPANT).status == "lunch"


def test_a_rename_arrives_as_leave_and_arrival(model: OccupantListModel) -> None:
    model.set_occupants([person("alice"), person("bob")])
    model.apply([person("bobby")], left=["bob"])
    assert model.nicks() == ["alice", "bobby"]
    assert model.occupant("bob") is None


def test_scattered_changes_beyond_the_run_limit_reset_once(model: OccupantListModel) -> None:
    model.set_occupants([person(f"u{n:03d}") for n in range(0, 400, 2)])
    signals = Signals().watch(model)
    arrivals = [person(f"u{n:03d}") for n in range(1, 4 * MAX_RUNS, 2)]
    model.apply(arrivals)
    assert signals.resets == 1
    assert signals.inserts == []


def test_rows_outside_the_list_have_no_data(model: OccupantListModel) -> None:
    model.set_occupants([person("alice")])
    assert model.data(model.index(5, 0)) is None
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.data(QModelIndex()) is None


# --- rights ---------------------------------------------------------------------

MOD = Occupant("me", Role.MODERATOR, Affiliation.NONE, own=True)
ADMIN = Occupant("me", Role.MODERATOR, Affiliation.ADMIN, own=True)
OWNER = Occupant("me", Role.MODERATOR, Affiliation.OWNER, own=True)
PARTICIPANT = Occupant("me", Role.PARTICIPANT, own=True)
REAL = Jid.parse("bob@x.org/home")


def test_a_participant_may_do_nothing_to_others() -> None:
    assert allowed_actions(PARTICIPANT, Occupant("bob")) == []
    assert not rights_of(PARTICIPANT).moderate_messages
    assert not rights_of(None).change_subject


def test_a_moderator_kicks_and_voices_but_cannot_ban() -> None:
    assert allowed_actions(MOD, Occupant("bob", real_jid=REAL)) == [
        OccupantAction.REVOKE_VOICE,
        OccupantAction.KICK,
    ]
    assert allowed_actions(MOD, Occupant("bob", Role.VISITOR)) == [
        OccupantAction.GRANT_VOICE,
        OccupantAction.KICK,
    ]
    assert rights_of(MOD).moderate_messages
    assert rights_of(MOD).change_subject


def test_nobody_kicks_an_admin_or_owner_and_nobody_acts_on_themselves() -> None:
    admin = Occupant("carol", Role.MODERATOR, Affiliation.ADMIN, REAL)
    assert allowed_actions(MOD, admin) == []
    assert allowed_actions(ADMIN, admin) == []  # same affiliation
    assert allowed_actions(OWNER, admin) == [
        OccupantAction.REVOKE_MODERATOR,
        OccupantAction.BAN,
    ]
    assert allowed_actions(OWNER, OWNER) == []


def test_an_admin_bans_only_when_the_real_address_is_known() -> None:
    anonymous = Occupant("bob")
    known = Occupant("bob", real_jid=REAL)
    assert OccupantAction.BAN not in allowed_actions(ADMIN, anonymous)
    assert allowed_actions(ADMIN, known) == [
        OccupantAction.REVOKE_VOICE,
        OccupantAction.GRANT_MODERATOR,
        OccupantAction.KICK,
        OccupantAction.BAN,
    ]
