"""The OpenAPI 3.1 document, built from the same pydantic models that validate requests and shape responses."""

from __future__ import annotations

import functools
from typing import Any

from flask import Response, jsonify
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from . import bp
from .appointment_schemas import OPENAPI_EXTRA as APPOINTMENT_EXTRA
from .appointment_schemas import (
    AppointmentEnvelope,
    AppointmentRequest,
    AppointmentsEnvelope,
    BookingRequest,
    SlotsEnvelope,
)
from .centre_schemas import (
    AuditEnvelope,
    ConfigOut,
    DayExceptionIn,
    DeskPatch,
    DeviceCreate,
    DeviceCreated,
    DeviceOut,
    DevicePaired,
    DevicesEnvelope,
    OneTimePasswordOut,
    PairingApprove,
    PairingStart,
    PairingStarted,
    PairingStatus,
    ServiceCreate,
    ServicePatch,
    UserCreate,
    UserOut,
    UserPatch,
    UsersEnvelope,
)
from .desk_schemas import CallRequest, UndoNoShowRequest, WaitingListOut
from .insight_schemas import OPENAPI_EXTRA, FeedbackEnvelope, FeedbackRequest, StatsOut
from .layout_schemas import DeskCreate, KioskOut, KioskPatch, PrinterTestQueued, ZonePatch
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
    ("get", "/api/services", "Services with open state, waiting count and estimated wait", None,
     {200: ServicesEnvelope, 400: ErrorOut}, None),
    ("post", "/api/tickets", "Issue a ticket for one or more services", IssueRequest,
     {201: TicketEnvelope, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
     "kiosk or admin token, or a clerk/admin session"),
    ("get", "/api/tickets/{token}", "The visitor's ticket", None, {200: TicketEnvelope, 404: ErrorOut}, None),
    ("post", "/api/join/{kiosk}", "The QR poster's page takes a ticket on the visitor's own phone, for services "
     "with remote: true that the kiosk offers (404 unknown_kiosk; 409 not_remote, service_closed, "
     "daily_limit_reached, remote_limit_reached); never printed, never priority", JoinRequest,
     {201: TicketEnvelope, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut}, None),
    ("delete", "/api/tickets/{token}", "The visitor cancels the ticket", None,
     {200: TicketEnvelope, 404: ErrorOut, 409: ErrorOut}, None),
    ("get", "/api/desks", "All desks", None, {200: DesksEnvelope, 401: ErrorOut, 403: ErrorOut}, DESK),
    ("get", "/api/desks/{key}", "A desk's current ticket and waiting counts", None,
     {200: DeskDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}, DESK),
    ("get", "/api/desks/{key}/waiting", "The desk's waiting list: the first 50 tickets it would call, in that order "
     "(numbers, waits, priority, errands left; nothing personal)", None,
     {200: WaitingListOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}, DESK),
    ("post", "/api/session", "Log in (clerk or admin)", LoginRequest, {200: MeOut, 400: ErrorOut, 401: ErrorOut}, None),
    ("get", "/api/session", "Who is logged in", None, {200: MeOut, 401: ErrorOut, 403: ErrorOut}, DESK),
    ("delete", "/api/session", "Log out", None, {204: None}, None),
    ("post", "/api/session/password", "Change the logged-in account's own password (a one-time password must be "
     "changed before anything else)", PasswordChangeRequest,
     {204: None, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut}, "a clerk/admin session"),
    ("get", "/api/printers", "Printer health (online, paper_near_end, paper_out, offline, unknown)", None,
     {200: PrintersEnvelope, 401: ErrorOut, 403: ErrorOut}, "admin token or session"),
]
_DESK_ERRORS: dict[int, type[BaseModel] | None] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                                                   409: ErrorOut}
for _name, _summary in (("next", "Call the next ticket (204 when nobody waits)"),
                        ("recall", "Announce the current ticket again"), ("start", "Start serving it"),
                        ("finish", "Finish the errand (the ticket moves on to its next errand, if any)"),
                        ("no-show", "The called visitor did not come"),
                        ("return", "Put the current ticket back in its queue, keeping its place")):
    OPERATIONS.append(("post", f"/api/desks/{{key}}/{_name}", _summary, None,
                       {200: DeskActionOut, 204: None, **_DESK_ERRORS}, DESK))
