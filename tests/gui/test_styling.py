"""Message styling parser, checked against the examples of the styling specification."""

from __future__ import annotations

import pytest

from siproxylin.gui.styling import MAX_QUOTE_DEPTH, Line, Style, Styled, style

S, E, X, C = Style.STRONG, Style.EMPHASIS, Style.STRIKE, Style.CODE
N = Style.NONE


def parts(styled: Styled) -> list[tuple[str, Style]]:
    """Runs of equal style (directive marks left out), e.g. [("a ", N), ("*b*", S)]."""
    styles = [Style.NONE] * len(styled.text)
    for span in styled.spans:
        for index in range(span.start, span.end):
            styles[index] |= span.style & ~Style.DIRECTIVE
    runs: list[tuple[str, Style]] = []
    for char, current in zip(styled.text, styles, strict=True):
        if runs and runs[-1][1] == current:
            runs[-1] = (runs[-1][0] + char, current)
        else:
            runs.append((char, current))
    return runs


def directives(styled: Styled) -> str:
    """The characters marked as directives, in order."""
    return "".join(
        styled.text[span.start : span.end] for span in styled.spans if span.style & Style.DIRECTIVE
    )


# --- spans: the specification's lists of styled and unstyled examples ------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("*strong*", [("*strong*", S)]),
        ("plain *strong* plain", [("plain ", N), ("*strong*", S), (" plain", N)]),
        ("*strong* plain *strong*", [("*strong*", S), (" plain ", N), ("*strong*", S)]),
        ("*strong*plain*", [("*strong*", S), ("plain*", N)]),
        ("* plain *strong*", [("* plain ", N), ("*strong*", S)]),
    ],
)
def test_styled_examples(body: str, expected: list[tuple[str, Style]]) -> None:
    assert parts(style(body)) == expected


@pytest.mark.parametrize(
    "body",
    ["not strong*", "*not strong", "*not \n strong*", "*not *strong", "**", "****", "_ _", "``"],
)
def test_unstyled_examples(body: str) -> None:
    styled = style(body)
    assert styled.spans == ()
    assert styled.text == body


def test_each_span_kind() -> None:
    assert parts(style("The full title is _Twelfth Night, or What You Will_ but")) == [
        ("The full title is ", N),
        ("_Twelfth Night, or What You Will_", E),
        (" but", N),
    ]
    assert parts(style("Everyone ~dis~likes cake.")) == [
        ("Everyone ", N),
        ("~dis~", X),
        ("likes cake.", N),
    ]
    assert parts(style("Wow, I can write in `monospace`!")) == [
        ("Wow, I can write in ", N),
        ("`monospace`", C),
        ("!", N),
    ]


def test_preformatted_span_styles_nothing_inside() -> None:
    assert parts(style("This is `*monospace*`")) == [("This is ", N), ("`*monospace*`", C)]


def test_a_directive_right_after_a_different_opening_one_opens() -> None:
    assert parts(style("This is *`monospace and bold`*")) == [
        ("This is ", N),
        ("*", S),
        ("`monospace and bold`", S | C),
        ("*", S),
    ]
    assert parts(style("_*both*_")) == [("_", E), ("*both*", E | S), ("_", E)]


def test_spans_nest_inside_other_spans() -> None:
    body = "_emphasized span containing *strong span*_"
    assert parts(style(body)) == [
        ("_emphasized span containing ", E),
        ("*strong span*", E | S),
        ("_", E),
    ]


def test_matching_is_lazy_and_the_first_closing_directive_wins() -> None:
    assert parts(style("*a `b* c`")) == [("*a `b*", S), (" c`", N)]


def test_a_directive_inside_a_word_does_not_open() -> None:
    assert parts(style("snake_case_name and 2*3*4")) == [("snake_case_name and 2*3*4", N)]


def test_a_closing_directive_after_whitespace_does_not_close() -> None:
    assert parts(style("*a *b* c*")) == [("*a *b*", S), (" c*", N)]


def test_other_whitespace_counts_too() -> None:
    # U+00A0 (category Zs) and a tab after the opening directive
    assert style("*\u00a0not*").spans == ()
    assert style("*\tnot*").spans == ()
    assert parts(style("x\u2003*yes*")) == [("x\u2003", N), ("*yes*", S)]


def test_directives_stay_visible_and_are_marked() -> None:
    styled = style("a *b* _c_ `d`")
    assert styled.text == "a *b* _c_ `d`"
    assert directives(styled) == "**__``"


