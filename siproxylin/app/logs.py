"""Log files and redaction: ``main.log``, ``xmpp-protocol.log``, ``account-{id}-app.log``.

Every handler carries ``Redactor``, so passwords, SASL exchanges, OMEMO key
material and (unless the user turned them on) message bodies never reach a file,
whatever logger produced the line. Files rotate. Each log can be switched off.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from logging.handlers import RotatingFileHandler
from pathlib import Path

from siproxylin.domain.config import LogLevel
from siproxylin.domain.ids import AccountId

_MAX_BYTES = 5 * 1024 * 1024
_BACKUPS = 3
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
PROTOCOL_LOGGER = "slixmpp.xmlstream.xmlstream"  # logs "SEND:" / "RECV:" lines
_LEVELS = {
    LogLevel.ERROR: logging.ERROR,
    LogLevel.WARNING: logging.WARNING,
    LogLevel.INFO: logging.INFO,
    LogLevel.DEBUG: logging.DEBUG,
}

# Elements whose text is secret: SASL (auth/response/challenge/success), in-band
# registration passwords, OMEMO keys and bundles.
_HIDDEN_ELEMENTS = (
    "auth|response|challenge|success|password|key|keys|payload|bundle|ik|spk|spks"
    "|pk|identityKey|signedPreKeyPublic|signedPreKeySignature|preKeyPublic|prekeys"
)
_SECRET_RE = re.compile(rf"<((?:[\w.-]+:)?(?:{_HIDDEN_ELEMENTS}))(\s[^>]*)?>(.*?)</\1>", re.DOTALL)
# Data form fields named like a password (in-band registration submits one this way).
_FIELD_RE = re.compile(
    r"(<(?:[\w.-]+:)?field\b[^>]*?\bvar=(['\"])[^'\"]*(?:password|passwd|secret)[^'\"]*\2"
    r"[^>]*(?<!/)>)(.*?)(</(?:[\w.-]+:)?field>)",
    re.DOTALL | re.IGNORECASE,
)
_BODY_RE = re.compile(r"<((?:[\w.-]+:)?body)(\s[^>]*)?>(.*?)</\1>", re.DOTALL)
_ASSIGN_RE = re.compile(r"(?i)\b(password|passwd|secret)(\s*[=:]\s*)(['\"]?)[^\s'\",}]+\3")


class Redactor(logging.Filter):
    """Removes secrets (and bodies, unless allowed) from every record it sees."""

    def __init__(self, show_bodies: bool = False) -> None:
        super().__init__()
        self.show_bodies = show_bodies

    def redact(self, text: str) -> str:
        """Return ``text`` with secret element contents and assignments replaced."""
        text = _SECRET_RE.sub(r"<\1\2>[redacted]</\1>", text)
        text = _FIELD_RE.sub(r"\1[redacted]\4", text)
        if not self.show_bodies:
            text = _BODY_RE.sub(r"<\1\2>[body hidden]</\1>", text)
        return _ASSIGN_RE.sub(r"\1\2[redacted]", text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message in place; never drops a record."""
        message = record.getMessage()
        clean = self.redact(message)
        if clean is not message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


@dataclass(frozen=True, slots=True)
class LogSettings:
    """What to log.

    Attributes:
        level: Level of ``main.log``; OFF writes no file.
        protocol: Write stanzas to ``xmpp-protocol.log``.
        show_bodies: Let message bodies through redaction.
    """

    level: LogLevel = LogLevel.INFO
    protocol: bool = False
    show_bodies: bool = False


class LogFiles:
    """Owns the handlers of the log folder; one per file, all redacting."""

    def __init__(self, folder: Path, settings: LogSettings) -> None:
        self._folder = folder
        self._settings = settings
        self._redactor = Redactor(settings.show_bodies)
        self._handlers: list[logging.Handler] = []
        self._accounts: dict[AccountId, logging.Handler] = {}
        self._configure()

    def _file(self, name: str, level: int) -> logging.Handler:
        handler = RotatingFileHandler(
            self._folder / name, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8"
        )
        handler.setLevel(level)
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(self._redactor)
        return handler

    def _configure(self) -> None:
        self._folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        root = logging.getLogger()
        root.setLevel(logging.DEBUG if self._settings.level is LogLevel.DEBUG else logging.INFO)
        if self._settings.level is not LogLevel.OFF:
            main = self._file("main.log", _LEVELS[self._settings.level])
            root.addHandler(main)
            self._handlers.append(main)
        # slixmpp is chatty at DEBUG; only the protocol log may hear it.
        logging.getLogger("slixmpp").setLevel(logging.WARNING)
        protocol = logging.getLogger(PROTOCOL_LOGGER)
        protocol.propagate = False
        if self._settings.protocol:
            protocol.setLevel(logging.DEBUG)
            handler = self._file("xmpp-protocol.log", logging.DEBUG)
            protocol.addHandler(handler)
            self._handlers.append(handler)
        else:
            protocol.setLevel(logging.WARNING)

    def attach_account(self, account: AccountId, level: LogLevel) -> None:
        """Write the account's own log to ``account-{id}-app.log`` (or stop, for OFF)."""
        self.detach_account(account)
        if level is LogLevel.OFF:
            return
        handler = self._file(f"account-{account}-app.log", _LEVELS[level])
        logger = logging.getLogger(f"siproxylin.account.{account}")
        logger.setLevel(_LEVELS[level])
        logger.addHandler(handler)
        self._accounts[account] = handler

    def detach_account(self, account: AccountId) -> None:
        """Close an account's log file."""
        handler = self._accounts.pop(account, None)
        if handler is not None:
            logging.getLogger(f"siproxylin.account.{account}").removeHandler(handler)
            handler.close()

    def close(self) -> None:
        """Remove and close every handler this object added."""
        for account in list(self._accounts):
            self.detach_account(account)
        for handler in self._handlers:
            logging.getLogger().removeHandler(handler)
            logging.getLogger(PROTOCOL_LOGGER).removeHandler(handler)
            handler.close()
        self._handlers.clear()
