"""RegistrationService over a fake channel and the fake core: forms, answers, stored accounts."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from siproxylin.core.services.registration import RegistrationRequest, RegistrationService
from siproxylin.domain.config import ProxyConfig, ProxyKind, TlsPolicy
from siproxylin.domain.errors import NotConnected
from siproxylin.domain.registration import (
    Answers,
    FieldType,
    FormField,
    RegistrationError,
    RegistrationFailed,
    RegistrationForm,
)
from tests.fakes import Core, account_config, make_core

PROXY = ProxyConfig(ProxyKind.SOCKS5, "127.0.0.1", 1080)
TLS = TlsPolicy(ca_file="/tmp/ca.pem")
REQUEST = RegistrationRequest("example.test", PROXY, TLS, "xmpp.example.test", 5222)


def _form(server: str) -> RegistrationForm:
    return RegistrationForm(
        server,
        (
            FormField("username", FieldType.TEXT_SINGLE, "User", required=True),
            FormField("password", FieldType.TEXT_PRIVATE, "Password", required=True),
            FormField("challenge", FieldType.HIDDEN, required=True, values=("1",)),
        ),
    )


@dataclass
class FakeChannel:
    server: str
    proxy: ProxyConfig
    refuse: RegistrationFailed | None = None
    submitted: list[Answers] = field(default_factory=list)
    closed: bool = False

    async def fetch_form(self) -> RegistrationForm:
        return _form(self.server)

    async def submit(self, form: RegistrationForm, answers: Answers) -> None:
        self.submitted.append(answers)
        if self.refuse is not None:
            raise self.refuse

    async def close(self) -> None:
        self.closed = True


@dataclass
class Connector:
    channels: list[FakeChannel] = field(default_factory=list)
    refuse: RegistrationFailed | None = None

    def __call__(
        self, server: str, proxy: ProxyConfig, tls: TlsPolicy, host: str, port: int
    ) -> FakeChannel:
        channel = FakeChannel(server, proxy, self.refuse)
        self.channels.append(channel)
        return channel


@pytest.fixture
def core() -> Core:
    return make_core()


@pytest.fixture
def connector() -> Connector:
    return Connector()


@pytest.fixture
def service(core: Core, connector: Connector) -> RegistrationService:
    return RegistrationService(core.accounts, connector)


async def test_success_stores_the_account_with_the_proxy_and_password(
    core: Core, connector: Connector, service: RegistrationService
) -> None:
    form = await service.fetch_form(REQUEST)
    assert connector.channels[0].proxy == PROXY
    assert service.form == form
    config = await service.submit({"username": ("  newbie ",), "password": ("pw",)})
    assert str(config.jid) == "newbie@example.test"
    assert (config.proxy, config.tls) == (PROXY, TLS)
    assert (config.server_host, config.server_port) == ("xmpp.example.test", 5222)
    assert core.accounts.config(config.id) == config
    assert core.secrets.get_password(config.id) == "pw"
    assert connector.channels[0].closed
    assert service.form is None


async def test_missing_answers_are_refused_before_anything_is_sent(
    connector: Connector, service: RegistrationService
) -> None:
    await service.fetch_form(REQUEST)
    with pytest.raises(RegistrationFailed) as caught:
        await service.submit({"username": ("al",)})
    assert caught.value.reason is RegistrationError.BAD_REQUEST
    assert "Password" in str(caught.value)
    assert connector.channels[0].submitted == []
    with pytest.raises(RegistrationFailed) as bad_name:
        await service.submit({"username": ("a b@c",), "password": ("pw",)})
    assert bad_name.value.reason is RegistrationError.BAD_REQUEST


async def test_a_refusal_closes_the_conversation_and_stores_nothing(
    core: Core, connector: Connector, service: RegistrationService
) -> None:
    connector.refuse = RegistrationFailed(RegistrationError.CONFLICT)
    await service.fetch_form(REQUEST)
    with pytest.raises(RegistrationFailed):
        await service.submit({"username": ("al",), "password": ("pw",)})
    assert connector.channels[0].closed
    assert core.accounts.accounts() == []
    await service.fetch_form()  # the same request, a new conversation
    assert len(connector.channels) == 2
    assert connector.channels[1].server == "example.test"


async def test_password_change_and_deletion_need_an_online_account(
    core: Core, service: RegistrationService
) -> None:
    stored = await core.accounts.add_account(account_config("al@example.test"), "old")
    with pytest.raises(NotConnected):
        await service.change_password(stored.id, "new")
    first = core.xmpp(stored.id)
    first.start()
    await service.change_password(stored.id, "new")
    assert ("change_password", "new") in first.commands
    assert core.secrets.get_password(stored.id) == "new"
    session = core.xmpp(stored.id)  # a fresh session, with the new password
    assert session.password == "new"
    session.start()
    await service.delete_account(stored.id)
    assert ("remove_from_server",) in session.commands
    assert core.accounts.accounts() == []
