"""MessageDelegate: paints a message row as a bubble, and says what a click on it hit.

Incoming bubbles sit on the left, outgoing ones on the right with a tinted
background. From top to bottom a bubble holds: the author's nick in its colour
(room messages from others), a quoted excerpt of the message it answers, the
styled body (a ``/me`` message as "* nick does something", a retracted one as a
grey note), and a meta line with a thread tag on the left and "edited", the time
and the delivery mark on the right (◷ pending, ✓ at the server, ✓✓ delivered, in
the accent colour once seen, ✗ failed). An OMEMO encrypted message has a small
green lock before the time; in an encrypted conversation, a message that was not
encrypted says "not encrypted" there instead, so the header's lock tells the
truth. A message that could not be decrypted is an amber bubble holding the
core's notice in italics (the reason is in its tooltip, from the model).
Reaction chips ("👍 2", ours highlighted) hang below the bubble. Row heights are
cached per message for the current width and never depend on the delivery state.
``hit`` maps a point to the reply excerpt or a chip so the view can act on
clicks; ``helpEvent`` gives a chip's senders as its tooltip. Qt widgets only;
reads rows through ``MessageRole``.
"""

from __future__ import annotations

import enum
import re
import time
from dataclasses import dataclass
from math import ceil

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QHelpEvent, QImage, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
)

from siproxylin.domain.models import (
    ChatKind,
    ChatMessage,
    DeliveryState,
    Direction,
    Encryption,
    FileTransfer,
    Reaction,
    TransferState,
)
from siproxylin.gui import icons, labels
from siproxylin.gui.file_actions import CardAction
from siproxylin.gui.models.messages import MessageRole
from siproxylin.gui.nick_colours import nick_colour
from siproxylin.gui.theme import colours as theme_colours
from siproxylin.gui.thumbnails import Thumbnails
from siproxylin.gui.views.file_card import CardLayout, lay_out_card, paint_card
from siproxylin.gui.views.message_text import TextBlock, TextColours, lay_out

Index = QModelIndex | QPersistentModelIndex

_MARGIN_X = 10.0  # between the view's edge and a bubble
_MARGIN_Y = 3.0  # between two bubbles
_PAD_X = 10.0  # inside a bubble
_PAD_Y = 6.0
_RADIUS = 8.0
_MAX_SHARE = 0.72  # of the view's width a bubble may use
_GAP = 3.0  # between the parts of a bubble
_REPLY_BAR = 3.0
_REPLY_PAD = 6.0
_CHIP_PAD_X = 7.0
_CHIP_PAD_Y = 2.0
_CHIP_GAP = 4.0
_DAY_PAD = 6.0  # above and below a day separator's text
_HEIGHTS_KEPT = 3000  # cached row heights; beyond, those of rows no longer loaded go
_LAID_OUT = re.compile(r"[*_~`>\n\r]")  # bodies that styling or lines may make taller


class HitKind(enum.Enum):
    """What a point on a message row is over."""

    REPLY = "reply"  # the quoted excerpt of the answered message
    REACTION = "reaction"  # a reaction chip
    FILE_ACTION = "file-action"  # a file card's button (``action`` says which)
    FILE_OPEN = "file-open"  # an image's thumbnail


@dataclass(frozen=True, slots=True)
class Hit:
    """A click target: the excerpt (``target`` is the answered message's id) or a chip."""

    kind: HitKind
    message_id: int
    target: int = 0
    emoji: str = ""
    action: CardAction | None = None


@dataclass(frozen=True, slots=True)
class _Chip:
    rect: QRectF
    reaction: Reaction
    text: str


@dataclass(frozen=True, slots=True)
class _Colours:
    fill: QColor  # the bubble
    base: QColor  # the view's background
    text: QColor
    dim: QColor  # meta line, retracted note
    accent: QColor
    body: TextColours


