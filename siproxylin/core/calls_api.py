"""The call commands and queries the GUI uses (``CallService`` implements them).

A ``Protocol`` so the call window, the ringing dialog and the call history in the
chat are written and tested against it with a fake, and the real service over
XMPP and the media is handed in by the composition root. Every command reports a
failure as ``CallChanged`` with state ENDED and ``end_text`` (a call that cannot
start ends at once with the reason); none raises for a network problem.
"""

from __future__ import annotations

from typing import Protocol

from siproxylin.domain.call_info import CallInfo, CallRecord
from siproxylin.domain.ids import AccountId, Jid


class CallsApi(Protocol):
    """Audio calls (see the module doc)."""

    def start_call(self, account: AccountId, peer: Jid) -> CallInfo:
        """Call ``peer`` (a contact's bare address): rings all their devices."""
        ...

    def accept(self, call_id: str) -> None:
        """Answer an incoming call (the other devices of ours stop ringing)."""
        ...

    def reject(self, call_id: str) -> None:
        """Decline an incoming call."""
        ...

    def hang_up(self, call_id: str) -> None:
        """End a call in any state (cancels a call still ringing)."""
        ...

    def set_muted(self, call_id: str, muted: bool) -> None:
        """Mute or unmute our microphone in a call."""
        ...

    def set_devices(self, input_id: str | None, output_id: str | None) -> None:
        """Use these audio devices (None: the system default), in the call under way too."""
        ...

    def call(self, call_id: str) -> CallInfo | None:
        """A call, current or just ended."""
        ...

    def active_calls(self) -> list[CallInfo]:
        """Calls not ended yet."""
        ...

    def history(self, account: AccountId, peer: Jid, limit: int = 50) -> list[CallRecord]:
        """Finished calls with ``peer``, oldest first."""
        ...

    def can_call(self, account: AccountId, peer: Jid) -> bool:
        """True when the account is online and ``peer`` is a contact (not a room)."""
        ...
