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


# --- group chats


class RoomError(enum.Enum):
    """Why we could not join a room, were removed from one, or a room command failed."""

    PASSWORD_REQUIRED = "password-required"  # noqa: S105 (not-authorized: no or wrong password)
    BANNED = "banned"  # forbidden on join, or status 301 while inside
    NICK_CONFLICT = "nick-conflict"  # conflict: the nick is taken (or reserved)
    MEMBERS_ONLY = "members-only"  # registration-required
    LOCKED = "locked"  # item-not-found: the room is being created by someone else
    NOT_ALLOWED = "not-allowed"  # the service does not let us (e.g. create rooms)
    FULL = "full"  # service-unavailable: max users reached or no such service
    NICK_INVALID = "nick-invalid"  # jid-malformed / not-acceptable nick
    UNREACHABLE = "unreachable"  # the room's server cannot be reached
    TIMEOUT = "timeout"  # no answer in time
    KICKED = "kicked"  # status 307
    AFFILIATION_LOST = "affiliation-lost"  # status 321: removed from the member list
    MEMBERS_ONLY_NOW = "members-only-now"  # status 322: the room became members-only
    SHUTDOWN = "shutdown"  # status 332: the service is shutting down
    DESTROYED = "destroyed"  # the room was destroyed
    DROPPED = "dropped"  # a self-ping (XEP-0410) showed we are no longer in the room
    FORBIDDEN = "forbidden"  # a command we are not allowed to perform
    OTHER = "other"  # anything else; the server's text says more

    @property
    def text(self) -> str:
        """A sentence fit to show the user."""
        return _ROOM_ERROR_TEXT[self]


_ROOM_ERROR_TEXT = {
    RoomError.PASSWORD_REQUIRED: "This room needs a password, and none or a wrong one was given.",
    RoomError.BANNED: "You are banned from this room.",
    RoomError.NICK_CONFLICT: "This nickname is already in use in the room; choose another.",
    RoomError.MEMBERS_ONLY: "This room is for members only; ask for membership first.",
    RoomError.LOCKED: "The room is being set up by its creator and cannot be entered yet.",
    RoomError.NOT_ALLOWED: "The group chat service does not allow this.",
    RoomError.FULL: "The room is full, or the group chat service is not available.",
    RoomError.NICK_INVALID: "The room does not accept this nickname.",
    RoomError.UNREACHABLE: "The room's server cannot be reached.",
    RoomError.TIMEOUT: "The room did not answer in time.",
    RoomError.KICKED: "You were removed from the room by a moderator.",
    RoomError.AFFILIATION_LOST: "You are no longer a member of this members-only room.",
    RoomError.MEMBERS_ONLY_NOW: "The room became members-only and you are not a member.",
    RoomError.SHUTDOWN: "The group chat service is shutting down.",
    RoomError.DESTROYED: "The room was destroyed.",
    RoomError.DROPPED: "The connection to the room was lost; rejoining.",
    RoomError.FORBIDDEN: "You are not allowed to do this in the room.",
    RoomError.OTHER: "The room refused the request.",
}


class RoomOperationFailed(SiproxylinError):
    """A room command (configure, kick, ban, register, moderate...) was refused.

    Attributes:
        reason: The typed reason.
        detail: The server's own text, if it gave one.
    """

    def __init__(self, reason: RoomError, detail: str = "") -> None:
        super().__init__(f"{reason.text} {detail}".strip())
        self.reason = reason
        self.detail = detail


class TransferFailed(SiproxylinError):
    """A file could not be shared or fetched; the message says why, in words.

    Attributes:
        network: The connection failed (proxy, reset, timeout), as opposed to a
            server that answered with a refusal: trying again later may work.
    """

    def __init__(self, message: str, *, network: bool = False) -> None:
        super().__init__(message)
        self.network = network


class CertificateUnavailable(SiproxylinError):
    """The server's certificate could not be fetched to show it; the message says why."""
