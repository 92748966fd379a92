"""NotificationService over the fakes: levels, overrides, do-not-disturb, rooms, bursts."""

from __future__ import annotations

import asyncio
import itertools
import time

from siproxylin.core.services.notification_text import MAX_TEXT, content, excerpt
from siproxylin.core.services.notifications import mentions
from siproxylin.domain.events import (
    BlocklistReceived,
    MessageReceived,
    ReactionsReceived,
    RoomJoined,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind
from siproxylin.domain.notifications import NotifyLevel, RoomNotify
from tests.fakes import Core, account_config, make_core, roster_item
from tests.notification_fakes import Notifications, notifications

BOB = Jid.parse("bob@x.org")
ROOM = Jid.parse("room@chat.x.org")
_ids = itertools.count(1)


async def online(core: Core, jid: str = "me@x.org") -> AccountId:
    stored = await core.accounts.add_account(account_config(jid), "pw")
    core.xmpp(stored.id).start()
    return stored.id


async def setup(now: list[float] | None = None) -> tuple[Core, AccountId, Notifications]:
    core = make_core()
    account = await online(core)
    return core, account, notifications(core, now)


def room_message(
    core: Core,
    account: AccountId,
    nick: str,
    body: str,
    *,
    delayed: bool = False,
    archived: bool = False,
    outgoing: bool = False,
    reply_to_jid: str = "",
) -> None:
    number = next(_ids)
    core.bus.publish(
        MessageReceived(
            account,
            sender=ROOM.with_resource(nick),
            recipient=Jid.parse("me@x.org/r"),
            body=body,
            message_id=f"g{number}",
            origin_id=f"go{number}",
            stanza_id=f"gs{number}",
            timestamp=time.time(),
            delayed=delayed,
            outgoing=outgoing,
            kind=ChatKind.GROUPCHAT,
            archived=archived,
            reply_to_jid=reply_to_jid,
        )
    )


def join(core: Core, account: AccountId, nick: str = "me") -> None:
    core.bus.publish(RoomJoined(account, ROOM, nick))


# --- what a level shows -----------------------------------------------------------


async def test_full_level_shows_sender_and_text() -> None:
    core, account, notes = await setup()
    core.xmpp(account).receive_message("bob@x.org/phone", "Lunch at noon?")
    assert notes.shown == [("bob@x.org", "Lunch at noon?")]
    assert notes.requested[0].conversation == BOB
    assert notes.requested[0].level is NotifyLevel.FULL


async def test_full_level_uses_the_roster_name_and_cuts_long_text() -> None:
    core, account, notes = await setup()
    core.xmpp(account).receive_roster(roster_item("bob@x.org", "Bob"))
    core.xmpp(account).receive_message("bob@x.org/phone", "x" * 500)
    title, body = notes.shown[0]
    assert title == "Bob"
    assert len(body) == MAX_TEXT
    assert body == "x" * (MAX_TEXT - 1) + "…"


async def test_sender_level_shows_only_who_wrote() -> None:
    core, account, notes = await setup()
    core.xmpp(account).receive_roster(roster_item("bob@x.org", "Bob"))
    notes.service.set_app_level(NotifyLevel.SENDER)
    core.xmpp(account).receive_message("bob@x.org/phone", "the secret plan")
    assert notes.shown == [("Message from Bob", "")]


async def test_anonymous_level_shows_neither_sender_nor_text() -> None:
    core, account, notes = await setup()
    notes.service.set_app_level(NotifyLevel.ANONYMOUS)
    core.xmpp(account).receive_message("bob@x.org/phone", "the secret plan")
    assert notes.shown == [("New message", "")]
    assert notes.requested[0].level is NotifyLevel.ANONYMOUS


async def test_a_shared_file_shows_as_file_never_its_address() -> None:
    core, account, notes = await setup()
    url = "aesgcm://up.x.org/f.jpg#00112233445566778899aabbccddeeff"
    number = next(_ids)
    core.bus.publish(
        MessageReceived(
            account,
            sender=Jid.parse("bob@x.org/phone"),
            recipient=Jid.parse("me@x.org"),
            body=url,
            message_id=f"f{number}",
            origin_id=f"fo{number}",
            stanza_id=f"fs{number}",
            timestamp=time.time(),
            attachment=url,
        )
    )
    assert notes.shown == [("bob@x.org", "File")]


# --- which level applies ------------------------------------------------------------


async def test_chat_overrides_account_which_overrides_the_app() -> None:
    core, account, notes = await setup()
    other = await online(core, "alt@y.org")
    service = notes.service
    service.set_app_level(NotifyLevel.SENDER)
    service.set_account_level(account, NotifyLevel.ANONYMOUS)
    service.set_chat_level(account, BOB, NotifyLevel.FULL)
    assert service.level(account, BOB) is NotifyLevel.FULL
    assert service.level(account, Jid.parse("carol@x.org")) is NotifyLevel.ANONYMOUS
    assert service.level(other, BOB) is NotifyLevel.SENDER
    core.xmpp(account).receive_message("bob@x.org/a", "one")
    core.xmpp(account).receive_message("carol@x.org/a", "two")
    core.xmpp(other).receive_message("bob@x.org/a", "three")
    assert notes.shown == [
        ("bob@x.org", "one"),
        ("New message", ""),
        ("Message from bob@x.org", ""),
    ]
    service.set_chat_level(account, BOB, None)
    service.set_account_level(account, None)
    assert service.chat_level(account, BOB) is None
    assert service.account_level(account) is None
    assert service.level(account, BOB) is NotifyLevel.SENDER


async def test_preferences_are_stored_under_clear_keys() -> None:
    _core, account, notes = await setup()
    notes.service.set_account_level(account, NotifyLevel.SENDER)
    notes.service.set_chat_level(account, BOB, NotifyLevel.ANONYMOUS)
    notes.service.set_room_setting(account, ROOM, RoomNotify.ALL)
    notes.service.set_do_not_disturb(True)
    assert notes.settings.values == {
        (account, "notify/level"): "sender",
        (account, "chat/bob@x.org/notify/level"): "anonymous",
        (account, "chat/room@chat.x.org/notify/room"): "all",
        (None, "notify/dnd"): 1,
        (None, "notify/dnd-until"): 0,
    }


async def test_an_unreadable_stored_level_falls_back() -> None:
    _core, account, notes = await setup()
    notes.preferences.set("notify/level", "loud", account)
    assert notes.service.level(account, BOB) is NotifyLevel.FULL


# --- do not disturb ---------------------------------------------------------------


async def test_do_not_disturb_suppresses_but_unread_counts_go_on() -> None:
    core, account, notes = await setup()
    notes.service.set_do_not_disturb(True)
    core.xmpp(account).receive_message("bob@x.org/a", "quiet")
    assert notes.requested == []
    assert core.chat.unread_count(account, BOB) == 1
    notes.service.set_do_not_disturb(False)
    core.xmpp(account).receive_message("bob@x.org/a", "loud")
    assert notes.shown == [("bob@x.org", "loud")]


async def test_do_not_disturb_until_a_time_ends_by_itself() -> None:
    now = [1000.0]
    core, account, notes = await setup(now)
    notes.service.set_do_not_disturb(True, until=1060)
    assert notes.service.do_not_disturb_until() == 1060
    core.xmpp(account).receive_message("bob@x.org/a", "during")
    now[0] = 1061.0
    assert not notes.service.do_not_disturb()
    core.xmpp(account).receive_message("bob@x.org/a", "after")
    assert notes.shown == [("bob@x.org", "after")]


# --- what never notifies ----------------------------------------------------------


async def test_own_messages_and_carbons_of_ours_do_not_notify() -> None:
    core, account, notes = await setup()
    core.chat.send_message(account, BOB, "typed here")
    core.xmpp(account).receive_message(
        "me@x.org/other", "from my phone", outgoing=True, recipient="bob@x.org"
    )
    assert notes.requested == []


async def test_archive_catch_up_does_not_notify() -> None:
    core, account, notes = await setup()
    number = next(_ids)
    core.bus.publish(
        MessageReceived(
            account,
            sender=Jid.parse("bob@x.org/a"),
            recipient=Jid.parse("me@x.org"),
            body="old",
            message_id=f"a{number}",
            origin_id=f"ao{number}",
            stanza_id=f"as{number}",
            timestamp=time.time() - 3600,
            delayed=True,
            archived=True,
        )
    )
    assert notes.requested == []


async def test_offline_delivery_notifies_but_room_history_does_not() -> None:
    core, account, notes = await setup()
    number = next(_ids)
    core.bus.publish(
        MessageReceived(
            account,
            sender=Jid.parse("bob@x.org/a"),
            recipient=Jid.parse("me@x.org"),
            body="while you were away",
            message_id=f"d{number}",
            origin_id=f"do{number}",
            stanza_id=f"ds{number}",
            timestamp=time.time() - 600,
            delayed=True,
        )
    )
    join(core, account)
    notes.service.set_room_setting(account, ROOM, RoomNotify.ALL)
    room_message(core, account, "alice", "history", delayed=True)
    assert notes.shown == [("bob@x.org", "while you were away")]


async def test_corrections_reactions_and_duplicates_do_not_notify() -> None:
    core, account, notes = await setup()
    xmpp = core.xmpp(account)
    first = xmpp.receive_message("bob@x.org/a", "helo", origin_id="o1", stanza_id="s1")
    xmpp.receive_message("bob@x.org/a", "helo", origin_id="o1", stanza_id="s1")  # again
    core.bus.publish(
        MessageReceived(
            account,
            sender=Jid.parse("bob@x.org/a"),
            recipient=Jid.parse("me@x.org"),
            body="hello",
            message_id="m-fix",
            origin_id="o-fix",
            stanza_id="s-fix",
            timestamp=time.time(),
            replaces=first.message_id,
        )
    )
    core.bus.publish(
        ReactionsReceived(
            account, Jid.parse("bob@x.org/a"), Jid.parse("me@x.org"), first.message_id, ("👍",)
        )
    )
    assert notes.shown == [("bob@x.org", "helo")]
    assert core.chat.history(account, BOB)[0].body == "hello"


async def test_blocked_contacts_do_not_notify() -> None:
    core, account, notes = await setup()
    core.bus.publish(BlocklistReceived(account, (BOB,), complete=True))
    core.xmpp(account).receive_message("bob@x.org/a", "spam")
    assert notes.requested == []


async def test_the_conversation_on_screen_does_not_notify() -> None:
    core, account, notes = await setup()
    notes.service.set_focus(account, BOB)
    core.xmpp(account).receive_message("bob@x.org/a", "seen anyway")
    core.xmpp(account).receive_message("carol@x.org/a", "elsewhere")
    assert notes.shown == [("carol@x.org", "elsewhere")]
    notes.service.set_focus(None, None)
    core.xmpp(account).receive_message("bob@x.org/a", "now away")
    assert notes.shown[-1] == ("bob@x.org", "now away")


# --- rooms --------------------------------------------------------------------------


async def test_rooms_notify_mentions_by_default() -> None:
    core, account, notes = await setup()
    join(core, account, "Me")
    room_message(core, account, "alice", "hello all")
    room_message(core, account, "alice", "welcome, me!")
    room_message(core, account, "alice", "meme of the day")  # not a word of its own
    room_message(core, account, "bob", "quite so", reply_to_jid="room@chat.x.org/Me")
    room_message(core, account, "Me", "thanks me", outgoing=True)
    assert notes.shown == [
        ("alice in room", "welcome, me!"),
        ("room", "2 new messages\nbob: quite so"),
    ]
    assert notes.service.room_setting(account, ROOM) is RoomNotify.MENTIONS


async def test_rooms_set_to_all_or_none() -> None:
    core, account, notes = await setup()
    join(core, account)
    notes.service.set_room_setting(account, ROOM, RoomNotify.ALL)
    room_message(core, account, "alice", "anything")
    notes.service.set_room_setting(account, ROOM, RoomNotify.NONE)
    room_message(core, account, "alice", "even me")
    notes.service.set_room_setting(account, ROOM, None)
    room_message(core, account, "alice", "me again")
    assert [body for _title, body in notes.shown] == ["anything", "2 new messages\nme again"]


async def test_room_levels_hide_nick_and_text() -> None:
    core, account, notes = await setup()
    join(core, account)
    notes.service.set_chat_level(account, ROOM, NotifyLevel.SENDER)
    room_message(core, account, "alice", "hi me")
    notes.service.set_chat_level(account, ROOM, NotifyLevel.ANONYMOUS)
    room_message(core, account, "alice", "hi me")
    assert notes.shown == [("Message from alice in room", ""), ("2 new messages", "")]
    core.chat.mark_read(account, ROOM)
    room_message(core, account, "alice", "hi me")
    assert notes.shown[-1] == ("New message", "")


# --- bursts -------------------------------------------------------------------------


async def test_a_burst_is_one_notification_updated_with_the_count() -> None:
    core, account, notes = await setup()
    notes.service.burst_window = 0.05
    xmpp = core.xmpp(account)
    for number in range(20):
        xmpp.receive_message("bob@x.org/a", f"message {number}")
    assert notes.shown == [("bob@x.org", "message 0")]
    await asyncio.sleep(0.1)
    assert notes.shown[1:] == [("bob@x.org", "20 new messages\nmessage 19")]
    assert notes.requested[-1].count == 20


async def test_reading_withdraws_and_starts_counting_again() -> None:
    core, account, notes = await setup()
    xmpp = core.xmpp(account)
    xmpp.receive_message("bob@x.org/a", "one")
    xmpp.receive_message("bob@x.org/a", "two")
    core.chat.mark_read(account, BOB)
    assert [event.conversation for event in notes.withdrawn] == [BOB]
    xmpp.receive_message("bob@x.org/a", "three")
    assert [event.count for event in notes.requested] == [1, 2, 1]


async def test_a_room_burst_from_several_people_names_the_room() -> None:
    core, account, notes = await setup()
    join(core, account)
    notes.service.set_room_setting(account, ROOM, RoomNotify.ALL)
    room_message(core, account, "alice", "a")
    room_message(core, account, "bob", "b")
    assert notes.shown[-1] == ("room", "2 new messages\nbob: b")
    notes.service.set_chat_level(account, ROOM, NotifyLevel.SENDER)
    room_message(core, account, "carol", "c")
    assert notes.shown[-1] == ("3 new messages in room", "")


async def test_opening_the_conversation_withdraws_its_notification() -> None:
    core, account, notes = await setup()
    core.xmpp(account).receive_message("bob@x.org/a", "one")
    notes.service.set_focus(account, BOB)
    assert [event.conversation for event in notes.withdrawn] == [BOB]


# --- the words ----------------------------------------------------------------------


def test_content_of_each_level() -> None:
    assert content(NotifyLevel.FULL, 1, "Bob", text="hi") == ("Bob", "hi")
    assert content(NotifyLevel.FULL, 3, "Bob", text="hi") == ("Bob", "3 new messages\nhi")
    assert content(NotifyLevel.SENDER, 1, "Bob", text="hi") == ("Message from Bob", "")
    assert content(NotifyLevel.SENDER, 3, "Bob", text="hi") == ("3 new messages from Bob", "")
    assert content(NotifyLevel.ANONYMOUS, 1, "Bob", text="hi") == ("New message", "")
    assert content(NotifyLevel.ANONYMOUS, 3, "Bob", "Room", "hi") == ("3 new messages", "")


def test_excerpt_and_mentions() -> None:
    assert excerpt("  hi  ") == "hi"
    assert excerpt("https://x/f.png", attachment="https://x/f.png") == "File"
    assert mentions("Hey ME, look", "me")
    assert mentions("@me:", "me")
    assert not mentions("memes", "me")
    assert mentions("ask a.b", "a.b")
    assert not mentions("ask axb", "a.b")
