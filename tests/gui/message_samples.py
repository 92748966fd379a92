"""Messages showing every feature of a bubble, for the view tests and the screenshot harness."""

from __future__ import annotations

import time

from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import (
    ChatKind,
    ChatMessage,
    DeliveryState,
    Direction,
    Reaction,
)

ACCOUNT = AccountId(1)
BOB = Jid.parse("bob@x.org")
ROOM = Jid.parse("room@muc.x.org")

IN, OUT = Direction.INCOMING, Direction.OUTGOING


def chat_samples(now: float | None = None) -> list[ChatMessage]:
    """A 1:1 conversation with styling, a reply, /me, an edit, a retraction, reactions."""
    start = (now or time.time()) - 600

    def msg(number: int, direction: Direction, body: str, **extra: object) -> ChatMessage:
        fields: dict[str, object] = {
            "state": DeliveryState.RECEIVED if direction is IN else DeliveryState.ACKED,
            "message_id": f"m{number}",
            "origin_id": f"o{number}",
        }
        fields.update(extra)
        return ChatMessage(
            id=number,
            account=ACCOUNT,
            peer=BOB,
            direction=direction,
            body=body,
            timestamp=start + number * 30,
            **fields,  # type: ignore[arg-type]
        )

    return [
        msg(1, IN, "Hi! Did you read *the* _whole_ ~draft~ proposal? Run `make test` first."),
        msg(
            2,
            OUT,
            "> Did you read the whole proposal?\nYes, and the code:\n```python\n"
            "print('*not bold*')\n```\nLooks fine.",
            state=DeliveryState.DISPLAYED,
        ),
        msg(3, IN, "Great, thanks", reply_to="o2", reply_to_jid="me@x.org"),
        msg(4, IN, "/me waves from the train"),
        msg(
            5, OUT, "See you at ten (edited: was nine)", edited=True, state=DeliveryState.DELIVERED
        ),
        msg(6, IN, "", retracted=True),
        msg(
            7,
            IN,
            "Lunch?",
            reactions=(
                Reaction("👍", ("me@x.org", "bob@x.org"), own=True),
                Reaction("❤", ("bob@x.org",)),
            ),
            thread="1a2b3c4d-thread",
        ),
        msg(8, OUT, "Sending…", state=DeliveryState.PENDING),
        msg(9, OUT, "This one bounced", state=DeliveryState.FAILED),
    ]


def room_samples(now: float | None = None) -> list[ChatMessage]:
    """A room: coloured nicks, our own message, a reply by stanza-id."""
    start = (now or time.time()) - 300

    def msg(
        number: int, direction: Direction, nick: str, body: str, **extra: object
    ) -> ChatMessage:
        return ChatMessage(
            id=100 + number,
            account=ACCOUNT,
            peer=ROOM,
            direction=direction,
            body=body,
            timestamp=start + number * 20,
            origin_id=f"ro{number}",
            stanza_id=f"rs{number}",
            resource=nick,
            kind=ChatKind.GROUPCHAT,
            state=DeliveryState.RECEIVED if direction is IN else DeliveryState.ACKED,
            **extra,  # type: ignore[arg-type]
        )

    return [
        msg(1, IN, "Romeo", "Wherefore art thou?"),
        msg(2, IN, "Juliet", "Deny thy father *and* refuse thy name."),
        msg(3, OUT, "me", "Hello room"),
        msg(
            4,
            IN,
            "Mercutio",
            "A plague o' both your houses!",
            reply_to="rs2",
            reply_to_jid="Juliet",
        ),
        msg(5, IN, "Romeo", "/me sighs"),
        msg(6, IN, "Tybalt", "", retracted=True, retracted_by="Escalus"),
    ]
