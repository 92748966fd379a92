"""The server-side block list (XEP-0191) of each account.

The server is the authority: it drops everything from a blocked address, so the
list is kept in memory from the server's answers and pushes (sent at every
login) and changed only through the server. Imports ``domain`` and ``core``.
"""

from __future__ import annotations

from siproxylin.core.accounts import AccountManager
from siproxylin.core.bus import EventBus
from siproxylin.domain.events import AccountRemoved, BlocklistChanged, BlocklistReceived
from siproxylin.domain.ids import AccountId, Jid


class BlockingService:
    """Blocks and unblocks addresses; knows who is blocked."""

    def __init__(self, bus: EventBus, accounts: AccountManager) -> None:
        self._bus = bus
        self._accounts = accounts
        self._blocked: dict[AccountId, dict[Jid, None]] = {}
        bus.subscribe(BlocklistReceived, self._on_blocklist)
        bus.subscribe(AccountRemoved, self._on_account_removed)

    def blocked(self, account: AccountId) -> tuple[Jid, ...]:
        """Addresses the account blocks, as the server last said."""
        return tuple(self._blocked.get(account, {}))

    def is_blocked(self, account: AccountId, jid: Jid) -> bool:
        """True when ``jid`` (or its whole domain) is blocked."""
        blocked = self._blocked.get(account, {})
        return jid.bare in blocked or jid in blocked or Jid("", jid.domain) in blocked

    def block(self, account: AccountId, jid: Jid) -> None:
        """Ask the server to block ``jid``; the list changes when the server confirms.

        Raises:
            NotConnected: If the account is offline.
        """
        self._accounts.online_xmpp(account).set_blocked((jid,), True)

    def unblock(self, account: AccountId, jid: Jid) -> None:
        """Ask the server to unblock ``jid``."""
        self._accounts.online_xmpp(account).set_blocked((jid,), False)

    def _on_blocklist(self, event: BlocklistReceived) -> None:
        current = self._blocked.setdefault(event.account, {})
        if event.complete or event.unblock_all:
            current.clear()
        for jid in event.blocked:
            current[jid] = None
        for jid in event.unblocked:
            current.pop(jid, None)
        self._bus.publish(BlocklistChanged(event.account, tuple(current)))

    def _on_account_removed(self, event: AccountRemoved) -> None:
        self._blocked.pop(event.account, None)
