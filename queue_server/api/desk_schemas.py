"""Request and response shapes of the desk page's own operations: picking a ticket, the waiting list."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from .schemas import _In, _integral

Number = Annotated[str, Field(min_length=2, max_length=12, pattern=r"^[A-Za-z]{1,3}[0-9]{1,6}$")]
#: ticket ids are the ``tickets.id`` column (a 32-bit integer on PostgreSQL); the bounds come before the
#: validator so that the document says ``minimum``/``maximum``
TicketId = Annotated[int, Field(ge=1, le=2_147_483_647), BeforeValidator(_integral)]
_CHOICES = ("number", "ticket")


def _exactly_one(schema: dict[str, Any]) -> None:
    """The document says what the validator does: ``number`` or ``ticket``, exactly one, never null."""
    for name in _CHOICES:
        prop = schema["properties"][name]
        options = [o for o in prop.pop("anyOf", []) if o.get("type") != "null"]
        prop.update(options[0] if options else {})
        prop.pop("default", None)
    schema["oneOf"] = [{"required": [a], "not": {"required": [b]}} for a, b in (_CHOICES, _CHOICES[::-1])]


class _TicketChoice(_In):
    """One of today's tickets, by its number (``K042``, any case) or by its id (the waiting list has both)."""

    model_config = ConfigDict(json_schema_extra=_exactly_one)
    number: Number | None = None
    ticket: TicketId | None = None

    @model_validator(mode="after")
    def _one(self) -> Self:
        given = [name for name in _CHOICES if name in self.model_fields_set]
        if len(given) != 1 or getattr(self, given[0]) is None:
            raise ValueError("give the ticket's number or its id (ticket), one of them")
        return self


class CallRequest(_TicketChoice):
    """``{"number": "K042"}`` or ``{"ticket": 17}``."""


class UndoNoShowRequest(_TicketChoice):
    """``{"number": "K042"}`` or ``{"ticket": 17}``: the no-show to take back."""


class WaitingTicketOut(BaseModel):
    """One ticket of a desk's waiting list: its number and id, its wait, its errands; nothing personal."""

    id: int = Field(description='the ticket\'s id: POST /api/desks/{key}/call takes it as {"ticket": id}')
    number: str = Field(examples=["K042"])
    service: str
    queued_at: str = Field(description="when it joined the queue (UTC): its place, kept across errands")
    waited_s: int = Field(description="seconds since queued_at, when the list was made")
    priority: bool
    errands: int = Field(description="the errands the visit has left, this one included")
    appointment_at: str | None = Field(
        None,
        description="a checked-in appointment's booked time (UTC): it is "
        "called then, ahead of walk-ins; null for a walk-in",
    )


class WaitingListOut(BaseModel):
    """The answer of GET /api/desks/{key}/waiting: the tickets the desk would call next, in that order.
    The desk page's waiting event carries the same list."""

    desk: str
    tickets: list[WaitingTicketOut] = Field(description="in the order this desk would call them, at most 50")
    total: int = Field(description="everyone waiting for the desk's services, listed or not")
