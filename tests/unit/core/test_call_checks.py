"""Whether a peer's offer or answer can carry an encrypted audio call."""

from __future__ import annotations

from dataclasses import replace

import pytest

from siproxylin.core import call_checks
from siproxylin.domain.calls import (
    Content,
    Fingerprint,
    IceTransport,
    IncompatibleCall,
    InsecureCall,
    PayloadType,
    RtpDescription,
    SessionDescription,
    Setup,
    TerminateReason,
)

FP = Fingerprint("sha-256", "AB:CD", Setup.ACTPASS)
OPUS = PayloadType(111, "opus", 48000, 2)
SPEEX = PayloadType(97, "speex", 32000)
PCMU = PayloadType(0, "PCMU", 8000)


def offer(
    *pts: PayloadType,
    media: str = "audio",
    fingerprint: Fingerprint | None = FP,
    ufrag: str = "Qj9L",
    pwd: str = "X4y5u2kpfAvm1fsDklrhVUMf",
) -> SessionDescription:
    content = Content("0", RtpDescription(media, pts), IceTransport(ufrag, pwd, (), fingerprint))
    return SessionDescription((content,))


def test_a_usual_offer_passes() -> None:
    call_checks.check_remote(offer(OPUS, SPEEX, PCMU))
    assert call_checks.usable_codecs(offer(SPEEX, OPUS, PCMU).contents[0]) == (OPUS, PCMU)


def test_codec_names_are_case_insensitive_and_the_rate_must_match() -> None:
    call_checks.check_remote(offer(PayloadType(96, "OPUS", 48000, 2)))
    with pytest.raises(IncompatibleCall):
        call_checks.check_remote(offer(PayloadType(96, "opus", 16000)))


@pytest.mark.parametrize(
    "session",
    [
        SessionDescription(()),
        offer(OPUS, media="video"),
        offer(SPEEX),
        offer(),
        offer(OPUS, ufrag="abc"),
        offer(OPUS, pwd="short"),
        offer(OPUS, ufrag="", pwd=""),
    ],
    ids=["empty", "video-only", "speex-only", "no-codec", "short-ufrag", "short-pwd", "no-ice"],
)
def test_incompatible_offers(session: SessionDescription) -> None:
    with pytest.raises(IncompatibleCall) as caught:
        call_checks.check_remote(session)
    assert caught.value.reason is TerminateReason.INCOMPATIBLE_PARAMETERS


def test_missing_or_weak_fingerprint_is_a_security_error() -> None:
    with pytest.raises(InsecureCall) as caught:
        call_checks.check_remote(offer(OPUS, fingerprint=None))
    assert caught.value.reason is TerminateReason.SECURITY_ERROR
    with pytest.raises(InsecureCall):
        call_checks.check_remote(offer(OPUS, fingerprint=replace(FP, hash="sha-1")))


def test_an_answer_may_wait_for_its_fingerprint() -> None:
    answer = offer(OPUS, fingerprint=None)
    call_checks.check_remote(answer, require_fingerprint=False)
    with pytest.raises(InsecureCall):
        call_checks.check_fingerprints(answer)


def test_a_video_content_beside_audio_is_not_checked() -> None:
    audio = offer(OPUS).contents[0]
    video = Content("1", RtpDescription("video", ()), IceTransport())
    call_checks.check_remote(SessionDescription((audio, video)))
