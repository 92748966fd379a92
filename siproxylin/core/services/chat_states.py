"""Typing notifications (XEP-0085) both ways; nothing of it is stored.

Rules owned here: we send states only when the account allows it (off by
default: typing tells others when we are at the keyboard), only ``composing``
and ``paused`` on demand and ``active`` implied by a sent message; received
states become ``ChatStateChanged`` for the GUI, and a message from someone who
was typing ends their typing. Imports ``domain`` and ``core`` only.
"""

from __future__ import annotations

from siproxylin.core.accounts import AccountManager
from siproxylin.core.bus import EventBus
from siproxylin.domain.events import ChatStateChanged, ChatStateReceived
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import ChatKind, ChatState


class ChatStates:
    """Sends our typing state and follows others'."""

    def __init__(self, bus: EventBus, accounts: AccountManager) -> None:
        self._bus = bus
        self._accounts = accounts
        self._typing: set[tuple[AccountId, Jid, str]] = set()
        self._sent: dict[tuple[AccountId, Jid], ChatState] = {}
        self._kinds: dict[tuple[AccountId, Jid], ChatKind] = {}
        bus.subscribe(ChatStateReceived, self._on_chat_state)

    def set_composing(
        self, account: AccountId, peer: Jid, composing: bool, kind: ChatKind | None = None
    ) -> None:
        """Send ``composing`` or ``paused`` to ``peer`` when allowed and changed."""
        if not self._accounts.config(account).privacy.chat_states:
            return
        xmpp = self._accounts.xmpp(account)
        if xmpp is None:
            return
        state = ChatState.COMPOSING if composing else ChatState.PAUSED
        key = (account, peer)
        if self._sent.get(key, ChatState.ACTIVE) is state:
            return
        if not composing and key not in self._sent:
            return  # never said we were typing
        self._sent[key] = state
        resolved = kind or self._kinds.get(key) or _kind_of(peer)
        xmpp.send_chat_state(peer, resolved, state)

    def message_sent(self, account: AccountId, peer: Jid) -> None:
        """A sent message carries the end of typing implicitly."""
        self._sent.pop((account, peer), None)

    def message_arrived(self, account: AccountId, peer: Jid, sender: Jid, kind: ChatKind) -> None:
        """A message from ``sender`` ends their typing."""
        self._kinds[(account, peer)] = kind
        if not self._typing:
            return
        who = _who(sender, kind)
        if (account, peer, who) in self._typing:
            self._typing.discard((account, peer, who))
            self._bus.publish(ChatStateChanged(account, peer, who, ChatState.ACTIVE))

    def _on_chat_state(self, event: ChatStateReceived) -> None:
        kind = event.kind
        peer = event.sender if kind is ChatKind.GROUPCHAT_PM else event.sender.bare
        who = _who(event.sender, kind)
        key = (event.account, peer, who)
        if event.state is ChatState.COMPOSING:
            self._typing.add(key)
        else:
            self._typing.discard(key)
        self._bus.publish(ChatStateChanged(event.account, peer, who, event.state))


def _who(sender: Jid, kind: ChatKind) -> str:
    return sender.resource if kind is ChatKind.GROUPCHAT else str(sender.bare)


def _kind_of(peer: Jid) -> ChatKind:
    return ChatKind.GROUPCHAT_PM if peer.resource else ChatKind.CHAT
