"""FileService over fake ports: what is fetched without asking, names, held messages."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from siproxylin.core.services.files import FileService, _name_of
from siproxylin.domain.config import PrivacyOptions
from siproxylin.domain.errors import TransferFailed
from siproxylin.domain.ids import AccountId
from siproxylin.domain.models import TransferState
from tests.fakes import Core, account_config, make_core
from tests.file_fakes import BOB, FakeUploadServer, file_from_bob, file_service

MB = 1024 * 1024


class Setup:
    def __init__(self, tmp_path: Path) -> None:
        self.core: Core = make_core()
        self.server = FakeUploadServer()
        self.files: FileService = file_service(self.core, tmp_path / "files")
        self.account = AccountId(0)

    async def online(self, auto_download_max: int = 0) -> AccountId:
        config = replace(
            account_config("me@x.org"),
            privacy=PrivacyOptions(auto_download_max=auto_download_max),
        )
        stored = await self.core.accounts.add_account(config, "pw")
        session = self.core.xmpp(stored.id)
        self.server.attach(session)
        session.start()
        self.account = stored.id
        return stored.id

    def offer(self, url: str, data: bytes, number: int) -> int:
        self.server.files[url] = data
        file_from_bob(self.core, self.account, url, number)
        message = self.core.chat.history(self.account, BOB)[-1]
        return message.id


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    return Setup(tmp_path)


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_nothing_is_fetched_unless_the_account_allows_it(setup: Setup) -> None:
    await setup.online()
    message = setup.offer("https://upload.x.org/a.png", b"png", 1)
    await settle()
    transfer = setup.files.transfer(message)
    assert transfer is not None
    assert transfer.state is TransferState.OFFERED


async def test_automatic_download_only_from_the_senders_server_and_up_to_the_size(
    setup: Setup,
) -> None:
    await setup.online(auto_download_max=1 * MB)
    own = setup.offer("https://upload.x.org/small.png", b"x" * 1000, 1)
    big = setup.offer("https://upload.x.org/big.png", b"x" * (2 * MB), 2)
    foreign = setup.offer("https://files.elsewhere.example/small.png", b"x" * 1000, 3)
    lookalike = setup.offer("https://evilx.org/small.png", b"x" * 1000, 4)
    for _ in range(50):
        await asyncio.sleep(0.01)
        transfer = setup.files.transfer(own)
        if transfer is not None and transfer.state is TransferState.DONE:
            break
    states = {
        name: setup.files.transfer(message_id).state  # type: ignore[union-attr]
        for name, message_id in (
            ("own", own),
            ("big", big),
            ("foreign", foreign),
            ("lookalike", lookalike),
        )
    }
    assert states == {
        "own": TransferState.DONE,
        "big": TransferState.OFFERED,
        "foreign": TransferState.OFFERED,
        "lookalike": TransferState.OFFERED,
    }


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://up.x.org/abc/holiday%20photo.jpg", "holiday photo.jpg"),
        ("aesgcm://up.x.org/abc/secret.pdf#" + "ab" * 44, "secret.pdf"),
        ("https://up.x.org/abc/..%2F..%2Fetc%2Fpasswd", "etcpasswd"),
        ("https://up.x.org/", "file"),
        ("https://up.x.org/a/%00%01evil\u202e.txt", "evil.txt"),
    ],
)
def test_local_names_are_safe(url: str, name: str) -> None:
    assert _name_of(url) == name


async def test_a_file_that_cannot_be_read_is_a_clear_error(setup: Setup, tmp_path: Path) -> None:
    account = await setup.online()
    with pytest.raises(TransferFailed, match="cannot read"):
        setup.files.send_file(account, BOB, tmp_path / "missing.txt")
    assert setup.core.chat.history(account, BOB) == []


async def test_a_held_message_is_not_sent_by_a_new_login(setup: Setup, tmp_path: Path) -> None:
    account = await setup.online()
    setup.server.gate = asyncio.Event()
    path = tmp_path / "f.bin"
    path.write_bytes(bytes(100_000))
    message = setup.files.send_file(account, BOB, path)
    await settle()
    held = setup.core.chat.message(message.id)
    assert held is not None
    assert setup.core.chat.held(held)
    session = setup.core.xmpp(account)
    assert session.sent == []
    setup.server.gate.set()
    for _ in range(50):
        await asyncio.sleep(0.01)
        if session.sent:
            break
    assert [m.message.attachment for m in session.sent if m.message] == [
        m.body for m in session.sent
    ]
