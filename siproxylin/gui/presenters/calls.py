"""CallsPresenter: the calls the user sees, followed through ``CallChanged``.

Owns the latest ``CallInfo`` of every call this run and turns the core's changes
into what the views need: ``changed`` for every new state, ``ringing`` once for
an incoming call that rings here, ``ring_stopped`` when it no longer does
(answered here or on another device of ours, declined, retracted), ``missed``
for an incoming call nobody answered, and ``history_changed`` when a call with
someone ends (the chat header's history and last call). ``availability_changed``
says ``can_call`` may answer differently (an account came online or went
offline, a contact was added). Commands pass straight to ``CallsApi``.

No widgets: a QObject only for its signals. Imports ``domain``, ``core`` and
``gui.bridge``.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal

from siproxylin.core.calls_api import CallsApi
from siproxylin.domain.call_info import CallInfo, CallRecord, CallState
from siproxylin.domain.events import AccountStateChanged, CallChanged, RosterChanged
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.gui.bridge import EventBridge
from siproxylin.gui.call_labels import needs_answer, record_of


class CallsPresenter(QObject):
    """Calls under way and ended, and the commands on them."""

    changed = Signal(object)  # CallInfo: a call's new state
    ringing = Signal(object)  # CallInfo: an incoming call rings here (once per call)
    ring_stopped = Signal(object)  # CallInfo: it no longer rings here
    missed = Signal(object)  # CallInfo: an incoming call ended unanswered here
    history_changed = Signal(object, object)  # AccountId, bare Jid: a call with them ended
    availability_changed = Signal()  # can_call may answer differently now

    def __init__(self, calls: CallsApi, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._calls = calls
        self._known: dict[str, CallInfo] = {}
        self._ringing: set[str] = set()

    def register(self, bridge: EventBridge) -> None:
        """Subscribe the handlers to the bridge."""
        bridge.register(CallChanged, self._on_call_changed)
        bridge.register(AccountStateChanged, self._on_availability)
        bridge.register(RosterChanged, self._on_availability)

    def load(self) -> None:
        """Show the calls under way before the window existed (an incoming one rings)."""
        for call in self._calls.active_calls():
            self._apply(call)

    # --- queries -------------------------------------------------------------------

    def call(self, call_id: str) -> CallInfo | None:
        """The latest state of a call seen this run."""
        return self._known.get(call_id) or self._calls.call(call_id)

    def current(self) -> CallInfo | None:
        """The call under way that is not merely ringing here (the one Hang Up ends)."""
        live = [c for c in self._known.values() if c.state is not CallState.ENDED]
        taken = [c for c in live if not needs_answer(c)]
        return max(taken or live, key=lambda c: c.started, default=None)

    def can_call(self, account: AccountId, peer: Jid) -> bool:
        """True when ``peer`` can be called from ``account`` now."""
        return self._calls.can_call(account, peer.bare)

    def history(self, account: AccountId, peer: Jid, limit: int = 20) -> list[CallRecord]:
        """Finished calls with ``peer``, oldest first.

        The stored history, plus the calls seen ending this run that it does not
        hold yet (the store may record a call after ``CallChanged`` is published).
        """
        bare = peer.bare
        stored = self._calls.history(account, bare, limit)
        have = {record.call_id for record in stored}
        fresh = [
            record_of(call)
            for call in self._known.values()
            if call.state is CallState.ENDED
            and call.account == account
            and call.peer.bare == bare
            and call.call_id not in have
        ]
        records = sorted([*stored, *fresh], key=lambda record: record.started)
        return records[-limit:] if limit > 0 else records

    def last_call(self, account: AccountId, peer: Jid) -> CallRecord | None:
        """The most recent finished call with ``peer``."""
        history = self.history(account, peer, 1)
        return history[-1] if history else None

    # --- commands ------------------------------------------------------------------

    def start_call(self, account: AccountId, peer: Jid) -> CallInfo:
        """Call ``peer``; the new call is shown at once (``changed``)."""
        call = self._calls.start_call(account, peer.bare)
        self._apply(call)
        return call

    def accept(self, call_id: str) -> None:
        """Answer an incoming call."""
        self._calls.accept(call_id)

    def reject(self, call_id: str) -> None:
        """Decline an incoming call."""
        self._calls.reject(call_id)

    def hang_up(self, call_id: str) -> None:
        """End a call."""
        self._calls.hang_up(call_id)

    def set_muted(self, call_id: str, muted: bool) -> None:
        """Mute or unmute our microphone."""
        self._calls.set_muted(call_id, muted)

    def set_devices(self, input_id: str | None, output_id: str | None) -> None:
        """Use these audio devices (None: the system default)."""
        self._calls.set_devices(input_id, output_id)

    # --- handlers ------------------------------------------------------------------

    def _on_call_changed(self, events: Sequence[CallChanged]) -> None:
        for event in events:
            self._apply(event.call)

    def _on_availability(self, _events: Sequence[object]) -> None:
        self.availability_changed.emit()

    def _apply(self, call: CallInfo) -> None:
        previous = self._known.get(call.call_id)
        if previous == call:
            return
        self._known[call.call_id] = call
        if needs_answer(call):
            if call.call_id not in self._ringing:
                self._ringing.add(call.call_id)
                self.ringing.emit(call)
        elif call.call_id in self._ringing:
            self._ringing.discard(call.call_id)
            self.ring_stopped.emit(call)
        self.changed.emit(call)
        if call.state is CallState.ENDED and (previous is None or previous.state is not call.state):
            if call.missed:
                self.missed.emit(call)
            self.history_changed.emit(call.account, call.peer.bare)
            self.availability_changed.emit()
