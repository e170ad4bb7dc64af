"""Configuration: ``config.yaml`` parsed once into typed, validated objects.

Start-up refuses a bad file with a message that names the key and the reason (``services.2.prefix: ...``).
Environment variables override the few settings that differ between machines: ``VUORO_DATABASE_URL``,
``VUORO_REDIS_URL``, ``VUORO_SECRET_KEY``, ``VUORO_PUBLIC_URL``, ``VUORO_PROXY_HOPS`` and ``VUORO_ENV``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from printer.config import PrinterConfig

from .auth_config import AuthConfig, with_secret_from_env
from .domain.cover import BoardCall, Coverable, PublicFace, cover_groups, privacy_problems, public_labels
from .domain.hours import TimeRange, WeeklyHours, parse_weekly
from .i18n.catalogue import languages
from .push_config import PushConfig

#: Example secrets shipped in config.yaml; production mode refuses to start while one is still in use.
EXAMPLE_SECRETS = frozenset({"change-me-example-secret-key-not-for-production"})
DEFAULT_CONFIG = "config.yaml"


def _known_language(value: str) -> str:
    """A language Vuoro has a catalogue for: the catalogues are the one list (a new one needs no code)."""
    known = languages()
    if value not in known:
        raise ValueError(f"unknown language {value!r}: Vuoro has catalogues for {', '.join(known)}")
    return value


#: a language with a catalogue in translations/ (``queue_server.i18n.catalogue.languages()``)
Language = Annotated[str, AfterValidator(_known_language)]
#: a centre's languages when its config names none
DEFAULT_LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")
Key = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
I18n = dict[str, str]


class ConfigError(Exception):
    """The configuration cannot be used; the message names the bad key and why."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DayException(_Model):
    """One date's own opening: closed, or these hours instead of the weekday's (``["10:00-14:00"]``)."""

    closed: bool = False
    hours: list[str] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> DayException:
        if self.closed == (self.hours is not None):
            raise ValueError('give either "closed": true or "hours": [...]')
        for text in self.hours or ():
            TimeRange.parse(text)  # raises ValueError with a precise message
        return self

    @property
    def ranges(self) -> list[str]:
        return [] if self.closed else list(self.hours or ())


class CentreConfig(_Model):
    name: I18n
    timezone: str = "Europe/Helsinki"
    languages: list[Language] = Field(default_factory=lambda: list(DEFAULT_LANGUAGES), min_length=1)
    default_language: Language | None = None
    closed_dates: list[date] = Field(default_factory=list)
    #: dates when every service is closed or keeps other hours (a service's own exception wins)
    exceptions: dict[date, DayException] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like Europe/Helsinki)") from None
        return value

    @property
    def language(self) -> str:
        return self.default_language or self.languages[0]

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class AppointmentsConfig(_Model):
    """A service that takes appointments: its slots (``per_slot`` visitors each ``slot_minutes``) within
    ``hours`` (default: the service's own hours), and when a booked visitor may check in at a kiosk."""

    slot_minutes: Annotated[int, Field(ge=5, le=240)] = 15
    per_slot: Annotated[int, Field(ge=1, le=100)] = 1
    hours: dict[str, str | list[str]] | None = None
    #: the number prefix of a checked-in appointment's ticket (shared by every service, like any prefix)
    prefix: Annotated[str, Field(pattern=r"^[A-Z]{1,3}$")] = "A"
    checkin_early_min: Annotated[int, Field(ge=0, le=240)] = 30
    grace_min: Annotated[int, Field(ge=0, le=120)] = 10

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: dict[str, str | list[str]] | None) -> dict[str, str | list[str]] | None:
        parse_weekly(value)
        return value