OPERATIONS += [
    ("post", "/api/desks/{key}/transfer", "Transfer the current ticket to another service, keeping its place",
     TransferRequest, {200: DeskActionOut, **_DESK_ERRORS}, DESK),
    ("post", "/api/desks/{key}/call", "Call a specific waiting ticket, by number or by its id from the waiting list "
     "(409 already_called when another desk called it first)", CallRequest,
     {200: DeskActionOut, **_DESK_ERRORS}, DESK),
    ("post", "/api/desks/{key}/undo-no-show", "Take back a no-show marked in the last 10 minutes: the ticket waits "
     "again in its old place (409 undo_expired after that)", UndoNoShowRequest,
     {200: DeskActionOut, **_DESK_ERRORS}, DESK),
    ("post", "/api/desks/{key}/status", "Open, pause or close the desk", DeskStatusRequest,
     {200: DeskActionOut, **_DESK_ERRORS}, DESK),
]

ADMIN = "admin token, or an admin session"
OPERATIONS += [
    ("get", "/api/stats", "Statistics per day, service and desk, from the event log and the daily aggregates",
     None, {200: StatsOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}, ADMIN),
    ("get", "/api/stats.csv", "The same statistics as CSV", None,
     {200: None, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}, ADMIN),
    ("get", "/api/report.pdf", "A PDF report of a period, in the centre's language", None,
     {200: None, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut}, ADMIN),
    ("post", "/api/tickets/{token}/feedback", "The visitor rates a finished visit (once; no free text)",
     FeedbackRequest, {201: FeedbackEnvelope, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut}, None),
]

BOOKING = "booking or admin token, or an admin session"
_BOOK: dict[int, type[BaseModel] | None] = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut}
OPERATIONS += [
    ("post", "/api/appointments", "Book an appointment (a booking system): a service, a start on its slot grid",
     AppointmentRequest, {201: AppointmentEnvelope, 401: ErrorOut, 403: ErrorOut, **_BOOK}, BOOKING),
    ("get", "/api/appointments", "A day's appointments, of one service or all", None,
     {200: AppointmentsEnvelope, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}, BOOKING),
    ("get", "/api/appointments/{code}", "An appointment by its code: service, time, status", None,
     {200: AppointmentEnvelope, 404: ErrorOut}, None),
    ("delete", "/api/appointments/{code}", "Cancel a booked appointment with its code (409 not_cancellable once "
     "checked in)", None, {200: AppointmentEnvelope, 404: ErrorOut, 409: ErrorOut}, None),
    ("get", "/api/appointments/{code}/calendar.ics", "An appointment as an iCalendar file for the visitor's calendar "
     "(the service's public name, the centre, the time, the code)", None, {200: None, 400: ErrorOut, 404: ErrorOut},
     None),
    ("post", "/api/bookings", "The public booking page books a free slot (409 slot_full when it was taken)",
     BookingRequest, {201: AppointmentEnvelope, **_BOOK}, None),
    ("get", "/api/services/{key}/slots", "A service's slots on a day, each with its capacity and free places",
     None, {200: SlotsEnvelope, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut}, None),
]

OPERATIONS += [
    ("get", "/api/push/key", "The server's VAPID public key for Web Push subscriptions (409 push_disabled when the "
     "centre sends no notifications)", None, {200: PushKeyOut, 409: ErrorOut, 503: ErrorOut}, None),
    ("post", "/api/tickets/{token}/push", "The visitor's browser subscribes to \"almost your turn\" and to the "
     "call (a PushSubscription; 400 push_endpoint_refused for a push service the centre does not post to, 409 "
     "ticket_final once the ticket has ended)", PushSubscriptionIn,
     {201: PushSubscribed, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut}, None),
    ("get", "/api/tickets/{token}/push", "Whether the ticket has a push subscription", None,
     {200: PushSubscribed, 404: ErrorOut}, None),
    ("delete", "/api/tickets/{token}/push", "Stop the ticket's notifications", None, {204: None, 404: ErrorOut},
     None),
    ("post", "/api/tickets/{token}/here", "The visitor of a remote ticket is here: the desks may call it now (409 "
     "not_waiting once it was called or ended)", None, {200: TicketEnvelope, 404: ErrorOut, 409: ErrorOut}, None),
]