def _colours(message: ChatMessage, palette: QPalette) -> _Colours:
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    accent = palette.color(QPalette.ColorRole.Highlight)
    theme = theme_colours()  # the bubble tints and warning colours of the theme
    if message.decryption_error:
        fill = _mix(base, theme.colour("warning"), 0.2)
    elif message.direction is Direction.OUTGOING:
        fill = theme.colour("bubble_outgoing")
    else:
        fill = theme.colour("bubble_incoming")
    dim = _mix(fill, text, 0.55)
    body = TextColours(
        text=dim if message.retracted or message.decryption_error else text,
        dim=dim,
        bar=_mix(fill, text, 0.3),
        pre=_mix(fill, text, 0.08),
    )
    return _Colours(fill, base, text, dim, accent, body)


@dataclass(frozen=True, slots=True)
class _Geometry:
    """Where the parts of one row go, relative to the row's top-left corner."""

    colours: _Colours
    bubble: QRectF
    header: str  # the nick shown above the body, or ""
    header_origin: QPointF
    reply: QRectF | None
    reply_text: str
    text: TextBlock
    text_origin: QPointF
    chips: tuple[_Chip, ...]
    height: float
    card: CardLayout | None = None
    day: str = ""  # the day separator above the bubble ("" within a day)
    day_rect: QRectF | None = None


@dataclass(frozen=True, slots=True)
class _Fonts:
    body: QFont
    meta: QFont
    header: QFont
    body_metrics: QFontMetricsF
    meta_metrics: QFontMetricsF
    header_metrics: QFontMetricsF


def _fonts(font: QFont) -> _Fonts:
    meta = QFont(font)
    size = font.pointSizeF()
    if size > 0:
        meta.setPointSizeF(size * 0.82)
    header = QFont(meta)
    header.setBold(True)
    return _Fonts(
        QFont(font),
        meta,
        header,
        QFontMetricsF(font),
        QFontMetricsF(meta),
        QFontMetricsF(header),
    )


