"""Which parts of a composer line are checked: words in, URLs, mentions, code and numbers out."""

from __future__ import annotations

import pytest

from siproxylin.gui.spelling.words import Word, line_words, utf16_positions, words


def texts(line: str) -> list[str]:
    return [word.text for word in words(line)]


def test_prose_is_split_into_words_with_their_offsets() -> None:
    line = "Hello wrold, how are you?"
    found = words(line)
    assert [w.text for w in found] == ["Hello", "wrold", "how", "are", "you"]
    assert all(line[w.start : w.end] == w.text for w in found)
    assert found[1] == Word(6, 11, "wrold")


def test_apostrophes_inside_a_word_belong_to_it() -> None:
    assert texts("don't it’s l'homme 'quoted'") == ["don't", "it’s", "l'homme", "quoted"]


def test_hyphenated_words_are_checked_part_by_part() -> None:
    assert texts("well-known state-of-the-art") == ["well", "known", "state", "of", "the", "art"]


@pytest.mark.parametrize(
    "line",
    [
        "https://exmaple.org/some/pathh?q=wrod",
        "see <https://exmaple.org/pathh>.",
        "www.exmaple.org",
        "xmpp:roomm@conference.exmaple.org?join",
        "mailto:bobb@exmaple.org",
    ],
)
def test_addresses_are_not_checked(line: str) -> None:
    assert texts(line) in ([], ["see"])


def test_mentions_and_jids_are_not_checked() -> None:
    assert texts("@bobby ask alicee@exmaple.org") == ["ask"]


def test_a_nick_addressed_at_the_start_of_a_line_is_not_checked() -> None:
    assert texts("bobbb: helo there") == ["helo", "there"]
    assert texts("say bobbb: hi") == ["say", "bobbb", "hi"]  # only at the start


def test_inline_code_spans_are_not_checked() -> None:
    assert texts("run `pip instal foo` now") == ["run", "now"]


def test_preformatted_blocks_span_lines() -> None:
    found, in_code = line_words("```python", False)
    assert (found, in_code) == ([], True)
    assert line_words("def fnuc(): pass", True) == ([], True)
    assert line_words("```", True) == ([], False)
    found, in_code = line_words("```echo helo``` after", False)  # opened and closed
    assert [w.text for w in found] == ["after"]
    assert not in_code


def test_numbers_and_words_with_digits_are_not_checked() -> None:
    assert texts("3rd v2 1000 12:30 3.14 room42 ok") == ["ok"]


def test_technical_tokens_are_not_checked() -> None:
    assert texts("open /usr/bin/foo or C:\\tmp file.txt snake_case a=b C++ #tagg") == [
        "open",
        "or",
    ]


def test_styling_markers_are_not_part_of_words() -> None:
    assert texts("*bold* _italc_ ~strike~") == ["bold", "italc", "strike"]


def test_single_letters_are_not_checked() -> None:
    assert texts("a b c word") == ["word"]


def test_cyrillic_words() -> None:
    assert texts("Привет, мир! Съешь же ещё этих мягких булок.") == [
        "Привет",
        "мир",
        "Съешь",
        "же",
        "ещё",
        "этих",
        "мягких",
        "булок",
    ]


def test_arabic_words_keep_their_diacritics() -> None:
    line = "مَرْحَبًا بِكُمْ، كيف الحال؟"
    found = words(line)
    assert [w.text for w in found] == ["مَرْحَبًا", "بِكُمْ", "كيف", "الحال"]
    assert all(line[w.start : w.end] == w.text for w in found)


def test_utf16_positions_count_emoji_twice() -> None:
    assert utf16_positions("plain text") is None
    assert utf16_positions("") is None
    line = "a 😀 b"
    positions = utf16_positions(line)
    assert positions == [0, 1, 2, 4, 5, 6]
    assert len(line.encode("utf-16-le")) // 2 == positions[-1]
