"""Words shown for account states and proxies (``gui.labels``): pure functions, no Qt."""

from __future__ import annotations

import pytest

from siproxylin.domain.config import TOR_PRESET, ProxyConfig, ProxyKind
from siproxylin.domain.errors import FailureReason
from siproxylin.domain.ids import Jid
from siproxylin.domain.models import AccountStatus, ConnectionState, DeliveryState
from siproxylin.gui import labels

RECONNECTING = ConnectionState.RECONNECTING


@pytest.mark.parametrize(
    ("detail", "short"),
    [
        ("SOCKS5 proxy 127.0.0.1:9050 is unreachable (Connection refused)", "proxy unreachable"),
        ("SOCKS5 proxy 127.0.0.1:9050 did not answer in time", "proxy unreachable"),
        (
            "SOCKS5 proxy 127.0.0.1:9050 could not reach x.org:5222: host unreachable",
            "proxy could not reach the server",
        ),
        ("", "proxy unreachable"),
    ],
)
def test_a_proxy_failure_reads_short_and_keeps_its_detail(detail: str, short: str) -> None:
    waiting = AccountStatus(RECONNECTING, FailureReason.PROXY, detail, 5.0, 0.0)
    assert labels.account_state_text(waiting) == f"{short}, retrying…"
    assert labels.account_state_detail(waiting) == detail
    failed = AccountStatus(ConnectionState.FAILED, FailureReason.PROXY, detail)
    assert labels.account_state_text(failed) == f"error: {short}"
    assert labels.account_state_detail(failed) == detail


def test_a_refused_proxy_login_is_named_by_its_reason() -> None:
    detail = "HTTP proxy 10.0.0.1:3128 refused the username or password"
    failed = AccountStatus(ConnectionState.FAILED, FailureReason.PROXY_AUTH, detail)
    assert labels.account_state_text(failed) == "error: proxy refused the login"
    assert labels.account_state_detail(failed) == detail


def test_other_failures_keep_their_wording() -> None:
    lost = AccountStatus(RECONNECTING, FailureReason.NETWORK, "connection reset")
    assert labels.account_state_text(lost) == "reconnecting…"
    assert labels.account_state_detail(lost) == "connection reset"
    auth = AccountStatus(ConnectionState.FAILED, FailureReason.AUTH, "not-authorized")
    assert labels.account_state_text(auth) == "error: not-authorized"
    assert labels.account_state_detail(auth) == ""  # already in the short text
    assert labels.account_state_detail(AccountStatus(ConnectionState.ONLINE)) == ""


def test_proxy_text_names_the_proxy_and_isolation() -> None:
    assert labels.proxy_text(ProxyConfig()) == "direct connection (no proxy)"
    assert labels.proxy_text(TOR_PRESET) == "via SOCKS5 127.0.0.1:9050 (isolated circuits)"
    login = ProxyConfig(ProxyKind.SOCKS5, "10.0.0.1", 1080, "me", "pw", isolate=True)
    assert labels.proxy_text(login) == "via SOCKS5 10.0.0.1:1080"  # a login: no isolation
    http = ProxyConfig(ProxyKind.HTTP, "10.0.0.1", 3128)
    assert labels.proxy_text(http) == "via HTTP 10.0.0.1:3128"


def test_account_summary_has_state_detail_and_proxy() -> None:
    me = Jid.parse("me@x.org")
    online = AccountStatus(ConnectionState.ONLINE)
    assert labels.account_summary(me, online, ProxyConfig()) == (
        "me@x.org: online — direct connection (no proxy)"
    )
    down = AccountStatus(RECONNECTING, FailureReason.PROXY, "SOCKS5 proxy x is unreachable")
    assert labels.account_summary(me, down, TOR_PRESET) == (
        "me@x.org: proxy unreachable, retrying… — SOCKS5 proxy x is unreachable"
        " — via SOCKS5 127.0.0.1:9050 (isolated circuits)"
    )
    refused = "SOCKS5 proxy 127.0.0.1:9050 is unreachable (Connection refused)"
    down = AccountStatus(RECONNECTING, FailureReason.PROXY, refused)
    assert labels.account_summary(me, down, TOR_PRESET) == (
        f"me@x.org: proxy unreachable, retrying… — {refused}"  # the proxy is named once
    )


def test_delivery_marks_one_check_for_the_server_two_for_the_recipient() -> None:
    assert labels.delivery_mark(DeliveryState.PENDING) == "◷"
    assert labels.delivery_mark(DeliveryState.SENT) == "✓"
    assert labels.delivery_mark(DeliveryState.ACKED) == "✓"
    assert labels.delivery_mark(DeliveryState.DELIVERED) == "✓✓"
    assert labels.delivery_mark(DeliveryState.DISPLAYED) == "✓✓"
    assert labels.delivery_mark(DeliveryState.FAILED) == "✗"
    assert labels.delivery_mark(DeliveryState.RECEIVED) == ""
    assert [s for s in DeliveryState if labels.delivery_seen(s)] == [DeliveryState.DISPLAYED]
    assert all(labels.delivery_text(s) for s in DeliveryState)


def test_message_texts() -> None:
    assert labels.action_text("/me waves", "Bob") == "* Bob waves"
    assert labels.thread_tag("1A2b-3c4d-5e6f") == "thread 1a2b"
    assert labels.thread_tag("--") == "thread ?"
    assert labels.retracted_text() == "This message was retracted"
    assert labels.retracted_text("mod") == "This message was retracted by mod"
    assert labels.excerpt("a\n  b\tc") == "a b c"
    long = labels.excerpt("word " * 50, 20)
    assert len(long) == 20
    assert long.endswith("…")


@pytest.mark.parametrize(
    ("names", "text"),
    [
        ([], ""),
        (["Bob"], "Bob is typing…"),
        (["Bob", "Alice"], "Bob and Alice are typing…"),
        (["Bob", "Alice", "Carol"], "Bob, Alice and Carol are typing…"),
        (["a", "b", "c", "d"], "4 people are typing…"),
    ],
)
def test_typing_text(names: list[str], text: str) -> None:
    assert labels.typing_text(names) == text


def test_quoted_messages() -> None:
    assert labels.quote_text("hello", "Bob") == "Bob: hello"
    assert labels.quote_text("/me waves", "Bob") == "* Bob waves"
    assert labels.quote_text("> old\nnew", "Bob") == "Bob: new"
    assert labels.quote_text("> only a quote", "Bob") == "Bob: > only a quote"
    assert labels.quote_text("x", "") == "x"
