"""Group chats in the main window, driven like a user would, over the real core and store.

The XMPP session is a fake: the tests publish what the adapter would (the room
accepting or refusing a join, occupant batches, subjects, notices, invitations)
and check the commands the GUI gave (``room_calls``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMenu, QPushButton
from pytestqt.qtbot import QtBot

from siproxylin.domain.errors import RoomError, RoomOperationFailed
from siproxylin.domain.events import (
    BookmarksReceived,
    InvitationReceived,
    OccupantsReceived,
    RoomLeft,
    RoomNotice,
    RoomSubjectReceived,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    Affiliation,
    Bookmark,
    ChatKind,
    DecisionKind,
    Invitation,
    MembershipOutcome,
    OccupantChange,
    Role,
    RoomConfig,
    RoomInfo,
    RoomState,
)
from siproxylin.gui.models.contact_entries import ContactRole
from siproxylin.gui.presenters.rooms import MEMBERSHIP_PENDING
from siproxylin.gui.views.info_bar import InfoBar
from siproxylin.gui.views.join_room_dialog import CreateRoomDialog, JoinRoomDialog
from siproxylin.gui.views.main_window import MainWindow
from siproxylin.gui.window import create_main_window

from .room_support import (
    RoomCore,
    arrive,
    enter,
    leave,
    make_room_core,
    occupant,
    online,
    refuse,
    say,
    settle,
)
from .waits import until

LOBBY = Jid.parse("lobby@conference.x.org")
ATTIC = Jid.parse("attic@conference.x.org")
ME = occupant("me", Role.MODERATOR, Affiliation.MEMBER, own=True)
ALICE = occupant("alice", Role.MODERATOR, Affiliation.OWNER, jid="alice@x.org/laptop")
BOB = occupant("bob", jid="bob@x.org/phone")
CAROL = occupant("carol", Role.VISITOR)


@pytest.fixture
def room_core(tmp_path: Path, qloop: asyncio.AbstractEventLoop) -> Iterator[RoomCore]:
    core = make_room_core(tmp_path / "siproxylin.db", page_size=20)
    yield core
    qloop.run_until_complete(core.accounts.shutdown())
    core.db.close()


@pytest.fixture
def window(room_core: RoomCore, qtbot: QtBot) -> MainWindow:
    win = create_main_window(room_core.services)
    qtbot.addWidget(win)
    win.show()
    return win


def run(loop: asyncio.AbstractEventLoop, scenario: Coroutine[Any, Any, None]) -> None:
    loop.run_until_complete(scenario)


def rows(window: MainWindow, account: AccountId) -> list[tuple[str, str]]:
    """(title, detail) of an account's rows in the contact tree."""
    model = window.contacts.model
    parent = model.account_index(account)
    return [
        (
            model.index(row, 0, parent).data(ContactRole.TITLE),
            model.index(row, 0, parent).data(ContactRole.DETAIL),
        )
        for row in range(model.rowCount(parent))
    ]


async def in_lobby(core: RoomCore, window: MainWindow, own: Any = ME) -> AccountId:
    """Online, in the lobby with Alice, Bob and Carol, and the lobby open."""
    account = await online(core)
    await enter(core, account, LOBBY, own, [ALICE, BOB, CAROL], subject="Release planning")
    await until(
        lambda: window.rooms is not None and window.rooms.state_text(account, LOBBY) == "joined"
    )
    window.open_chat(account, LOBBY, ChatKind.GROUPCHAT)
    await settle()
    return account


# --- the contact list --------------------------------------------------------------


