"""A live ticket in a line, for the tests of the live model and of the desks' waiting list."""

from __future__ import annotations

from queue_server.domain.queue_model import LiveTicket


def ticket(i: int, service: str, priority: bool, queued_at: int, status: str = "waiting") -> LiveTicket:
    """Ticket ``A<i>`` at ``service``, queued (and issued) at second ``queued_at``, at no desk."""
    return LiveTicket(
        id=i,
        number=f"A{i:03d}",
        status=status,
        service=service,
        pending=(),
        priority=priority,
        language="fi",
        issued_at=queued_at,
        queued_at=queued_at,
        desk=None,
        called_at=None,
        token_hash=f"h{i}",
    )