#: operations the config's ``limits:`` apply to (security.py's table)
RATE_LIMITED = frozenset({("post", "/api/tickets"), ("get", "/api/tickets/{token}"), ("delete", "/api/tickets/{token}"),
                          ("post", "/api/join/{kiosk}"),
                          ("post", "/api/tickets/{token}/feedback"), ("post", "/api/session"),
                          ("post", "/api/tickets/{token}/push"), ("delete", "/api/tickets/{token}/push"),
                          ("get", "/api/tickets/{token}/push"),
                          ("post", "/api/tickets/{token}/here"),
                          ("post", "/api/devices/pair/start"), ("post", "/api/bookings"),
                          ("get", "/api/appointments/{code}"), ("delete", "/api/appointments/{code}"),
                          ("get", "/api/appointments/{code}/calendar.ics")})
_CHANGE: dict[int, type[BaseModel] | None] = {200: ConfigOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut,
                                               404: ErrorOut, 409: ErrorOut}
OPERATIONS += [
    ("get", "/api/config", "The centre's live configuration (config.yaml's shape) and its version", None,
     {200: ConfigOut, 401: ErrorOut, 403: ErrorOut}, ADMIN),
    ("post", "/api/services", "Add a service", ServiceCreate, {201: ConfigOut, **_CHANGE}, ADMIN),
    ("patch", "/api/services/{key}", "Change a service (a left-out field stays; null: its default)", ServicePatch,
     _CHANGE, ADMIN),
    ("delete", "/api/services/{key}", "Retire a service (409 while it has tickets today or desks serve it)", None,
     _CHANGE, ADMIN),
    ("put", "/api/services/{key}/exceptions/{day}", "Close a service on a date, or give it that day's hours",
     DayExceptionIn, _CHANGE, ADMIN),
    ("delete", "/api/services/{key}/exceptions/{day}", "Remove a service's exception", None, _CHANGE, ADMIN),
    ("put", "/api/exceptions/{day}", "Close the whole centre on a date, or give it that day's hours", DayExceptionIn,
     _CHANGE, ADMIN),
    ("delete", "/api/exceptions/{day}", "Remove the centre's exception", None, _CHANGE, ADMIN),
    ("patch", "/api/desks/{key}", "Change a desk: label, location, services, zone", DeskPatch, _CHANGE, ADMIN),
    ("post", "/api/desks", "Add a desk", DeskCreate, {201: ConfigOut, **_CHANGE}, ADMIN),
    ("delete", "/api/desks/{key}", "Retire a desk (409 while it is open or serving, or while it is the only desk "
     "of a service with visitors waiting today)", None, _CHANGE, ADMIN),
    ("patch", "/api/zones/{key}", "Change a zone: name, language, chime, speech, volume, the boards' message line",
     ZonePatch, _CHANGE, ADMIN),
    ("get", "/api/kiosks/{key}", "What a kiosk offers: its services (null: all), language and whether it prints",
     None, {200: KioskOut, 404: ErrorOut}, None),
    ("patch", "/api/kiosks/{key}", "Change a kiosk: zone, printer, language, the services it offers", KioskPatch,
     _CHANGE, ADMIN),
    ("post", "/api/printers/{key}/test", "Print a test ticket in the background; its outcome shows in last_test",
     None, {202: PrinterTestQueued, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}, ADMIN),
]
_STAFF: dict[int, type[BaseModel] | None] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
OPERATIONS += [
    ("get", "/api/users", "Staff accounts", None, {200: UsersEnvelope, 401: ErrorOut, 403: ErrorOut}, ADMIN),
    ("post", "/api/users", "Add an account: its one-time password is in the answer, once", UserCreate,
     {201: OneTimePasswordOut, **_STAFF}, ADMIN),
    ("patch", "/api/users/{name}", "Disable or enable an account, change its role (its sockets close at once)",
     UserPatch, {200: UserOut, **_STAFF}, ADMIN),
    ("post", "/api/users/{name}/password-reset", "A new one-time password for the account, shown once", None,
     {200: OneTimePasswordOut, **_STAFF}, ADMIN),
    ("get", "/api/devices", "Device and script tokens (never the tokens themselves)", None,
     {200: DevicesEnvelope, 401: ErrorOut, 403: ErrorOut}, ADMIN),
    ("post", "/api/devices", "A new device token, shown once", DeviceCreate, {201: DeviceCreated, **_STAFF}, ADMIN),
    ("post", "/api/devices/pair/start", "An unenrolled device asks for a pairing code (and its future token)",
     PairingStart, {201: PairingStarted, 400: ErrorOut, 409: ErrorOut}, None),
    ("get", "/api/devices/pair/{code}", "Whether a pairing code was approved", None, {200: PairingStatus}, None),
    ("post", "/api/devices/pair", "Enrol the device showing this code, under this name", PairingApprove,
     {201: DevicePaired, **_STAFF}, ADMIN),
    ("delete", "/api/devices/{device_id}", "Revoke a token: refused at once, its sockets closed on every process",
     None, {200: DeviceOut, **_STAFF}, ADMIN),
    ("get", "/api/audit", "Who changed what, when (newest first)", None,
     {200: AuditEnvelope, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut}, ADMIN),
]

