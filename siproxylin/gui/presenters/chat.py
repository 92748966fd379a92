"""ChatPresenter: the open conversation, its message model, its header and sending.

Owns which conversation is open, loads its history into one
``MessageListModel`` (reset on every switch), routes ``MessageStored`` batches
of that conversation to the model, keeps the peer's name and presence for the
header, and sends through ``ChatService`` (which stores first; the row appears
when the stored event comes back). ``open_at`` shows the messages around one
message (a search hit) and asks the view to scroll to it; until the newest
messages are loaded again (opening the conversation, or sending), new messages of
that conversation are not appended after the gap. No widgets: a QObject only for
its signals. Imports ``domain``, ``core`` and ``gui.models``.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal

from siproxylin.core.services.chat import ChatService
from siproxylin.core.services.roster import RosterService
from siproxylin.core.services.search import SearchService
from siproxylin.domain.events import (
    AccountRemoved,
    MessageStored,
    PresenceChanged,
    RosterChanged,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import Availability, ChatMessage
from siproxylin.gui.bridge import EventBridge
from siproxylin.gui.models.messages import MessageListModel

Conversation = tuple[AccountId, Jid]

HISTORY_LIMIT = 200
AROUND = 100  # messages loaded on each side of a message opened with open_at


class ChatPresenter(QObject):
    """The conversation shown in the chat view."""

    conversation_changed = Signal()  # another conversation was opened, or it was closed
    peer_changed = Signal()  # the peer's name or presence changed
    focus_requested = Signal(int)  # scroll to and highlight this message id (open_at)

    def __init__(
        self,
        chat: ChatService,
        roster: RosterService,
        parent: QObject | None = None,
        *,
        search: SearchService | None = None,
    ) -> None:
        super().__init__(parent)
        self._chat = chat
        self._roster = roster
        self._search = search
        self.model = MessageListModel(self)
        self._conversation: Conversation | None = None
        self._latest = True  # the model ends with the newest stored message
        self._name = ""
        self._availability = Availability.OFFLINE
        self._status = ""

    def register(self, bridge: EventBridge) -> None:
        """Subscribe the handlers to the bridge."""
        bridge.register(MessageStored, self._on_message_stored)
        bridge.register(PresenceChanged, self._on_presence_changed)
        bridge.register(RosterChanged, self._on_roster_changed)
        bridge.register(AccountRemoved, self._on_account_removed)

    # --- state for the view ------------------------------------------------------

    @property
    def conversation(self) -> Conversation | None:
        """(account, bare peer) of the open conversation."""
        return self._conversation

    @property
    def showing_latest(self) -> bool:
        """False while an older part of the conversation is shown (after ``open_at``)."""
        return self._latest

    @property
    def peer_name(self) -> str:
        """The peer's roster name, or its address."""
        return self._name

    @property
    def peer_availability(self) -> Availability:
        """The peer's best presence."""
        return self._availability

    @property
    def peer_status(self) -> str:
        """The peer's status text."""
        return self._status

    # --- commands ----------------------------------------------------------------

    def open(self, account: AccountId, peer: Jid) -> None:
        """Show the conversation with ``peer``: its history and the peer's state."""
        peer = peer.bare
        if self._conversation == (account, peer) and self._latest:
            return
        self._show(account, peer, self._chat.history(account, peer, HISTORY_LIMIT), latest=True)

    def open_at(self, account: AccountId, peer: Jid, message_id: int) -> None:
        """Show the conversation with ``peer`` around ``message_id`` and focus that message.

        ``focus_requested`` is emitted when the message is shown (it may have been
        deleted meanwhile: the messages around where it was are shown then).

        Raises:
            AccountNotFound: The account was removed meanwhile.
        """
        peer = peer.bare
        if self._conversation == (account, peer) and self.model.row_of(message_id) is not None:
            self.focus_requested.emit(message_id)
            return
        if self._search is None:
            self.open(account, peer)
        else:
            around = self._search.history_around(account, peer, message_id, AROUND, AROUND + 1)
            latest = sum(1 for message in around if message.id > message_id) <= AROUND
            self._show(account, peer, around if latest else around[:-1], latest=latest)
        if self.model.row_of(message_id) is not None:
            self.focus_requested.emit(message_id)

    def close(self) -> None:
        """Show no conversation."""
        if self._conversation is None:
            return
        self._conversation = None
        self._latest = True
        self.model.clear()
        self._name, self._availability, self._status = "", Availability.OFFLINE, ""
        self.conversation_changed.emit()

    def send(self, body: str) -> ChatMessage | None:
        """Send ``body`` (stripped) in the open conversation; None if there is no text.

        Raises:
            AccountNotFound: The account was removed meanwhile.
        """
        text = body.strip()
        if self._conversation is None or not text:
            return None
        account, peer = self._conversation
        if not self._latest:  # what is sent shows after the newest messages
            self.open(account, peer)
        return self._chat.send_message(account, peer, text)

    # --- handlers ----------------------------------------------------------------

    def _on_message_stored(self, events: Sequence[MessageStored]) -> None:
        if self._conversation is None:
            return
        account, peer = self._conversation
        mine = [e for e in events if e.account == account and e.message.peer == peer]
        if not self._latest:  # no new rows after a gap; loaded rows still update
            mine = [e for e in mine if not e.new or self.model.row_of(e.message.id) is not None]
        if mine:
            self.model.apply(mine)

    def _on_presence_changed(self, events: Sequence[PresenceChanged]) -> None:
        if self._conversation is None:
            return
        account, peer = self._conversation
        for event in reversed(events):
            if event.account == account and event.jid == peer:
                self._availability, self._status = event.availability, event.status
                self.peer_changed.emit()
                return

    def _on_roster_changed(self, events: Sequence[RosterChanged]) -> None:
        if self._conversation is None:
            return
        account, peer = self._conversation
        if any(e.account == account for e in events):
            name = self._roster_name(account, peer)
            if name != self._name:
                self._name = name
                self.peer_changed.emit()

    def _on_account_removed(self, events: Sequence[AccountRemoved]) -> None:
        if self._conversation is not None and any(
            e.account == self._conversation[0] for e in events
        ):
            self.close()

    def _show(
        self, account: AccountId, peer: Jid, messages: list[ChatMessage], *, latest: bool
    ) -> None:
        self._conversation = (account, peer)
        self._latest = latest
        self.model.set_messages(messages)
        self._name = self._roster_name(account, peer)
        self._availability, self._status = self._roster.availability(account, peer)
        self.conversation_changed.emit()
        self.peer_changed.emit()

    def _roster_name(self, account: AccountId, peer: Jid) -> str:
        item = next((i for i in self._roster.roster(account) if i.jid == peer), None)
        return item.display_name if item is not None else str(peer)
