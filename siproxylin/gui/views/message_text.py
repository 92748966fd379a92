"""Message text laid out for painting: styling turned into fonts, quotes indented.

Owns one thing: a body (already parsed by ``gui.styling``) as a wrapped
``QTextLayout`` with bold, italic, struck and monospace ranges, dimmed styling
directives, quoted lines indented with a bar per level and preformatted lines
on a tinted background. Text wraps at word boundaries, or anywhere for a long
word such as a link. Qt GUI classes only; the delegate decides where it goes.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QPainter,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)

from siproxylin.gui.styling import Style, Styled, style

QUOTE_INDENT = 12.0  # per quote level
_BAR_WIDTH = 3.0
_PRE_PAD = 3.0
_STRONG, _EMPHASIS, _STRIKE = Style.STRONG.value, Style.EMPHASIS.value, Style.STRIKE.value
_CODE, _DIRECTIVE = Style.CODE.value, Style.DIRECTIVE.value


@dataclass(frozen=True, slots=True)
class TextColours:
    """Colours a text block is drawn with."""

    text: QColor
    dim: QColor  # directives and quoted text
    bar: QColor  # quote bars
    pre: QColor  # preformatted background


@dataclass(frozen=True, slots=True)
class TextBlock:
    """A laid-out body; coordinates relative to its top-left corner.

    Attributes:
        layout: The wrapped text.
        width: Widest line, indents included.
        height: Height of all lines.
        bars: Quote bars as (x, top, bottom).
        pre: Rectangles behind preformatted lines.
    """

    layout: QTextLayout
    width: float
    height: float
    bars: tuple[tuple[float, float, float], ...]
    pre: tuple[QRectF, ...]

    def draw(self, painter: QPainter, origin: QPointF, colours: TextColours) -> None:
        """Paint backgrounds, bars and text with the top-left corner at ``origin``."""
        painter.save()
        painter.translate(origin)
        for rect in self.pre:
            painter.fillRect(rect, colours.pre)
        for x, top, bottom in self.bars:
            painter.fillRect(QRectF(x, top, _BAR_WIDTH, bottom - top), colours.bar)
        painter.setPen(colours.text)
        self.layout.draw(painter, QPointF(0.0, 0.0))
        painter.restore()


def lay_out(
    text: str,
    font: QFont,
    room: float,
    colours: TextColours,
    *,
    styled: bool = True,
    italic: bool = False,
) -> TextBlock:
    """Lay ``text`` out at most ``room`` wide, styled unless ``styled`` is False."""
    base = QFont(font)
    if italic:
        base.setItalic(True)
    parsed = style(text) if styled else None
    shown = parsed.text if parsed is not None else text.replace("\r\n", "\n")
    # QTextLayout breaks lines only at U+2028; a plain "\n" would show as a space.
    layout = QTextLayout(shown.replace("\n", "\u2028"), base)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    if parsed is not None and (parsed.spans or parsed.quoted):
        layout.setFormats(_formats(parsed, base, colours))
    starts = [line.start for line in parsed.lines] if parsed is not None else [0]
    depth = [line.quote for line in parsed.lines] if parsed is not None else [0]
    pre = [line.pre for line in parsed.lines] if parsed is not None else [False]
    bars: list[tuple[float, float, float]] = []
    pre_rects: list[QRectF] = []
    layout.beginLayout()
    height = natural = 0.0
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        source = bisect_right(starts, line.textStart()) - 1
        indent = QUOTE_INDENT * depth[source]
        line.setLineWidth(max(20.0, room - indent))
        line.setPosition(QPointF(indent, height))
        for level in range(depth[source]):
            _extend(bars, QUOTE_INDENT * level, height, height + line.height())
        if pre[source]:
            _extend_rect(pre_rects, indent, height, line.height())
        height += line.height()
        natural = max(natural, indent + line.naturalTextWidth())
    layout.endLayout()
    pre_rects = [
        QRectF(r.left() - _PRE_PAD, r.top(), natural - r.left() + 2 * _PRE_PAD, r.height())
        for r in pre_rects
    ]
    return TextBlock(layout, natural, height, tuple(bars), tuple(pre_rects))


def _formats(parsed: Styled, base: QFont, colours: TextColours) -> list[QTextLayout.FormatRange]:
    fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    ranges: list[QTextLayout.FormatRange] = []
    for line in parsed.lines:
        if line.quote and line.end > line.start:
            ranges.append(_range(line.start, line.end, _dim_format(colours)))
    for span in parsed.spans:
        char_format = QTextCharFormat()
        flags = span.style.value  # plain int tests: enum flag operators are slow
        if flags & _STRONG:
            char_format.setFontWeight(QFont.Weight.Bold)
        if flags & _EMPHASIS:
            char_format.setFontItalic(True)
        if flags & _STRIKE:
            char_format.setFontStrikeOut(True)
        if flags & _CODE:
            char_format.setFontFamilies([fixed.family()])
            char_format.setFontFixedPitch(True)
        if flags & _DIRECTIVE:
            char_format.setForeground(colours.dim)
        ranges.append(_range(span.start, span.end, char_format))
    return ranges


def _dim_format(colours: TextColours) -> QTextCharFormat:
    char_format = QTextCharFormat()
    char_format.setForeground(colours.dim)
    return char_format


def _range(start: int, end: int, char_format: QTextCharFormat) -> QTextLayout.FormatRange:
    item = QTextLayout.FormatRange()
    item.start = start
    item.length = end - start
    item.format = char_format
    return item


def _extend(bars: list[tuple[float, float, float]], x: float, top: float, bottom: float) -> None:
    """Add a bar piece, joining it to the bar of the same level just above."""
    for index in range(len(bars) - 1, -1, -1):
        bar_x, bar_top, bar_bottom = bars[index]
        if bar_x == x and abs(bar_bottom - top) < 0.5:
            bars[index] = (bar_x, bar_top, bottom)
            return
    bars.append((x, top, bottom))


def _extend_rect(rects: list[QRectF], x: float, top: float, height: float) -> None:
    if rects and abs(rects[-1].bottom() - top) < 0.5 and rects[-1].left() == x:
        rects[-1] = QRectF(x, rects[-1].top(), 0.0, rects[-1].height() + height)
        return
    rects.append(QRectF(x, top, 0.0, height))