_DESCRIPTIONS = {200: "OK", 201: "Created", 202: "Accepted: it runs in the background", 204: "No content",
                 400: "Malformed request: invalid_json, invalid_text (a control character), invalid_request",
                 401: "Not authenticated", 403: "Not allowed for this role", 404: "Unknown service, desk or token",
                 409: "Wrong state, or the service is closed", 413: "The body is larger than 64 kB",
                 429: "Rate-limited (the config's limits:); retry after Retry-After seconds",
                 503: "The database is not available (code database_unavailable); retry after Retry-After seconds"}


@functools.cache
def build_document() -> dict[str, Any]:
    """The API's OpenAPI 3.1 document, built once from ``OPERATIONS`` and the pydantic models."""
    models = {m for op in OPERATIONS for m in (op[3], *op[4].values()) if m is not None}
    _, schemas = models_json_schema([(m, "validation" if m.__name__.endswith("Request") else "serialization")
                                     for m in sorted(models, key=lambda m: m.__name__)],
                                    ref_template="#/components/schemas/{model}")
    paths: dict[str, dict[str, Any]] = {}
    for method, path, summary, body, responses, who in OPERATIONS:
        op: dict[str, Any] = {"summary": summary, "responses": {}}
        params = [p.strip("{}") for p in path.split("/") if p.startswith("{")]
        if params:
            op["parameters"] = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                                for p in params]
        if body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{body.__name__}"}}}}
        # every request may be refused at the edge (400: a control character anywhere, a body that does not
        # parse; 413: a body over 64 kB, whatever the method), some are rate-limited (429), and every operation
        # may meet the database away: 503 database_unavailable with Retry-After (docs/deploy.md)
        edge: dict[int, type[BaseModel] | None] = {400: ErrorOut, 413: ErrorOut, 503: ErrorOut}
        if (method, path) in RATE_LIMITED:
            edge[429] = ErrorOut
        for status, model in sorted({**responses, **edge}.items()):
            entry: dict[str, Any] = {"description": _DESCRIPTIONS[status]}
            if model is not None:
                entry["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}
            op["responses"][str(status)] = entry
        if who:
            op["security"] = [{"bearer": []}, {"session": []}]
            op["description"] = f"Who may call: {who}."
        extras = {**OPENAPI_EXTRA, **APPOINTMENT_EXTRA}.get((method, path), {})
        for key, extra in extras.items():  # query parameters, non-JSON bodies
            if key == "responses":
                for status, fields in extra.items():
                    op["responses"][status].update(fields)
            else:
                op[key] = [*op.get(key, []), *extra]
        paths.setdefault(path, {})[method] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Vuoro queue API", "version": "1",
                 "description": "Tickets are called by number, never by name; nothing personal is stored."},
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                "session": {"type": "apiKey", "in": "cookie", "name": "session"}},
        },
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    """GET /api/openapi.json: the API's OpenAPI document (public; the start page links to it)."""
    return jsonify(build_document())