class ServiceConfig(_Model):
    key: Key
    prefix: Annotated[str, Field(pattern=r"^[A-Z]{1,3}$")]
    name: I18n
    location: I18n = Field(default_factory=dict)
    #: the name and place to wait on its printed ticket and phone page (default: name, location); a sensitive
    #: service must share both with a service that is not sensitive (docs/security.md)
    public_name: I18n | None = None
    public_location: I18n | None = None
    hours: dict[str, str | list[str]] | None = None
    daily_limit: Annotated[int, Field(gt=0)] | None = None
    sensitive: bool = False
    service_time_s: Annotated[int, Field(gt=0)] = 300
    target_wait_s: Annotated[int, Field(gt=0)] = 900
    #: dates when this service is closed or keeps other hours (a training afternoon, a short Christmas Eve)
    exceptions: dict[date, DayException] = Field(default_factory=dict)
    #: None: walk-ins only
    appointments: AppointmentsConfig | None = None
    #: "almost your turn" reaches a subscribed phone at this place in the queue or this estimated wait,
    #: whichever comes first (docs/realtime.md, Web Push)
    notify_at_position: Annotated[int, Field(ge=1, le=100)] = 3
    notify_at_wait_s: Annotated[int, Field(ge=0, le=7200)] = 300
    #: a visitor may take its ticket on their own phone from the QR poster (``/join/<kiosk>``), at most
    #: ``remote_daily_limit`` a day (None: only the service's ``daily_limit`` holds)
    remote: bool = False
    remote_daily_limit: Annotated[int, Field(gt=0)] | None = None
    #: a remote ticket keeps its place but is not called until the visitor taps "I am here" on the phone page
    remote_confirm: bool = False

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: dict[str, str | list[str]] | None) -> dict[str, str | list[str]] | None:
        parse_weekly(value)  # raises ValueError with a precise message
        return value

    @property
    def ticket_name(self) -> I18n:
        """The name its tickets, the kiosk's ticket screen and the phone page show: ``public_name`` or ``name``."""
        return self.name if self.public_name is None else self.public_name

    @property
    def ticket_location(self) -> I18n:
        """Where its tickets and the phone page say to wait: ``public_location`` or ``location``."""
        return self.location if self.public_location is None else self.public_location


class DeskConfig(_Model):
    key: Key
    label: str | I18n
    location: I18n = Field(default_factory=dict)
    services: list[Key] = Field(min_length=1)
    zone: Key


class ZoneConfig(_Model):
    key: Key
    name: I18n
    language: Language | None = None
    #: a board in several languages takes turns in them (labels, names, speech: fi, then sv); None: [language]
    languages: list[Language] | None = Field(default=None, min_length=1)
    chime: bool = False
    speech: bool = False
    volume: Annotated[float, Field(ge=0, le=1)] = 0.5
    #: an optional line the zone's boards show under the calls ("Kela closes at 16 today"), per language
    message: I18n | None = None

    def board_languages(self, default: str) -> list[str]:
        """The languages its boards show and speak in turn: ``languages``, else ``[language or default]``."""
        return [*self.languages] if self.languages else [self.language or default]


class KioskConfig(_Model):
    key: Key
    zone: Key
    printer: Key | None = None
    language: Language | None = None
    #: the services this kiosk offers (a kiosk by the Kela waiting room offers Kela only); None: every service
    services: list[Key] | None = Field(default=None, min_length=1)
    #: seconds without a touch after which a half-made choice is cleared and the kiosk returns to its language
    idle_s: Annotated[int, Field(ge=10, le=600)] = 60


RateLimit = Annotated[str, Field(pattern=r"^\s*\d+\s*(/|per)\s*\d*\s*(second|minute|hour|day)s?\s*(;.*)?$")]


