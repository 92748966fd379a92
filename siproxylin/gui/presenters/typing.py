"""TypingPresenter: typing notifications of the open conversation, both ways.

Owns two small things. Outgoing: while the user types in the composer the core
is told ``composing``; after ``PAUSE_MS`` without a keystroke, when the input is
emptied or when another conversation is opened, ``paused`` (the core decides
whether anything is sent at all: the account's switch, states it already sent).
A sent message ends typing by itself. Incoming: ``ChatStateChanged`` of the open
conversation becomes "Bob is typing…" for the view; someone whose client never
says it stopped (it crashed, the link dropped) stops counting after
``STALE_S`` without news. No widgets; a QObject for its signal and timers.
Imports ``domain``, ``core`` and ``gui.labels``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import suppress

from PySide6.QtCore import QObject, QTimer, Signal

from siproxylin.core.services.chat import ChatService
from siproxylin.domain.errors import SiproxylinError
from siproxylin.domain.events import ChatStateChanged
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatState
from siproxylin.gui import labels
from siproxylin.gui.bridge import EventBridge

PAUSE_MS = 5000  # idle time after which we say we paused
STALE_S = 30.0  # someone typing without news for this long is no longer shown

Conversation = tuple[AccountId, Jid]


class TypingPresenter(QObject):
    """Our typing state towards the open conversation, and who is typing there."""

    changed = Signal()  # ``text`` changed

    def __init__(
        self,
        chat: ChatService,
        parent: QObject | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._chat = chat
        self._clock = clock
        self._conversation: Conversation | None = None
        self._peer_name = ""
        self._composing = False
        self._typers: dict[str, float] = {}  # who -> when we last heard, in start order
        self.pause_timer = QTimer(self)
        self.pause_timer.setSingleShot(True)
        self.pause_timer.setInterval(PAUSE_MS)
        self.pause_timer.timeout.connect(self._pause)
        self.stale_timer = QTimer(self)
        self.stale_timer.setInterval(int(STALE_S * 1000 / 6))
        self.stale_timer.timeout.connect(self.drop_stale)

    def register(self, bridge: EventBridge) -> None:
        """Subscribe the handlers to the bridge."""
        bridge.register(ChatStateChanged, self._on_chat_state_changed)

    @property
    def text(self) -> str:
        """ "Bob is typing…", or "" when nobody is."""
        return labels.typing_text([self._name(who) for who in self._typers])

    @property
    def composing(self) -> bool:
        """True while we told the core the user is typing."""
        return self._composing

    def set_conversation(self, conversation: Conversation | None, peer_name: str = "") -> None:
        """Another conversation is shown: pause in the old one, forget its typers."""
        if conversation != self._conversation:
            self._pause()
            self._conversation = conversation
            if self._typers:
                self._typers.clear()
                self.stale_timer.stop()
                self.changed.emit()
        self._peer_name = peer_name

    def text_edited(self, text: str) -> None:
        """The user changed the composer's text to ``text``."""
        if self._conversation is None:
            return
        if not text.strip():
            self._pause()
            return
        self.pause_timer.start()
        if not self._composing:
            self._composing = True
            self._send(composing=True)

    def drop_stale(self) -> None:
        """Stop showing those we heard nothing from for ``STALE_S``."""
        limit = self._clock() - STALE_S
        stale = [who for who, heard in self._typers.items() if heard <= limit]
        for who in stale:
            del self._typers[who]
        if not self._typers:
            self.stale_timer.stop()
        if stale:
            self.changed.emit()

    def message_sent(self) -> None:
        """A message went out: it ends our typing without a separate notification."""
        self.pause_timer.stop()
        self._composing = False

    # --- internals ---------------------------------------------------------------

    def _pause(self) -> None:
        self.pause_timer.stop()
        if self._composing:
            self._composing = False
            self._send(composing=False)

    def _send(self, *, composing: bool) -> None:
        if self._conversation is None:
            return
        account, peer = self._conversation
        with suppress(SiproxylinError):  # the account went away: nobody to tell
            self._chat.set_composing(account, peer, composing)

    def _name(self, who: str) -> str:
        if self._conversation is not None and who == str(self._conversation[1]):
            return self._peer_name or who
        return who

    def _on_chat_state_changed(self, events: Sequence[ChatStateChanged]) -> None:
        if self._conversation is None:
            return
        account, peer = self._conversation
        before = list(self._typers)
        for event in events:
            if event.account != account or event.peer != peer:
                continue
            if event.state is ChatState.COMPOSING:
                self._typers[event.who] = self._clock()
            else:
                self._typers.pop(event.who, None)
        if self._typers and not self.stale_timer.isActive():
            self.stale_timer.start()
        if list(self._typers) != before:
            self.changed.emit()
