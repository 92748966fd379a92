"""Identifiers: XMPP addresses (Jid) and local ids (AccountId).

Stdlib only. Jid parsing follows RFC 7622 closely enough for a client: it
splits, lowercases the local part and domain, and rejects what can never be a
valid address (empty domain, oversize parts, forbidden characters).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NewType

AccountId = NewType("AccountId", int)

_MAX_PART = 1023
_FORBIDDEN_LOCAL = frozenset("\"&'/:<>@ ")


class InvalidJid(ValueError):
    """Raised when a string is not a usable XMPP address."""


@dataclass(frozen=True, slots=True)
class Jid:
    """An XMPP address ``local@domain/resource``.

    Attributes:
        local: The local part, lowercased; empty for a server address.
        domain: The domain part, lowercased; never empty.
        resource: The resource; empty for a bare address.
    """

    local: str
    domain: str
    resource: str = ""

    @classmethod
    def parse(cls, text: str) -> Jid:
        """Parse ``text`` into a Jid (cached: a burst repeats the same few senders).

        Args:
            text: An address such as ``alice@example.org/laptop``.

        Returns:
            The parsed address.

        Raises:
            InvalidJid: If the text cannot be an XMPP address.
        """
        return _parse_cached(text)

    @classmethod
    def _parse(cls, text: str) -> Jid:
        """Uncached parsing behind ``parse``."""
        text = text.strip()
        bare, slash, resource = text.partition("/")
        if slash and not resource:
            raise InvalidJid(f"empty resource in {text!r}")
        local, at, domain = bare.rpartition("@")
        if not at:
            local, domain = "", bare
        elif not local:
            raise InvalidJid(f"empty local part in {text!r}")
        domain = domain.rstrip(".").lower()
        if not domain or any(c.isspace() for c in domain) or "@" in domain:
            raise InvalidJid(f"invalid domain in {text!r}")
        if any(c in _FORBIDDEN_LOCAL or c.isspace() for c in local):
            raise InvalidJid(f"invalid local part in {text!r}")
        for part in (local, domain, resource):
            if len(part.encode()) > _MAX_PART:
                raise InvalidJid("address part longer than 1023 bytes")
        return cls(local.lower(), domain, resource)

    @property
    def bare(self) -> Jid:
        """This address without its resource."""
        return self if not self.resource else _bare_of(self.local, self.domain)

    @property
    def is_bare(self) -> bool:
        """True when the address has no resource."""
        return not self.resource

    def with_resource(self, resource: str) -> Jid:
        """Return this bare address with ``resource`` added."""
        return Jid(self.local, self.domain, resource)

    def __str__(self) -> str:
        text = f"{self.local}@{self.domain}" if self.local else self.domain
        return f"{text}/{self.resource}" if self.resource else text


@lru_cache(maxsize=4096)
def _bare_of(local: str, domain: str) -> Jid:
    # Building a frozen dataclass costs more than this lookup; a burst asks the
    # same few senders' bare addresses again and again.
    return Jid(local, domain)


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> Jid:
    # Jid is immutable, so sharing parsed instances is safe; exceptions are not cached.
    return Jid._parse(text)
