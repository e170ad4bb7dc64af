"""The rest of the API's operations for the OpenAPI document: the visitor-facing routes and the rate limits
(api/openapi_operations.py has the desk, admin and booking ones)."""

from __future__ import annotations

from pydantic import BaseModel

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
from .layout_schemas import DeskCreate, KioskOut, KioskPatch, PrinterTestQueued, ZonePatch
from .openapi_operations import ADMIN, Op
from .schemas import (
    ErrorOut,
)

LATER_OPERATIONS: list[Op] = []
RATE_LIMITED = frozenset(
    {
        ("post", "/api/tickets"),
        ("get", "/api/tickets/{token}"),
        ("delete", "/api/tickets/{token}"),
        ("post", "/api/join/{kiosk}"),
        ("post", "/api/tickets/{token}/feedback"),
        ("post", "/api/session"),
        ("post", "/api/tickets/{token}/push"),
        ("delete", "/api/tickets/{token}/push"),
        ("get", "/api/tickets/{token}/push"),
        ("post", "/api/tickets/{token}/here"),
        ("post", "/api/devices/pair/start"),
        ("post", "/api/bookings"),
        ("get", "/api/appointments/{code}"),
        ("delete", "/api/appointments/{code}"),
        ("get", "/api/appointments/{code}/calendar.ics"),
    }
)
_CHANGE: dict[int, type[BaseModel] | None] = {
    200: ConfigOut,
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
}
LATER_OPERATIONS += [
    (
        "get",
        "/api/config",
        "The centre's live configuration (config.yaml's shape) and its version",
        None,
        {200: ConfigOut, 401: ErrorOut, 403: ErrorOut},
        ADMIN,
    ),
    ("post", "/api/services", "Add a service", ServiceCreate, {201: ConfigOut, **_CHANGE}, ADMIN),
    (
        "patch",
        "/api/services/{key}",
        "Change a service (a left-out field stays; null: its default)",
        ServicePatch,
        _CHANGE,
        ADMIN,
    ),
    (
        "delete",
        "/api/services/{key}",
        "Retire a service (409 while it has tickets today or desks serve it)",
        None,
        _CHANGE,
        ADMIN,
    ),
    (
        "put",
        "/api/services/{key}/exceptions/{day}",
        "Close a service on a date, or give it that day's hours",
        DayExceptionIn,
        _CHANGE,
        ADMIN,
    ),
    ("delete", "/api/services/{key}/exceptions/{day}", "Remove a service's exception", None, _CHANGE, ADMIN),
    (
        "put",
        "/api/exceptions/{day}",
        "Close the whole centre on a date, or give it that day's hours",
        DayExceptionIn,
        _CHANGE,
        ADMIN,
    ),
    ("delete", "/api/exceptions/{day}", "Remove the centre's exception", None, _CHANGE, ADMIN),
    ("patch", "/api/desks/{key}", "Change a desk: label, location, services, zone", DeskPatch, _CHANGE, ADMIN),
    ("post", "/api/desks", "Add a desk", DeskCreate, {201: ConfigOut, **_CHANGE}, ADMIN),
    (
        "delete",
        "/api/desks/{key}",
        "Retire a desk (409 while it is open or serving, or while it is the only desk "
        "of a service with visitors waiting today)",
        None,
        _CHANGE,
        ADMIN,
    ),
    (
        "patch",
        "/api/zones/{key}",
        "Change a zone: name, language, chime, speech, volume, the boards' message line",
        ZonePatch,
        _CHANGE,
        ADMIN,
    ),
    (
        "get",
        "/api/kiosks/{key}",
        "What a kiosk offers: its services (null: all), language and whether it prints",
        None,
        {200: KioskOut, 404: ErrorOut},
        None,
    ),
    (
        "patch",
        "/api/kiosks/{key}",
        "Change a kiosk: zone, printer, language, the services it offers",
        KioskPatch,
        _CHANGE,
        ADMIN,
    ),
    (
        "post",
        "/api/printers/{key}/test",
        "Print a test ticket in the background; its outcome shows in last_test",
        None,
        {202: PrinterTestQueued, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
        ADMIN,
    ),
]
_STAFF: dict[int, type[BaseModel] | None] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
LATER_OPERATIONS += [
    ("get", "/api/users", "Staff accounts", None, {200: UsersEnvelope, 401: ErrorOut, 403: ErrorOut}, ADMIN),
    (
        "post",
        "/api/users",
        "Add an account: its one-time password is in the answer, once",
        UserCreate,
        {201: OneTimePasswordOut, **_STAFF},
        ADMIN,
    ),
    (
        "patch",
        "/api/users/{name}",
        "Disable or enable an account, change its role (its sockets close at once)",
        UserPatch,
        {200: UserOut, **_STAFF},
        ADMIN,
    ),
    (
        "post",
        "/api/users/{name}/password-reset",
        "A new one-time password for the account, shown once",
        None,
        {200: OneTimePasswordOut, **_STAFF},
        ADMIN,
    ),
    (
        "get",
        "/api/devices",
        "Device and script tokens (never the tokens themselves)",
        None,
        {200: DevicesEnvelope, 401: ErrorOut, 403: ErrorOut},
        ADMIN,
    ),
    ("post", "/api/devices", "A new device token, shown once", DeviceCreate, {201: DeviceCreated, **_STAFF}, ADMIN),
    (
        "post",
        "/api/devices/pair/start",
        "An unenrolled device asks for a pairing code (and its future token)",
        PairingStart,
        {201: PairingStarted, 400: ErrorOut, 409: ErrorOut},
        None,
    ),
    ("get", "/api/devices/pair/{code}", "Whether a pairing code was approved", None, {200: PairingStatus}, None),
    (
        "post",
        "/api/devices/pair",
        "Enrol the device showing this code, under this name",
        PairingApprove,
        {201: DevicePaired, **_STAFF},
        ADMIN,
    ),
    (
        "delete",
        "/api/devices/{device_id}",
        "Revoke a token: refused at once, its sockets closed on every process",
        None,
        {200: DeviceOut, **_STAFF},
        ADMIN,
    ),
    (
        "get",
        "/api/audit",
        "Who changed what, when (newest first)",
        None,
        {200: AuditEnvelope, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
        ADMIN,
    ),
]
