"""Message features through the presenters, over the real core with a fake XMPP session.

Replies, corrections, retractions, reactions, typing both ways, read positions and
unread counts: what the user does reaches the XMPP port as the right command, and
what the core stores comes back into the rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest
from PySide6.QtWidgets import QApplication

from siproxylin.domain.config import PrivacyOptions
from siproxylin.domain.events import ChatStateReceived, ReactionsReceived
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind, ChatMessage, ChatState, Direction
from siproxylin.gui.bridge import EventBridge
from siproxylin.gui.models.contacts import ContactTreeModel
from siproxylin.gui.presenters.chat import ChatPresenter
from siproxylin.gui.presenters.contacts import ContactsPresenter
from siproxylin.gui.presenters.typing import STALE_S, TypingPresenter
from tests.fakes import Core, FakeXmppSession, account_config, roster_item

from .waits import until

BOB = Jid.parse("bob@x.org")
CAROL = Jid.parse("carol@x.org")


def later(_callback: Callable[[], None]) -> None:
    """A scheduler that never runs: the tests drain with ``flush``."""


@dataclass
class Gui:
    bridge: EventBridge
    contacts: ContactsPresenter
    chat: ChatPresenter

    def names(self, account: AccountId) -> list[str]:
        tree = self.contacts.model
        parent = tree.account_index(account)
        return [tree.index(row, 0, parent).data() for row in range(tree.rowCount(parent))]


def build_gui(core: Core) -> Gui:
    bridge = EventBridge(core.bus, later)
    contacts = ContactsPresenter(ContactTreeModel(), core.accounts, core.roster, core.chat)
    chat = ChatPresenter(core.chat, core.roster, accounts=core.accounts)
    contacts.register(bridge)
    chat.register(bridge)
    contacts.load()
    chat.conversation_changed.connect(lambda: contacts.set_active(chat.conversation))
    return Gui(bridge, contacts, chat)


@pytest.fixture
def gui(core: Core, qapp: QApplication) -> Gui:
    return build_gui(core)


def online(
    core: Core, loop: asyncio.AbstractEventLoop, *, typing: bool = False, markers: bool = False
) -> tuple[AccountId, FakeXmppSession]:
    config = replace(
        account_config("me@x.org"),
        privacy=PrivacyOptions(chat_states=typing, read_markers=markers),
    )
    stored = loop.run_until_complete(core.accounts.add_account(config, "secret"))
    xmpp = core.xmpp(stored.id)
    xmpp.start()
    xmpp.receive_roster(roster_item("bob@x.org", "Bob"), roster_item("carol@x.org", "Carol"))
    return stored.id, xmpp


def rows(gui: Gui) -> list[ChatMessage]:
    return list(gui.chat.model.messages())


def commands(xmpp: FakeXmppSession, name: str) -> list[tuple[object, ...]]:
    return [c for c in xmpp.commands if c[0] == name]


# --- reply, correct, retract, react -------------------------------------------------


def test_a_reply_names_the_answered_message_and_shows_it(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account, xmpp = online(core, qloop)
    xmpp.receive_message("bob@x.org/phone", "Lunch at noon?")
    gui.chat.open(account, BOB)
    question = rows(gui)[0]
    changes: list[int] = []
    gui.chat.compose_changed.connect(lambda: changes.append(1))

    gui.chat.start_reply(question)
    assert gui.chat.reply_to == question
    gui.chat.send("Yes")
    gui.bridge.flush()

    assert gui.chat.reply_to is None
    assert changes == [1, 1]  # reply started, then ended by sending
    sent = xmpp.sent[-1].message
    assert sent is not None
    assert sent.reply_to == question.message_id
    answer = rows(gui)[-1]
    assert answer.body == "Yes"
    assert answer.reply_to == question.message_id
    assert gui.chat.model.reply_target(answer) == question


def test_correcting_the_last_message_replaces_its_body(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account, xmpp = online(core, qloop)
    gui.chat.open(account, BOB)
    gui.chat.send("helo")
    gui.bridge.flush()

    last = gui.chat.correct_last()
    assert last is not None
    assert gui.chat.editing == last
    corrected = gui.chat.send("hello")
    gui.bridge.flush()

    assert corrected is not None
    assert gui.chat.editing is None
    assert [(m.body, m.edited) for m in rows(gui)] == [("hello", True)]
    correction = xmpp.sent[-1].message
    assert correction is not None
    assert correction.replaces == last.origin_id
    assert correction.body == "hello"


def test_only_our_last_message_may_be_corrected(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account, xmpp = online(core, qloop)
    xmpp.receive_message("bob@x.org/phone", "theirs")
    gui.chat.open(account, BOB)
    assert gui.chat.correct_last() is None  # nothing of ours yet
    gui.chat.send("first")
    gui.chat.send("second")
    gui.bridge.flush()
    theirs, first, second = rows(gui)
    assert not gui.chat.start_correction(theirs)
    assert not gui.chat.start_correction(first)
    assert gui.chat.editing is None
    assert gui.chat.start_correction(second)


def test_replying_and_correcting_exclude_each_other_and_cancel(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account, xmpp = online(core, qloop)
    xmpp.receive_message("bob@x.org/phone", "hi")
    gui.chat.open(account, BOB)
    gui.chat.send("mine")
    gui.bridge.flush()
    theirs, mine = rows(gui)
    gui.chat.start_reply(theirs)
    assert gui.chat.start_correction(mine)
    assert (gui.chat.reply_to, gui.chat.editing) == (None, mine)
    gui.chat.start_reply(theirs)
    assert (gui.chat.reply_to, gui.chat.editing) == (theirs, None)
    gui.chat.cancel_compose()
    assert (gui.chat.reply_to, gui.chat.editing) == (None, None)
    gui.chat.start_reply(theirs)
    gui.chat.open(account, CAROL)  # another conversation: the reply is dropped
    assert gui.chat.reply_to is None


def test_retracting_our_message_sends_the_retraction_and_updates_the_row(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account, xmpp = online(core, qloop)
    gui.chat.open(account, BOB)
    gui.chat.send("oops")
    gui.bridge.flush()
    message = rows(gui)[0]
    gui.chat.start_correction(message)

    gui.chat.retract(message)
    gui.bridge.flush()

    assert commands(xmpp, "retraction") == [("retraction", BOB, ChatKind.CHAT, message.origin_id)]
    assert rows(gui)[0].retracted
    assert gui.chat.editing is None  # nothing left to correct


def test_reactions_toggle_and_show_who_reacted(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account, xmpp = online(core, qloop)
    xmpp.receive_message("bob@x.org/phone", "Pizza?")
    gui.chat.open(account, BOB)
    pizza = rows(gui)[0]

    gui.chat.toggle_reaction(pizza.id, "👍")
    gui.bridge.flush()
    assert commands(xmpp, "reactions")[-1][3:] == (pizza.message_id, ("👍",))
    (thumb,) = rows(gui)[0].reactions
    assert (thumb.emoji, thumb.own) == ("👍", True)

    core.bus.publish(
        ReactionsReceived(
            account,
            Jid.parse("bob@x.org/phone"),
            Jid.parse("me@x.org"),
            pizza.message_id,
            ("👍", "🍕"),
        )
    )
    gui.bridge.flush()
    reactions = {r.emoji: r for r in rows(gui)[0].reactions}
    assert len(reactions["👍"].senders) == 2
    assert reactions["🍕"].senders == ("bob@x.org",)
    assert not reactions["🍕"].own

    gui.chat.toggle_reaction(pizza.id, "👍")
    gui.bridge.flush()
    assert commands(xmpp, "reactions")[-1][3:] == (pizza.message_id, ())
    reactions = {r.emoji: r for r in rows(gui)[0].reactions}
    assert reactions["👍"].senders == ("bob@x.org",)
    assert not reactions["👍"].own
    assert gui.chat.toggle_reaction(999_999, "👍") is None  # not a loaded message


# --- typing -------------------------------------------------------------------------


def test_typing_sends_composing_once_then_paused_when_idle(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account, xmpp = online(core, qloop, typing=True)
    gui.chat.open(account, BOB)
    gui.chat.typing.pause_timer.setInterval(30)

    gui.chat.text_edited("h")
    gui.chat.text_edited("he")
    assert commands(xmpp, "chat_state") == [("chat_state", BOB, ChatKind.CHAT, ChatState.COMPOSING)]

    async def idle() -> None:
        await until(lambda: len(commands(xmpp, "chat_state")) == 2)

    qloop.run_until_complete(idle())
    assert commands(xmpp, "chat_state")[-1][3] is ChatState.PAUSED
    assert not gui.chat.typing.composing


def test_typing_pauses_on_an_empty_input_and_on_leaving_the_conversation(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account, xmpp = online(core, qloop, typing=True)
    gui.chat.open(account, BOB)
    gui.chat.text_edited("x")
    gui.chat.text_edited("")
    gui.chat.text_edited("y")
    gui.chat.open(account, CAROL)
    states = [(c[1], c[3]) for c in commands(xmpp, "chat_state")]
    assert states == [
        (BOB, ChatState.COMPOSING),
        (BOB, ChatState.PAUSED),
        (BOB, ChatState.COMPOSING),
        (BOB, ChatState.PAUSED),
    ]


def test_a_sent_message_ends_typing_without_a_paused_notification(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account, xmpp = online(core, qloop, typing=True)
    gui.chat.open(account, BOB)
    gui.chat.text_edited("hi")
    gui.chat.send("hi")
    assert not gui.chat.typing.composing
    assert not gui.chat.typing.pause_timer.isActive()
    assert [c[3] for c in commands(xmpp, "chat_state")] == [ChatState.COMPOSING]


def test_typing_is_not_sent_when_the_account_says_no(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account, xmpp = online(core, qloop, typing=False)
    gui.chat.open(account, BOB)
    gui.chat.text_edited("secret")
    gui.chat.text_edited("")
    assert commands(xmpp, "chat_state") == []


def test_who_is_typing_in_the_open_conversation(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account, xmpp = online(core, qloop)
    gui.chat.open(account, BOB)
    changes: list[str] = []
    gui.chat.typing.changed.connect(lambda: changes.append(gui.chat.typing.text))

    def state(sender: str, value: ChatState) -> None:
        core.bus.publish(ChatStateReceived(account, Jid.parse(sender), value))
        gui.bridge.flush()

    state("carol@x.org/pc", ChatState.COMPOSING)  # another conversation
    assert gui.chat.typing.text == ""
    state("bob@x.org/phone", ChatState.COMPOSING)
    assert gui.chat.typing.text == "Bob is typing…"
    state("bob@x.org/phone", ChatState.PAUSED)
    assert gui.chat.typing.text == ""
    state("bob@x.org/phone", ChatState.COMPOSING)
    xmpp.receive_message("bob@x.org/phone", "done typing")  # a message ends it
    gui.bridge.flush()
    assert gui.chat.typing.text == ""
    assert changes == ["Bob is typing…", "", "Bob is typing…", ""]


# --- read position and unread counts ------------------------------------------------------


def test_a_conversation_in_front_of_the_user_is_read_and_marked(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account, xmpp = online(core, qloop, markers=True)
    xmpp.receive_message("bob@x.org/phone", "one")
    gui.chat.open(account, BOB)
    gui.bridge.flush()
    assert gui.names(account) == ["Bob (1)", "Carol"]  # open, but the window is not active
    assert commands(xmpp, "marker") == []

    gui.chat.set_visible(True)
    gui.bridge.flush()
    assert gui.names(account) == ["Bob", "Carol"]
    (marker,) = commands(xmpp, "marker")
    assert marker[1:3] == (BOB, ChatKind.CHAT)

    xmpp.receive_message("bob@x.org/phone", "two")  # arrives while being looked at
    gui.bridge.flush()
    gui.bridge.flush()
    assert gui.names(account) == ["Bob", "Carol"]
    assert len(commands(xmpp, "marker")) == 2

    gui.chat.set_visible(False)
    xmpp.receive_message("bob@x.org/phone", "three")
    gui.bridge.flush()
    gui.bridge.flush()
    assert gui.names(account) == ["Bob (1)", "Carol"]


def test_unread_counts_come_from_the_core_after_a_restart(
    core: Core, qapp: QApplication, qloop: asyncio.AbstractEventLoop
) -> None:
    account, xmpp = online(core, qloop)
    for text in ("a", "b", "c"):
        xmpp.receive_message("carol@x.org/pc", text)
    xmpp.receive_message("dave@elsewhere.example/x", "stranger")
    # the window is built after the messages were stored (as after a restart)
    gui = build_gui(core)
    assert gui.names(account) == ["Bob", "Carol (3)", "dave@elsewhere.example (1)"]
    assert core.chat.unread_count(account, CAROL) == 3


def test_messages_of_other_directions_do_not_count(
    core: Core, gui: Gui, qloop: asyncio.AbstractEventLoop
) -> None:
    account, xmpp = online(core, qloop)
    gui.chat.open(account, CAROL)
    gui.chat.send("sent by me")
    xmpp.receive_message(
        "me@x.org/laptop",
        "from my other device",
        outgoing=True,
        recipient="bob@x.org",
    )
    gui.bridge.flush()
    assert gui.names(account) == ["Bob", "Carol"]
    assert all(m.direction is Direction.OUTGOING for m in rows(gui))


def test_someone_typing_without_news_stops_showing(
    core: Core, qapp: QApplication, qloop: asyncio.AbstractEventLoop
) -> None:
    account, _xmpp = online(core, qloop)
    now = [1000.0]
    bridge = EventBridge(core.bus, later)
    typing = TypingPresenter(core.chat, clock=lambda: now[0])
    typing.register(bridge)
    typing.set_conversation((account, BOB), "Bob")
    core.bus.publish(ChatStateReceived(account, Jid.parse("bob@x.org/a"), ChatState.COMPOSING))
    bridge.flush()
    assert typing.text == "Bob is typing…"
    assert typing.stale_timer.isActive()
    now[0] += STALE_S - 1
    typing.drop_stale()
    assert typing.text == "Bob is typing…"
    core.bus.publish(ChatStateReceived(account, Jid.parse("bob@x.org/a"), ChatState.COMPOSING))
    bridge.flush()  # news: the wait starts again
    now[0] += STALE_S - 1
    typing.drop_stale()
    assert typing.text == "Bob is typing…"
    now[0] += 1
    typing.drop_stale()
    assert typing.text == ""
    assert not typing.stale_timer.isActive()
