"""Error values shared across layers: why an account failed, what a command could not do.

Stdlib only.
"""

from __future__ import annotations

import enum


class FailureReason(enum.Enum):
    """Why a connection attempt ended; decides whether the session retries."""

    AUTH = "auth"  # wrong credentials: never retried automatically
    TLS = "tls"  # certificate not trusted or for another name: never retried
    NETWORK = "network"  # unreachable, reset, timeout: retried with backoff
    PROXY = "proxy"  # the account's proxy is down or failed: retried with backoff
    PROXY_AUTH = "proxy-auth"  # the proxy refused our credentials: not retried
    CONFLICT = "conflict"  # another client took our resource: not retried
    CONFIG = "config"  # the account's settings cannot work (bad JID, missing password)

    @property
    def retryable(self) -> bool:
        """True when waiting and trying again may help."""
        return self in (FailureReason.NETWORK, FailureReason.PROXY)


class SiproxylinError(Exception):
    """Base class of errors that carry a message fit to show a user."""


class AccountNotFound(SiproxylinError):
    """A command named an account that does not exist."""


class NotConnected(SiproxylinError):
    """A command needed a live connection and the account has none."""
