"""The engine's own bookkeeping around slixmpp-omemo (no server)."""

from __future__ import annotations

from typing import Any

import pytest

from siproxylin.domain.ids import Jid
from siproxylin.xmpp.omemo.engine import OmemoEngine


class FailingPlugin:
    """Stands in for slixmpp-omemo 2.2 whose first session manager start failed."""

    def __init__(self) -> None:
        self._XEP_0384__session_manager_task: Any = "the failed task"
        self.calls = 0

    async def get_session_manager(self) -> Any:
        self.calls += 1
        raise ConnectionError("stream dropped while publishing keys")


async def test_a_failed_start_is_forgotten_so_the_next_call_retries() -> None:
    plugin = FailingPlugin()
    engine = OmemoEngine(plugin, lambda: Jid.parse("me@example.org/r"))  # type: ignore[arg-type]
    with pytest.raises(ConnectionError):
        await engine.manager()
    assert plugin._XEP_0384__session_manager_task is None
    assert engine.own_fingerprint == ""
