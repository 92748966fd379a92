"""A core with profiles over fakes, and a populated window, for GUI tests and screenshots."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from siproxylin.core.services.profiles import ProfileService
from siproxylin.domain.events import AvatarAnnounced, NicknameReceived
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import Availability
from siproxylin.domain.profiles import AvatarSource
from siproxylin.gui.presenters.contacts import ContactsPresenter
from siproxylin.gui.services import GuiServices
from tests.fakes import Core, account_config, roster_item
from tests.profile_fakes import MemoryAvatarFiles, MemoryAvatarRepo, png

from .waits import until

ALICE = Jid.parse("alice@x.org")
BOB = Jid.parse("bob@x.org")
CAROL = Jid.parse("carol@x.org")


def with_profiles(core: Core, folder: Path) -> tuple[GuiServices, ProfileService]:
    """The core's GUI services plus a ProfileService over fakes."""
    profiles = ProfileService(
        core.bus, core.accounts, MemoryAvatarRepo(), MemoryAvatarFiles(folder)
    )
    return replace(core.services, profiles=profiles), profiles


def gradient_png(side: int, hue: tuple[int, int, int]) -> bytes:
    """A picture that looks like something (a disc on a background) for screenshots."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QColor, QImage, QPainter

    image = QImage(side, side, QImage.Format.Format_ARGB32)
    image.fill(QColor(*hue))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(255, 255, 255, 170))
    painter.drawEllipse(side // 4, side // 5, side // 2, side // 2)
    painter.setBrush(QColor(255, 255, 255, 120))
    painter.drawEllipse(side // 8, side * 3 // 4, side * 3 // 4, side // 2)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # str at run time
    return bytes(QByteArray(buffer.data()).data())


async def populate(core: Core, nice_pictures: bool = False) -> AccountId:
    """An online account; Alice has an avatar, Bob a nickname only, Carol nothing."""
    stored = await core.accounts.add_account(account_config("me@x.org"), "secret")
    xmpp = core.xmpp(stored.id)
    xmpp.start()
    xmpp.receive_roster(
        roster_item("alice@x.org", "Alice Martin"),
        roster_item("bob@x.org"),
        roster_item("carol@x.org"),
    )
    xmpp.receive_presence("alice@x.org/laptop", Availability.ONLINE, "at the desk")
    xmpp.receive_presence("bob@x.org/phone", Availability.AWAY)
    picture = gradient_png(96, (52, 120, 190)) if nice_pictures else png(4, 4)
    digest = xmpp.profiles.serve(picture)
    core.bus.publish(AvatarAnnounced(stored.id, ALICE, digest, AvatarSource.PEP))
    core.bus.publish(NicknameReceived(stored.id, BOB, "Bobby Tables"))
    return stored.id


async def wait_avatar(contacts: ContactsPresenter, account: AccountId, jid: Jid) -> None:
    """Until the contact row of ``jid`` shows a cached picture."""

    def shown() -> bool:
        entry = contacts.model.contact(account, jid)
        return entry is not None and bool(entry.avatar)

    await until(shown)
