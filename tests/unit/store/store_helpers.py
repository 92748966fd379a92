"""Values shared by the store tests (a uniquely named module, not conftest)."""

from __future__ import annotations

from collections.abc import Callable

from siproxylin.domain.ids import Jid
from siproxylin.domain.models import ChatMessage

MakeMessage = Callable[..., ChatMessage]

ALICE = Jid.parse("alice@example.org")
BOB = Jid.parse("bob@example.net")
