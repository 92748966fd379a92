"""Values about people's profiles: avatars, nicknames and business cards.

Owns ``AvatarSource``, ``VCard``, the avatar limits and ``ProfileError``.
Stdlib only; imports nothing else of the package but ``domain``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from siproxylin.domain.errors import SiproxylinError

MAX_AVATAR_BYTES = 1024 * 1024  # bigger avatars are refused, never stored
MAX_NICKNAME_CHARS = 256
MAX_VCARD_FIELD_CHARS = 4096


class AvatarSource(enum.Enum):
    """Where a contact announced its avatar."""

    PEP = "pep"  # its own personal event node (metadata + data)
    VCARD = "vcard"  # a photo hash in its presence, the picture in its vCard


class ProfileError(SiproxylinError):
    """Profile data could not be fetched, was malformed, or was refused."""


@dataclass(frozen=True, slots=True)
class VCard:
    """The basic fields of a business card (vcard-temp).

    Attributes:
        full_name: The person's full name.
        nickname: A short name.
        email: One e-mail address.
        url: A web address.
        note: A free text description.
        photo_type: The photo's media type ("" without a photo).
        photo: The photo's bytes (empty without one).
    """

    full_name: str = ""
    nickname: str = ""
    email: str = ""
    url: str = ""
    note: str = ""
    photo_type: str = ""
    photo: bytes = b""

    @property
    def empty(self) -> bool:
        """True when no field is set."""
        return not any((self.full_name, self.nickname, self.email, self.url, self.note, self.photo))


_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def image_type(data: bytes) -> str | None:
    """The media type of image bytes by their signature, or None when not an image."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None
