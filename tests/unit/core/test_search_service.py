"""SearchService over fake ports: every account, filters, literal text, history around a hit."""

from __future__ import annotations

import pytest

from siproxylin.core.services.search import MAX_CONTEXT, MAX_LIMIT
from siproxylin.domain.errors import AccountNotFound
from siproxylin.domain.ids import AccountId, Jid
from tests.fakes import Core, account_config, make_core

BOB = Jid.parse("bob@x.org")
CAROL = Jid.parse("carol@y.org")


async def two_accounts(core: Core) -> tuple[AccountId, AccountId]:
    first = await core.accounts.add_account(account_config("me@x.org"), "pw")
    second = await core.accounts.add_account(account_config("me@y.org"), "pw")
    core.xmpp(first.id).start()
    core.xmpp(second.id).start()
    return first.id, second.id


async def test_searches_every_account_newest_first() -> None:
    core = make_core()
    first, second = await two_accounts(core)
    core.xmpp(first).receive_message("bob@x.org/phone", "Lunch at noon?")
    core.xmpp(second).receive_message("carol@y.org/pc", "lunch was great")
    core.xmpp(first).receive_message("bob@x.org/phone", "nothing to see")
    core.chat.send_message(second, BOB, "Lunchtime!")
    hits = core.search.search("lunch")
    assert [h.message.body for h in hits] == ["Lunchtime!", "lunch was great", "Lunch at noon?"]
    assert [h.message.account for h in hits] == [second, second, first]
    assert [hits[0].snippet[s:e] for s, e in hits[0].matches] == ["Lunchtime"]
    assert core.search_repo.searches[-1] == ("lunch", 50, None, None)


async def test_filters_by_account_and_bare_peer() -> None:
    core = make_core()
    first, second = await two_accounts(core)
    core.xmpp(first).receive_message("bob@x.org/phone", "hello from bob")
    core.xmpp(second).receive_message("carol@y.org/pc", "hello from carol")
    core.xmpp(second).receive_message("bob@x.org/tablet", "hello again")
    assert [h.message.body for h in core.search.search("hello", account=first)] == [
        "hello from bob"
    ]
    by_bob = core.search.search("hello", peer=BOB.with_resource("phone"))
    assert [h.message.body for h in by_bob] == ["hello again", "hello from bob"]
    assert core.search_repo.searches[-1][3] == BOB  # the bare address reached the port
    with pytest.raises(AccountNotFound):
        core.search.search("hello", account=AccountId(99))


async def test_blank_text_and_limits() -> None:
    core = make_core()
    first, _ = await two_accounts(core)
    for i in range(5):
        core.xmpp(first).receive_message("bob@x.org/phone", f"ping {i}")
    searches = core.search_repo.searches
    assert core.search.search("") == []
    assert core.search.search("  \n") == []
    assert core.search.search("ping", limit=0) == []
    assert searches == []  # nothing reached the port
    assert len(core.search.search("ping", limit=2)) == 2
    core.search.search("ping", limit=10**9)
    assert searches[-1][1] == MAX_LIMIT
    # What the user typed goes to the port as it is: escaping is the store's job.
    core.search.search('"ping" OR *')
    assert searches[-1][0] == '"ping" OR *'


async def test_hits_of_accounts_the_manager_does_not_know_are_dropped() -> None:
    core = make_core()
    first, second = await two_accounts(core)
    core.xmpp(first).receive_message("bob@x.org/phone", "keep this")
    core.xmpp(second).receive_message("carol@y.org/pc", "keep that")
    await core.accounts.remove_account(second)  # the fake repo keeps its messages
    assert [h.message.body for h in core.search.search("keep")] == ["keep this"]


async def test_history_around_a_hit() -> None:
    core = make_core()
    first, _ = await two_accounts(core)
    xmpp = core.xmpp(first)
    for i in range(30):
        xmpp.receive_message("bob@x.org/phone", f"message {i}")
        xmpp.receive_message("carol@y.org/pc", f"other {i}")
    (hit,) = core.search.search("message 17")
    around = core.search.history_around(first, BOB.with_resource("x"), hit.message.id, 3, 2)
    assert [m.body for m in around] == [f"message {i}" for i in range(14, 20)]
    assert [m.body for m in core.search.history_around(first, BOB, hit.message.id, 0, 0)] == [
        "message 17"
    ]
    everything = core.search.history_around(first, BOB, hit.message.id, 10**6, 10**6)
    assert len(everything) == 30
    assert MAX_CONTEXT >= 30
    with pytest.raises(AccountNotFound):
        core.search.history_around(AccountId(99), BOB, hit.message.id)
