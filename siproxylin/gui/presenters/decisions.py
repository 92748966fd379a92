"""DecisionsPresenter: the core's questions (subscriptions, certificates, trust, invitations).

Owns the list of questions on screen: it turns ``DecisionRequested`` into a
``requested`` signal the window shows as an info bar, withdraws the questions of
an account the core withdrew them for, and passes the user's answer to ``core.decisions``. No
widgets. Imports ``domain``, ``core`` and Qt core (signals).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal

from siproxylin.core.decisions import Decisions
from siproxylin.domain.events import DecisionClosed, DecisionRequested
from siproxylin.domain.models import DecisionKind
from siproxylin.gui.bridge import EventBridge

ANSWER_LABELS = {
    DecisionKind.SUBSCRIPTION: ("Allow", "Deny"),
    DecisionKind.CERTIFICATE: ("Trust", "Refuse"),
    DecisionKind.TRUST: ("Trust", "Don't trust"),
    DecisionKind.INVITATION: ("Join", "Decline"),
}


class DecisionsPresenter(QObject):
    """Questions waiting for the user's answer."""

    requested = Signal(object)  # DecisionRequested: show it
    withdrawn = Signal(int)  # decision id: stop showing it

    def __init__(self, decisions: Decisions, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._decisions = decisions
        self._shown: dict[int, DecisionRequested] = {}

    def register(self, bridge: EventBridge) -> None:
        """Subscribe the handlers to the bridge."""
        bridge.register(DecisionRequested, self._on_decision_requested)
        bridge.register(DecisionClosed, self._on_decision_closed)

    def load(self) -> None:
        """Show the questions asked before the window existed."""
        self._on_decision_requested(self._decisions.pending())

    def pending(self) -> list[DecisionRequested]:
        """Questions on screen, oldest first."""
        return list(self._shown.values())

    def answer(self, decision_id: int, answer: bool) -> None:
        """Give the user's answer to the core and stop showing the question."""
        self._shown.pop(decision_id, None)
        self._decisions.resolve(decision_id, answer)

    @staticmethod
    def answer_labels(kind: DecisionKind) -> tuple[str, str]:
        """Button texts for yes and no."""
        return ANSWER_LABELS.get(kind, ("Yes", "No"))

    def _on_decision_requested(self, events: Sequence[DecisionRequested]) -> None:
        for event in events:
            if event.decision_id not in self._shown:
                self._shown[event.decision_id] = event
                self.requested.emit(event)

    def _on_decision_closed(self, events: Sequence[DecisionClosed]) -> None:
        # Answered here, answered elsewhere, or withdrawn by the core (account
        # disabled or removed): either way it is no longer a question.
        for event in events:
            if self._shown.pop(event.decision_id, None) is not None:
                self.withdrawn.emit(event.decision_id)
