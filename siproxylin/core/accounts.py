"""AccountManager: the set of accounts, their stored config, passwords and live sessions.

Creates one ``AccountSession`` per account, routes session facts from the bus to
it, and performs account-level commands (add, update, enable, disable, remove).
Imports ``domain`` and ``core`` only.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import replace

from siproxylin.core.backoff import Backoff
from siproxylin.core.bus import EventBus
from siproxylin.core.decisions import Decisions
from siproxylin.core.ports import AccountRepo, SecretStore, XmppSession, XmppSessionFactory
from siproxylin.core.session import AccountSession
from siproxylin.domain.config import AccountConfig
from siproxylin.domain.errors import AccountNotFound, NotConnected
from siproxylin.domain.events import (
    AccountAdded,
    AccountRemoved,
    AccountUpdated,
    ProxyNameResolved,
    SessionEnded,
    SessionStarted,
)
from siproxylin.domain.ids import AccountId
from siproxylin.domain.models import AccountStatus, ConnectionState

log = logging.getLogger(__name__)


class AccountManager:
    """Owns every account's configuration and session."""

    def __init__(
        self,
        repo: AccountRepo,
        secrets: SecretStore,
        factory: XmppSessionFactory,
        bus: EventBus,
        decisions: Decisions,
        backoff_base: float = 1.0,
    ) -> None:
        self._repo = repo
        self._secrets = secrets
        self._factory = factory
        self._bus = bus
        self._decisions = decisions
        self._backoff_base = backoff_base
        self._sessions: dict[AccountId, AccountSession] = {}
        bus.subscribe(SessionStarted, self._on_session_started)
        bus.subscribe(SessionEnded, self._on_session_ended)
        bus.subscribe(ProxyNameResolved, self._on_proxy_name_resolved)

    # --- queries -------------------------------------------------------------------

    def accounts(self) -> list[AccountConfig]:
        """Every account, in creation order."""
        return [session.config for session in self._sessions.values()]

    def config(self, account: AccountId) -> AccountConfig:
        """One account's configuration."""
        return self._session(account).config

    def status(self, account: AccountId) -> AccountStatus:
        """One account's connection state."""
        session = self._sessions.get(account)
        return session.status if session else AccountStatus(ConnectionState.DISABLED)

    def session(self, account: AccountId) -> AccountSession | None:
        """The live session object of an account."""
        return self._sessions.get(account)

    def xmpp(self, account: AccountId) -> XmppSession | None:
        """The XMPP session of an account while it is online, else None."""
        session = self._sessions.get(account)
        return session.xmpp if session is not None and session.online else None

    def online_xmpp(self, account: AccountId) -> XmppSession:
        """The XMPP session of an account that must be online for a command.

        Raises:
            NotConnected: If the account is not online.
        """
        xmpp = self.xmpp(account)
        if xmpp is None:
            raise NotConnected("The account is not connected.")
        return xmpp

    @property
    def passwords_secure(self) -> bool:
        """False when passwords are kept in a file (no OS keyring)."""
        return self._secrets.secure

    # --- commands ------------------------------------------------------------------

    async def load(self) -> None:
        """Read stored accounts and connect the enabled ones."""
        for config in self._repo.list_accounts():
            session = self._new_session(config)
            if config.enabled:
                await session.enable()

    async def add_account(self, config: AccountConfig, password: str) -> AccountConfig:
        """Store a new account and its password, then connect it if enabled.

        Args:
            config: The account's settings (its id is assigned here).
            password: The account password; stored in the secret store only.

        Returns:
            The stored configuration with its id.
        """
        if not config.resource and config.privacy.random_resource:
            # A client name in the resource would tell every contact which app this is.
            config = replace(config, resource=secrets.token_hex(4))
        stored = self._repo.add_account(config)
        self._secrets.set_password(stored.id, password)
        session = self._new_session(stored)
        self._bus.publish(AccountAdded(stored.id, stored))
        if stored.enabled:
            await session.enable()
        return stored

    async def update_account(self, config: AccountConfig, password: str | None = None) -> None:
        """Store new settings; a connected account reconnects with them."""
        session = self._session(config.id)
        self._repo.update_account(config)
        if password is not None:
            self._secrets.set_password(config.id, password)
        await session.disable()
        del self._sessions[config.id]
        fresh = self._new_session(config)
        self._bus.publish(AccountUpdated(config.id, config))
        if config.enabled:
            await fresh.enable()

    async def set_enabled(self, account: AccountId, enabled: bool) -> None:
        """Enable (connect) or disable (disconnect) an account, and remember it."""
        session = self._session(account)
        config = replace(session.config, enabled=enabled)
        self._repo.update_account(config)
        session.config = config
        if enabled:
            await session.enable()
        else:
            self._decisions.cancel_account(account)
            await session.disable()
        self._bus.publish(AccountUpdated(account, config))

    async def reconnect(self, account: AccountId) -> None:
        """Try to connect now, skipping any backoff wait."""
        await self._session(account).reconnect_now()

    async def remove_account(self, account: AccountId) -> None:
        """Disconnect and delete an account with everything stored for it."""
        session = self._session(account)
        await session.disable()
        self._decisions.cancel_account(account)
        self._repo.remove_account(account)
        self._secrets.delete_password(account)
        del self._sessions[account]
        self._bus.publish(AccountRemoved(account))

    async def shutdown(self) -> None:
        """Disconnect every account (at quit)."""
        await asyncio.gather(
            *(session.disable() for session in self._sessions.values()),
            return_exceptions=True,
        )

    # --- internals -----------------------------------------------------------------

    def _new_session(self, config: AccountConfig) -> AccountSession:
        session = AccountSession(
            config,
            self._secrets.get_password(config.id),
            self._factory,
            self._bus,
            Backoff(base=self._backoff_base),
        )
        self._sessions[config.id] = session
        return session

    def _session(self, account: AccountId) -> AccountSession:
        session = self._sessions.get(account)
        if session is None:
            raise AccountNotFound(f"no account with id {account}")
        return session

    def _on_session_started(self, event: SessionStarted) -> None:
        session = self._sessions.get(event.account)
        if session is not None:
            session.on_session_started(event)

    def _on_proxy_name_resolved(self, event: ProxyNameResolved) -> None:
        session = self._sessions.get(event.account)
        if session is not None:
            session.proxy_note = proxy_lookup_note(session.config, event.address)

    def _on_session_ended(self, event: SessionEnded) -> None:
        session = self._sessions.get(event.account)
        if session is not None:
            session.on_session_ended(event)


def proxy_lookup_note(config: AccountConfig, address: str) -> str:
    """What to tell the user after the proxy's name was looked up on this machine."""
    return (
        f"{config.jid}: the proxy name {config.proxy.host} was looked up on this computer "
        f"({address}). Enter the proxy's IP address in the account settings to avoid "
        "any local lookup."
    )
