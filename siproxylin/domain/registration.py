"""Values of account registration: the server's form, its CAPTCHA image, why it failed.

Stdlib only. A ``RegistrationForm`` is what a server asks a new account for: a data
form (fields with a type, label, options, values and an image) or the plain fields of
the older protocol (username, password, email). ``RegistrationFailed`` carries a
typed reason with a sentence fit to show the user.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from siproxylin.domain.errors import SiproxylinError

Answers = Mapping[str, tuple[str, ...]]
"""What the user filled in: field name -> its values (one for most fields)."""


class FieldType(enum.Enum):
    """The kinds of form fields; unknown kinds are read as ``TEXT_SINGLE``."""

    BOOLEAN = "boolean"
    FIXED = "fixed"
    HIDDEN = "hidden"
    JID_MULTI = "jid-multi"
    JID_SINGLE = "jid-single"
    LIST_MULTI = "list-multi"
    LIST_SINGLE = "list-single"
    TEXT_MULTI = "text-multi"
    TEXT_PRIVATE = "text-private"
    TEXT_SINGLE = "text-single"


@dataclass(frozen=True, slots=True)
class FieldOption:
    """One choice of a list field.

    Attributes:
        value: What is sent back.
        label: What is shown (the value when the server gave no label).
    """

    value: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class MediaUri:
    """One place a field's image can be taken from.

    Attributes:
        uri: A ``cid:`` reference to Bits of Binary data, or an HTTP(S) URL.
        mime_type: The image type the server announced.
    """

    uri: str
    mime_type: str = ""

    @property
    def cid(self) -> str:
        """The Bits of Binary content id, or empty for another kind of URI."""
        return self.uri[4:] if self.uri.startswith("cid:") else ""


@dataclass(frozen=True, slots=True)
class FieldMedia:
    """The image attached to a field (the CAPTCHA picture).

    Attributes:
        uris: Where it can be fetched, in the server's order of preference.
        width: Width the server suggests, 0 when not given.
        height: Height the server suggests, 0 when not given.
        data: The image bytes once known (from Bits of Binary), else empty.
        mime_type: The type of ``data``.
    """

    uris: tuple[MediaUri, ...] = ()
    width: int = 0
    height: int = 0
    data: bytes = field(default=b"", repr=False)
    mime_type: str = ""


@dataclass(frozen=True, slots=True)
class FormField:
    """One field of a registration form.

    Attributes:
        var: The field's name (empty for ``FIXED`` text).
        type: How the field is shown and answered.
        label: Human label (the name when the server gave none).
        required: The server needs an answer.
        values: Default or fixed values.
        options: Choices of a list field.
        description: Longer help text.
        media: The field's image, for a CAPTCHA.
    """

    var: str
    type: FieldType = FieldType.TEXT_SINGLE
    label: str = ""
    required: bool = False
    values: tuple[str, ...] = ()
    options: tuple[FieldOption, ...] = ()
    description: str = ""
    media: FieldMedia | None = None

    @property
    def value(self) -> str:
        """The first value, or empty."""
        return self.values[0] if self.values else ""


@dataclass(frozen=True, slots=True)
class BobData:
    """Bits of Binary content carried with the form.

    Attributes:
        cid: Its content id.
        mime_type: Its type.
        data: Its bytes.
    """

    cid: str
    mime_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class RegistrationForm:
    """What a server asks for to register an account.

    Attributes:
        server: The server's domain.
        fields: The fields, in the server's order.
        title: The form's title.
        instructions: The server's instructions.
        data_form: True for a data form (answers go back as a form); False for the
            plain fields of the older protocol.
        registered: The stream is already registered (only after login).
        bob: Bits of Binary content that came with the form.
        url: A web page the server names for registration instead, if any.
    """

    server: str
    fields: tuple[FormField, ...]
    title: str = ""
    instructions: str = ""
    data_form: bool = True
    registered: bool = False
    bob: tuple[BobData, ...] = ()
    url: str = ""

    def field(self, var: str) -> FormField | None:
        """The field named ``var``, or None."""
        return next((f for f in self.fields if f.var == var), None)

    def missing(self, answers: Answers) -> tuple[FormField, ...]:
        """Required fields that ``answers`` leave empty (hidden and fixed ones excepted)."""
        return tuple(
            f
            for f in self.fields
            if f.required
            and f.type not in (FieldType.HIDDEN, FieldType.FIXED)
            and not any(v.strip() for v in answers.get(f.var, f.values))
        )

    @property
    def captcha(self) -> FormField | None:
        """The field that carries an image (the CAPTCHA question), if any."""
        return next((f for f in self.fields if f.media is not None), None)


class RegistrationError(enum.Enum):
    """Why registration (or a password change or account removal) failed."""

    CONFLICT = "conflict"  # the user name is taken
    NOT_ACCEPTABLE = "not-acceptable"  # a wrong CAPTCHA answer or a field refused
    BAD_CAPTCHA = "bad-captcha"  # the server said the CAPTCHA answer was wrong
    NOT_ALLOWED = "not-allowed"  # the server does not allow registration
    RESOURCE_CONSTRAINT = "resource-constraint"  # too many registrations
    SERVICE_UNAVAILABLE = "service-unavailable"  # no in-band registration here
    BAD_REQUEST = "bad-request"  # a required field is missing
    TIMEOUT = "timeout"  # no answer in time
    PROXY = "proxy"  # the proxy failed
    NETWORK = "network"  # the server cannot be reached
    TLS = "tls"  # the server's certificate was not accepted
    MALFORMED = "malformed"  # the server's answer could not be read
    OTHER = "other"  # anything else; the server's text says more

    @property
    def text(self) -> str:
        """A sentence fit to show the user."""
        return _TEXT[self]


_TEXT = {
    RegistrationError.CONFLICT: "This user name is already taken on the server; choose another.",
    RegistrationError.NOT_ACCEPTABLE: (
        "The server did not accept the answers: the CAPTCHA answer may be wrong, or a field "
        "has a value the server refuses."
    ),
    RegistrationError.BAD_CAPTCHA: "The CAPTCHA answer was wrong. Try again with the new image.",
    RegistrationError.NOT_ALLOWED: "The server does not allow creating accounts this way.",
    RegistrationError.RESOURCE_CONSTRAINT: (
        "The server refuses more registrations for now (too many from this address). "
        "Try again later."
    ),
    RegistrationError.SERVICE_UNAVAILABLE: "The server does not offer account registration.",
    RegistrationError.BAD_REQUEST: "The server says a required field is missing or invalid.",
    RegistrationError.TIMEOUT: "The server did not answer in time.",
    RegistrationError.PROXY: "The proxy could not be used.",
    RegistrationError.NETWORK: "The server cannot be reached.",
    RegistrationError.TLS: "The server's certificate was not accepted.",
    RegistrationError.MALFORMED: "The server's answer could not be understood.",
    RegistrationError.OTHER: "The server refused the request.",
}


class RegistrationFailed(SiproxylinError):
    """Registration, a password change or an account removal failed.

    Attributes:
        reason: The typed reason.
        detail: The server's (or the proxy's) own text, if any.
    """

    def __init__(self, reason: RegistrationError, detail: str = "") -> None:
        text = reason.text
        # The server's words add nothing to these two (and may be in another language).
        plain = reason in (RegistrationError.BAD_CAPTCHA, RegistrationError.CONFLICT)
        if detail and detail not in text and not plain:
            text = f"{text} ({detail})"
        super().__init__(text)
        self.reason = reason
        self.detail = detail