class LimitsConfig(_Model):
    """Abuse limits (flask-limiter syntax, e.g. ``30/minute``); ``enabled: false`` for load tests."""

    enabled: bool = True
    issue_per_kiosk: RateLimit = "30/minute"
    issue_per_client: RateLimit = "30/minute"
    ticket_per_token: RateLimit = "120/minute"  # noqa: S105 - a rate, not a secret
    #: Socket.IO joins: a screen joins once per connection (and again after a gap); a flood gets an error ack
    join_per_socket: RateLimit = "30/minute"
    #: ... and from one address: high, since the phones behind a centre's Wi-Fi NAT all rejoin after a restart
    join_per_client: RateLimit = "600/minute"
    login: RateLimit = "10/minute;50/hour"
    #: trips to the city's OpenID provider from one address (each keeps a state row for up to an hour); high,
    #: since a centre's clerks share one address and the provider itself limits password guessing
    oidc_per_client: RateLimit = "60/minute"
    #: bookings on the public page from one address (a family books a few; a script booking out a day, not)
    booking_per_client: RateLimit = "10/hour"
    #: looking up or cancelling an appointment by its code, from one address: guessing codes stays hopeless
    appointment_code_per_client: RateLimit = "30/hour"
    #: tickets taken from the QR poster on one's own phone: per address (a centre's Wi-Fi is one address for
    #: many visitors) and per browser (a cookie of the join page)
    remote_per_client: RateLimit = "30/hour"
    remote_per_browser: RateLimit = "3/hour"


