"""MessageSearch: words, prefixes, filters, odd input, deletes."""

from __future__ import annotations

from store_helpers import ALICE, BOB, MakeMessage

from siproxylin.domain.ids import AccountId
from siproxylin.domain.models import ChatMessage
from siproxylin.store.accounts import AccountsRepo
from siproxylin.store.db import Database
from siproxylin.store.messages import MessagesRepo
from siproxylin.store.search import MessageSearch, fts_query


def _bodies(found: list[ChatMessage]) -> list[str]:
    return [m.body for m in found]


def test_finds_words_newest_first(
    db: Database, messages: MessagesRepo, make_message: MakeMessage
) -> None:
    for body in ("The quick brown fox", "a lazy dog", "Quick thinking, Café!"):
        messages.add_message(make_message(body))
    search = MessageSearch(db)
    account = make_message().account
    assert _bodies(search.search(account, "quick")) == [
        "Quick thinking, Café!",
        "The quick brown fox",
    ]
    assert _bodies(search.search(account, "QUICK fox")) == ["The quick brown fox"]
    assert _bodies(search.search(account, "cafe")) == ["Quick thinking, Café!"]
    assert _bodies(search.search(account, "thin")) == ["Quick thinking, Café!"]
    assert search.search(account, "cat") == []
    assert search.search(account, "   ") == []
    assert len(search.search(account, "quick", limit=1)) == 1


def test_filters_by_account_and_peer(
    db: Database,
    accounts: AccountsRepo,
    messages: MessagesRepo,
    make_message: MakeMessage,
) -> None:
    account = make_message().account
    other = accounts.add_account(accounts.list_accounts()[0]).id
    messages.add_message(make_message("hello alice", peer=ALICE))
    messages.add_message(make_message("hello bob", peer=BOB))
    messages.add_message(make_message("hello other", account_id=other))
    search = MessageSearch(db)
    assert _bodies(search.search(account, "hello", peer=ALICE)) == ["hello alice"]
    assert len(search.search(account, "hello")) == 2
    assert _bodies(search.search(other, "hello")) == ["hello other"]
    assert search.search(AccountId(999), "hello") == []


def test_fts_syntax_is_taken_literally(
    db: Database, messages: MessagesRepo, make_message: MakeMessage
) -> None:
    messages.add_message(make_message('say "AND" OR NOT near(x) * ^start'))
    search = MessageSearch(db)
    account = make_message().account
    for text in ('"AND"', "OR", "NOT", "near(x)", "*", '"', "^start", "AND OR", "-"):
        search.search(account, text)  # never raises
    assert len(search.search(account, "near(x)")) == 1
    assert fts_query('a"b c') == '"a""b"* "c"*'
    assert fts_query("* ( )") == ""


def test_index_follows_deletes(
    db: Database, messages: MessagesRepo, make_message: MakeMessage
) -> None:
    kept = messages.add_message(make_message("findable words"))
    gone = messages.add_message(make_message("findable gone"))
    assert kept is not None
    assert gone is not None
    search = MessageSearch(db)
    assert len(search.search(kept.account, "findable")) == 2
    messages.delete_message(gone.account, gone.id)
    assert _bodies(search.search(kept.account, "findable")) == ["findable words"]
    assert search.search(kept.account, "gone") == []
    assert MessageSearch(db).index_ok()


def test_a_broken_index_is_detected_and_rebuilt(
    db: Database, messages: MessagesRepo, make_message: MakeMessage
) -> None:
    stored = messages.add_message(make_message("before"))
    assert stored is not None
    db.write("UPDATE message SET body = 'after' WHERE id = ?", (stored.id,))
    search = MessageSearch(db)
    assert search.index_ok()  # the update trigger kept it in sync
    assert _bodies(search.search(stored.account, "after")) == ["after"]
    db.connection.execute("DROP TRIGGER message_fts_delete")
    messages.delete_message(stored.account, stored.id)
    assert not search.index_ok()
    search.rebuild_index()
    assert search.index_ok()
    assert search.search(stored.account, "after") == []
