"""A fake ``RegistrationService`` for the registration wizard's tests and screenshots.

It serves an ejabberd-like CAPTCHA form whose image is drawn here (PNG bytes, as
Bits of Binary would bring them), accepts the answer ``CAPTCHA_TEXT`` and refuses a
taken name, like the real server.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from siproxylin.core.services.registration import RegistrationRequest
from siproxylin.domain.config import AccountConfig
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.registration import (
    Answers,
    FieldMedia,
    FieldOption,
    FieldType,
    FormField,
    MediaUri,
    RegistrationError,
    RegistrationFailed,
    RegistrationForm,
)

CAPTCHA_TEXT = "k7x2p"
TAKEN = "alice"


def captcha_png(text: str) -> bytes:
    image = QImage(180, 60, QImage.Format.Format_RGB32)
    image.fill(QColor("#f4f1e8"))
    painter = QPainter(image)
    painter.setPen(QColor("#274060"))
    font = QFont()
    font.setPixelSize(34)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def captcha_form(server: str, serial: int) -> RegistrationForm:
    media = FieldMedia(
        uris=(MediaUri(f"cid:sha1+{serial:040x}@bob.xmpp.org", "image/png"),),
        data=captcha_png(CAPTCHA_TEXT),
        mime_type="image/png",
    )
    return RegistrationForm(
        server=server,
        instructions="Choose a username and password to register with this server",
        fields=(
            FormField("FORM_TYPE", FieldType.HIDDEN, values=("jabber:iq:register",)),
            FormField("username", FieldType.TEXT_SINGLE, "User", required=True),
            FormField("password", FieldType.TEXT_PRIVATE, "Password", required=True),
            FormField(
                "lang",
                FieldType.LIST_SINGLE,
                "Language",
                values=("en",),
                options=(FieldOption("en", "English"), FieldOption("de", "Deutsch")),
            ),
            FormField("news", FieldType.BOOLEAN, "Send me the server's news", values=("0",)),
            FormField("", FieldType.FIXED, values=("If you don't see the image, ask the admin.",)),
            FormField("challenge", FieldType.HIDDEN, values=(str(serial),)),
            FormField("ocr", FieldType.TEXT_SINGLE, "Enter the text you see", True, media=media),
        ),
    )


@dataclass
class FakeRegistration:
    requests: list[RegistrationRequest] = field(default_factory=list)
    submitted: list[Answers] = field(default_factory=list)
    form: RegistrationForm | None = None
    fail_fetch: RegistrationFailed | None = None
    cancelled: int = 0

    async def fetch_form(self, request: RegistrationRequest | None = None) -> RegistrationForm:
        if request is not None:
            self.requests.append(request)
        if self.fail_fetch is not None:
            raise self.fail_fetch
        self.form = captcha_form(self.requests[-1].server, len(self.requests) + len(self.submitted))
        return self.form

    async def submit(self, answers: Answers) -> AccountConfig:
        self.submitted.append(answers)
        self.form = None
        if answers.get("ocr") != (CAPTCHA_TEXT,):
            raise RegistrationFailed(
                RegistrationError.BAD_CAPTCHA, "The CAPTCHA verification has failed"
            )
        if answers.get("username") == (TAKEN,):
            raise RegistrationFailed(RegistrationError.CONFLICT, "User already exists")
        request = self.requests[-1]
        return AccountConfig(
            AccountId(7),
            Jid.parse(f"{answers['username'][0]}@{request.server}"),
            proxy=request.proxy,
            tls=request.tls,
        )

    async def cancel(self) -> None:
        self.cancelled += 1
        self.form = None
