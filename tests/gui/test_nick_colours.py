"""Nick colours: hues as other clients compute them, lightness fitted to the background."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from siproxylin.gui.nick_colours import nick_colour, nick_hue


def test_nick_hues_follow_the_consistent_colour_test_vectors() -> None:
    assert nick_hue("Romeo") == pytest.approx(327.255249)
    assert nick_hue("juliet@capulet.lit") == pytest.approx(209.410400)
    assert nick_hue("😺") == pytest.approx(331.199341)
    assert nick_hue("council") == pytest.approx(359.994507)


def test_nick_colours_are_stable_and_readable_on_both_backgrounds() -> None:
    white, black = QColor("white"), QColor("black")
    assert nick_colour("Romeo", white) == nick_colour("Romeo", white)
    assert nick_colour("Romeo", white) != nick_colour("Juliet", white)
    assert nick_colour("Romeo", white).lightnessF() < 0.5
    assert nick_colour("Romeo", black).lightnessF() > 0.5
