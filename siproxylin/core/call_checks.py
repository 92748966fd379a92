"""Whether the peer's offer or answer can be used for an audio call, before any media starts.

Pure (imports ``domain`` only). ``check_remote`` refuses a description with no
audio content, no codec our media engine speaks, missing or too short ICE
credentials (``IncompatibleCall`` -> incompatible-parameters) or without a DTLS
fingerprint of a hash the engine accepts (``InsecureCall`` -> security-error).
A session-accept's fingerprint may come later in a transport-info, so that
part can be checked separately once the description is complete.
"""

from __future__ import annotations

from siproxylin.domain.calls import (
    Content,
    IncompatibleCall,
    InsecureCall,
    PayloadType,
    SessionDescription,
)

AUDIO_CODECS = frozenset({("opus", 48000), ("g722", 8000), ("pcmu", 8000), ("pcma", 8000)})
"""(name, clock rate) pairs the media engine (aiortc) can decode."""
FINGERPRINT_HASHES = frozenset({"sha-256", "sha-384", "sha-512"})
MIN_UFRAG = 4  # RFC 8445 section 5.3
MIN_PWD = 22


def usable_codecs(
    content: Content, codecs: frozenset[tuple[str, int]] = AUDIO_CODECS
) -> tuple[PayloadType, ...]:
    """The payload types of ``content`` the engine can use, in the peer's order.

    Args:
        content: One content of the peer's description.
        codecs: (lower-case name, clock rate) pairs we support.

    Returns:
        The usable payload types (possibly none).
    """
    return tuple(
        pt for pt in content.description.payload_types if (pt.name.lower(), pt.clockrate) in codecs
    )


def check_fingerprints(session: SessionDescription) -> None:
    """Refuse a description whose audio content lacks a usable DTLS fingerprint.

    Raises:
        InsecureCall: If a fingerprint is missing or uses a hash the engine refuses.
    """
    for content in _audio(session):
        fingerprint = content.transport.fingerprint
        if fingerprint is None:
            raise InsecureCall(f"content {content.name!r} has no DTLS fingerprint")
        if fingerprint.hash not in FINGERPRINT_HASHES:
            raise InsecureCall(f"fingerprint hash {fingerprint.hash!r} is not accepted")


def check_remote(
    session: SessionDescription,
    *,
    codecs: frozenset[tuple[str, int]] = AUDIO_CODECS,
    require_fingerprint: bool = True,
) -> None:
    """Refuse a peer's offer or answer that cannot carry an encrypted audio call.

    Args:
        session: The peer's description.
        codecs: (lower-case name, clock rate) pairs we support.
        require_fingerprint: False for a session-accept whose fingerprint may still
            come in a transport-info (check it with ``check_fingerprints`` later).

    Raises:
        IncompatibleCall: No audio, no shared codec, or unusable ICE credentials.
        InsecureCall: A missing or unacceptable DTLS fingerprint.
    """
    audio = _audio(session)
    if not audio:
        raise IncompatibleCall("the call has no audio")
    for content in audio:
        if not usable_codecs(content, codecs):
            raise IncompatibleCall(f"no shared audio codec in content {content.name!r}")
        transport = content.transport
        if len(transport.ufrag) < MIN_UFRAG or len(transport.pwd) < MIN_PWD:
            raise IncompatibleCall(f"content {content.name!r} has no usable ICE credentials")
    if require_fingerprint:
        check_fingerprints(session)


def _audio(session: SessionDescription) -> tuple[Content, ...]:
    return tuple(c for c in session.contents if c.description.media == "audio")
