"""组织关系转接 between branches: what a transfer into a branch outside the sender's scope
waits for, and how it ends.

Plain Python (no Telegram). A secretary moves a member between branches they both answer for
at once; into any other branch the move is a request the receiving branch's secretary
accepts (接收) or declines (不接收) with one tap, within ``TRANSFER_REQUEST_DAYS``, unless the
sender withdraws it first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

TRANSFER_REQUEST_DAYS = 7
"""How long a transfer request waits for the receiving secretary."""


class TransferStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    """接收: the member moved."""
    DECLINED = "declined"
    """不接收."""
    WITHDRAWN = "withdrawn"
    """The sending side took it back."""
    EXPIRED = "expired"
    """Nobody accepted it in time."""
    VOID = "void"
    """The member left the sending branch (moved, departed) before it was accepted."""


@dataclass(frozen=True)
class TransferRequest:
    """A request to move a member from ``from_branch`` into ``to_branch``."""

    id: int
    member_id: int
    from_branch: str
    to_branch: str
    requested_by: int
    """The Telegram id of the secretary who asked."""
    created_at: datetime
    expires_at: datetime
    status: TransferStatus
    decided_by: int | None
    sender_message: int | None = None
    """The sender's copy of the request in their private chat, once sent."""

    def lapsed(self, now: datetime) -> bool:
        """Still marked pending, but past its time."""
        return self.status is TransferStatus.PENDING and now >= self.expires_at


class TransferOutcome(StrEnum):
    """What a tap on a transfer request did."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"
    """It was no longer pending (decided, withdrawn or expired): see the request's status."""
    GONE = "gone"
    """The member is no longer in the sending branch (moved, left): nothing to accept."""
    OUT_OF_SCOPE = "out_of_scope"
    """The tapper does not answer (now) for the side of the request the tap acts on."""


class TransferAction(StrEnum):
    ACCEPT = "accept"
    """接收, by the receiving branch."""
    DECLINE = "decline"
    """不接收, by the receiving branch."""
    WITHDRAW = "withdraw"
    """撤回, by the sending branch."""
