"""Request and response shapes of the centre's configuration API (the admin pages' back end)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..config import AppointmentsConfig
from ..domain.roles import PairableRole, StaffRole, TokenRole
from .schemas import Key

Prefix = Annotated[str, Field(pattern=r"^[A-Z]{1,3}$")]
Texts = dict[str, str]


class _Patch(BaseModel):
    """A partial change: a field left out stays as it is; ``null`` puts it back to its default."""

    model_config = ConfigDict(extra="forbid")


class ServicePatch(_Patch):
    """The body of PATCH /api/services/{key}: the fields to change; one left out stays, null: its default."""

    name: Texts | None = None
    location: Texts | None = None
    public_name: Texts | None = Field(
        None,
        description="the name on its tickets and phone page (default: name); "
        "a sensitive service shares it with another service",
    )
    public_location: Texts | None = Field(
        None, description="where its tickets and phone page say to wait (default: location)"
    )
    prefix: Prefix | None = None
    hours: dict[str, str | list[str]] | None = Field(None, description='{"mon": "08:00-16:00", ...}; null: always open')
    daily_limit: Annotated[int, Field(gt=0)] | None = None
    sensitive: bool | None = None
    service_time_s: Annotated[int, Field(gt=0)] | None = None
    target_wait_s: Annotated[int, Field(gt=0)] | None = None
    appointments: AppointmentsConfig | None = Field(
        None,
        description="the whole block, as in config.yaml (a left-out field: its default; no hours: the "
        "service's own); null: walk-ins only. Appointments already booked are kept",
    )
    notify_at_position: Annotated[int, Field(ge=1, le=100)] | None = Field(
        None, description='"almost your turn" by Web Push at this place in the queue (default 3)'
    )
    notify_at_wait_s: Annotated[int, Field(ge=0, le=7200)] | None = Field(
        None, description="... or at this estimated wait, whichever comes first (default 300)"
    )
    remote: bool | None = Field(None, description="a visitor may take a ticket on their phone from the QR poster")
    remote_confirm: bool | None = Field(
        None, description='a remote ticket keeps its place but is not called until the visitor taps "I am here"'
    )
    remote_daily_limit: Annotated[int, Field(gt=0)] | None = Field(
        None, description="at most this many remote tickets a day"
    )


class ServiceCreate(ServicePatch):
    """The body of POST /api/services: a new service's key, ticket prefix and name, and any field of PATCH."""

    key: Key
    prefix: Prefix
    name: Texts


class DeskPatch(_Patch):
    """The body of PATCH /api/desks/{key}: the desk's label, location, services or zone; one left out stays."""

    label: str | Texts | None = None
    location: Texts | None = None
    services: Annotated[list[Key], Field(min_length=1)] | None = None
    zone: Key | None = None


class DayExceptionIn(_Patch):
    """The body of PUT /api/services/{key}/exceptions/{day} and PUT /api/exceptions/{day}.
    Closed on that date, or open these hours instead of the usual ones."""

    closed: bool = False
    hours: list[str] | None = Field(None, description='["10:00-14:00"]: the hours of that day instead')


class ConfigOut(BaseModel):
    """The centre's live configuration and its version: GET /api/config's answer and every change's."""

    version: int
    config: dict[str, Any] = Field(description="the centre's configuration in config.yaml's shape")


class UserOut(BaseModel):
    """One staff account: its role, whether it may log in, the desks it may open; never its password."""

    username: str
    role: str
    active: bool
    desks: list[str] | None = Field(description="the desks the account may open; null: any")
    must_change_password: bool
    created_at: str
    sso: bool = Field(
        False,
        description="an account of the city's OpenID provider (no password; its role and "
        "desks follow the provider at each sign-in)",
    )
    display_name: str | None = Field(None, description="the provider's name for the user, for the staff screens")


class UsersEnvelope(BaseModel):
    """The answer of GET /api/users: every staff account."""

    users: list[UserOut]


class UserCreate(BaseModel):
    """The body of POST /api/users: a new account's username and role; the server makes its password."""

    model_config = ConfigDict(extra="forbid", strict=True)

    username: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")]
    role: StaffRole


class UserPatch(_Patch):
    """The body of PATCH /api/users/{name}: enable or disable the account, change its role or its desks."""

    active: bool | None = None
    role: StaffRole | None = None
    desks: list[Key] | None = Field(None, description="the desks it may open; null: any desk")


class OneTimePasswordOut(BaseModel):
    """An account and its fresh one-time password (POST /api/users, a password reset): shown this once only."""

    user: UserOut
    password: str = Field(
        description="a one-time password, shown only in this answer; it must be changed at the first log-in"
    )


class DeviceOut(BaseModel):
    """One device or script token (a kiosk, a desk PC, a booking system): its name and role, never the token."""

    id: int
    name: str
    role: str
    created_at: str
    revoked_at: str | None
    last_seen_at: str | None = Field(description="when the device last used its token (to the minute)")


class DevicesEnvelope(BaseModel):
    """The answer of GET /api/devices: every device token ever made, revoked ones too."""

    devices: list[DeviceOut]


class DeviceCreate(BaseModel):
    """The body of POST /api/devices: a new token's role and a name to tell it by."""

    model_config = ConfigDict(extra="forbid", strict=True)

    role: TokenRole
    name: Annotated[str, Field(min_length=1, max_length=64)]


class DeviceCreated(BaseModel):
    """The answer of POST /api/devices: the new device and its token, which no later answer shows."""

    device: DeviceOut
    token: str = Field(description="the device's token, shown only in this answer (only its hash is kept)")


class AuditOut(BaseModel):
    """One entry of the audit log: who changed what, when, and the value before and after."""

    id: int
    at: str
    actor: str
    action: str
    target: str
    before: Any | None
    after: Any | None


class AuditEnvelope(BaseModel):
    """The answer of GET /api/audit: the matching entries, newest first."""

    entries: list[AuditOut]


class PairingStart(BaseModel):
    """The body of POST /api/devices/pair/start: the role an unenrolled device asks for (default kiosk)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    role: PairableRole = "kiosk"


class PairingStarted(BaseModel):
    """The answer of POST /api/devices/pair/start: the code to show, the token to keep, when the code expires."""

    code: str = Field(description="show it on the screen; an admin enters it to enrol the device")
    token: str = Field(description="the device's token, worth nothing until the code is approved; keep it")
    expires_at: str


class PairingStatus(BaseModel):
    """The answer of GET /api/devices/pair/{code}: whether an admin approved the code yet (expired: too late)."""

    status: Literal["pending", "paired", "expired"]


class PairingApprove(BaseModel):
    """The body of POST /api/devices/pair: the code the device shows, and the name to enrol it under."""

    model_config = ConfigDict(extra="forbid", strict=True)

    code: Annotated[str, Field(min_length=4, max_length=8)]
    name: Annotated[str, Field(min_length=1, max_length=64, description="a kiosk is named after its key: k1")]


class DevicePaired(BaseModel):
    """The answer of POST /api/devices/pair: the device just enrolled (its token came with its code)."""

    device: DeviceOut
