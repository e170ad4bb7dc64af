"""Request and response shapes of the JSON API (pydantic): validation at the edge and the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Key = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9][a-z0-9_-]*$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class IssueRequest(_In):
    services: Annotated[list[Key], Field(min_length=1, max_length=5)]
    language: Literal["fi", "sv", "en"] = "fi"
    priority: bool = False
    kiosk: Key | None = None


class TransferRequest(_In):
    service: Key


class CallRequest(_In):
    number: Annotated[str, Field(min_length=2, max_length=12, pattern=r"^[A-Za-z]{1,3}[0-9]{1,6}$")]


class DeskStatusRequest(_In):
    status: Literal["open", "paused", "closed"]


class LoginRequest(_In):
    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class DeskRefOut(BaseModel):
    key: str
    label: str
    location: str


class TicketOut(BaseModel):
    """The public view of a ticket: numbers only, nothing personal."""

    number: str = Field(examples=["K042"])
    service: str
    service_name: str
    location: str = Field(description="where to wait for the current errand, in the ticket's language")
    status: Literal["waiting", "called", "serving", "done", "no_show", "cancelled", "expired"]
    priority: bool
    language: str
    issued_at: str
    called_at: str | None
    position: int | None
    estimated_wait_s: int | None
    desk: DeskRefOut | None
    pending_services: list[str]
    token: str | None = Field(description="only in the response that issues the ticket, or echoed to its holder")
    track_url: str | None


class TicketEnvelope(BaseModel):
    ticket: TicketOut


class ServiceOut(BaseModel):
    key: str
    prefix: str
    name: str
    names: dict[str, str]
    location: str
    open: bool
    opens_at: str | None
    waiting: int
    estimated_wait_s: int
    sensitive: bool


class ServicesEnvelope(BaseModel):
    services: list[ServiceOut]


class DeskOut(BaseModel):
    key: str
    label: str
    location: str
    zone: str
    services: list[str]
    status: Literal["open", "paused", "closed"]


class DesksEnvelope(BaseModel):
    desks: list[DeskOut]


class DeskDetailOut(BaseModel):
    desk: DeskOut
    ticket: TicketOut | None
    waiting: dict[str, int]


class DeskActionOut(BaseModel):
    ticket: TicketOut | None
    status: Literal["open", "paused", "closed"]


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody


class HealthOut(BaseModel):
    status: Literal["ok", "unavailable"]
    database: bool


class MeOut(BaseModel):
    username: str
    role: str


class PrinterOut(BaseModel):
    key: str
    type: str
    state: Literal["online", "paper_near_end", "paper_out", "offline", "unknown"]
    detail: str
    checked_at: str | None
    kiosks: list[str]


class PrintersEnvelope(BaseModel):
    printers: list[PrinterOut]