class VuoroConfig(_Model):
    env: Literal["development", "production"] = "development"
    secret_key: Annotated[str, Field(min_length=16)]
    database_url: str = "sqlite:///var/vuoro.db"
    #: how long a request waits for the database (a PostgreSQL connection, a SQLite lock) before it answers 503
    database_timeout_s: Annotated[float, Field(gt=0, le=120)] = 5
    redis_url: str | None = None
    #: the Redis pub/sub channel the server processes of one centre share (two centres on one Redis: two names)
    socketio_channel: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")] = "vuoro-socketio"
    public_url: str = "http://localhost:5000"
    priority_ratio: Annotated[int, Field(ge=0, le=100)] = 2
    retention_days: Annotated[int, Field(ge=1)] = 90
    #: purge tickets older than retention_days every night inside the server (``vuoro purge`` does it by hand)
    retention_worker: bool = True
    #: how often the server asks each printer for its status (seconds; 0 turns polling off)
    printer_poll_s: Annotated[float, Field(ge=0)] = 30
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    push: PushConfig = Field(default_factory=PushConfig)
    #: how staff sign in: the city's OpenID Connect provider and/or local accounts (auth_config.py)
    auth: AuthConfig = Field(default_factory=AuthConfig)
    #: reverse proxies in front of the server (nginx: 1); their X-Forwarded-For gives the client's address
    proxy_hops: Annotated[int, Field(ge=0, le=5)] = 0
    #: client network addresses in the server's log lines (gunicorn, rate limits): off, they are personal data
    log_client_addresses: bool = False
    centre: CentreConfig
    services: list[ServiceConfig] = Field(min_length=1)
    desks: list[DeskConfig] = Field(default_factory=list)
    zones: list[ZoneConfig] = Field(default_factory=list)
    kiosks: list[KioskConfig] = Field(default_factory=list)
    printers: list[PrinterConfig] = Field(default_factory=list)
    #: where the file was read from; relative paths (SQLite file, PDF folder) are resolved against it
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)

    @model_validator(mode="after")
    def _cross_references(self) -> VuoroConfig:
        def unique(kind: str, keys: list[str]) -> None:
            seen: set[str] = set()
            for i, key in enumerate(keys):
                if key in seen:
                    raise ValueError(f"{kind}.{i}.key: {key!r} is used twice")
                seen.add(key)

        unique("services", [s.key for s in self.services])
        unique("desks", [d.key for d in self.desks])
        unique("zones", [z.key for z in self.zones])
        unique("kiosks", [k.key for k in self.kiosks])
        unique("printers", [p.key for p in self.printers])
        services = {s.key for s in self.services}
        zones = {z.key for z in self.zones}
        printers = {p.key for p in self.printers}
        for i, d in enumerate(self.desks):
            for s in d.services:
                if s not in services:
                    raise ValueError(f"desks.{i}.services: unknown service {s!r}")
            if d.zone not in zones:
                raise ValueError(f"desks.{i}.zone: unknown zone {d.zone!r}")
        self._check_kiosks(services, zones, printers)
        default = self.centre.language
        for where, names in self._texts():
            if default not in names:
                raise ValueError(f"{where}: needs a text in the default language {default!r}")
        self._check_privacy()
        if self.env == "production" and self.secret_key in EXAMPLE_SECRETS:
            raise ValueError(
                "secret_key: still the example secret; production mode (VUORO_ENV=production) needs a "
                "random one (set VUORO_SECRET_KEY or edit the config)"
            )
        return self

    def _check_kiosks(self, services: set[str], zones: set[str], printers: set[str]) -> None:
        for i, k in enumerate(self.kiosks):
            if k.zone not in zones:
                raise ValueError(f"kiosks.{i}.zone: unknown zone {k.zone!r}")
            if k.printer is not None and k.printer not in printers:
                raise ValueError(f"kiosks.{i}.printer: unknown printer {k.printer!r}")
            for s in k.services or ():
                if s not in services:
                    raise ValueError(f"kiosks.{i}.services: unknown service {s!r}")

    def _check_privacy(self) -> None:
        """A sensitive service's prefix, public name, public location and desk labels must each be shared with
        a service that is not sensitive (:func:`domain.cover.privacy_problems`); the first problem is raised."""
        languages = [self.centre.language, *(lang for lang in self.centre.languages if lang != self.centre.language)]

        def texts(names: Mapping[str, str] | str) -> tuple[str, ...]:
            return tuple(self.text(names, lang) for lang in languages)

        faces = [PublicFace(s.key, s.prefix, s.sensitive, texts(s.ticket_name), texts(s.ticket_location))
                 for s in self.services]
        calls = [BoardCall(d.key, d.zone, texts(d.label), texts(d.location), tuple(d.services)) for d in self.desks]
        problems = privacy_problems(faces, calls)
        if problems:
            raise ValueError(problems[0])

    def _texts(self) -> list[tuple[str, Mapping[str, str]]]:
        out: list[tuple[str, Mapping[str, str]]] = [("centre.name", self.centre.name)]
        out += [(f"services.{i}.name", s.name) for i, s in enumerate(self.services)]
        out += [(f"services.{i}.public_name", s.public_name) for i, s in enumerate(self.services)
                if s.public_name is not None]
        out += [(f"zones.{i}.name", z.name) for i, z in enumerate(self.zones)]
        out += [(f"zones.{i}.message", z.message) for i, z in enumerate(self.zones) if z.message]
        out += [(f"desks.{i}.label", d.label) for i, d in enumerate(self.desks) if isinstance(d.label, dict)]
        return out

    # -- look-ups used all over; built once -------------------------------------------------------------
    @cached_property
    def service_map(self) -> dict[str, ServiceConfig]:
        return {s.key: s for s in self.services}

    @cached_property
    def desk_map(self) -> dict[str, DeskConfig]:
        return {d.key: d for d in self.desks}

    @cached_property
    def cover_map(self) -> dict[str, tuple[str, ...]]:
        """The services each one's public figures are merged with (:mod:`queue_server.domain.cover`)."""
        return cover_groups(self._coverable())

    @cached_property
    def public_label(self) -> dict[str, str]:
        """Each service's name in figures seen outside the staff views (:func:`domain.cover.public_labels`)."""
        return public_labels(self._coverable())

    def _coverable(self) -> list[Coverable]:
        return [Coverable(s.key, s.prefix, s.location, s.sensitive) for s in self.services]

    @cached_property
    def zone_map(self) -> dict[str, ZoneConfig]:
        return {z.key: z for z in self.zones}

    @cached_property
    def kiosk_map(self) -> dict[str, KioskConfig]:
        return {k.key: k for k in self.kiosks}

    @cached_property
    def hours_map(self) -> dict[str, WeeklyHours]:
        return {s.key: parse_weekly(s.hours, self.centre.closed_dates,
                                    {d: e.ranges for d, e in {**self.centre.exceptions, **s.exceptions}.items()})
                for s in self.services}

    @cached_property
    def appointment_hours(self) -> dict[str, WeeklyHours]:
        """When each service that takes appointments has slots: its appointment hours (else its own hours),
        closed on the centre's closed dates and following the same exceptions as its walk-ins."""
        return {s.key: parse_weekly(s.appointments.hours if s.appointments.hours is not None else s.hours,
                                    self.centre.closed_dates,
                                    {d: e.ranges for d, e in {**self.centre.exceptions, **s.exceptions}.items()})
                for s in self.services if s.appointments is not None}

    def text(self, names: Mapping[str, str] | str, language: str | None = None) -> str:
        """A per-language text in ``language``, falling back to the centre's default language."""
        if isinstance(names, str):
            return names
        return names.get(language or self.centre.language) or names.get(self.centre.language) or ""

    def resolved_database_url(self) -> str:
        """SQLite paths in the config are relative to the config file, not to the working directory."""
        url = self.database_url
        for plain in ("postgresql://", "postgres://"):  # psycopg 3 is the driver Vuoro ships with
            if url.startswith(plain):
                url = "postgresql+psycopg://" + url[len(plain):]
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            path = (self.base_dir / url[len(prefix):]).resolve()
            path.parent.mkdir(parents=True, exist_ok=True)
            return prefix + str(path)
        return url


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML silently keeps the last of two equal keys; a config that says a thing twice is refused instead."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"{key!r} is written twice (line {key_node.start_mark.line + 1})", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def format_validation_error(exc: ValidationError, source: str) -> str:
    lines = [f"{source}: the configuration is not valid:"]
    for err in exc.errors():
        msg = err["msg"].removeprefix("Value error, ")
        # the whole file's checks (cross-references, privacy) name their own path: "desks.3.zone: ..."
        lines.append(f"  {'.'.join(str(p) for p in err['loc'])}: {msg}" if err["loc"] else f"  {msg}")
    return "\n".join(lines)


