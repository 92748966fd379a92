"""Jid parsing and formatting."""

from __future__ import annotations

import pytest

from siproxylin.domain.ids import InvalidJid, Jid


def test_parse_full_bare_and_domain() -> None:
    full = Jid.parse("Alice@Example.ORG/Laptop")
    assert (full.local, full.domain, full.resource) == ("alice", "example.org", "Laptop")
    assert str(full) == "alice@example.org/Laptop"
    assert str(full.bare) == "alice@example.org"
    assert full.bare.is_bare
    assert str(Jid.parse("example.org")) == "example.org"
    assert Jid.parse("a@b/c/d").resource == "c/d"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "@example.org",
        "a@",
        "a@b/",
        "a b@example.org",
        "a@exa mple.org",
        "a@@b",
        "x" * 1024 + "@example.org",
    ],
)
def test_invalid_addresses(text: str) -> None:
    with pytest.raises(InvalidJid):
        Jid.parse(text)