def test_spans_do_not_escape_their_line() -> None:
    body = (
        "There are three blocks in this body,\nbut there is no *formatting\n"
        "as spans* may not escape."
    )
    styled = style(body)
    assert styled.spans == ()
    assert [styled.text[line.start : line.end] for line in styled.lines] == body.split("\n")


# --- blocks -----------------------------------------------------------------------------


def test_preformatted_block_suppresses_styling() -> None:
    body = '```ignored\n(println "Hello, *world*!")\n```\n\nThis should show up as *monospace*'
    styled = style(body)
    assert [line.pre for line in styled.lines] == [True, True, True, False, False]
    assert parts(styled) == [
        ("```ignored", C),
        ("\n", N),
        ('(println "Hello, *world*!")', C),
        ("\n", N),
        ("```", C),
        ("\n\nThis should show up as ", N),
        ("*monospace*", S),
    ]


def test_preformatted_block_without_end_runs_to_the_end_of_its_parent() -> None:
    body = '> ```\n> (println "Hello, world!")\n\nThe entire blockquote is *pre*, this is not.'
    styled = style(body)
    assert styled.lines == (
        Line(0, 3, quote=1, pre=True),
        Line(4, 29, quote=1, pre=True),
        Line(30, 30),
        Line(31, 31 + len("The entire blockquote is *pre*, this is not.")),
    )
    assert styled.text.split("\n")[:2] == ["```", '(println "Hello, world!")']
    assert ("*pre*", S) in parts(styled)
    assert all(style is C for text, style in parts(styled)[:3] if text != "\n")


def test_preformatted_block_without_end_in_a_plain_message_runs_to_the_end() -> None:
    styled = style("```\n*a*\nb")
    assert all(line.pre for line in styled.lines)
    assert parts(styled) == [("```", C), ("\n", N), ("*a*", C), ("\n", N), ("b", C)]


def test_a_fence_with_more_than_three_backticks_does_not_close() -> None:
    styled = style("```\ncode\n````\n*still code*")
    assert all(line.pre for line in styled.lines)


def test_fence_must_start_the_line() -> None:
    styled = style("x ```\n*y*")
    assert not any(line.pre for line in styled.lines)
    assert ("*y*", S) in parts(styled)


def test_quote_drops_the_marker_and_one_whitespace() -> None:
    styled = style("> That that is, is.\n\nSaid the old hermit of Prague.")
    assert styled.text == "That that is, is.\n\nSaid the old hermit of Prague."
    assert [line.quote for line in styled.lines] == [1, 0, 0]
    assert style(">  two spaces").text == " two spaces"
    assert style(">none").text == "none"


def test_nested_quotation() -> None:
    styled = style(">> That that is, is.\n> Said the old hermit of Prague.\n\nWho?")
    assert styled.text == "That that is, is.\nSaid the old hermit of Prague.\n\nWho?"
    assert [line.quote for line in styled.lines] == [2, 1, 0, 0]
    assert styled.quoted


def test_quote_ends_at_the_first_line_without_marker() -> None:
    styled = style("> one\ntwo\n> three")
    assert [line.quote for line in styled.lines] == [1, 0, 1]


def test_spans_inside_a_quote_are_styled() -> None:
    styled = style("> quoted *bold*")
    assert parts(styled) == [("quoted ", N), ("*bold*", S)]


def test_unstyled_text_is_returned_as_is() -> None:
    styled = style("just words\r\nand lines")
    assert styled.text == "just words\nand lines"
    assert styled.lines == (Line(0, 10), Line(11, 20))
    assert styled.spans == ()
    assert not styled.quoted


def test_spans_are_ordered_and_inside_the_text() -> None:
    styled = style("> *a* _b_\n```\n`c`\n```\n~d~ `e`")
    starts = [span.start for span in styled.spans]
    assert starts == sorted(starts)
    assert all(0 <= span.start < span.end <= len(styled.text) for span in styled.spans)


def test_long_hostile_input_stays_fast() -> None:
    # many openers without closers: the parser must not go quadratic per character pair
    body = "*a " * 20_000
    styled = style(body)
    assert styled.spans == ()


def test_very_deep_quotes_stop_nesting_and_show_the_rest_as_text() -> None:
    styled = style(">" * 100_000 + " deep")
    assert styled.lines[0].quote == MAX_QUOTE_DEPTH
    assert styled.text == ">" * (100_000 - MAX_QUOTE_DEPTH) + " deep"
