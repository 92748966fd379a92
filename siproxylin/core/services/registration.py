"""RegistrationService: creating an account on a server, changing its password, deleting it.

Owns the open registration conversation (one at a time: the form and its CAPTCHA
belong to the stream they came on), checks the answers, and on success stores the
new account with the proxy it was registered through, so it logs in the same way.
Password changes and removals go through the account's logged-in session. Imports
``domain`` and ``core`` only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from siproxylin.core.accounts import AccountManager
from siproxylin.core.ports import RegistrationChannel, RegistrationConnector
from siproxylin.domain.config import AccountConfig, ProxyConfig, TlsPolicy
from siproxylin.domain.ids import AccountId, InvalidJid, Jid
from siproxylin.domain.registration import (
    Answers,
    RegistrationError,
    RegistrationFailed,
    RegistrationForm,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RegistrationRequest:
    """Where to register and how to get there.

    Attributes:
        server: The server's domain (the new address's part after the @).
        proxy: The proxy every byte goes through (also the new account's).
        tls: Certificate policy (also the new account's).
        host: Host to connect to instead of the domain.
        port: Port to connect to; 0 for the default.
    """

    server: str
    proxy: ProxyConfig = field(default_factory=ProxyConfig)
    tls: TlsPolicy = field(default_factory=TlsPolicy)
    host: str = ""
    port: int = 0


class RegistrationService:
    """Registration conversations and server-side account commands."""

    def __init__(self, accounts: AccountManager, connector: RegistrationConnector) -> None:
        self._accounts = accounts
        self._connector = connector
        self._request: RegistrationRequest | None = None
        self._channel: RegistrationChannel | None = None
        self._form: RegistrationForm | None = None

    @property
    def form(self) -> RegistrationForm | None:
        """The form last fetched, while its conversation is open."""
        return self._form

    async def fetch_form(self, request: RegistrationRequest | None = None) -> RegistrationForm:
        """Open a conversation with the server (through the proxy) and get its form.

        Args:
            request: Where to register; None fetches a fresh form (a new CAPTCHA)
                for the last request.

        Raises:
            RegistrationFailed: Connecting failed or the server refused.
        """
        request = request or self._request
        if request is None:
            raise ValueError("no server to register on")
        await self.cancel()
        self._request = request
        channel = self._connector(
            request.server, request.proxy, request.tls, request.host, request.port
        )
        self._channel = channel
        try:
            self._form = await channel.fetch_form()
        except RegistrationFailed:
            await self.cancel()
            raise
        return self._form

    async def submit(self, answers: Answers) -> AccountConfig:
        """Register with ``answers``, then store and connect the new account.

        On failure the conversation is closed: fetch the form again (a CAPTCHA is
        good for one try).

        Returns:
            The stored account (with the proxy and TLS policy of the request).

        Raises:
            RegistrationFailed: BAD_REQUEST for missing answers, else the server's reason.
        """
        form, channel, request = self._form, self._channel, self._request
        if form is None or channel is None or request is None:
            raise RegistrationFailed(RegistrationError.OTHER, "fetch the form first")
        missing = [f.label or f.var for f in form.missing(answers)]
        if missing:
            raise RegistrationFailed(
                RegistrationError.BAD_REQUEST, "fill in: " + ", ".join(missing)
            )
        username, password = _credentials(form, answers)
        try:
            jid = Jid.parse(f"{username}@{form.server}")
        except InvalidJid as exc:
            raise RegistrationFailed(
                RegistrationError.BAD_REQUEST, "the user name has characters not allowed"
            ) from exc
        if not password:
            raise RegistrationFailed(RegistrationError.BAD_REQUEST, "enter a password")
        try:
            await channel.submit(form, answers)
        finally:
            await self.cancel()
        log.info("registered a new account on %s", form.server)
        config = AccountConfig(
            id=AccountId(0),
            jid=jid,
            server_host=request.host,
            server_port=request.port,
            proxy=request.proxy,
            tls=request.tls,
        )
        return await self._accounts.add_account(config, password)

    async def cancel(self) -> None:
        """Close the open conversation, if any."""
        channel, self._channel, self._form = self._channel, None, None
        if channel is not None:
            await channel.close()

    async def change_password(self, account: AccountId, password: str) -> None:
        """Change an online account's password on its server, then store it.

        Raises:
            NotConnected: The account is not online.
            RegistrationFailed: The server refused.
        """
        if not password:
            raise RegistrationFailed(RegistrationError.BAD_REQUEST, "enter a password")
        xmpp = self._accounts.online_xmpp(account)
        await xmpp.change_password(password)
        # Stored, then the session reconnects with it.
        await self._accounts.update_account(self._accounts.config(account), password=password)

    async def delete_account(self, account: AccountId, remove_local: bool = True) -> None:
        """Delete an online account on its server, then here (or just disable it).

        Raises:
            NotConnected: The account is not online.
            RegistrationFailed: The server refused.
        """
        xmpp = self._accounts.online_xmpp(account)
        await xmpp.remove_from_server()
        if remove_local:
            await self._accounts.remove_account(account)
        else:
            await self._accounts.set_enabled(account, False)


def _credentials(form: RegistrationForm, answers: Answers) -> tuple[str, str]:
    def first(var: str) -> str:
        values = answers.get(var)
        if values:
            return values[0].strip() if var != "password" else values[0]
        f = form.field(var)
        return f.value if f is not None else ""

    return first("username"), first("password")
