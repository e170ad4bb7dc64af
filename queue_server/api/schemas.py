"""Request and response shapes of the JSON API (pydantic): validation at the edge and the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ..domain.states import DeskStatus

Key = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9][a-z0-9_-]*$")]


def _integral(value: Any) -> Any:
    """JSON has one kind of number: to JSON Schema, and so to the OpenAPI document, 1.0 is the integer 1."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: an integer as JSON means it (strict otherwise: no "1", no true)
JsonInt = Annotated[int, BeforeValidator(_integral)]
#: why ``estimated_wait_s`` is null (domain/forecast.py)
EstimateReason = Literal["no_desk_open"] | None
ESTIMATE_REASON = (
    "why estimated_wait_s is null: no_desk_open while no desk serving the service is open "
    "(screens say so instead of a wait); null otherwise"
)


def _unique(items: list[str]) -> list[str]:
    if len(set(items)) != len(items):
        raise ValueError("a service is listed twice")
    return items


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


AppointmentCode = Annotated[
    str,
    Field(
        min_length=4,
        max_length=16,
        pattern=r"^[A-Za-z0-9 -]+$",
        description="an appointment's code, to check in (instead of services)",
    ),
]


class IssueRequest(_In):
    """A walk-in ticket for ``services``, or the ticket of a booked appointment checked in with its code."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "oneOf": [
                {"required": ["services"]},
                {"required": ["appointment"], "properties": {"priority": {"const": False}}},
            ]
        },
    )

    services: (
        Annotated[
            list[Key],
            Field(min_length=1, max_length=5, json_schema_extra={"uniqueItems": True}),
            AfterValidator(_unique),
        ]
        | None
    ) = None
    #: an appointment's code (check-in at the kiosk): instead of ``services``
    appointment: AppointmentCode | None = None
    #: one of the centre's languages; without it, the kiosk's own language, else the centre's default
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")] | None = None
    priority: bool = False
    kiosk: Key | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> IssueRequest:
        if (self.services is None) == (self.appointment is None):
            raise ValueError("give either services (a walk-in ticket) or appointment (a code to check in)")
        if self.appointment is not None and self.priority:
            raise ValueError("priority is for walk-ins: an appointment is called at its time")
        return self


class TransferRequest(_In):
    """The body of POST /api/desks/{key}/transfer: the service the current ticket moves to, keeping its place."""

    service: Key


class DeskStatusRequest(_In):
    """The body of POST /api/desks/{key}/status: open, paused or closed.
    Opening or pausing takes the desk: a person's account closes the other desks it holds."""

    status: DeskStatus


class LoginRequest(_In):
    """The body of POST /api/session: a staff account's username and password.
    403 local_login_disabled where the centre signs in by its OpenID provider instead."""

    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class DeskRefOut(BaseModel):
    """The desk a ticket is called to, its label and location in the ticket's language."""

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
    estimate_reason: EstimateReason = Field(None, description=ESTIMATE_REASON)
    estimated_wait_text: str | None = Field(
        None, description='the estimate as screens show it, in the ticket\'s language ("noin 12 min")'
    )
    desk: DeskRefOut | None
    pending_services: list[str]
    pending_names: list[str] = Field(
        default_factory=list, description="the later errands' public names, in the ticket's language"
    )
    token: str | None = Field(description="only in the response that issues the ticket, or echoed to its holder")
    track_url: str | None
    appointment_at: str | None = Field(
        None,
        description="an appointment ticket's booked time (UTC, ISO 8601): "
        "it is called then, ahead of walk-ins; null for a walk-in",
    )
    arrived: bool = Field(
        True,
        description="false: taken on a phone from the QR poster for a service that asks "
        "remote visitors to confirm: it keeps its place but is not called "
        "until POST /api/tickets/{token}/here",
    )


class TicketEnvelope(BaseModel):
    """The answer about one ticket (issued, looked up, cancelled, joined, marked here): {"ticket": ...}."""

    ticket: TicketOut


class ServiceOut(BaseModel):
    """One service as kiosks, phones and the booking page see it: open or not, its queue and wait (counts only)."""

    key: str
    prefix: str
    name: str
    names: dict[str, str]
    location: str
    open: bool
    opens_at: str | None
    closed_tomorrow: bool = Field(False, description="closed all of tomorrow (an exception or a closed date)")
    waiting: int | None = Field(
        description="public figures: a sensitive service's are merged with the services "
        "sharing its prefix and waiting area; null where it has none"
    )
    estimated_wait_s: int | None
    estimate_reason: EstimateReason = Field(None, description=ESTIMATE_REASON)
    wait_text: str | None = Field(None, description="the estimate as screens show it, in the asked language")
    sensitive: bool
    full_today: bool = Field(
        False,
        description="it has given its daily_limit of tickets today: no more until "
        "its next day (POST /api/tickets answers 409 daily_limit_reached)",
    )
    appointments: bool = Field(
        False,
        description="the public booking page (/book) offers it: it takes appointments "
        "and is not sensitive (GET /api/services/{key}/slots)",
    )
    checkin: bool = Field(
        False,
        description='it takes appointments, so a kiosk offers "I have an appointment" '
        "(a sensitive service's too: its own booking system books them)",
    )


class ServicesEnvelope(BaseModel):
    """The answer of GET /api/services: every service, its name, location and wait text in ?language=."""

    services: list[ServiceOut]


