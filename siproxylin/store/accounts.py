"""Stored accounts: the ``account`` table and the account's proxy password.

Owns the mapping between ``account`` rows and
:class:`~siproxylin.domain.config.AccountConfig`. :class:`AccountsRepo`
implements ``siproxylin.core.ports.AccountRepo``. The proxy password is never
written to the database: it goes to the secret store given to the repository.
Must not import the network, the XMPP adapter, the GUI or core services.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import replace
from typing import Protocol

from siproxylin.domain.config import (
    AccountConfig,
    LogLevel,
    PrivacyOptions,
    ProxyConfig,
    ProxyKind,
    TlsPolicy,
)
from siproxylin.domain.errors import AccountNotFound, SiproxylinError
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.store.db import Database, DatabaseError, Row, now_ms

log = logging.getLogger(__name__)

_DATA = (
    "bare_jid",
    "resource",
    "server_host",
    "server_port",
    "enabled",
    "proxy_kind",
    "proxy_host",
    "proxy_port",
    "proxy_username",
    "tls_ca_file",
    "direct_tls",
    "log_level",
    "nickname",
    "proxy_isolate",
    "send_version",
    "send_time",
    "send_idle",
    "chat_states",
    "read_markers",
    "random_resource",
    "auto_download_max",
)
_COLUMNS = ", ".join(("id", *_DATA))
_INSERT = (
    f"INSERT INTO account ({', '.join(_DATA)}, created)"
    f" VALUES ({', '.join('?' * (len(_DATA) + 1))})"
)
_UPDATE = f"UPDATE account SET {', '.join(f'{c} = ?' for c in _DATA)} WHERE id = ?"


class ProxySecrets(Protocol):
    """The part of a secret store that keeps proxy passwords."""

    def get_proxy_password(self, account: AccountId) -> str | None:
        """The stored proxy password, if any."""
        ...

    def set_proxy_password(self, account: AccountId, password: str) -> None:
        """Store a proxy password."""
        ...

    def delete_proxy_password(self, account: AccountId) -> None:
        """Forget a proxy password."""
        ...


class AccountsRepo:
    """Accounts in creation order, implementing ``AccountRepo``.

    Args:
        db: The open database.
        secrets: Where proxy passwords are kept (see ``store.secrets``).
    """

    def __init__(self, db: Database, secrets: ProxySecrets) -> None:
        self._db = db
        self._secrets = secrets

    def list_accounts(self) -> list[AccountConfig]:
        """Every account, in creation order, with its proxy password filled in."""
        rows = self._db.read(f"SELECT {_COLUMNS} FROM account ORDER BY id")
        return [self._with_proxy_password(_from_row(row)) for row in rows]

    def get_account(self, account: AccountId) -> AccountConfig | None:
        """One account, or None."""
        row = self._db.read_one(f"SELECT {_COLUMNS} FROM account WHERE id = ?", (account,))
        return None if row is None else self._with_proxy_password(_from_row(row))

    def add_account(self, config: AccountConfig) -> AccountConfig:
        """Store a new account; ``config.id`` is ignored.

        Returns:
            ``config`` with its new id.
        """
        cursor = self._db.write(_INSERT, (*_to_params(config), now_ms()))
        assert cursor.lastrowid is not None
        stored = dataclasses.replace(config, id=AccountId(cursor.lastrowid))
        self._store_proxy_password(stored)
        return stored

    def update_account(self, config: AccountConfig) -> None:
        """Replace an account's configuration.

        Raises:
            AccountNotFound: If there is no account ``config.id``.
        """
        cursor = self._db.write(_UPDATE, (*_to_params(config), config.id))
        if cursor.rowcount == 0:
            raise AccountNotFound(f"no account {config.id}")
        self._store_proxy_password(config)

    def remove_account(self, account: AccountId) -> None:
        """Delete an account and its messages, conversations, roster and settings.

        Everything in the database goes in one transaction; the proxy password is
        forgotten afterwards (the account password belongs to the caller).

        Raises:
            AccountNotFound: If there is no such account.
        """
        with self._db.transaction():
            cursor = self._db.write("DELETE FROM account WHERE id = ?", (account,))
            if cursor.rowcount == 0:
                raise AccountNotFound(f"no account {account}")
        self._db.clear_caches()
        try:
            self._secrets.delete_proxy_password(account)
        except SiproxylinError:
            log.warning("could not forget the proxy password of account %s", account)

    # --- internals ----------------------------------------------------------------

    def _with_proxy_password(self, config: AccountConfig) -> AccountConfig:
        if not config.proxy.enabled:
            return config
        try:
            password = self._secrets.get_proxy_password(config.id)
        except SiproxylinError:
            log.warning("proxy password of account %s is unreadable", config.id)
            password = None
        if not password:
            return config
        proxy = dataclasses.replace(config.proxy, password=password)
        return dataclasses.replace(config, proxy=proxy)

    def _store_proxy_password(self, config: AccountConfig) -> None:
        if config.proxy.password:
            self._secrets.set_proxy_password(config.id, config.proxy.password)
        else:
            self._secrets.delete_proxy_password(config.id)


def _to_params(config: AccountConfig) -> tuple[object, ...]:
    return (
        str(config.jid.bare),
        config.resource,
        config.server_host,
        config.server_port,
        int(config.enabled),
        config.proxy.kind.value,
        config.proxy.host,
        config.proxy.port,
        config.proxy.username,
        config.tls.ca_file,
        int(config.tls.direct_tls),
        config.log_level.value,
        config.nickname,
        int(config.proxy.isolate),
        *(int(flag) for flag in _privacy_flags(config.privacy)),
        max(0, config.privacy.auto_download_max),
    )


def _privacy_flags(privacy: PrivacyOptions) -> tuple[bool, ...]:
    return (
        privacy.send_version,
        privacy.send_time,
        privacy.send_idle,
        privacy.chat_states,
        privacy.read_markers,
        privacy.random_resource,
    )


def _from_row(row: Row) -> AccountConfig:
    (
        account,
        bare_jid,
        resource,
        server_host,
        server_port,
        enabled,
        proxy_kind,
        proxy_host,
        proxy_port,
        proxy_username,
        ca_file,
        direct_tls,
        log_level,
        nickname,
        proxy_isolate,
        *privacy_flags,
        auto_download_max,
    ) = row
    try:
        kind = ProxyKind(proxy_kind)
    except ValueError:
        # Never fall back to a direct connection for a proxied account.
        raise DatabaseError(f"account {account} has an unknown proxy kind {proxy_kind!r}") from None
    try:
        level = LogLevel(log_level)
    except ValueError:
        level = LogLevel.INFO
    return AccountConfig(
        id=AccountId(account),
        jid=Jid.parse(bare_jid),
        resource=resource,
        server_host=server_host,
        server_port=server_port,
        enabled=bool(enabled),
        proxy=ProxyConfig(
            kind, proxy_host, proxy_port, proxy_username, isolate=bool(proxy_isolate)
        ),
        tls=TlsPolicy(ca_file=ca_file, direct_tls=bool(direct_tls)),
        log_level=level,
        nickname=nickname,
        privacy=replace(
            PrivacyOptions(*(bool(flag) for flag in privacy_flags)),
            auto_download_max=int(auto_download_max),
        ),
    )