def test_rooms_are_listed_first_with_their_state_and_unread_count(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await online(room_core)
        from tests.fakes import roster_item

        room_core.xmpp(account).receive_roster(roster_item("zoe@x.org", "Zoe"))
        await room_core.rooms.join(account, LOBBY, "me")
        await until(lambda: ("lobby", "joining…") in rows(window, account))
        await enter(room_core, account, ATTIC, ME, [ALICE])
        say(room_core, account, ATTIC, "alice", "hello")
        say(room_core, account, ATTIC, "alice", "anyone?")
        await until(lambda: ("attic (2)", "joined") in rows(window, account))
        assert rows(window, account) == [
            ("attic (2)", "joined"),
            ("lobby", "joining…"),
            ("Zoe", ""),
        ]
        refuse(room_core, account, LOBBY, "me", RoomError.BANNED)
        await until(lambda: ("lobby", "banned") in rows(window, account))
        index = window.contacts.model.contact_index(account, LOBBY)
        assert index.data(ContactRole.ROOM_STATE) is RoomState.FAILED

    run(qloop, scenario())


def test_bookmarks_from_the_server_are_listed_and_a_left_room_goes(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await online(room_core)
        room_core.bus.publish(
            BookmarksReceived(account, (Bookmark(ATTIC, "The Attic", "me", autojoin=False),))
        )
        await until(lambda: ("The Attic", "not joined") in rows(window, account))
        await enter(room_core, account, LOBBY, ME, [ALICE], remember=False)
        await until(lambda: ("lobby", "joined") in rows(window, account))
        await room_core.rooms.leave(account, LOBBY)
        room_core.bus.publish(RoomLeft(account, LOBBY))  # the room's answer
        await until(lambda: all(title != "lobby" for title, _ in rows(window, account)))
        assert rows(window, account) == [("The Attic", "not joined")]

    run(qloop, scenario())


def test_a_forgotten_rooms_conversation_is_not_listed_as_a_contact_after_a_restart(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        account = await in_lobby(room_core, window)
        say(room_core, account, LOBBY, "alice", "hello")
        room_core.xmpp(account).receive_message("zoe@x.org/r", "hi, stranger here")
        await room_core.rooms.leave(account, LOBBY)
        room_core.bus.publish(RoomLeft(account, LOBBY))
        await settle()
        again = create_main_window(room_core.services)
        qtbot.addWidget(again)
        assert rows(again, account) == [("zoe@x.org (1)", "not in contacts")]

    run(qloop, scenario())


def test_a_kicked_room_stays_listed_with_the_reason_and_says_it_in_the_room(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await in_lobby(room_core, window)
        room_core.bus.publish(RoomLeft(account, LOBBY, RoomError.KICKED, "alice", "spam"))
        await until(lambda: ("lobby", "kicked") in rows(window, account))
        bar = window.chat_view.room_bar
        assert bar is not None
        await until(lambda: bool(bar.notice_texts()))
        assert bar.notice_texts() == [f"{RoomError.KICKED.text} By alice. spam"]
        assert window.rooms is not None
        assert window.rooms.occupants.rowCount() == 0
        assert "kicked" in window.chat_view.status_label.text()

    run(qloop, scenario())


def test_double_clicking_a_room_opens_it_as_a_group_chat(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        account = await online(room_core)
        await enter(room_core, account, LOBBY, ME, [ALICE, BOB], subject="Hi")
        await until(lambda: window.contacts.model.contact_index(account, LOBBY).isValid())
        index = window.contacts.model.contact_index(account, LOBBY)
        window.contact_tree.activated.emit(index)
        await settle()
        assert window.chat.conversation == (account, LOBBY)
        assert window.chat.kind is ChatKind.GROUPCHAT
        assert window.chat_view.peer_label.text() == "lobby"
        assert "3 participants" in window.chat_view.status_label.text()
        assert "you are me" in window.chat_view.status_label.text()

    run(qloop, scenario())


# --- joining -------------------------------------------------------------------------


def test_join_dialog_joins_and_opens_the_room(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        account = await online(room_core)
        window.join_room_action.trigger()
        dialog = window.findChild(JoinRoomDialog)
        assert dialog is not None
        assert dialog.isVisible()
        assert dialog.nick_edit.placeholderText() == "me"  # the account's local part
        qtbot.keyClicks(dialog.address_edit, "Lobby@conference.x.org")
        qtbot.keyClicks(dialog.password_edit, "pw")
        dialog.remember_check.setChecked(False)
        dialog.accept()
        await settle()
        xmpp = room_core.xmpp(account)
        assert xmpp.calls_named("join_room") == [(LOBBY, "me", "pw", None)]
        assert dialog.status_label.text() == "Joining…"
        assert not dialog.ok_button.isEnabled()
        assert room_core.rooms.stored_rooms(account) == []  # not remembered
        await enter_accepted(room_core, account)
        await until(lambda: not dialog.isVisible())
        assert window.chat.conversation == (account, LOBBY)
        assert window.chat.kind is ChatKind.GROUPCHAT

    async def enter_accepted(core: RoomCore, account: AccountId) -> None:
        changes = (OccupantChange("alice", ALICE), OccupantChange("me", ME))
        core.bus.publish(OccupantsReceived(account, LOBBY, changes, complete=True))
        from siproxylin.domain.events import RoomJoined

        core.bus.publish(RoomJoined(account, LOBBY, "me"))

    run(qloop, scenario())


def test_join_dialog_shows_the_rooms_refusal_and_forgets_the_room_on_cancel(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        account = await online(room_core)
        dialog = window.show_join_room()
        assert dialog is not None
        qtbot.keyClicks(dialog.address_edit, "lobby@conference.x.org")
        dialog.nick_edit.setText("neo")
        dialog.accept()
        await settle()
        assert [s.room for s in room_core.rooms.stored_rooms(account)] == [LOBBY]
        refuse(room_core, account, LOBBY, "neo", RoomError.PASSWORD_REQUIRED)
        await until(lambda: bool(dialog.error_text))
        assert dialog.error_text == RoomError.PASSWORD_REQUIRED.text
        assert dialog.isVisible()
        assert dialog.ok_button.isEnabled()
        assert not dialog.membership_button.isVisible()
        dialog.reject()
        await until(lambda: room_core.rooms.stored_rooms(account) == [])
        await until(lambda: all(title != "lobby" for title, _ in rows(window, account)))

    run(qloop, scenario())


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "This is not a valid room address"),
        ("lobby@conference.x.org/nick", "Give the room's address"),
        ("conference.x.org", "Give the room's address"),
    ],
)
def test_join_dialog_refuses_bad_addresses(
    room_core: RoomCore,
    window: MainWindow,
    qloop: asyncio.AbstractEventLoop,
    text: str,
    error: str,
) -> None:
    async def scenario() -> None:
        account = await online(room_core)
        dialog = window.show_join_room()
        assert dialog is not None
        dialog.address_edit.setText(text)
        dialog.accept()
        await settle()
        assert dialog.error_text.startswith(error)
        assert room_core.xmpp(account).calls_named("join_room") == []

    run(qloop, scenario())


def test_join_dialog_offline_says_so(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        from tests.fakes import account_config

        await room_core.accounts.add_account(account_config("me@x.org"), "pw")
        await settle()
        dialog = window.show_join_room()
        assert dialog is not None
        dialog.address_edit.setText("lobby@conference.x.org")
        dialog.accept()
        await until(lambda: bool(dialog.error_text))
        assert "not connected" in dialog.error_text

    run(qloop, scenario())


def test_members_only_refusal_offers_membership_and_says_the_request_is_pending(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await online(room_core)
        dialog = window.show_join_room()
        assert dialog is not None
        dialog.address_edit.setText("lobby@conference.x.org")
        dialog.accept()
        await settle()
        refuse(room_core, account, LOBBY, "me", RoomError.MEMBERS_ONLY)
        await until(dialog.membership_button.isVisible)
        assert dialog.error_text == RoomError.MEMBERS_ONLY.text
        room_core.xmpp(account).membership = MembershipOutcome.PENDING
        dialog.membership_button.click()
        await until(lambda: "has to approve" in dialog.status_label.text())
        assert room_core.xmpp(account).calls_named("request_membership") == [(LOBBY, "me")]
        assert ("lobby", "membership requested") in rows(window, account)
        dialog.reject()
        await settle()
        assert [s.room for s in room_core.rooms.stored_rooms(account)] == [LOBBY]  # kept
        window.open_chat(account, LOBBY, ChatKind.GROUPCHAT)
        await settle()
        bar = window.chat_view.room_bar
        assert bar is not None
        assert MEMBERSHIP_PENDING in bar.notice_texts()

    run(qloop, scenario())


def test_create_dialog_creates_with_the_chosen_settings(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await online(room_core)
        window.create_room_action.trigger()
        dialog = window.findChild(CreateRoomDialog)
        assert dialog is not None
        dialog.address_edit.setText("attic@conference.x.org")
        dialog.name_edit.setText("The Attic")
        dialog.members_only_check.setChecked(True)
        dialog.password_edit.setText("secret")
        dialog.accept()
        await until(lambda: bool(room_core.xmpp(account).calls_named("join_room")))
        ((room, nick, password, config),) = room_core.xmpp(account).calls_named("join_room")
        assert (room, nick, password) == (ATTIC, "me", "secret")
        assert config == RoomConfig(
            name="The Attic",
            persistent=True,
            members_only=True,
            password="secret",
            public=False,
            allow_invites=True,
        )

    run(qloop, scenario())


def test_create_dialog_refuses_an_existing_room(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await online(room_core)
        room_core.xmpp(account).room_infos[ATTIC] = RoomInfo(ATTIC)
        dialog = window.show_create_room()
        assert dialog is not None
        dialog.address_edit.setText("attic@conference.x.org")
        dialog.accept()
        await until(lambda: bool(dialog.error_text))
        assert "already exists" in dialog.error_text
        assert room_core.xmpp(account).calls_named("join_room") == []

    run(qloop, scenario())


# --- the room view -------------------------------------------------------------------


def test_room_shows_subject_and_occupants_by_role(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await in_lobby(room_core, window)
        bar = window.chat_view.room_bar
        occupants = window.chat_view.occupant_list
        assert bar is not None
        assert occupants is not None
        assert bar.isVisible()
        assert occupants.isVisible()
        assert bar.subject_label.text() == "Release planning"
        model = occupants.model()
        assert [model.index(r, 0).data() for r in range(model.rowCount())] == [
            "Moderators (2)",
            "alice",
            "me",
            "Participants (1)",
            "bob",
            "Visitors (1)",
            "carol",
        ]
        room_core.bus.publish(RoomSubjectReceived(account, LOBBY, "Ship it", "alice"))
        await until(lambda: bar.subject_label.text() == "Ship it")
        arrive(room_core, account, LOBBY, occupant("dave"))
        leave(room_core, account, LOBBY, "carol")
        await until(lambda: model.rowCount() == 6)
        assert "Visitors (1)" not in [model.index(r, 0).data() for r in range(model.rowCount())]
        bar.occupants_action.setChecked(False)
        assert not occupants.isVisible()

    run(qloop, scenario())


def test_events_of_other_rooms_and_accounts_leave_the_open_room_alone(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await in_lobby(room_core, window)
        assert window.rooms is not None
        model = window.rooms.occupants
        before = model.nicks()
        arrive(room_core, account, ATTIC, occupant("intruder"))  # not a room we are in
        room_core.bus.publish(RoomSubjectReceived(account, ATTIC, "forged"))
        room_core.bus.publish(
            OccupantsReceived(
                AccountId(99), LOBBY, (OccupantChange("ghost", occupant("ghost")),), True
            )
        )
        await settle(10)
        assert model.nicks() == before
        assert window.chat_view.room_bar is not None
        assert window.chat_view.room_bar.subject_label.text() == "Release planning"

    run(qloop, scenario())


def test_subject_is_edited_in_place_by_a_moderator_only(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        account = await in_lobby(room_core, window)
        bar = window.chat_view.room_bar
        assert bar is not None
        assert bar.edit_button.isVisible()
        bar.edit_button.click()
        assert bar.subject_edit.isVisible()
        bar.subject_edit.setText("New plan")
        qtbot.keyClick(bar.subject_edit, "\r")
        assert room_core.xmpp(account).calls_named("set_subject") == [(LOBBY, "New plan")]
        assert not bar.subject_edit.isVisible()
        # Our role taken away: no more editing.
        arrive(room_core, account, LOBBY, occupant("me", Role.PARTICIPANT, own=True))
        await until(lambda: not bar.edit_button.isVisible())

    run(qloop, scenario())


def test_occupant_menu_offers_what_our_role_allows_and_kicks_with_a_reason(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await in_lobby(room_core, window)
        occupants = window.chat_view.occupant_list
        assert occupants is not None
        menu = occupants.menu_for(BOB)
        assert [a.text() for a in menu.actions() if a.text()] == [
            "Private &Message",
            "Revoke &Voice",
            "&Kick…",
        ]
        assert [a.text() for a in occupants.menu_for(ALICE).actions() if a.text()] == [
            "Private &Message"
        ]  # the owner is out of a moderator's reach
        occupants.ask_text = lambda *_args: " flooding "
        action = next(a for a in menu.actions() if a.text() == "&Kick…")
        action.trigger()
        await until(lambda: bool(room_core.xmpp(account).calls_named("set_role")))
        assert room_core.xmpp(account).calls_named("set_role") == [
            (LOBBY, "bob", Role.NONE, "flooding")
        ]
        occupants.ask_text = lambda *_args: None  # cancelled: nothing happens
        action.trigger()
        await settle()
        assert len(room_core.xmpp(account).calls_named("set_role")) == 1

    run(qloop, scenario())


def test_a_refused_command_is_shown(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await in_lobby(room_core, window)
        occupants = window.chat_view.occupant_list
        assert occupants is not None
        room_core.xmpp(account).refusal = RoomOperationFailed(RoomError.FORBIDDEN)
        menu = occupants.menu_for(CAROL)
        next(a for a in menu.actions() if a.text() == "Grant &Voice").trigger()
        await until(window.chat_view.error_label.isVisible)
        assert RoomError.FORBIDDEN.text in window.chat_view.error_label.text()

    run(qloop, scenario())


def test_private_message_opens_a_conversation_with_the_occupant(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await in_lobby(room_core, window)
        occupants = window.chat_view.occupant_list
        assert occupants is not None
        occupants.menu_for(BOB).actions()[0].trigger()
        await settle()
        assert window.chat.conversation == (account, LOBBY.with_resource("bob"))
        assert window.chat.kind is ChatKind.GROUPCHAT_PM
        assert window.chat_view.peer_label.text() == "bob"
        room_bar = window.chat_view.room_bar
        assert room_bar is not None
        assert not room_bar.isVisible()
        window.chat_view.composer.setPlainText("psst")
        window.chat_view.send_button.click()
        sent = room_core.xmpp(account).sent
        assert [(s.to, s.body) for s in sent] == [(LOBBY.with_resource("bob"), "psst")]

    run(qloop, scenario())


def test_nick_change_invite_and_leave_from_the_room_menu(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await in_lobby(room_core, window)
        bar = window.chat_view.room_bar
        assert bar is not None
        bar.ask_text = lambda *_args: "neo"
        bar.nick_action.trigger()
        bar.ask_text = lambda *_args: "zoe@x.org"
        bar.invite_action.trigger()
        xmpp = room_core.xmpp(account)
        assert xmpp.calls_named("change_nick") == [(LOBBY, "neo")]
        assert xmpp.calls_named("invite") == [(LOBBY, Jid.parse("zoe@x.org"), "", True)]
        assert "zoe@x.org was invited." in bar.notice_texts()
        bar.ask_text = lambda *_args: "not an address@"
        bar.invite_action.trigger()
        assert "not a valid address" in window.chat_view.error_label.text()
        bar.leave_action.trigger()
        await until(lambda: window.chat.conversation is None)
        assert xmpp.calls_named("leave_room") == [(LOBBY,)]
        assert room_core.rooms.stored_rooms(account) == []

    run(qloop, scenario())


def test_a_notice_of_another_room_waits_until_it_is_opened(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await in_lobby(room_core, window)
        await enter(room_core, account, ATTIC, ME, [ALICE])
        room_core.bus.publish(RoomNotice(account, ATTIC, "The room's configuration changed."))
        await settle()
        bar = window.chat_view.room_bar
        assert bar is not None
        assert bar.notice_texts() == []
        window.open_chat(account, ATTIC, ChatKind.GROUPCHAT)
        await settle()
        assert bar.notice_texts() == ["The room's configuration changed."]

    run(qloop, scenario())


# --- invitations ---------------------------------------------------------------------


def invitation_bar(window: MainWindow) -> InfoBar:
    bars = [bar for bar in window.findChildren(InfoBar) if "invites you" in bar.label.text()]
    assert len(bars) == 1
    return bars[0]


def test_an_invitation_is_a_question_and_join_enters_the_room(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await online(room_core)
        invitation = Invitation(LOBBY, Jid.parse("alice@x.org/laptop"), "come in", "pw")
        room_core.bus.publish(InvitationReceived(account, invitation))
        await until(
            lambda: any("invites you" in b.label.text() for b in window.findChildren(InfoBar))
        )
        bar = invitation_bar(window)
        assert "alice@x.org" in bar.label.text()
        assert "“come in”" in bar.label.text()
        assert window.decisions.answer_labels(DecisionKind.INVITATION) == ("Join", "Decline")
        join = next(b for b in bar.findChildren(QPushButton) if b.text() == "Join")
        join.click()
        await until(lambda: bool(room_core.xmpp(account).calls_named("join_room")))
        assert room_core.xmpp(account).calls_named("join_room") == [(LOBBY, "me", "pw", None)]

    run(qloop, scenario())


def test_declining_a_mediated_invitation_tells_the_inviter(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await online(room_core)
        inviter = Jid.parse("alice@x.org/laptop")
        room_core.bus.publish(
            InvitationReceived(account, Invitation(LOBBY, inviter, mediated=True))
        )
        await until(
            lambda: any("invites you" in b.label.text() for b in window.findChildren(InfoBar))
        )
        bar = invitation_bar(window)
        next(b for b in bar.findChildren(QPushButton) if b.text() == "Decline").click()
        await settle()
        xmpp = room_core.xmpp(account)
        assert xmpp.calls_named("decline_invitation") == [(LOBBY, inviter)]
        assert xmpp.calls_named("join_room") == []

    run(qloop, scenario())


# --- moderation ----------------------------------------------------------------------


def message_menu(window: MainWindow, body: str) -> QMenu:
    model = window.chat.model
    message = next(m for m in model.messages() if m.body == body)
    return window.chat_view.menu.menu_for(message)


def test_a_moderator_removes_a_message_with_a_reason(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        account = await in_lobby(room_core, window)
        event = say(room_core, account, LOBBY, "bob", "spam spam")
        await until(lambda: window.chat.model.rowCount() == 1)
        menu = message_menu(window, "spam spam")
        remove = window.chat_view.menu.action(menu, "Remove Message…")
        assert remove is not None
        window.chat_view.menu.ask_reason = lambda *_args: " spam "
        remove.trigger()
        await until(lambda: bool(room_core.xmpp(account).calls_named("moderate")))
        assert room_core.xmpp(account).calls_named("moderate") == [(LOBBY, event.stanza_id, "spam")]

    run(qloop, scenario())


def test_a_participant_is_not_offered_message_removal(
    room_core: RoomCore, window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        await in_lobby(room_core, window, own=occupant("me", own=True))
        account = window.chat.conversation[0] if window.chat.conversation else AccountId(0)
        say(room_core, account, LOBBY, "bob", "hello")
        await until(lambda: window.chat.model.rowCount() == 1)
        menu = message_menu(window, "hello")
        assert window.chat_view.menu.action(menu, "Remove Message…") is None

    run(qloop, scenario())