def _mix(a: QColor, b: QColor, share: float) -> QColor:
    """``a`` with ``share`` of ``b`` mixed in."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * share,
        a.greenF() + (b.greenF() - a.greenF()) * share,
        a.blueF() + (b.blueF() - a.blueF()) * share,
    )


class MessageDelegate(QStyledItemDelegate):
    """Bubble painter for ``MessageListModel`` rows in a ``QListView``."""

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self._view = view
        # per message id: the row laid out, what its height depends on, the height
        self._heights: dict[int, tuple[ChatMessage, tuple[object, ...], int]] = {}
        self._width = -1
        self._fonts = _fonts(QFont())
        self._encrypted = False  # the conversation is encrypted: flag clear-text messages
        self.thumbnails = Thumbnails()

    def forget_sizes(self) -> None:
        """Drop the cached row heights (another conversation was loaded)."""
        self._heights.clear()

    def set_encrypted_conversation(self, encrypted: bool) -> bool:
        """Whether the conversation shown is encrypted; True if that changed (repaint)."""
        changed = encrypted != self._encrypted
        self._encrypted = encrypted
        return changed

    # --- Qt virtuals -------------------------------------------------------------

    def sizeHint(  # noqa: N802
        self, option: QStyleOptionViewItem, index: Index
    ) -> QSize:
        message: ChatMessage | None = index.data(MessageRole.MESSAGE)
        width = self._view.viewport().width()
        if width != self._width:
            self._heights.clear()
            self._width = width
        if message is None:
            return QSize(width, 0)
        cached = self._heights.get(message.id)
        named = message.is_action or _has_header(message)  # the author's name is shown
        transfer: FileTransfer | None = index.data(MessageRole.TRANSFER)
        day: str = index.data(MessageRole.DAY) or ""
        if (
            cached is not None
            and cached[0] is message
            and not named
            and transfer is None
            and cached[1][-1] == day
        ):
            return QSize(width, cached[2])  # the very row laid out before
        author: str = index.data(MessageRole.AUTHOR) or "" if named else ""
        key = (*_size_key(message, author), *self._card_key(transfer), day)
        if cached is not None and cached[1] == key:
            self._heights[message.id] = (message, key, cached[2])
            return QSize(width, cached[2])
        fonts = self._fonts_for(option.font)
        plain = transfer is None and not day
        height = self._quick_height(message, fonts, width) if plain else None
        if height is None:
            reply = "↪" if message.reply_to else ""  # one line whatever it says
            geometry = self._geometry(
                message, author, reply, fonts, width, option.palette, transfer, day
            )
            height = ceil(geometry.height)
        self._heights[message.id] = (message, key, height)
        if len(self._heights) > _HEIGHTS_KEPT:
            self._forget_unloaded()
        return QSize(width, height)

    def _forget_unloaded(self) -> None:
        """Drop cached heights of messages no longer in the list (scrolled far away)."""
        model = self._view.model()
        row_of = getattr(model, "row_of", None)
        if row_of is None:
            self._heights.clear()
            return
        self._heights = {
            key: value for key, value in self._heights.items() if row_of(key) is not None
        }

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        message: ChatMessage | None = index.data(MessageRole.MESSAGE)
        if message is None:
            return
        rect = QRectF(option.rect)
        fonts = self._fonts_for(option.font)
        author: str = index.data(MessageRole.AUTHOR) or ""
        reply = _reply_of(index, message)
        transfer: FileTransfer | None = index.data(MessageRole.TRANSFER)
        day: str = index.data(MessageRole.DAY) or ""
        geometry = self._geometry(
            message, author, reply, fonts, int(rect.width()), option.palette, transfer, day
        )
        colours = geometry.colours
        fill, base, text, dim, accent = (
            colours.fill,
            colours.base,
            colours.text,
            colours.dim,
            colours.accent,
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(rect.topLeft())
        if geometry.day_rect is not None:
            self._paint_day(painter, geometry.day_rect, geometry.day, fonts, dim)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(geometry.bubble, _RADIUS, _RADIUS)
        if geometry.header:
            painter.setFont(fonts.header)
            painter.setPen(nick_colour(geometry.header, fill))
            painter.drawText(geometry.header_origin, geometry.header)
        if geometry.reply is not None:
            self._paint_reply(painter, geometry, fonts, fill, text, accent)
        if geometry.card is not None and transfer is not None:
            paint_card(
                painter,
                geometry.card,
                geometry.text_origin,
                transfer,
                self._thumbnail(transfer),
                (fonts.body, fonts.meta),
                (text, dim, accent, theme_colours().colour("failed")),
            )
        else:
            geometry.text.draw(painter, geometry.text_origin, colours.body)
        self._paint_meta(painter, message, fonts, geometry.bubble, dim, accent)
        for chip in geometry.chips:
            self._paint_chip(painter, chip, fonts, base, text, accent)
        painter.restore()

    def helpEvent(  # noqa: N802
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: Index,
    ) -> bool:
        if event.type() is QEvent.Type.ToolTip:
            tip = self.chip_tooltip(index, event.pos())
            if tip:
                QToolTip.showText(event.globalPos(), tip, view)
                return True
        return super().helpEvent(event, view, option, index)

    # --- hit testing -------------------------------------------------------------

    def hit(self, index: Index, pos: QPoint) -> Hit | None:
        """What ``pos`` (viewport coordinates) is over in the row ``index``."""
        message: ChatMessage | None = index.data(MessageRole.MESSAGE)
        if message is None:
            return None
        geometry = self._row_geometry(index, message)
        rect = self._view.visualRect(index)
        point = QPointF(pos - rect.topLeft())
        if geometry.reply is not None and geometry.reply.contains(point):
            target: ChatMessage | None = index.data(MessageRole.REPLY)
            if target is not None:
                return Hit(HitKind.REPLY, message.id, target=target.id)
        for chip in geometry.chips:
            if chip.rect.contains(point):
                return Hit(HitKind.REACTION, message.id, emoji=chip.reaction.emoji)
        card = geometry.card
        if card is not None:
            local = point - geometry.text_origin
            if card.button is not None and card.button.contains(local):
                return Hit(HitKind.FILE_ACTION, message.id, action=card.action)
            if card.thumbnail is not None and card.thumbnail.contains(local):
                return Hit(HitKind.FILE_OPEN, message.id)
        return None

    def card_button_rect(self, index: Index) -> QRectF:
        """The file card's button of row ``index`` in viewport coordinates (empty if none)."""
        message: ChatMessage | None = index.data(MessageRole.MESSAGE)
        if message is None:
            return QRectF()
        geometry = self._row_geometry(index, message)
        if geometry.card is None or geometry.card.button is None:
            return QRectF()
        offset = QPointF(self._view.visualRect(index).topLeft()) + geometry.text_origin
        return geometry.card.button.translated(offset)

    def chip_tooltip(self, index: Index, pos: QPoint) -> str:
        """Who reacted with the chip under ``pos``; "" when there is no chip there."""
        message: ChatMessage | None = index.data(MessageRole.MESSAGE)
        if message is None or not message.reactions:
            return ""
        geometry = self._row_geometry(index, message)
        point = QPointF(pos - self._view.visualRect(index).topLeft())
        for chip in geometry.chips:
            if chip.rect.contains(point):
                return labels.reaction_tooltip(chip.reaction.emoji, chip.reaction.senders)
        return ""

    def chip_rects(self, index: Index) -> dict[str, QRectF]:
        """Each reaction chip of row ``index`` by emoji, in viewport coordinates."""
        message: ChatMessage | None = index.data(MessageRole.MESSAGE)
        if message is None:
            return {}
        offset = QPointF(self._view.visualRect(index).topLeft())
        geometry = self._row_geometry(index, message)
        return {chip.reaction.emoji: chip.rect.translated(offset) for chip in geometry.chips}

    def reply_rect(self, index: Index) -> QRectF:
        """The reply excerpt of row ``index`` in viewport coordinates (empty if none)."""
        message: ChatMessage | None = index.data(MessageRole.MESSAGE)
        if message is None:
            return QRectF()
        geometry = self._row_geometry(index, message)
        if geometry.reply is None:
            return QRectF()
        return geometry.reply.translated(QPointF(self._view.visualRect(index).topLeft()))

    def bubble_rect(self, index: Index) -> QRectF:
        """The bubble of row ``index`` in viewport coordinates (empty when invalid)."""
        message: ChatMessage | None = index.data(MessageRole.MESSAGE)
        if message is None:
            return QRectF()
        geometry = self._row_geometry(index, message)
        return geometry.bubble.translated(QPointF(self._view.visualRect(index).topLeft()))

    # --- internals ---------------------------------------------------------------

    def _fonts_for(self, font: QFont) -> _Fonts:
        if font != self._fonts.body:
            self._fonts = _fonts(font)
        return self._fonts

    def _row_geometry(self, index: Index, message: ChatMessage) -> _Geometry:
        author: str = index.data(MessageRole.AUTHOR) or ""
        reply = _reply_of(index, message)
        width = self._view.viewport().width()
        fonts = self._fonts_for(self._view.font())
        transfer: FileTransfer | None = index.data(MessageRole.TRANSFER)
        day: str = index.data(MessageRole.DAY) or ""
        palette = self._view.palette()
        return self._geometry(message, author, reply, fonts, width, palette, transfer, day)

    def _thumbnail(self, transfer: FileTransfer) -> QImage | None:
        if transfer.state is not TransferState.DONE or not transfer.path or not transfer.image:
            return None
        return self.thumbnails.get(transfer.path)

    def _card_key(self, transfer: FileTransfer | None) -> tuple[object, ...]:
        """What a file card's height depends on."""
        if transfer is None:
            return ()
        moving = transfer.state in (TransferState.UPLOADING, TransferState.DOWNLOADING)
        thumbnail = self._thumbnail(transfer)
        size = (thumbnail.width(), thumbnail.height()) if thumbnail is not None else None
        return (transfer.state, moving, size, transfer.name)

    def _quick_height(self, message: ChatMessage, fonts: _Fonts, width: int) -> int | None:
        """The height of a plain one-line bubble without laying it out; None otherwise."""
        if (
            message.reactions
            or message.reply_to
            or message.retracted
            or message.is_action
            or message.decryption_error
            or _has_header(message)
            or not message.body.isascii()  # a fallback font (emoji) may be taller
            or _LAID_OUT.search(message.body) is not None
            or fonts.body_metrics.horizontalAdvance(message.body) > _room(width)
        ):
            return None
        text_height = fonts.body_metrics.height()
        meta_height = fonts.meta_metrics.height()
        return ceil(text_height + meta_height + 2 * _PAD_Y + 2 * _MARGIN_Y)

    def _geometry(
        self,
        message: ChatMessage,
        author: str,
        reply: str,
        fonts: _Fonts,
        width: int,
        palette: QPalette,
        transfer: FileTransfer | None = None,
        day: str = "",
    ) -> _Geometry:
        room = _room(width)
        colours = _colours(message, palette)
        card: CardLayout | None = None
        if transfer is not None and not message.retracted:
            thumbnail = self._thumbnail(transfer)
            card = lay_out_card(
                transfer, message.direction, thumbnail, fonts.body, fonts.meta, room
            )
        if message.retracted:
            note = labels.retracted_text(message.retracted_by)
            text = lay_out(note, fonts.body, room, colours.body, styled=False, italic=True)
        elif message.decryption_error:
            note = f"⚠ {labels.undecryptable_text(message.body)}"
            text = lay_out(note, fonts.body, room, colours.body, styled=False, italic=True)
        elif message.is_action:
            body = labels.action_text(message.body, author)
            text = lay_out(body, fonts.body, room, colours.body, italic=True)
        else:
            text = lay_out(message.body, fonts.body, room, colours.body)
        header = author if _has_header(message) else ""
        content_width = card.width if card is not None else text.width
        inner = max(content_width, _meta_width(message, fonts, self._encrypted))
        if header:
            inner = max(inner, fonts.header_metrics.horizontalAdvance(header))
        reply_text = reply if message.reply_to and not message.retracted else ""
        if reply_text:
            natural = fonts.meta_metrics.horizontalAdvance(reply_text) + _REPLY_BAR + 2 * _REPLY_PAD
            inner = min(room, max(inner, natural))
        left = (
            width - _MARGIN_X - inner - 2 * _PAD_X
            if message.direction is Direction.OUTGOING
            else _MARGIN_X
        )
        x = left + _PAD_X
        day_rect: QRectF | None = None
        top = _MARGIN_Y
        if day:
            day_rect = QRectF(0, _MARGIN_Y, width, fonts.meta_metrics.height() + 2 * _DAY_PAD)
            top = day_rect.bottom() + _MARGIN_Y
        y = top + _PAD_Y
        header_origin = QPointF(x, y + fonts.header_metrics.ascent())
        if header:
            y += fonts.header_metrics.height() + _GAP
        reply_rect: QRectF | None = None
        if reply_text:
            reply_height = fonts.meta_metrics.height() + 2 * _CHIP_PAD_Y + 2
            reply_rect = QRectF(x, y, inner, reply_height)
            reply_text = fonts.meta_metrics.elidedText(
                reply_text, Qt.TextElideMode.ElideRight, inner - _REPLY_BAR - 2 * _REPLY_PAD
            )
            y += reply_height + _GAP
        text_origin = QPointF(x, y)
        y += card.height if card is not None else text.height
        y += fonts.meta_metrics.height() + _PAD_Y
        bubble = QRectF(left, top, inner + 2 * _PAD_X, y - top)
        outgoing = message.direction is Direction.OUTGOING
        chips = _chips(message.reactions, fonts, bubble, width, y + _GAP, right=outgoing)
        bottom = max(chip.rect.bottom() for chip in chips) if chips else bubble.bottom()
        return _Geometry(
            colours,
            bubble,
            header,
            header_origin,
            reply_rect,
            reply_text,
            text,
            text_origin,
            chips,
            bottom + _MARGIN_Y,
            card,
            day,
            day_rect,
        )

    def _paint_day(
        self, painter: QPainter, rect: QRectF, text: str, fonts: _Fonts, colour: QColor
    ) -> None:
        """A centred day label between two thin lines."""
        painter.setFont(fonts.header)
        width = fonts.header_metrics.horizontalAdvance(text)
        middle = rect.center().y()
        gap = 10.0
        left_end = rect.center().x() - width / 2 - gap
        right_start = rect.center().x() + width / 2 + gap
        painter.setPen(colour)
        if left_end > _MARGIN_X * 2:
            painter.drawLine(QPointF(_MARGIN_X * 2, middle), QPointF(left_end, middle))
            painter.drawLine(
                QPointF(right_start, middle), QPointF(rect.right() - _MARGIN_X * 2, middle)
            )
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_reply(
        self,
        painter: QPainter,
        geometry: _Geometry,
        fonts: _Fonts,
        fill: QColor,
        text: QColor,
        accent: QColor,
    ) -> None:
        rect = geometry.reply
        assert rect is not None
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(_mix(fill, text, 0.07))
        painter.drawRoundedRect(rect, 4, 4)
        painter.fillRect(QRectF(rect.left(), rect.top(), _REPLY_BAR, rect.height()), accent)
        painter.setFont(fonts.meta)
        painter.setPen(_mix(fill, text, 0.7))
        baseline = rect.top() + (rect.height() + fonts.meta_metrics.ascent()) / 2 - 1
        painter.drawText(
            QPointF(rect.left() + _REPLY_BAR + _REPLY_PAD, baseline), geometry.reply_text
        )

    def _paint_meta(
        self,
        painter: QPainter,
        message: ChatMessage,
        fonts: _Fonts,
        bubble: QRectF,
        colour: QColor,
        accent: QColor,
    ) -> None:
        metrics = fonts.meta_metrics
        painter.setFont(fonts.meta)
        baseline = bubble.bottom() - _PAD_Y - metrics.descent()
        right = bubble.right() - _PAD_X
        mark = labels.delivery_mark(message.state)
        if mark:
            right -= metrics.horizontalAdvance(mark)
            if message.state is DeliveryState.FAILED:
                painter.setPen(theme_colours().colour("failed"))
            elif labels.delivery_seen(message.state):
                painter.setPen(accent)
            else:
                painter.setPen(colour)
            painter.drawText(QPointF(right, baseline), mark)
            right -= metrics.horizontalAdvance(" ")
        stamp = labels.message_time(message.timestamp, time.time())
        if message.edited and not message.retracted:
            stamp = f"edited · {stamp}"
        painter.setPen(colour)
        right -= metrics.horizontalAdvance(stamp)
        painter.drawText(QPointF(right, baseline), stamp)
        if message.encryption is not Encryption.NONE and not message.decryption_error:
            side = _lock_side(fonts)
            right -= side + metrics.horizontalAdvance(" ")
            top = baseline - metrics.ascent() + (metrics.ascent() - side) / 2 + 1
            ratio = max(1, ceil(painter.device().devicePixelRatioF()))
            painter.drawPixmap(
                QPointF(right, round(top)), icons.lock_pixmap(int(side), True, ratio)
            )
        elif self._encrypted and _may_flag_clear(message):
            note = f"{labels.NOT_ENCRYPTED} · "
            right -= metrics.horizontalAdvance(note)
            painter.setPen(theme_colours().colour("warning_text"))
            painter.drawText(QPointF(right, baseline), note)
            painter.setPen(colour)
        if message.thread:
            painter.drawText(
                QPointF(bubble.left() + _PAD_X, baseline), labels.thread_tag(message.thread)
            )

    def _paint_chip(
        self,
        painter: QPainter,
        chip: _Chip,
        fonts: _Fonts,
        base: QColor,
        text: QColor,
        accent: QColor,
    ) -> None:
        own = chip.reaction.own
        painter.setPen(accent if own else _mix(base, text, 0.2))
        painter.setBrush(_mix(base, accent, 0.22) if own else _mix(base, text, 0.05))
        radius = chip.rect.height() / 2
        painter.drawRoundedRect(chip.rect.adjusted(0.5, 0.5, -0.5, -0.5), radius, radius)
        painter.setFont(fonts.meta)
        painter.setPen(text)
        baseline = chip.rect.top() + _CHIP_PAD_Y + fonts.meta_metrics.ascent()
        painter.drawText(QPointF(chip.rect.left() + _CHIP_PAD_X, baseline), chip.text)


