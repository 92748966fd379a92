"""Message styling: a body's plain-text markup (``*strong*``, ``> quote``...) as styled ranges.

Owns the parsing rules of the XMPP message styling syntax, nothing else: blocks
first (preformatted blocks opened by a line starting with three backticks and
closed by a line of exactly three, or by the end of the enclosing block; quotes,
lines starting with ``>`` whose first whitespace after the marker is dropped,
nesting to any depth), then spans inside each remaining line. A span needs an
opening directive at the start of the line, after a whitespace character or right
after a different opening directive, not followed by whitespace; the first
closing directive of the same kind not preceded by whitespace ends it (lazy
matching); it must enclose some text and never crosses a line. A preformatted
span or block styles nothing inside it.

The result keeps the directives visible (as the syntax recommends) but drops the
quote markers, so a view can indent quoted lines and draw a bar instead. Pure
Python, stdlib only; views turn ``Styled`` into fonts.
"""

from __future__ import annotations

import enum
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

_FENCE = "```"
_QUOTE = ">"
_DIRECTIVES = {"*": "STRONG", "_": "EMPHASIS", "~": "STRIKE", "`": "CODE"}
_SPECIAL = frozenset("*_~`>")
MAX_QUOTE_DEPTH = 16  # deeper markers are shown as text (a hostile body cannot recurse deep)


class Style(enum.Flag):
    """How a range of text is shown."""

    NONE = 0
    STRONG = enum.auto()  # bold
    EMPHASIS = enum.auto()  # italic
    STRIKE = enum.auto()  # struck through
    CODE = enum.auto()  # monospace (a preformatted span or block)
    DIRECTIVE = enum.auto()  # a styling directive itself (shown, maybe dimmed)


@dataclass(frozen=True, slots=True)
class Span:
    """A styled range of ``Styled.text``; ``start`` inclusive, ``end`` exclusive."""

    start: int
    end: int
    style: Style


@dataclass(frozen=True, slots=True)
class Line:
    """One shown line of ``Styled.text``.

    Attributes:
        start: Offset of its first character in ``Styled.text``.
        end: Offset just after its last character (before the newline).
        quote: How many quotes it is nested in (0: not quoted).
        pre: True inside a preformatted block (fences included).
    """

    start: int
    end: int
    quote: int = 0
    pre: bool = False


@dataclass(frozen=True, slots=True)
class Styled:
    """A body ready to be shown.

    Attributes:
        text: The body without quote markers; lines joined by ``\\n``.
        lines: Every line of ``text``, in order.
        spans: Styled ranges, ordered by start; ranges never partly overlap
            (inner spans nest inside outer ones) and carry their full style.
    """

    text: str
    lines: tuple[Line, ...]
    spans: tuple[Span, ...]

    @property
    def quoted(self) -> bool:
        """True when some line is inside a quote."""
        return any(line.quote for line in self.lines)


def is_whitespace(char: str) -> bool:
    """Unicode White_Space, or any character of category Z."""
    return char.isspace() or unicodedata.category(char).startswith("Z")


def style(body: str) -> Styled:
    """Parse ``body`` into shown text, lines and styled ranges."""
    raw = body.replace("\r\n", "\n").split("\n")
    if not _SPECIAL.intersection(body):
        return _plain(raw)
    blocks: list[tuple[str, int, bool]] = []
    _blocks(raw, 0, blocks)
    texts: list[str] = []
    lines: list[Line] = []
    spans: list[Span] = []
    offset = 0
    for text, depth, pre in blocks:
        lines.append(Line(offset, offset + len(text), depth, pre))
        if pre:
            if text:
                spans.append(Span(offset, offset + len(text), Style.CODE))
        else:
            _spans(text, offset, spans)
        texts.append(text)
        offset += len(text) + 1
    spans.sort(key=lambda span: (span.start, -span.end))
    return Styled("\n".join(texts), tuple(lines), tuple(spans))


def _plain(raw: list[str]) -> Styled:
    lines: list[Line] = []
    offset = 0
    for text in raw:
        lines.append(Line(offset, offset + len(text)))
        offset += len(text) + 1
    return Styled("\n".join(raw), tuple(lines), ())


# --- blocks ---------------------------------------------------------------------


def _blocks(raw: list[str], depth: int, out: list[tuple[str, int, bool]]) -> None:
    """Split the lines of one parent block into (text, quote depth, pre) lines."""
    index = 0
    while index < len(raw):
        line = raw[index]
        if line.startswith(_FENCE):
            end = index + 1
            while end < len(raw) and raw[end] != _FENCE:
                end += 1
            last = min(end, len(raw) - 1)  # the closing fence, or the parent's last line
            out.extend((text, depth, True) for text in raw[index : last + 1])
            index = last + 1
        elif line.startswith(_QUOTE) and depth < MAX_QUOTE_DEPTH:
            end = index
            children: list[str] = []
            while end < len(raw) and raw[end].startswith(_QUOTE):
                child = raw[end][1:]
                if child and is_whitespace(child[0]):
                    child = child[1:]  # only the first whitespace character goes
                children.append(child)
                end += 1
            _blocks(children, depth + 1, out)
            index = end
        else:
            out.append((line, depth, False))
            index += 1


# --- spans ----------------------------------------------------------------------


def _spans(text: str, offset: int, out: list[Span]) -> None:
    """Find the spans of one line."""
    closers: dict[str, list[int]] = {char: [] for char in _DIRECTIVES}
    for index in range(1, len(text)):
        positions = closers.get(text[index])
        if positions is not None and not is_whitespace(text[index - 1]):
            positions.append(index)
    _inside(text, 0, len(text), offset, Style.NONE, closers, out)


def _inside(
    text: str,
    start: int,
    end: int,
    offset: int,
    outer: Style,
    closers: dict[str, list[int]],
    out: list[Span],
) -> None:
    """Find spans in ``text[start:end]`` (a line, or the inside of a span)."""
    index = start
    while index < end:
        char = text[index]
        kind = _DIRECTIVES.get(char)
        if kind is None or not _may_open(text, index, start, end):
            index += 1
            continue
        close = _closing(closers[char], index + 1, end)
        if close is None:
            index += 1
            continue
        flag = Style[kind]
        inner = outer | flag
        out.append(Span(offset + index, offset + close + 1, inner))
        out.append(Span(offset + index, offset + index + 1, inner | Style.DIRECTIVE))
        out.append(Span(offset + close, offset + close + 1, inner | Style.DIRECTIVE))
        if flag is not Style.CODE:  # nothing is styled inside a preformatted span
            _inside(text, index + 1, close, offset, inner, closers, out)
        index = close + 1


def _may_open(text: str, index: int, start: int, end: int) -> bool:
    """An opening directive: at the start (of the line or of an enclosing span's
    text, which is right after a different opening directive) or after whitespace,
    and followed by something other than whitespace."""
    if index + 1 >= end or is_whitespace(text[index + 1]):
        return False
    return index == start or is_whitespace(text[index - 1])


def _closing(positions: list[int], start: int, end: int) -> int | None:
    """The first valid closing position in ``[start, end)``; None when there is none
    or when it would leave the span empty (it sits right at ``start``)."""
    found = bisect_left(positions, start)
    if found == len(positions) or positions[found] >= end:
        return None
    close = positions[found]
    return close if close > start else None
