"""The public view of a ticket: what the visitor (and the desk) may see of it.  Numbers only, nothing personal.

Its texts are the service's *public* name and location (``ServiceConfig.ticket_name``): the view reaches the
phone, the kiosk's screen and the printed ticket, where a sensitive service must not be recognisable.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..config import VuoroConfig
from ..domain.queue_model import AT_DESK_VALUES, LiveTicket
from ..i18n.formats import format_wait
from .outbox import from_us


@dataclass(frozen=True)
class DeskRef:
    """The desk a ticket is called to, its label and location in the ticket's language."""

    key: str
    label: str
    location: str


@dataclass(frozen=True)
class TicketView:
    """A ticket as the visitor may see it (phone, kiosk screen, printed ticket, desk): number, public
    names, status, place and estimate; no personal data, and a token only for the ticket's holder."""

    number: str
    service: str
    #: the service's public name in the ticket's language (a sensitive service's is shared with another one)
    service_name: str
    #: where to wait for the current errand (its public location), in the ticket's language
    location: str
    status: str
    priority: bool
    language: str
    issued_at: str
    called_at: str | None
    position: int | None
    estimated_wait_s: int | None
    desk: DeskRef | None
    pending_services: list[str]
    token: str | None = None
    track_url: str | None = None
    #: why ``estimated_wait_s`` is null while the ticket waits: ``no_desk_open`` (domain/forecast.py), else null
    estimate_reason: str | None = None
    #: the estimate as the phone and the kiosk show it, in the ticket's language (i18n.formats)
    estimated_wait_text: str | None = None
    #: the later errands' public names in the ticket's language (a phone lists them, a sensitive one unnamed)
    pending_names: list[str] = field(default_factory=list)
    #: an appointment's booked time (the visitor checked in with its code): the desk marks the ticket with it,
    #: the phone says when the visitor will be called; the board never shows it
    appointment_at: str | None = None
    #: false: taken on the phone from the QR poster for a service with ``remote_confirm``: it keeps its place
    #: but is not called until the visitor taps "I am here" (``POST /api/tickets/<token>/here``)
    arrived: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the JSON answers and the socket pushes."""
        return asdict(self)


def desk_ref(config: VuoroConfig, desk_key: str | None, language: str) -> DeskRef | None:
    """The desk a ticket is called to, its label and location in the ticket's language; None for no desk."""
    desk = config.desk_map.get(desk_key or "")
    if desk is None:
        return None
    return DeskRef(desk.key, config.text(desk.label, language), config.text(desk.location, language))


def track_url(config: VuoroConfig, token: str) -> str:
    """The address of the ticket's phone page, which its QR code carries."""
    return f"{config.public_url.rstrip('/')}/t/{token}"


def view_of(
    config: VuoroConfig,
    ticket: LiveTicket,
    *,
    position: int | None = None,
    estimate: int | None = None,
    token: str | None = None,
    estimate_reason: str | None = None,
) -> TicketView:
    """The view of ``ticket``; ``position`` and ``estimate`` come from the live model while it waits."""
    service = config.service_map.get(ticket.service)
    at_desk = ticket.status in AT_DESK_VALUES
    return TicketView(
        number=ticket.number,
        service=ticket.service,
        service_name=config.text(service.ticket_name, ticket.language) if service else ticket.service,
        location=config.text(service.ticket_location, ticket.language) if service else "",
        status=ticket.status,
        priority=ticket.priority,
        language=ticket.language,
        issued_at=from_us(ticket.issued_at).isoformat(),
        called_at=from_us(ticket.called_at).isoformat() if ticket.called_at is not None and at_desk else None,
        position=position,
        estimated_wait_s=estimate,
        desk=desk_ref(config, ticket.desk, ticket.language) if at_desk else None,
        pending_services=list(ticket.pending),
        token=token,
        track_url=track_url(config, token) if token else None,
        estimate_reason=estimate_reason,
        estimated_wait_text=format_wait(estimate, ticket.language, estimate_reason),
        pending_names=[
            config.text(config.service_map[k].ticket_name, ticket.language)
            for k in ticket.pending
            if k in config.service_map
        ],
        appointment_at=from_us(ticket.due).isoformat() if ticket.due is not None else None,
        arrived=ticket.arrived,
    )