def _size_key(message: ChatMessage, author: str) -> tuple[object, ...]:
    """What a row's height depends on (never its delivery state)."""
    return (
        message.body,
        message.retracted,
        message.retracted_by,
        message.edited,
        message.reactions,
        message.reply_to,
        message.thread,
        message.decryption_error,
        author,
    )


def _may_flag_clear(message: ChatMessage) -> bool:
    """A clear-text message worth flagging in an encrypted conversation."""
    return not message.retracted and message.encryption is Encryption.NONE


def _lock_side(fonts: _Fonts) -> float:
    """The size of the lock mark in the meta line."""
    return max(9.0, round(fonts.meta_metrics.ascent()))


def _has_header(message: ChatMessage) -> bool:
    """Room messages from others show their author's nick above the body."""
    return (
        message.kind is ChatKind.GROUPCHAT
        and message.direction is Direction.INCOMING
        and not message.is_action
    )


def _reply_of(index: Index, message: ChatMessage) -> str:
    """The excerpt line shown above a reply ("" for a message that answers nothing)."""
    if not message.reply_to:
        return ""
    target: ChatMessage | None = index.data(MessageRole.REPLY)
    return _reply_text(message, target, index.data(MessageRole.REPLY_AUTHOR) or "")


def _reply_text(message: ChatMessage, target: ChatMessage | None, target_author: str) -> str:
    if target is None:
        who = message.reply_to_jid or "an earlier message"
        return f"↪ reply to {who}"
    if target.retracted:
        return f"↪ {labels.RETRACTED}"
    return f"↪ {labels.quote_text(target.body, target_author)}"


