"""Message search across every account and conversation, and the history around a hit.

Rules owned here:

* what the user typed is taken literally; blank text finds nothing;
* with no account given, every account the ``AccountManager`` knows is searched;
  an account given that it does not know is an error (``AccountNotFound``);
* hits come newest first, each with a snippet and the offsets of the matched
  words in it (the GUI decides how to show them);
* opening a hit loads the messages around it, so the conversation can be shown
  scrolled to it.

Imports ``domain`` and ``core`` only.
"""

from __future__ import annotations

from siproxylin.core.accounts import AccountManager
from siproxylin.core.ports import MessageSearch, SearchHit
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatMessage

MAX_LIMIT = 500
MAX_CONTEXT = 1000


class SearchService:
    """Finds stored messages and loads the conversation around one.

    Args:
        accounts: The known accounts (searched when no account is given).
        repo: The search index and message history.
    """

    def __init__(self, accounts: AccountManager, repo: MessageSearch) -> None:
        self._accounts = accounts
        self._repo = repo

    def search(
        self,
        text: str,
        limit: int = 50,
        account: AccountId | None = None,
        peer: Jid | None = None,
    ) -> list[SearchHit]:
        """Messages containing every word of ``text`` (a word also matches as a prefix).

        Args:
            text: What the user typed, taken literally.
            limit: At most this many hits (capped at ``MAX_LIMIT``).
            account: Only this account; every known account when None.
            peer: Only the conversation with this address (its bare part).

        Returns:
            Hits, newest first.

        Raises:
            AccountNotFound: If ``account`` is given and unknown.
        """
        if account is not None:
            self._accounts.config(account)  # raises AccountNotFound
        if not text.strip() or limit <= 0:
            return []
        hits = self._repo.search_hits(
            text,
            min(limit, MAX_LIMIT),
            account,
            peer.bare if peer is not None else None,
        )
        if account is None:
            known = {config.id for config in self._accounts.accounts()}
            hits = [hit for hit in hits if hit.message.account in known]
        return hits

    def history_around(
        self,
        account: AccountId,
        peer: Jid,
        message_id: int,
        before: int = 50,
        after: int = 50,
    ) -> list[ChatMessage]:
        """The conversation with ``peer`` around ``message_id``, oldest first.

        Args:
            account: The account.
            peer: The conversation (its bare part).
            message_id: The message to centre on; if it was deleted meanwhile, the
                messages around where it was.
            before: How many older messages at most (capped at ``MAX_CONTEXT``).
            after: How many newer messages at most (capped at ``MAX_CONTEXT``).

        Raises:
            AccountNotFound: If the account is unknown.
        """
        self._accounts.config(account)
        return self._repo.history_around(
            account,
            peer.bare,
            message_id,
            max(0, min(before, MAX_CONTEXT)),
            max(0, min(after, MAX_CONTEXT)),
        )
