"""MessageSearch: words, prefixes, filters, odd input, deletes, snippets, history around."""

from __future__ import annotations

import pytest
from store_helpers import ALICE, BOB, MakeMessage

from siproxylin.core.ports import SearchHit
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatMessage
from siproxylin.store import search as search_module
from siproxylin.store.accounts import AccountsRepo
from siproxylin.store.db import Database
from siproxylin.store.messages import MessagesRepo
from siproxylin.store.search import (
    ELLIPSIS,
    SNIPPET_MAX,
    MessageSearch,
    fts_query,
    make_snippet,
)


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


# --- search_hits: every account, snippets, literal text, history around a hit ------


def _hit_bodies(hits: list[SearchHit]) -> list[str]:
    return [h.message.body for h in hits]


def _marked(hit: SearchHit) -> list[str]:
    """The matched words of a hit, cut out of its snippet with its offsets."""
    return [hit.snippet[start:end] for start, end in hit.matches]


def test_hits_come_from_every_account_newest_first(
    db: Database,
    accounts: AccountsRepo,
    messages: MessagesRepo,
    make_message: MakeMessage,
) -> None:
    account = make_message().account
    other = accounts.add_account(accounts.list_accounts()[0]).id
    messages.add_message(make_message("lunch at noon", peer=ALICE))
    messages.add_message(make_message("lunch with bob", peer=BOB, account_id=other))
    messages.add_message(make_message("no food here", peer=BOB))
    messages.add_message(make_message("Lunch tomorrow?", peer=BOB))
    search = MessageSearch(db)
    hits = search.search_hits("lunch")
    assert _hit_bodies(hits) == ["Lunch tomorrow?", "lunch with bob", "lunch at noon"]
    assert [h.message.account for h in hits] == [account, other, account]
    assert _hit_bodies(search.search_hits("lunch", account=other)) == ["lunch with bob"]
    assert _hit_bodies(search.search_hits("lunch", peer=BOB)) == [
        "Lunch tomorrow?",
        "lunch with bob",
    ]
    assert _hit_bodies(search.search_hits("lunch", account=account, peer=BOB)) == [
        "Lunch tomorrow?"
    ]
    assert search.search_hits("lunch", peer=Jid.parse("nobody@example.org")) == []
    assert search.search_hits("lunch", account=AccountId(999)) == []
    assert len(search.search_hits("lunch", limit=2)) == 2
    assert search.search_hits("lunch", limit=0) == []
    assert _bodies(search.search(None, "lunch")) == _hit_bodies(hits)


def test_fts_operators_in_user_text_are_literal(
    db: Database, messages: MessagesRepo, make_message: MakeMessage
) -> None:
    for body in (
        "cats",
        "dogs",
        "cats or dogs",
        'she said "hello" NEAR the door',
        "body: colon",
        "star*gazing and a-b c",
    ):
        messages.add_message(make_message(body))
    search = MessageSearch(db)
    # OR, AND, NOT, NEAR are words to find, not operators: every word must match.
    assert _hit_bodies(search.search_hits("cats OR dogs")) == ["cats or dogs"]
    assert search.search_hits("cats AND dogs") == []
    assert search.search_hits("cats NOT dogs") == []
    # Punctuation inside a word joins its parts into a phrase: "near" then "the".
    assert _hit_bodies(search.search_hits("NEAR(the")) == ['she said "hello" NEAR the door']
    assert search.search_hits("NEAR(hello door)") == []  # "near hello" is not in it
    assert _hit_bodies(search.search_hits('"hello"')) == ['she said "hello" NEAR the door']
    assert _hit_bodies(search.search_hits('said "hel')) == ['she said "hello" NEAR the door']
    assert _hit_bodies(search.search_hits("body:colon")) == ["body: colon"]  # no column filter
    assert _hit_bodies(search.search_hits("star*")) == ["star*gazing and a-b c"]
    assert _hit_bodies(search.search_hits("star*gaz")) == ["star*gazing and a-b c"]
    assert _hit_bodies(search.search_hits("a-b")) == ["star*gazing and a-b c"]
    for text in ('"', "*", '""', "()", "^", "-", "+", "NEAR", "OR", "AND", "NOT", ":", "'"):
        search.search_hits(text)  # never raises
    assert search.search_hits("*") == []
    assert search.search_hits('"') == []
    assert search.search_hits("  \t\n ") == []


