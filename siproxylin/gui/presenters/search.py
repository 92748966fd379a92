"""SearchPresenter: search as you type over every account, results in a list model.

Owns the query, the debounce timer and the results model. Typing only restarts
the timer (no query runs in the key handler); when the user has paused for
``delay_ms`` the search runs once, for the latest text, on the event loop. A
search for text whose results are already shown is skipped. Names (the
account's address, the peer's roster name) are resolved once per search. No
widgets. Imports ``core``, ``domain``, ``gui.models`` and Qt core.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from siproxylin.core.accounts import AccountManager
from siproxylin.core.ports import SearchHit
from siproxylin.core.services.roster import RosterService
from siproxylin.core.services.search import SearchService
from siproxylin.domain.errors import SiproxylinError
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.gui.models.search_results import ResultRow, SearchResultsModel

log = logging.getLogger(__name__)

DELAY_MS = 150  # pause in typing before a search runs
LIMIT = 100  # hits shown


class SearchPresenter(QObject):
    """The search dialog's state: query, pending search, results."""

    results_changed = Signal()  # the model holds the hits of a new query (or was cleared)
    pending_changed = Signal()  # a search was scheduled, or it ran

    def __init__(
        self,
        search: SearchService,
        accounts: AccountManager,
        roster: RosterService,
        parent: QObject | None = None,
        *,
        delay_ms: int = DELAY_MS,
        limit: int = LIMIT,
    ) -> None:
        super().__init__(parent)
        self._search = search
        self._accounts = accounts
        self._roster = roster
        self._limit = limit
        self.model = SearchResultsModel(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.run)
        self._text = ""  # what the user typed last
        self._shown = ""  # the query whose hits the model holds
        self._error = ""

    # --- state for the view ------------------------------------------------------

    @property
    def text(self) -> str:
        """The query as typed last."""
        return self._text

    @property
    def pending(self) -> bool:
        """True while a search waits for the user to pause typing."""
        return self._timer.isActive()

    @property
    def limit(self) -> int:
        """The most hits a search shows."""
        return self._limit

    @property
    def error(self) -> str:
        """Why the last search failed, or empty."""
        return self._error

    # --- commands ----------------------------------------------------------------

    def set_query(self, text: str) -> None:
        """The query changed: search once the user pauses; clear at once when blank."""
        self._text = text
        if not text.strip():
            self._timer.stop()
            self._show("", [])
        elif text.strip() != self._shown:
            self._timer.start()  # restarts: only the last text is searched
        else:
            self._timer.stop()
        self.pending_changed.emit()

    def run(self) -> None:
        """Search for the current text now, unless its hits are shown already."""
        was_pending = self._timer.isActive()
        self._timer.stop()
        query = self._text.strip()
        if query != self._shown:
            try:
                hits = self._search.search(query, self._limit)
            except SiproxylinError as error:
                log.warning("search failed: %s", error)
                self._error = str(error)
                hits = []
            else:
                self._error = ""
            self._show(query, hits)
        if was_pending:
            self.pending_changed.emit()

    # --- internals ---------------------------------------------------------------

    def _show(self, query: str, hits: list[SearchHit]) -> None:
        if not query and not self._shown and not self.model.rowCount():
            return
        self._shown = query
        names: dict[AccountId, dict[Jid, str]] = {}
        accounts: dict[AccountId, str] = {}
        rows = []
        for hit in hits:
            account, peer = hit.message.account, hit.message.peer
            if account not in names:
                names[account] = {i.jid: i.display_name for i in self._roster.roster(account)}
                try:
                    accounts[account] = str(self._accounts.config(account).jid)
                except SiproxylinError:
                    accounts[account] = f"account {account}"
            rows.append(ResultRow(hit, accounts[account], names[account].get(peer, str(peer))))
        self.model.set_rows(rows)
        self.results_changed.emit()
