"""What the user can do with a shared file now (a file card's one button).

Shared by the card painter and the chat presenter. Pure: domain types only.
"""

from __future__ import annotations

import enum

from siproxylin.domain.models import Direction, FileTransfer, TransferState


class CardAction(enum.Enum):
    """What the card's button does."""

    DOWNLOAD = "Download"
    CANCEL = "Cancel"
    OPEN = "Open"
    RETRY = "Retry"


def action_for(transfer: FileTransfer, direction: Direction) -> CardAction | None:
    """The one thing the user can do with the file now."""
    state = transfer.state
    if state in (TransferState.UPLOADING, TransferState.DOWNLOADING):
        return CardAction.CANCEL
    if state is TransferState.DONE and transfer.path:
        return CardAction.OPEN
    if direction is Direction.OUTGOING:
        return (
            CardAction.RETRY if state in (TransferState.FAILED, TransferState.CANCELLED) else None
        )
    if state in (TransferState.OFFERED, TransferState.FAILED, TransferState.CANCELLED):
        return CardAction.DOWNLOAD
    return None