def test_a_word_being_typed_matches_as_a_prefix(
    db: Database, messages: MessagesRepo, make_message: MakeMessage
) -> None:
    messages.add_message(make_message("Hello world, how are you?"))
    messages.add_message(make_message("help wanted"))
    search = MessageSearch(db)
    typed = "hello wor"
    for end in range(1, len(typed) + 1):
        assert "Hello world, how are you?" in _hit_bodies(search.search_hits(typed[:end]))
    assert _hit_bodies(search.search_hits("hel")) == ["help wanted", "Hello world, how are you?"]
    assert _hit_bodies(search.search_hits("hell")) == ["Hello world, how are you?"]
    assert search.search_hits("hello x") == []
    assert _marked(search.search_hits("wor")[0]) == ["world"]


def test_unicode_words_match_without_case_or_diacritics(
    db: Database, messages: MessagesRepo, make_message: MakeMessage
) -> None:
    for body in ("Une idée naïve", "Привет, Мир", "Καλημέρα Ελλάδα", "東京タワー に行く", "Grüße"):
        messages.add_message(make_message(body))
    search = MessageSearch(db)
    assert _hit_bodies(search.search_hits("NAIVE")) == ["Une idée naïve"]
    assert _hit_bodies(search.search_hits("idee")) == ["Une idée naïve"]
    assert _hit_bodies(search.search_hits("прив")) == ["Привет, Мир"]
    assert _hit_bodies(search.search_hits("мир")) == ["Привет, Мир"]
    assert _hit_bodies(search.search_hits("ΕΛΛΆΔΑ")) == ["Καλημέρα Ελλάδα"]
    assert search.search_hits("ελλαδα") == []  # FTS5 folds Latin diacritics only
    assert _hit_bodies(search.search_hits("東京")) == ["東京タワー に行く"]
    assert _hit_bodies(search.search_hits("grüsse")) == []  # ß is not "ss" to FTS5
    assert _hit_bodies(search.search_hits("grü")) == ["Grüße"]
    assert _marked(search.search_hits("naive")[0]) == ["naïve"]
    assert _marked(search.search_hits("ελλ")[0]) == ["Ελλάδα"]


def test_snippet_offsets_point_at_the_matched_words(
    db: Database, messages: MessagesRepo, make_message: MakeMessage
) -> None:
    messages.add_message(make_message("🎉🎉 Party at   Anna's\nplace 🎈, party on! 𝒳 party"))
    search = MessageSearch(db)
    (hit,) = search.search_hits("party anna")
    assert "\n" not in hit.snippet
    assert "   " not in hit.snippet
    assert hit.snippet == "🎉🎉 Party at Anna's place 🎈, party on! 𝒳 party"
    assert _marked(hit) == ["Party", "Anna", "party", "party"]
    starts = [start for start, _ in hit.matches]
    assert starts == sorted(starts)


def test_a_long_body_gets_a_short_snippet_around_the_match(
    db: Database, messages: MessagesRepo, make_message: MakeMessage
) -> None:
    filler = " ".join(f"word{i}" for i in range(400))
    messages.add_message(make_message(f"{filler} needle {filler}"))
    messages.add_message(make_message("x" * 5000 + " needle " + "y" * 5000))
    search = MessageSearch(db)
    for hit in search.search_hits("needle"):
        assert len(hit.snippet) <= SNIPPET_MAX + 2
        assert _marked(hit) == ["needle"]
        assert hit.snippet.startswith(ELLIPSIS)
        assert hit.snippet.endswith(ELLIPSIS)


def test_make_snippet() -> None:
    assert make_snippet("a \x02b\x03  c\x02d\x03", "a b  cd") == ("a b cd", ((2, 3), (5, 6)))
    assert make_snippet("  \x02x\x03\n", "x") == ("x", ((0, 1),))
    # A body holding the marks itself: a plain snippet, no matches.
    assert make_snippet("\x02a\x03\x02b\x03", "a\x02b") == ("a b", ())
    assert make_snippet(None, "body  text") == ("body text", ())
    text, matches = make_snippet("z" * 300 + " \x02hit\x03", "z" * 300 + " hit")
    assert text.startswith(ELLIPSIS)
    assert [text[s:e] for s, e in matches] == ["hit"]


