"""Account configuration values: proxy, TLS policy, logging level, the account itself.

Stdlib only. These are the values stored in the database and handed to adapters;
the password is never part of them (it lives in the secret store).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from siproxylin.domain.ids import AccountId, Jid


class ProxyKind(enum.Enum):
    """How an account reaches the network."""

    NONE = "none"
    SOCKS5 = "socks5"
    HTTP = "http"


@dataclass(frozen=True, slots=True)
class ProxyConfig:
    """The proxy an account's every connection goes through.

    Attributes:
        kind: SOCKS5, HTTP CONNECT, or NONE for a direct connection.
        host: Proxy address; an IP literal avoids a local lookup of the proxy's name.
        port: Proxy port.
        username: Optional proxy user.
        password: Optional proxy password.
        isolate: For SOCKS5 without credentials, send a random per-account user and
            password so that Tor puts this account on circuits of its own.
    """

    kind: ProxyKind = ProxyKind.NONE
    host: str = ""
    port: int = 0
    username: str = ""
    password: str = field(default="", repr=False)
    isolate: bool = True

    @property
    def enabled(self) -> bool:
        """True when connections must go through the proxy."""
        return self.kind is not ProxyKind.NONE

    @property
    def label(self) -> str:
        """How the proxy is shown to the user: ``SOCKS5 127.0.0.1:9050`` or ``direct``."""
        if not self.enabled:
            return "direct"
        return f"{self.kind.name} {self.host}:{self.port}"


TOR_PRESET = ProxyConfig(ProxyKind.SOCKS5, "127.0.0.1", 9050, isolate=True)
"""The usual local Tor SOCKS port, with stream isolation per account."""


@dataclass(frozen=True, slots=True)
class PrivacyOptions:
    """What an account lets others learn about it. Defaults disclose nothing optional.

    Attributes:
        send_version: Answer XEP-0092 software version queries (name, version, OS).
        send_time: Answer XEP-0202 entity time queries (reveals the time zone).
        send_idle: Tell contacts how long we have been idle (XEP-0319 / XEP-0012).
        chat_states: Send typing notifications (XEP-0085).
        read_markers: Send read markers (XEP-0333).
        random_resource: Bind a random resource instead of a client name.
        auto_download_max: Fetch a contact's shared file without asking when it is
            at most this many bytes and on the contact's own server; 0: never.
    """

    send_version: bool = False
    send_time: bool = False
    send_idle: bool = False
    chat_states: bool = False
    read_markers: bool = False
    random_resource: bool = True
    auto_download_max: int = 0


@dataclass(frozen=True, slots=True)
class TlsPolicy:
    """How the server's certificate is checked. Verification is never switched off.

    Attributes:
        ca_file: A CA bundle (or a self-signed certificate) trusted for this account
            in addition to the system store.
        direct_tls: Try XEP-0368 direct TLS before STARTTLS.
    """

    ca_file: str = ""
    direct_tls: bool = False


class LogLevel(enum.Enum):
    """Logging level for the whole app or one account; OFF writes nothing."""

    OFF = "off"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    DEBUG = "debug"


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """Everything needed to run one account, except its password.

    Attributes:
        id: Local account id.
        jid: The account's bare address.
        resource: Resource to bind; empty lets the account manager pick a random one
            (or the server, when random resources are switched off).
        server_host: Host to connect to instead of the JID's domain.
        server_port: Port to connect to; 0 means 5222 (or 5223 with direct TLS).
        enabled: Whether the account connects at start.
        proxy: The account's proxy.
        tls: The account's certificate policy.
        log_level: Level of ``account-{id}-app.log``.
        nickname: Display name offered to others.
        privacy: What the account discloses.
    """

    id: AccountId
    jid: Jid
    resource: str = ""
    server_host: str = ""
    server_port: int = 0
    enabled: bool = True
    proxy: ProxyConfig = field(default_factory=ProxyConfig)
    tls: TlsPolicy = field(default_factory=TlsPolicy)
    log_level: LogLevel = LogLevel.INFO
    nickname: str = ""
    privacy: PrivacyOptions = field(default_factory=PrivacyOptions)

    @property
    def address(self) -> tuple[str, int]:
        """The host and port to connect to: explicit ones, or the JID domain."""
        host = self.server_host or self.jid.domain
        port = self.server_port or (5223 if self.tls.direct_tls else 5222)
        return host, port
