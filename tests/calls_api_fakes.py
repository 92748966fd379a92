"""FakeCalls: a ``CallsApi`` that records the GUI's commands and publishes what a test says.

Each command is appended to ``commands`` as a tuple (``("accept", call_id)``…).
``start_call`` makes an outgoing PROPOSED call; ``push`` publishes a call's new
state as ``CallChanged`` on the bus (the way the real ``CallService`` does), and
``incoming`` makes a call ring here. An ended call goes to the history.
``callable`` lists the (account, peer) pairs ``can_call`` allows.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import replace
from typing import Any

from siproxylin.core.bus import EventBus
from siproxylin.domain.call_info import (
    AdvertisedCandidate,
    CallDetails,
    CallDirection,
    CallInfo,
    CallRecord,
    CallState,
)
from siproxylin.domain.events import CallChanged
from siproxylin.domain.ids import AccountId, Jid


class FakeCalls:
    """CallsApi over a dict, driven by the test."""

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._ids = itertools.count(1)
        self.calls: dict[str, CallInfo] = {}
        self.records: list[CallRecord] = []
        self.commands: list[tuple[Any, ...]] = []
        self.callable: set[tuple[AccountId, Jid]] = set()
        self.devices: tuple[str | None, str | None] = (None, None)

    # --- CallsApi ----------------------------------------------------------------------

    def start_call(self, account: AccountId, peer: Jid) -> CallInfo:
        self.commands.append(("start_call", account, peer))
        call = CallInfo(
            f"call{next(self._ids)}",
            account,
            peer,
            CallDirection.OUTGOING,
            CallState.PROPOSED,
            time.time(),
        )
        self.push(call)
        return call

    def accept(self, call_id: str) -> None:
        self.commands.append(("accept", call_id))

    def reject(self, call_id: str) -> None:
        self.commands.append(("reject", call_id))

    def hang_up(self, call_id: str) -> None:
        self.commands.append(("hang_up", call_id))

    def set_muted(self, call_id: str, muted: bool) -> None:
        self.commands.append(("set_muted", call_id, muted))

    def set_devices(self, input_id: str | None, output_id: str | None) -> None:
        self.commands.append(("set_devices", input_id, output_id))
        self.devices = (input_id, output_id)

    def call(self, call_id: str) -> CallInfo | None:
        return self.calls.get(call_id)

    def active_calls(self) -> list[CallInfo]:
        return [c for c in self.calls.values() if c.state is not CallState.ENDED]

    def history(self, account: AccountId, peer: Jid, limit: int = 50) -> list[CallRecord]:
        found = [r for r in self.records if r.account == account and r.peer == peer.bare]
        return found[-limit:]

    def can_call(self, account: AccountId, peer: Jid) -> bool:
        return (account, peer.bare) in self.callable

    # --- driving -----------------------------------------------------------------------

    def push(self, call: CallInfo) -> CallInfo:
        """Publish ``call``'s state (and keep it in the history once ended)."""
        self.calls[call.call_id] = call
        if call.state is CallState.ENDED:
            self.records.append(
                CallRecord(
                    len(self.records) + 1,
                    call.account,
                    call.peer.bare,
                    call.call_id,
                    call.direction,
                    call.started,
                    call.duration,
                    call.missed,
                    call.end_text,
                )
            )
        self._bus.publish(CallChanged(call.account, call))
        return call

    def update(self, call_id: str, **changes: Any) -> CallInfo:
        """Publish the call with ``changes`` applied."""
        return self.push(replace(self.calls[call_id], **changes))

    def incoming(self, account: AccountId, peer: Jid, call_id: str = "in1") -> CallInfo:
        """A call from ``peer`` rings here."""
        return self.push(
            CallInfo(call_id, account, peer, CallDirection.INCOMING, CallState.RINGING, time.time())
        )


RELAY_DETAILS = CallDetails(
    turn_server="turns:turn.x.org:5349",
    turn_transport="tcp through the proxy",
    local=(AdvertisedCandidate("relay", "udp", "203.0.113.5:50000", "0.0.0.0:9"),),
    remote=(
        AdvertisedCandidate("relay", "udp", "203.0.113.9:50002", "192.0.2.44:41000"),
        AdvertisedCandidate("host", "udp", "10.0.0.12:41000"),
    ),
    chosen_local="203.0.113.5:50000",
    chosen_remote="203.0.113.9:50002",
    codec="opus/48000/2",
)

LEAKY_DETAILS = replace(
    RELAY_DETAILS,
    local=(*RELAY_DETAILS.local, AdvertisedCandidate("host", "udp", "192.168.1.4:5000")),
)