def _env_overrides(data: dict[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    for var, key in (
        ("VUORO_DATABASE_URL", "database_url"),
        ("VUORO_REDIS_URL", "redis_url"),
        ("VUORO_SOCKETIO_CHANNEL", "socketio_channel"),
        ("VUORO_SECRET_KEY", "secret_key"),
        ("VUORO_PUBLIC_URL", "public_url"),
        ("VUORO_ENV", "env"),
        ("VUORO_PROXY_HOPS", "proxy_hops"),
    ):
        if environ.get(var):
            data[key] = environ[var]
    return with_secret_from_env(data, environ.get("VUORO_OIDC_CLIENT_SECRET"))


def _aliases(data: dict[str, Any], source: str) -> dict[str, Any]:
    """``redis:`` is accepted as another name for ``redis_url:``."""
    if "redis" in data:
        if "redis_url" in data:
            raise ConfigError(f"{source}: the configuration is not valid:\n  redis: give redis_url or redis, not both")
        data["redis_url"] = data.pop("redis")
    return data


def build_config(
    data: Mapping[str, Any], *, source: str = "config", base_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> VuoroConfig:
    """Validate a config mapping (after environment overrides) or raise :class:`ConfigError`."""
    merged = _env_overrides(_aliases(dict(data), source), os.environ if environ is None else environ)
    if base_dir is not None:
        merged["base_dir"] = base_dir
    try:
        return VuoroConfig.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, source)) from None


def load_config(path: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None) -> VuoroConfig:
    """Read ``path`` (or ``$VUORO_CONFIG``, or ./config.yaml) and validate it."""
    env = os.environ if environ is None else environ
    file = Path(path or env.get("VUORO_CONFIG") or DEFAULT_CONFIG)
    try:
        raw = yaml.load(file.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such config file (use --config PATH or VUORO_CONFIG)") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: the top level must be a mapping of settings")
    return build_config(raw, source=str(file), base_dir=file.resolve().parent, environ=env)