def test_deleted_messages_vanish_from_hits(
    db: Database, messages: MessagesRepo, make_message: MakeMessage
) -> None:
    kept = messages.add_message(make_message("meeting notes"))
    gone = messages.add_message(make_message("meeting cancelled"))
    assert kept is not None
    assert gone is not None
    search = MessageSearch(db)
    assert len(search.search_hits("meeting")) == 2
    messages.delete_message(gone.account, gone.id)
    assert _hit_bodies(search.search_hits("meeting")) == ["meeting notes"]
    assert search.search_hits("cancel") == []


def test_the_index_has_prefix_indexes(db: Database) -> None:
    row = db.read_one("SELECT sql FROM sqlite_master WHERE name = 'message_fts'")
    assert row is not None
    assert "prefix = '1 2 3'" in row[0]


def test_history_around_a_message(
    db: Database, messages: MessagesRepo, make_message: MakeMessage
) -> None:
    stored = [messages.add_message(make_message(f"m{i}")) for i in range(20)]
    messages.add_message(make_message("other conversation", peer=BOB))
    ids = [m.id for m in stored if m is not None]
    account = make_message().account
    search = MessageSearch(db)

    def bodies(message_id: int, before: int, after: int) -> list[str]:
        return [m.body for m in search.history_around(account, ALICE, message_id, before, after)]

    assert bodies(ids[10], 3, 2) == ["m7", "m8", "m9", "m10", "m11", "m12"]
    assert bodies(ids[1], 5, 1) == ["m0", "m1", "m2"]
    assert bodies(ids[19], 2, 5) == ["m17", "m18", "m19"]
    assert bodies(ids[5], 0, 0) == ["m5"]
    assert bodies(ids[5], 50, 50) == [f"m{i}" for i in range(20)]
    messages.delete_message(account, ids[10])
    assert bodies(ids[10], 2, 2) == ["m8", "m9", "m11", "m12"]
    assert search.history_around(account, Jid.parse("x@y.z"), ids[5]) == []
    assert search.history_around(AccountId(999), ALICE, ids[5]) == []


def test_small_and_large_conversations_are_searched_alike(
    db: Database,
    accounts: AccountsRepo,
    messages: MessagesRepo,
    make_message: MakeMessage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = make_message().account
    other = accounts.add_account(accounts.list_accounts()[0]).id
    words = ["the", "meeting", "café", "tomorrow", "then", "proxy", "Привет", "a-b"]
    for i in range(120):
        body = " ".join(words[(i * k) % len(words)] for k in range(1, 2 + i % 5))
        messages.add_message(make_message(f"{body} n{i}", peer=ALICE if i % 3 else BOB))
        messages.add_message(make_message(f"{body} o{i}", peer=ALICE, account_id=other))
    search = MessageSearch(db)
    queries = ["the", "t", "me", "cafe", "then proxy", "прив", "a-b", "n1", "zzz", '"the"']

    def run() -> list[list[tuple[int, str, tuple[tuple[int, int], ...]]]]:
        found = []
        for text in queries:
            for scope in ({"peer": ALICE}, {"peer": BOB, "account": account}):
                hits = search.search_hits(text, 30, **scope)  # type: ignore[arg-type]
                found.append([(h.message.id, h.snippet, h.matches) for h in hits])
        return found

    monkeypatch.setattr(search_module, "SMALL_CONVERSATION", 10**6)  # always apart
    small = run()
    monkeypatch.setattr(search_module, "SMALL_CONVERSATION", 0)  # always the big index
    large = run()
    assert small == large
    assert any(small)
    tables = db.read("SELECT name FROM temp.sqlite_master")
    assert tables == []  # the temporary index is gone


def test_the_scope_index_tokenizes_like_the_message_index(db: Database) -> None:
    row = db.read_one("SELECT sql FROM sqlite_master WHERE name = 'message_fts'")
    assert row is not None
    assert f"tokenize = '{search_module.TOKENIZE}'" in row[0]
