"""How a call's TURN failures become a sentence (net/turn.py TurnAttempt)."""

from __future__ import annotations

import ssl

from aioice import stun

from siproxylin.domain.call_media import CallFailure
from siproxylin.net.proxy import ProxyUnreachable
from siproxylin.net.turn import TurnAttempt, TurnRefused, TurnRoute


def failed(code: int, reason: str) -> stun.TransactionFailed:
    response = stun.Message(message_method=stun.Method.ALLOCATE, message_class=stun.Class.ERROR)
    response.attributes["ERROR-CODE"] = (code, reason)
    return stun.TransactionFailed(response)


def problem(*errors: BaseException, timed_out: bool = False) -> tuple[CallFailure, str]:
    attempt = TurnAttempt(TurnRoute(allocation_timeout=30.0))
    attempt.errors.extend(errors)
    attempt.timed_out = timed_out
    return attempt.problem()


def test_401_is_a_credentials_problem() -> None:
    assert problem(failed(401, "Unauthorized")) == (
        CallFailure.TURN_AUTH,
        "the TURN server refused our credentials",
    )


def test_other_failures_say_no_relay_and_why() -> None:
    assert problem(failed(486, "Allocation Quota Reached"))[1] == (
        "no relay available: the TURN server answered an error "
        "(STUN transaction failed (486 - Allocation Quota Reached))"
    )
    assert problem(ProxyUnreachable("SOCKS5 proxy 127.0.0.1:9 is unreachable"))[1] == (
        "no relay available: SOCKS5 proxy 127.0.0.1:9 is unreachable"
    )
    assert "cannot go through" in problem(TurnRefused("TURN over UDP cannot go through"))[1]
    assert "refused" in problem(ConnectionRefusedError(111, "Connection refused"))[1]
    cert = ssl.SSLCertVerificationError("bad")
    cert.verify_message = "unable to get local issuer certificate"
    assert "certificate is not trusted" in problem(cert)[1]


def test_a_timeout_names_the_configured_limit() -> None:
    assert problem(timed_out=True) == (
        CallFailure.NO_RELAY,
        "no relay available: the TURN server did not answer within 30 s",
    )
    assert problem()[1] == "no relay available: no usable TURN server"
