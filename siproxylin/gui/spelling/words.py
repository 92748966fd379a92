"""Which parts of a line of the composer are words to spell-check (pure, stdlib only).

Skipped: web and XMPP addresses, e-mail-like addresses and @mentions, a
``nick:`` address at the start of a line, inline ``code`` spans and ```
preformatted blocks (XEP-0393 styling), numbers and words with digits, and
technical tokens (paths, file and domain names, snake_case). Offsets are Python
string indices; Qt counts UTF-16 units, so ``utf16_positions`` converts them when
a line has characters outside the Basic Multilingual Plane (emoji).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FENCE = "```"

# Combining marks (Arabic harakat, Hebrew points, accents typed separately,
# zero-width joiners): part of a word, although Python's \w does not match them.
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u200c\u200d\u20d0-\u20ff\ufe20-\ufe2f"
)
_LETTER = rf"(?:[^\W_]|[{_MARKS}])"
# A run of letters and digits, with apostrophes inside (don't, l'homme, it’s).
_RUN = re.compile(rf"{_LETTER}+(?:['’]{_LETTER}+)*")
_CHUNK = re.compile(r"\S+")
_CODE_SPAN = re.compile(r"`[^`]+`")
_URL = re.compile(
    r"^[\W_]*(?:[a-z][a-z0-9+.-]*://|www\.|(?:xmpp|mailto|tel|sms|geo|magnet|aesgcm):)",
    re.IGNORECASE,
)
# Inside a chunk (its punctuation at both ends removed): not prose.
_TECHNICAL = re.compile(r"[/\\_=<>{}|~@#$%^&*+]|\w\.\w")
_EDGES = "\"'“”„‘’‚«»‹›()[]{}<>.,;:!?¿¡*_~`…-–—"
_MIN_LENGTH = 2


@dataclass(frozen=True, slots=True)
class Word:
    """One word to check: ``line[start:end] == text``."""

    start: int
    end: int
    text: str


def line_words(line: str, in_code: bool = False) -> tuple[list[Word], bool]:
    """The words of one line worth checking.

    Args:
        line: The text of the line (a document block).
        in_code: Whether an earlier line opened a ``` block that is still open.

    Returns:
        The words, and whether a ``` block is open after this line.
    """
    stripped = line.strip()
    if in_code:
        return [], stripped != FENCE
    if stripped.startswith(FENCE) and FENCE not in stripped[len(FENCE) :]:
        return [], True
    masked = _CODE_SPAN.sub(lambda match: " " * len(match.group()), line)
    found: list[Word] = []
    for number, chunk in enumerate(_CHUNK.finditer(masked)):
        text = chunk.group()
        if number == 0 and len(text) > 1 and text.endswith(":"):
            continue  # "nick: …" addresses someone in a group chat
        if _skipped_chunk(text):
            continue
        for run in _RUN.finditer(text):
            word = run.group()
            if len(word) < _MIN_LENGTH or any(char.isdigit() for char in word):
                continue
            start = chunk.start() + run.start()
            found.append(Word(start, start + len(word), word))
    return found, False


def words(line: str) -> list[Word]:
    """The words of a line outside any ``` block (see ``line_words``)."""
    return line_words(line)[0]


def _skipped_chunk(chunk: str) -> bool:
    if _URL.match(chunk):
        return True
    core = chunk.strip(_EDGES)
    return not core or _TECHNICAL.search(core) is not None


def utf16_positions(line: str) -> list[int] | None:
    """Each Python index of ``line`` (and its end) as a UTF-16 offset; None when equal."""
    if not line or max(line) < "\U00010000":
        return None
    positions = [0] * (len(line) + 1)
    offset = 0
    for index, char in enumerate(line):
        positions[index] = offset
        offset += 2 if char >= "\U00010000" else 1
    positions[len(line)] = offset
    return positions
