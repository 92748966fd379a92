"""Message bubbles: what each feature adds to a row, click targets, styled text layout."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFont, QImage
from PySide6.QtWidgets import QApplication, QListView

from siproxylin.domain.events import MessageStored
from siproxylin.domain.models import ChatMessage, Reaction
from siproxylin.gui.models.messages import MessageListModel
from siproxylin.gui.views.message_delegate import HitKind, MessageDelegate
from siproxylin.gui.views.message_text import QUOTE_INDENT, TextColours, lay_out
from tests.gui.message_samples import chat_samples, room_samples

GREY = QColor("grey")
COLOURS = TextColours(QColor("black"), GREY, GREY, GREY)


class Bubbles:
    def __init__(self, messages: list[ChatMessage]) -> None:
        self.view = QListView()
        # The view owns the model: neither outlives the other (a view painting a
        # deleted model crashes the process).
        self.model = MessageListModel(self.view)
        self.model.set_names("Bob", "me")
        self.model.set_messages(messages)
        self.view.setModel(self.model)
        self.delegate = MessageDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.resize(600, 1200)
        self.view.show()
        QApplication.processEvents()

    def height(self, row: int) -> int:
        return self.view.visualRect(self.model.index(row, 0)).height()

    def row_of(self, body: str) -> int:
        return next(r for r, m in enumerate(self.model.messages()) if m.body == body)


@pytest.fixture
def chat(qapp: QApplication) -> Iterator[Bubbles]:
    bubbles = Bubbles(chat_samples())
    yield bubbles
    bubbles.view.close()


def test_every_feature_paints(chat: Bubbles) -> None:
    image = chat.view.grab().toImage()
    assert image.format() != QImage.Format.Format_Invalid
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, 600, 7)}
    assert len(colours) > 10  # bubbles, text, marks: not a blank view
    room = Bubbles(room_samples())
    assert not room.view.grab().toImage().isNull()


def test_features_add_height(chat: Bubbles) -> None:
    plain = chat.height(chat.row_of("Great, thanks"))  # has a reply excerpt
    sending = chat.height(chat.row_of("Sending…"))
    lunch = chat.height(chat.row_of("Lunch?"))  # has reactions
    assert plain > sending
    assert lunch > sending
    quoted = chat.height(1)  # quote, code block, several lines
    assert quoted > 4 * sending / 2


def test_a_changed_body_changes_the_height(chat: Bubbles) -> None:
    row = chat.row_of("Sending…")
    before = chat.height(row)
    longer = replace(chat.model.message(row), body="line\n" * 5)
    chat.model.apply([MessageStored(longer.account, longer, new=False)])
    QApplication.processEvents()
    assert chat.height(row) > before


def test_clicks_hit_chips_and_loaded_reply_targets_only(chat: Bubbles) -> None:
    lunch = chat.model.index(chat.row_of("Lunch?"), 0)
    chips = chat.delegate.chip_rects(lunch)
    assert set(chips) == {"👍", "❤"}
    hit = chat.delegate.hit(lunch, chips["❤"].center().toPoint())
    assert hit is not None
    assert (hit.kind, hit.emoji, hit.message_id) == (HitKind.REACTION, "❤", 7)
    tip = chat.delegate.chip_tooltip(lunch, chips["👍"].center().toPoint())
    assert tip == "👍 me@x.org, bob@x.org"
    assert chat.delegate.hit(lunch, QPoint(599, 2)) is None

    reply = chat.model.index(chat.row_of("Great, thanks"), 0)
    hit = chat.delegate.hit(reply, chat.delegate.reply_rect(reply).center().toPoint())
    assert hit is not None
    assert (hit.kind, hit.target) == (HitKind.REPLY, 2)

    # the answered message is not loaded: the excerpt shows, but leads nowhere
    orphan = replace(chat.model.message(reply.row()), id=50, reply_to="unknown")
    alone = Bubbles([orphan])
    index = alone.model.index(0, 0)
    assert not alone.delegate.reply_rect(index).isEmpty()
    assert alone.delegate.hit(index, alone.delegate.reply_rect(index).center().toPoint()) is None


def test_reactions_wrap_under_the_bubble(qapp: QApplication) -> None:
    many = tuple(Reaction(chr(0x2600 + n), ("a@x.org",)) for n in range(40))
    bubbles = Bubbles([replace(chat_samples()[0], reactions=many)])
    rects = bubbles.delegate.chip_rects(bubbles.model.index(0, 0))
    assert len(rects) == 40
    assert len({round(r.top()) for r in rects.values()}) > 1  # more than one row
    assert all(r.right() <= 600 for r in rects.values())


# --- styled text layout ----------------------------------------------------------------


def test_styled_text_gets_fonts_and_plain_text_does_not() -> None:
    block = lay_out("a *b* `c`", QFont(), 300, COLOURS)
    formats = block.layout.formats()
    assert any(f.format.fontWeight() == QFont.Weight.Bold for f in formats)
    assert any(f.format.fontFixedPitch() for f in formats)
    unstyled = lay_out("a *b* `c`", QFont(), 300, COLOURS, styled=False)
    assert unstyled.layout.formats() == []
    assert unstyled.layout.text() == "a *b* `c`"


def test_quotes_are_indented_with_a_bar_per_level() -> None:
    block = lay_out(">> deep\n> shallow\nplain", QFont(), 300, COLOURS)
    assert block.layout.text() == "deep\u2028shallow\u2028plain"
    lines = [block.layout.lineAt(n) for n in range(block.layout.lineCount())]
    assert [line.position().x() for line in lines] == [2 * QUOTE_INDENT, QUOTE_INDENT, 0.0]
    xs = sorted(x for x, _top, _bottom in block.bars)
    assert xs == [0.0, QUOTE_INDENT]  # level 1 joins over two lines: one bar
    assert block.pre == ()


def test_code_blocks_get_a_background() -> None:
    block = lay_out("```\ncode\n```\nafter", QFont(), 300, COLOURS)
    assert len(block.pre) == 1
    assert block.pre[0].height() > 0


def test_a_long_scroll_keeps_the_caches_bounded(qapp: QApplication) -> None:
    """Rows dropped from the list take their cached heights and files with them."""
    base = chat_samples()[0]
    bubbles = Bubbles([])
    bubbles.model.limit = 300
    next_id = 1_000_000
    for _page in range(120):  # 6,000 older messages, 50 at a time
        page = [
            replace(base, id=next_id - i, body=f"message {next_id - i}") for i in range(50, 0, -1)
        ]
        next_id -= 50
        bubbles.model.prepend(page)
        for row in range(50):
            bubbles.model.transfer(bubbles.model.message(row))
        bubbles.view.doItemsLayout()  # every row's height asked now, no event loop needed
    assert bubbles.model.rowCount() == 300
    assert len(bubbles.delegate._heights) <= 3_050  # 6,000 rows were laid out
    assert len(bubbles.model._transfers) <= 300
    bubbles.view.close()
