"""ChatPresenter: the open conversation, its message model, its header and what the user does.

Owns which conversation is open, loads its history into one
``MessageListModel`` (reset on every switch), routes ``MessageStored`` batches
of that conversation to the model, keeps the peer's name and presence for the
header, and sends through ``ChatService`` (which stores first; the row appears
when the stored event comes back). ``open_at`` shows the messages around one
message (a search hit) and asks the view to scroll to it; until the newest
messages are loaded again (opening the conversation, or sending), new messages of
that conversation are not appended after the gap.

It also owns the composer's mode: a reply to a message or the correction of our
last one (``compose_changed``), the message actions (retract, react), and the
read position: while the conversation is shown in the active window
(``set_visible``) its newest messages are marked read in the core, which keeps
the unread counts. Typing notifications live in ``typing``.

Scrolling back (``load_older``) first pages the local store; when it has nothing
older, the server archive is asked (``HistoryService.load_older``) and what it
stores arrives as ``MessageStored`` events the model puts above the first row.
``history_note`` says "Loading older messages…", "Beginning of history", or
"Syncing history…" while a catch-up of the conversation's archive runs. No
widgets: a QObject only for its signals. Imports ``domain``, ``core`` and ``gui``.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from siproxylin.core.accounts import AccountManager
from siproxylin.core.services.chat import ChatService
from siproxylin.core.services.files import FileService
from siproxylin.core.services.history import HistoryService
from siproxylin.core.services.profiles import ProfileService
from siproxylin.core.services.roster import RosterService
from siproxylin.core.services.search import SearchService
from siproxylin.domain.errors import AccountNotFound, SiproxylinError, TransferFailed
from siproxylin.domain.events import (
    AccountRemoved,
    HistorySyncStateChanged,
    MessageErrorReceived,
    MessageStored,
    NicknameChanged,
    PresenceChanged,
    RosterChanged,
    TransferChanged,
)
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import Availability, ChatKind, ChatMessage, Direction
from siproxylin.gui.bridge import EventBridge
from siproxylin.gui.file_actions import CardAction
from siproxylin.gui.models.messages import MessageListModel
from siproxylin.gui.presenters.typing import TypingPresenter

Conversation = tuple[AccountId, Jid]

HISTORY_LIMIT = 200
AROUND = 100  # messages loaded on each side of a message opened with open_at
OLDER_PAGE = 50  # stored messages added per scroll back

LOADING_OLDER = "Loading older messages…"
BEGINNING = "Beginning of history"
SYNCING = "Syncing history…"


class ChatPresenter(QObject):
    """The conversation shown in the chat view."""

    conversation_changed = Signal()  # another conversation was opened, or it was closed
    peer_changed = Signal()  # the peer's name or presence changed
    focus_requested = Signal(int)  # scroll to and highlight this message id (open_at)
    compose_changed = Signal()  # the reply target or the message being corrected changed
    history_changed = Signal()  # history_note changed
    send_failed = Signal(str)  # a message of the open conversation failed: why
    visibility_changed = Signal()  # the conversation came on screen in the active window, or left

    def __init__(
        self,
        chat: ChatService,
        roster: RosterService,
        parent: QObject | None = None,
        *,
        search: SearchService | None = None,
        accounts: AccountManager | None = None,
        history: HistoryService | None = None,
        files: FileService | None = None,
    ) -> None:
        super().__init__(parent)
        self._chat = chat
        self._roster = roster
        self._search = search
        self._accounts = accounts
        self.model = MessageListModel(self)
        self.typing = TypingPresenter(chat, self)
        self._conversation: Conversation | None = None
        self._kind = ChatKind.CHAT
        self._latest = True  # the model ends with the newest stored message
        self._visible = False  # the conversation is on screen in the active window
        self._name = ""
        self._availability = Availability.OFFLINE
        self._status = ""
        self._reply_to: ChatMessage | None = None
        self._editing: ChatMessage | None = None
        self._history = history
        self._loading_older = False
        self._at_beginning = False
        self._older_failed = ""
        self._syncing: set[tuple[AccountId, Jid]] = set()  # archives being caught up
        self.files = files
        if files is not None:
            self.model.transfer_of = files.transfer
        self._profiles: ProfileService | None = None

    def attach_profiles(self, profiles: ProfileService) -> None:
        """Name a peer outside the roster (or unnamed there) by its nickname."""
        self._profiles = profiles

    def register(self, bridge: EventBridge) -> None:
        """Subscribe the handlers to the bridge."""
        bridge.register(MessageStored, self._on_message_stored)
        bridge.register(PresenceChanged, self._on_presence_changed)
        bridge.register(RosterChanged, self._on_roster_changed)
        bridge.register(NicknameChanged, self._on_roster_changed)
        bridge.register(AccountRemoved, self._on_account_removed)
        bridge.register(HistorySyncStateChanged, self._on_history_sync)
        bridge.register(MessageErrorReceived, self._on_message_error)
        bridge.register(TransferChanged, self._on_transfer_changed)
        self.typing.register(bridge)

    # --- state for the view ------------------------------------------------------

    @property
    def conversation(self) -> Conversation | None:
        """(account, bare peer) of the open conversation."""
        return self._conversation

    @property
    def visible(self) -> bool:
        """True while the conversation is on screen in the active window."""
        return self._visible

    @property
    def showing_latest(self) -> bool:
        """False while an older part of the conversation is shown (after ``open_at``)."""
        return self._latest

    @property
    def peer_name(self) -> str:
        """The peer's roster name, else its nickname (XEP-0172), else its address."""
        return self._name

    @property
    def peer_availability(self) -> Availability:
        """The peer's best presence."""
        return self._availability

    @property
    def peer_status(self) -> str:
        """The peer's status text."""
        return self._status

    @property
    def kind(self) -> ChatKind:
        """What kind of conversation is open."""
        return self._kind

    @property
    def loading_older(self) -> bool:
        """True while older messages are fetched from the server."""
        return self._loading_older

    @property
    def at_beginning(self) -> bool:
        """True once the archive said there is nothing older."""
        return self._at_beginning

    @property
    def history_note(self) -> str:
        """A short note above the messages about history being fetched, or ""."""
        if self._loading_older:
            return LOADING_OLDER
        if self._older_failed:
            return f"Older messages not loaded: {self._older_failed}"
        if self._conversation is not None and self._archive_of(*self._conversation) in (
            self._syncing
        ):
            return SYNCING
        if self._at_beginning:
            return BEGINNING
        return ""

    @property
    def reply_to(self) -> ChatMessage | None:
        """The message the next one answers, if the user chose Reply."""
        return self._reply_to

    @property
    def editing(self) -> ChatMessage | None:
        """Our message the composer corrects, if the user chose Correct."""
        return self._editing

    def can_correct(self, message: ChatMessage) -> bool:
        """True when ``message`` is our last one and may be corrected."""
        return self._chat.can_correct(message)

    def author(self, message: ChatMessage) -> str:
        """Who wrote ``message``, as shown."""
        return self.model.author(message)

    # --- commands ----------------------------------------------------------------

    def open(self, account: AccountId, peer: Jid, kind: ChatKind = ChatKind.CHAT) -> None:
        """Show the conversation with ``peer``: its history and the peer's state.

        ``peer`` is a bare address, except ``room/nick`` for a private message in a
        room (``kind`` GROUPCHAT_PM).
        """
        if kind is not ChatKind.GROUPCHAT_PM:
            peer = peer.bare
        if self._conversation == (account, peer) and self._latest:
            return
        self._kind = kind
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
            self._kind = around[-1].kind if around else ChatKind.CHAT
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
        self.typing.set_conversation(None)
        self.cancel_compose()
        self.conversation_changed.emit()

    def send(self, body: str) -> ChatMessage | None:
        """Send ``body`` (stripped) in the open conversation; None if there is no text.

        While a message is being corrected, ``body`` replaces its text instead; while
        replying, the new message answers ``reply_to``. A ``/me`` text is sent as is.

        Raises:
            AccountNotFound: The account was removed meanwhile.
            NotConnected: A correction needs the account online.
            ValueError: The corrected message is no longer our last one.
        """
        text = body.strip()
        if self._conversation is None or not text:
            return None
        account, peer = self._conversation
        if self._editing is not None:
            corrected = self._chat.correct_message(account, self._editing.id, text)
            self.typing.message_sent()
            self.cancel_compose()
            return corrected
        if not self._latest:  # what is sent shows after the newest messages
            self.open(account, peer, self._kind)
        sent = self._chat.send_message(account, peer, text, self._kind, reply_to=self._reply_to)
        self.typing.message_sent()
        self.cancel_compose()
        return sent

    def start_reply(self, message: ChatMessage) -> None:
        """The next message answers ``message``."""
        self._editing = None
        self._reply_to = message
        self.compose_changed.emit()

    def start_correction(self, message: ChatMessage) -> bool:
        """Correct ``message`` with the composer's next text; False if it may not be."""
        if not self._chat.can_correct(message):
            return False
        self._reply_to = None
        self._editing = message
        self.compose_changed.emit()
        return True

    def correct_last(self) -> ChatMessage | None:
        """Start correcting our last message in the loaded rows, if it may be."""
        for message in reversed(self.model.messages()):
            if message.direction is Direction.OUTGOING:
                return message if self.start_correction(message) else None
        return None

    def cancel_compose(self) -> None:
        """Neither reply nor correct any more."""
        if self._reply_to is None and self._editing is None:
            return
        self._reply_to = self._editing = None
        self.compose_changed.emit()

    def retract(self, message: ChatMessage) -> ChatMessage:
        """Retract our ``message`` for everyone.

        Raises:
            NotConnected: The account is offline.
            ValueError: It is not ours, or already retracted.
        """
        if self._editing is not None and self._editing.id == message.id:
            self.cancel_compose()
        return self._chat.retract_message(message.account, message.id)

    def toggle_reaction(self, message_id: int, emoji: str) -> ChatMessage | None:
        """Add or take away our ``emoji`` on a loaded message.

        Raises:
            NotConnected: The account is offline.
        """
        row = self.model.row_of(message_id)
        if row is None:
            return None
        message = self.model.message(row)
        return self._chat.toggle_reaction(message.account, message.id, emoji)

    async def load_older(self) -> int:
        """Show older messages of the open conversation: stored ones, else the archive's.

        Returns:
            How many messages were added from the store, or stored from the archive
            (they arrive through ``MessageStored``); 0 when there are none or a load
            is already running.
        """
        if self._conversation is None or self._loading_older or self._at_beginning:
            return 0
        account, peer = self._conversation
        rows = self.model.messages()
        if rows:
            older = self._chat.history(account, peer, OLDER_PAGE, before_id=rows[0].id)
            added = self.model.prepend(older)
            self._note_trim()
            if added:
                return added
        if self._history is None or self._kind is ChatKind.GROUPCHAT_PM:
            self._set_older_state(beginning=True)
            return 0
        self._set_older_state(loading=True)
        conversation = self._conversation
        try:
            stored = await self._history.load_older(account, peer, self._kind)
        except SiproxylinError as error:
            if self._conversation == conversation:
                self._set_older_state(failed=str(error))
            return 0
        if self._conversation == conversation:
            self._set_older_state(beginning=stored == 0)
        return stored

    def _set_older_state(
        self, *, loading: bool = False, beginning: bool = False, failed: str = ""
    ) -> None:
        self._loading_older, self._at_beginning, self._older_failed = loading, beginning, failed
        self.history_changed.emit()

    def _note_trim(self) -> None:
        if self.model.trimmed_newest and self._latest:
            self._latest = False

    def _archive_of(self, account: AccountId, peer: Jid) -> tuple[AccountId, Jid]:
        if self._kind is ChatKind.GROUPCHAT or self._accounts is None:
            return account, peer.bare
        try:
            return account, self._accounts.config(account).jid.bare
        except AccountNotFound:
            return account, peer.bare

    def show_message(self, message_id: int) -> None:
        """Scroll to and highlight a loaded message (the one a reply answers)."""
        if self.model.row_of(message_id) is not None:
            self.focus_requested.emit(message_id)

    def text_edited(self, text: str) -> None:
        """The user typed in the composer (typing notifications)."""
        self.typing.text_edited(text)

    def set_visible(self, visible: bool) -> None:
        """Whether the conversation is on screen in the active window."""
        if visible == self._visible:
            return
        self._visible = visible
        self._mark_read()
        self.visibility_changed.emit()

    # --- handlers ----------------------------------------------------------------

    def _on_message_stored(self, events: Sequence[MessageStored]) -> None:
        if self._conversation is None:
            return
        account, peer = self._conversation
        mine = [e for e in events if e.account == account and e.message.peer == peer]
        if not self._latest:  # no new rows after a gap; loaded rows and older ones still do
            model = self.model
            mine = [
                e
                for e in mine
                if not e.new
                or model.row_of(e.message.id) is not None
                or model.older_than_loaded(e.message)
            ]
        if not mine:
            return
        self.model.apply(mine)
        self._note_trim()
        for event in mine:
            current = event.message
            if self._editing is not None and self._editing.id == current.id:
                self._editing = current
                if current.retracted:
                    self.cancel_compose()
            if self._reply_to is not None and self._reply_to.id == current.id:
                self._reply_to = current
        if any(e.new and e.message.direction is Direction.INCOMING for e in mine):
            self._mark_read()

    def _on_presence_changed(self, events: Sequence[PresenceChanged]) -> None:
        if self._conversation is None:
            return
        account, peer = self._conversation
        for event in reversed(events):
            if event.account == account and event.jid == peer:
                self._availability, self._status = event.availability, event.status
                self.peer_changed.emit()
                return

    def _on_roster_changed(self, events: Sequence[RosterChanged | NicknameChanged]) -> None:
        if self._conversation is None:
            return
        account, peer = self._conversation
        if any(e.account == account for e in events):
            name = self._title_of(account, peer)
            if name != self._name:
                self._name = name
                self.model.set_names(name, self.model.own_name)
                self.typing.set_conversation(self._conversation, name)
                self.peer_changed.emit()

    def _on_history_sync(self, events: Sequence[HistorySyncStateChanged]) -> None:
        before = self.history_note
        for event in events:
            key = (event.account, event.archive.bare)
            if event.syncing:
                self._syncing.add(key)
            else:
                self._syncing.discard(key)
        if self.history_note != before:
            self.history_changed.emit()

    # --- files -----------------------------------------------------------------------

    def send_file(self, path: Path) -> ChatMessage | None:
        """Share a file in the open conversation (None when none is open or no files)."""
        if self._conversation is None or self.files is None:
            return None
        account, peer = self._conversation
        try:
            return self.files.send_file(account, peer, path, self._kind)
        except TransferFailed as exc:
            self.send_failed.emit(f"File not sent: {exc}.")
            return None

    def file_action(self, message_id: int, action: CardAction) -> str:
        """Do what a file card's button says; returns a local path to open for OPEN."""
        if self.files is None or self._conversation is None:
            return ""
        account = self._conversation[0]
        if action is CardAction.CANCEL:
            self.files.cancel(message_id)
        elif action in (CardAction.DOWNLOAD, CardAction.RETRY):
            self.files.download(account, message_id)
        elif action is CardAction.OPEN:
            transfer = self.files.transfer(message_id)
            return transfer.path if transfer is not None else ""
        return ""

    def _on_transfer_changed(self, events: Sequence[TransferChanged]) -> None:
        latest = {e.transfer.message_id: e.transfer for e in events}  # a batch: the last wins
        for transfer in latest.values():
            self.model.set_transfer(transfer)

    def _on_message_error(self, events: Sequence[MessageErrorReceived]) -> None:
        for event in events:
            if self._conversation == (event.account, event.sender.bare):
                self.send_failed.emit(f"Message not sent: {event.detail}.")

    def _on_account_removed(self, events: Sequence[AccountRemoved]) -> None:
        if self._conversation is not None and any(
            e.account == self._conversation[0] for e in events
        ):
            self.close()

    def _show(
        self, account: AccountId, peer: Jid, messages: list[ChatMessage], *, latest: bool
    ) -> None:
        if self._conversation != (account, peer):
            self.cancel_compose()
            self._loading_older = self._at_beginning = False
            self._older_failed = ""
            self.history_changed.emit()
        self._conversation = (account, peer)
        self._latest = latest
        self._name = self._title_of(account, peer)
        self.model.set_names(self._name, self._own_name(account))
        self.model.set_messages(messages)
        self.typing.set_conversation((account, peer), self._name)
        self._availability, self._status = self._roster.availability(account, peer)
        self.conversation_changed.emit()
        self.peer_changed.emit()
        self._mark_read()

    def _mark_read(self) -> None:
        """Tell the core the user saw the newest messages, when they are on screen."""
        if self._conversation is None or not self._visible or not self._latest:
            return
        account, peer = self._conversation
        with suppress(AccountNotFound):  # removed meanwhile; AccountRemoved closes it
            self._chat.mark_read(account, peer)

    def _own_name(self, account: AccountId) -> str:
        if self._accounts is None:
            return ""
        try:
            jid = self._accounts.config(account).jid
        except AccountNotFound:
            return ""
        return jid.local or str(jid)

    def _title_of(self, account: AccountId, peer: Jid) -> str:
        item = next((i for i in self._roster.roster(account) if i.jid == peer), None)
        if item is not None and item.name:
            return item.name
        nick = "" if self._profiles is None else self._profiles.nickname(account, peer)
        return nick or str(peer)