def _meta_width(message: ChatMessage, fonts: _Fonts, encrypted: bool) -> float:
    """The widest meta line this message can have (so a later mark never overflows)."""
    stamp = labels.message_time(message.timestamp, time.time())
    if message.edited and not message.retracted:
        stamp = f"edited · {stamp}"
    if message.direction is Direction.OUTGOING:
        stamp = f"{stamp} ✓✓"
    width = fonts.meta_metrics.horizontalAdvance(stamp) + 4
    if message.encryption is not Encryption.NONE and not message.decryption_error:
        width += _lock_side(fonts) + fonts.meta_metrics.horizontalAdvance(" ")
    elif encrypted and _may_flag_clear(message):
        width += fonts.meta_metrics.horizontalAdvance(f"{labels.NOT_ENCRYPTED} · ")
    if message.thread:
        width += fonts.meta_metrics.horizontalAdvance(labels.thread_tag(message.thread) + "  ")
    return width


def _chips(
    reactions: tuple[Reaction, ...],
    fonts: _Fonts,
    bubble: QRectF,
    width: int,
    top: float,
    *,
    right: bool,
) -> tuple[_Chip, ...]:
    """Chips in rows under the bubble, starting at its outer edge's side."""
    if not reactions:
        return ()
    metrics = fonts.meta_metrics
    height = metrics.height() + 2 * _CHIP_PAD_Y
    limit = max(bubble.width(), _room(width) + 2 * _PAD_X)
    rows: list[list[tuple[float, Reaction, str]]] = [[]]
    used = 0.0
    for reaction in reactions:
        text = f"{reaction.emoji} {len(reaction.senders)}"
        chip_width = metrics.horizontalAdvance(text) + 2 * _CHIP_PAD_X
        if rows[-1] and used + chip_width > limit:
            rows.append([])
            used = 0.0
        rows[-1].append((chip_width, reaction, text))
        used += chip_width + _CHIP_GAP
    chips: list[_Chip] = []
    for number, row in enumerate(rows):
        y = top + number * (height + _CHIP_GAP)
        total = sum(item[0] for item in row) + _CHIP_GAP * (len(row) - 1)
        x = bubble.right() - total if right else bubble.left()
        for chip_width, reaction, text in row:
            chips.append(_Chip(QRectF(x, y, chip_width, height), reaction, text))
            x += chip_width + _CHIP_GAP
    return tuple(chips)


def _room(width: int) -> float:
    """The widest a bubble's text may be in a view ``width`` pixels wide."""
    return max(80.0, (width - 2 * _MARGIN_X) * _MAX_SHARE - 2 * _PAD_X)