class DeskOut(BaseModel):
    """One desk as the staff screens show it: label and location in the asked language and in every language.
    Its zone, the services it serves, and whether it is open, paused or closed."""

    key: str
    label: str
    location: str
    labels: dict[str, str] = {}
    locations: dict[str, str] = {}
    zone: str
    services: list[str]
    status: DeskStatus


class DesksEnvelope(BaseModel):
    """The answer of GET /api/desks: every desk of the centre (one nobody has opened: closed)."""

    desks: list[DeskOut]


class DeskDetailOut(BaseModel):
    """The answer of GET /api/desks/{key}: the desk, the ticket it has called or serves (null: none).
    And how many wait for each of its services."""

    desk: DeskOut
    ticket: TicketOut | None
    waiting: dict[str, int]


class DeskActionOut(BaseModel):
    """The answer of a desk's action: the ticket it acted on, as it stands now, and the desk's status.
    For POST .../status the ticket is the desk's current one, or null."""

    ticket: TicketOut | None
    status: DeskStatus


class ErrorBody(BaseModel):
    """What was refused: a stable code for programs and a message for people.
    Some refusals add the details a client can act on: when a service opens, when to come back."""

    code: str
    message: str
    opens_at: str | None = Field(None, description="service_closed, daily_limit_reached: when it opens next")
    come_back_at: str | None = Field(None, description="too_early: when the appointment's check-in opens")
    start: str | None = Field(None, description="too_early, too_late: the appointment's time (local, ISO 8601)")
    walk_in: bool | None = Field(None, description="too_late: whether a walk-in ticket for its service is offered now")
    service: str | None = Field(
        None, description="the service the refusal is about (service_closed, daily_limit_reached, too_late)"
    )


class ErrorOut(BaseModel):
    """Every refusal of the API, whatever its status: {"error": {"code", "message", ...}}."""

    error: ErrorBody


class HealthOut(BaseModel):
    """The answer of GET /healthz, for monitoring: ok (200) while the database answers, else unavailable (503)."""

    status: Literal["ok", "unavailable"]
    database: bool


class MeOut(BaseModel):
    """Who is logged in, or whose token this is: the answer of POST and GET /api/session.
    must_change_password: a one-time password must be changed before anything else is allowed."""

    username: str
    role: str
    must_change_password: bool = False
    #: signed in with the city's OpenID provider (log-out ends the provider's session too)
    sso: bool = False
    #: the provider's name for the user, for the staff screens
    display_name: str | None = None


class PasswordChangeRequest(_In):
    """The body of POST /api/session/password: the current password, proving the holder, and the new one."""

    current_password: Annotated[str, Field(min_length=1, max_length=256)]
    new_password: Annotated[str, Field(min_length=8, max_length=256)]


class PrinterTest(BaseModel):
    """The outcome of a printer's newest test print (POST /api/printers/{key}/test): ok or why not, and when."""

    ok: bool
    error: str | None = Field(description="offline, paper_out, driver_missing, unknown_printer, error; null if ok")
    at: str


class PrinterOut(BaseModel):
    """One ticket printer's health as the server last polled it, and the kiosks that print on it."""

    key: str
    type: str
    state: Literal["online", "paper_near_end", "paper_out", "offline", "unknown"]
    detail: str
    checked_at: str | None
    kiosks: list[str]
    last_test: PrinterTest | None = Field(
        None, description="the newest test print's outcome; null: none since the process started"
    )


class PrintersEnvelope(BaseModel):
    """The answer of GET /api/printers: every configured printer (none on a server that prints nothing)."""

    printers: list[PrinterOut]


class PushKeyOut(BaseModel):
    """The answer of GET /api/push/key: the key a visitor's browser subscribes to Web Push with."""

    key: str = Field(
        description="the server's VAPID public key (RFC 8292): base64url of the uncompressed P-256 "
        "point, the applicationServerKey of pushManager.subscribe()"
    )


class PushKeysIn(BaseModel):
    """A browser's push subscription keys: the server encrypts each notification with them (RFC 8291)."""

    p256dh: str = Field(max_length=200, description="the browser's P-256 public key, base64url (RFC 8291)")
    auth: str = Field(max_length=100, description="the browser's 16-byte auth secret, base64url")


class PushSubscriptionIn(BaseModel):
    """A browser's ``PushSubscription.toJSON()``: only a push service of ``push.endpoint_origins`` is taken
    (400 ``push_endpoint_refused`` otherwise: the server is no relay)."""

    endpoint: str = Field(max_length=1000)
    expirationTime: int | float | None = None  # noqa: N815 - the browser's name
    keys: PushKeysIn


class PushSubscribedState(BaseModel):
    """Whether the ticket's browser will be told "almost your turn" and the call."""

    subscribed: bool


class PushSubscribed(BaseModel):
    """The answer about a ticket's Web Push subscription (POST and GET /api/tickets/{token}/push)."""

    push: PushSubscribedState


class JoinRequest(_In):
    """A ticket taken on the visitor's own phone from a kiosk's QR poster (``/join/<kiosk>``): walk-in errands
    only, never priority; without ``language``, the kiosk's own, else the centre's default."""

    services: Annotated[
        list[Key], Field(min_length=1, max_length=5, json_schema_extra={"uniqueItems": True}), AfterValidator(_unique)
    ]
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")] | None = None
