"""The API's operations, one row each, for the OpenAPI document (api/openapi.py): path, summary, request and
response models, and who may call it."""

from __future__ import annotations

from pydantic import BaseModel

from .appointment_schemas import (
    AppointmentEnvelope,
    AppointmentRequest,
    AppointmentsEnvelope,
    BookingRequest,
    SlotsEnvelope,
)
from .desk_schemas import CallRequest, UndoNoShowRequest, WaitingListOut
from .insight_schemas import FeedbackEnvelope, FeedbackRequest, StatsOut
from .schemas import (
    DeskActionOut,
    DeskDetailOut,
    DesksEnvelope,
    DeskStatusRequest,
    ErrorOut,
    HealthOut,
    IssueRequest,
    JoinRequest,
    LoginRequest,
    MeOut,
    PasswordChangeRequest,
    PrintersEnvelope,
    PushKeyOut,
    PushSubscribed,
    PushSubscriptionIn,
    ServicesEnvelope,
    TicketEnvelope,
    TransferRequest,
)

Op = tuple[str, str, str, type[BaseModel] | None, dict[int, type[BaseModel] | None], str | None]

DESK = "desk token, or a clerk/admin session"
#: (method, path, summary, request body, responses, who may call) -- the table the document is made from
OPERATIONS: list[Op] = [
    ("get", "/healthz", "200 when the database answers", None, {200: HealthOut, 503: HealthOut}, None),
    (
        "get",
        "/api/services",
        "Services with open state, waiting count and estimated wait",
        None,
        {200: ServicesEnvelope, 400: ErrorOut},
        None,
    ),
    (
        "post",
        "/api/tickets",
        "Issue a ticket for one or more services",
        IssueRequest,
        {201: TicketEnvelope, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
        "kiosk or admin token, or a clerk/admin session",
    ),
    ("get", "/api/tickets/{token}", "The visitor's ticket", None, {200: TicketEnvelope, 404: ErrorOut}, None),
    (
        "post",
        "/api/join/{kiosk}",
        "The QR poster's page takes a ticket on the visitor's own phone, for services "
        "with remote: true that the kiosk offers (404 unknown_kiosk; 409 not_remote, service_closed, "
        "daily_limit_reached, remote_limit_reached); never printed, never priority",
        JoinRequest,
        {201: TicketEnvelope, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
        None,
    ),
    (
        "delete",
        "/api/tickets/{token}",
        "The visitor cancels the ticket",
        None,
        {200: TicketEnvelope, 404: ErrorOut, 409: ErrorOut},
        None,
    ),
    ("get", "/api/desks", "All desks", None, {200: DesksEnvelope, 401: ErrorOut, 403: ErrorOut}, DESK),
    (
        "get",
        "/api/desks/{key}",
        "A desk's current ticket and waiting counts",
        None,
        {200: DeskDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
        DESK,
    ),
    (
        "get",
        "/api/desks/{key}/waiting",
        "The desk's waiting list: the first 50 tickets it would call, in that order "
        "(numbers, waits, priority, errands left; nothing personal)",
        None,
        {200: WaitingListOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
        DESK,
    ),
    ("post", "/api/session", "Log in (clerk or admin)", LoginRequest, {200: MeOut, 400: ErrorOut, 401: ErrorOut}, None),
    ("get", "/api/session", "Who is logged in", None, {200: MeOut, 401: ErrorOut, 403: ErrorOut}, DESK),
    ("delete", "/api/session", "Log out", None, {204: None}, None),
    (
        "post",
        "/api/session/password",
        "Change the logged-in account's own password (a one-time password must be changed before anything else)",
        PasswordChangeRequest,
        {204: None, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
        "a clerk/admin session",
    ),
    (
        "get",
        "/api/printers",
        "Printer health (online, paper_near_end, paper_out, offline, unknown)",
        None,
        {200: PrintersEnvelope, 401: ErrorOut, 403: ErrorOut},
        "admin token or session",
    ),
]
_DESK_ERRORS: dict[int, type[BaseModel] | None] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
}
for _name, _summary in (
    ("next", "Call the next ticket (204 when nobody waits)"),
    ("recall", "Announce the current ticket again"),
    ("start", "Start serving it"),
    ("finish", "Finish the errand (the ticket moves on to its next errand, if any)"),
    ("no-show", "The called visitor did not come"),
    ("return", "Put the current ticket back in its queue, keeping its place"),
):
    OPERATIONS.append(
        ("post", f"/api/desks/{{key}}/{_name}", _summary, None, {200: DeskActionOut, 204: None, **_DESK_ERRORS}, DESK)
    )
OPERATIONS += [
    (
        "post",
        "/api/desks/{key}/transfer",
        "Transfer the current ticket to another service, keeping its place",
        TransferRequest,
        {200: DeskActionOut, **_DESK_ERRORS},
        DESK,
    ),
    (
        "post",
        "/api/desks/{key}/call",
        "Call a specific waiting ticket, by number or by its id from the waiting list "
        "(409 already_called when another desk called it first)",
        CallRequest,
        {200: DeskActionOut, **_DESK_ERRORS},
        DESK,
    ),
    (
        "post",
        "/api/desks/{key}/undo-no-show",
        "Take back a no-show marked in the last 10 minutes: the ticket waits "
        "again in its old place (409 undo_expired after that)",
        UndoNoShowRequest,
        {200: DeskActionOut, **_DESK_ERRORS},
        DESK,
    ),
    (
        "post",
        "/api/desks/{key}/status",
        "Open, pause or close the desk",
        DeskStatusRequest,
        {200: DeskActionOut, **_DESK_ERRORS},
        DESK,
    ),
]

ADMIN = "admin token, or an admin session"
OPERATIONS += [
    (
        "get",
        "/api/stats",
        "Statistics per day, service and desk, from the event log and the daily aggregates",
        None,
        {200: StatsOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
        ADMIN,
    ),
    (
        "get",
        "/api/stats.csv",
        "The same statistics as CSV",
        None,
        {200: None, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
        ADMIN,
    ),
    (
        "get",
        "/api/report.pdf",
        "A PDF report of a period, in the centre's language",
        None,
        {200: None, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
        ADMIN,
    ),
    (
        "post",
        "/api/tickets/{token}/feedback",
        "The visitor rates a finished visit (once; no free text)",
        FeedbackRequest,
        {201: FeedbackEnvelope, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
        None,
    ),
]

BOOKING = "booking or admin token, or an admin session"
_BOOK: dict[int, type[BaseModel] | None] = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut}
OPERATIONS += [
    (
        "post",
        "/api/appointments",
        "Book an appointment (a booking system): a service, a start on its slot grid",
        AppointmentRequest,
        {201: AppointmentEnvelope, 401: ErrorOut, 403: ErrorOut, **_BOOK},
        BOOKING,
    ),
    (
        "get",
        "/api/appointments",
        "A day's appointments, of one service or all",
        None,
        {200: AppointmentsEnvelope, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
        BOOKING,
    ),
    (
        "get",
        "/api/appointments/{code}",
        "An appointment by its code: service, time, status",
        None,
        {200: AppointmentEnvelope, 404: ErrorOut},
        None,
    ),
    (
        "delete",
        "/api/appointments/{code}",
        "Cancel a booked appointment with its code (409 not_cancellable once checked in)",
        None,
        {200: AppointmentEnvelope, 404: ErrorOut, 409: ErrorOut},
        None,
    ),
    (
        "get",
        "/api/appointments/{code}/calendar.ics",
        "An appointment as an iCalendar file for the visitor's calendar "
        "(the service's public name, the centre, the time, the code)",
        None,
        {200: None, 400: ErrorOut, 404: ErrorOut},
        None,
    ),
    (
        "post",
        "/api/bookings",
        "The public booking page books a free slot (409 slot_full when it was taken)",
        BookingRequest,
        {201: AppointmentEnvelope, **_BOOK},
        None,
    ),
    (
        "get",
        "/api/services/{key}/slots",
        "A service's slots on a day, each with its capacity and free places",
        None,
        {200: SlotsEnvelope, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
        None,
    ),
]

OPERATIONS += [
    (
        "get",
        "/api/push/key",
        "The server's VAPID public key for Web Push subscriptions (409 push_disabled when the "
        "centre sends no notifications)",
        None,
        {200: PushKeyOut, 409: ErrorOut, 503: ErrorOut},
        None,
    ),
    (
        "post",
        "/api/tickets/{token}/push",
        'The visitor\'s browser subscribes to "almost your turn" and to the '
        "call (a PushSubscription; 400 push_endpoint_refused for a push service the centre does not post to, 409 "
        "ticket_final once the ticket has ended)",
        PushSubscriptionIn,
        {201: PushSubscribed, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
        None,
    ),
    (
        "get",
        "/api/tickets/{token}/push",
        "Whether the ticket has a push subscription",
        None,
        {200: PushSubscribed, 404: ErrorOut},
        None,
    ),
    ("delete", "/api/tickets/{token}/push", "Stop the ticket's notifications", None, {204: None, 404: ErrorOut}, None),
    (
        "post",
        "/api/tickets/{token}/here",
        "The visitor of a remote ticket is here: the desks may call it now (409 "
        "not_waiting once it was called or ended)",
        None,
        {200: TicketEnvelope, 404: ErrorOut, 409: ErrorOut},
        None,
    ),
]

#: operations the config's ``limits:`` apply to (security.py's table)
