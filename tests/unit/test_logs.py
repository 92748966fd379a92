"""Redaction of secrets and bodies in every log file, and per-account log files."""

from __future__ import annotations

import logging
from pathlib import Path

from siproxylin.app.logs import PROTOCOL_LOGGER, LogFiles, LogSettings, Redactor
from siproxylin.domain.config import LogLevel
from siproxylin.domain.ids import AccountId

SASL = (
    "SEND: <auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>"
    "biwsbj1ib2Iscj1zZWNyZXQ=</auth>"
)
MESSAGE = "RECV: <message type='chat'><body>meet me at 5</body></message>"
OMEMO = "<bundle xmlns='urn:xmpp:omemo:2'><ik>SECRETKEY==</ik></bundle>"


def test_redactor_hides_sasl_keys_passwords_and_bodies() -> None:
    redactor = Redactor()
    assert "biwsbj1" not in redactor.redact(SASL)
    assert "meet me" not in redactor.redact(MESSAGE)
    assert "SECRETKEY" not in redactor.redact(OMEMO)
    assert "hunter2" not in redactor.redact("login with password=hunter2 now")
    assert "hunter2" not in redactor.redact("<password>hunter2</password>")
    assert "<body>[body hidden]</body>" in redactor.redact(MESSAGE)


def test_redactor_can_show_bodies_but_never_secrets() -> None:
    redactor = Redactor(show_bodies=True)
    assert "meet me at 5" in redactor.redact(MESSAGE)
    assert "biwsbj1" not in redactor.redact(SASL)


def test_files_written_and_redacted(tmp_path: Path) -> None:
    files = LogFiles(tmp_path, LogSettings(LogLevel.DEBUG, protocol=True))
    try:
        files.attach_account(AccountId(4), LogLevel.INFO)
        logging.getLogger(PROTOCOL_LOGGER).debug("%s", SASL)
        logging.getLogger(PROTOCOL_LOGGER).debug(MESSAGE)
        logging.getLogger("siproxylin.account.4").info("password=%s", "hunter2")
        logging.getLogger("siproxylin.test").error("boom", exc_info=ValueError("password: hunter2"))
    finally:
        files.close()
    protocol = (tmp_path / "xmpp-protocol.log").read_text()
    account = (tmp_path / "account-4-app.log").read_text()
    main = (tmp_path / "main.log").read_text()
    assert "SCRAM-SHA-1" in protocol
    assert "biwsbj1" not in protocol
    assert "meet me" not in protocol
    assert "[redacted]" in account
    assert "hunter2" not in account + main
    assert "ValueError" in main


def test_off_writes_no_file(tmp_path: Path) -> None:
    files = LogFiles(tmp_path, LogSettings(LogLevel.OFF))
    try:
        files.attach_account(AccountId(1), LogLevel.OFF)
        logging.getLogger("siproxylin.test").error("nothing")
    finally:
        files.close()
    assert not (tmp_path / "main.log").exists()
    assert not (tmp_path / "account-1-app.log").exists()
    assert not (tmp_path / "xmpp-protocol.log").exists()


def test_redactor_hides_registration_passwords_legacy_and_in_data_forms() -> None:
    redactor = Redactor()
    legacy = (
        "SEND: <iq type='set'><query xmlns='jabber:iq:register'><username>al</username>"
        "<password>s3cret-legacy</password></query></iq>"
    )
    form = (
        'SEND: <iq type="set"><query xmlns="jabber:iq:register"><x xmlns="jabber:x:data" '
        'type="submit"><field var="username"><value>al</value></field>'
        '<field var="password"><value>s3cret-form</value></field>'
        '<field var="ocr"><value>7xk2p</value></field></x></query></iq>'
    )
    assert "s3cret-legacy" not in redactor.redact(legacy)
    clean = redactor.redact(form)
    assert "s3cret-form" not in clean
    assert "<value>al</value>" in clean  # the rest of the form stays readable
    assert "7xk2p" in clean


def test_redactor_leaves_an_empty_password_field_alone() -> None:
    text = (
        "<field var='password' type='text-private'/><field var='username'><value>al</value></field>"
    )
    assert Redactor().redact(text) == text
