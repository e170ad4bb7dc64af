"""The sections of ``config.yaml``: the centre, its services (and their appointments), desks, zones, kiosks and
abuse limits -- each one's keys, defaults and own checks.

What a section can check on its own is checked here (a time zone exists, a prefix is one to three capitals, a
day's exception is either closed or has hours); what needs two sections at once (a desk's zone exists, a
sensitive service shares its public name) is in :mod:`queue_server.config_checks`.  ``auth:`` and ``push:``
have modules of their own (auth_config.py, push_config.py); :mod:`queue_server.config` puts them together.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cached_property
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from .domain.hours import TimeRange, parse_weekly
from .i18n.catalogue import languages


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


class FrozenModel(BaseModel):
    """Every section: an unknown key is a mistake (refused, not ignored), and a loaded config never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class DayException(FrozenModel):
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
        """The date's hours as the weekly hours' parser takes them: none when it is closed."""
        return [] if self.closed else list(self.hours or ())


class CentreConfig(FrozenModel):
    """The centre itself: its name, clock, languages and the dates every service is closed or keeps other hours."""

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
        """The language every text falls back to: ``default_language``, else the first of ``languages``."""
        return self.default_language or self.languages[0]

    @cached_property
    def tz(self) -> ZoneInfo:
        """The centre's clock: opening hours, slots, a day's tickets and the statistics' days go by it."""
        return ZoneInfo(self.timezone)

    def text(self, names: Mapping[str, str] | str, language: str | None = None) -> str:
        """A per-language text in ``language``, falling back to the centre's default language."""
        if isinstance(names, str):
            return names
        return names.get(language or self.language) or names.get(self.language) or ""


class AppointmentsConfig(FrozenModel):
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


class ServiceConfig(FrozenModel):
    """One service visitors queue for: its number prefix, names, hours and daily limit, its usual service
    time and target wait, and the ways in besides the kiosk (appointments, the QR poster)."""

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


class DeskConfig(FrozenModel):
    """A desk that calls the tickets of the services it serves; its calls show on its zone's boards."""

    key: Key
    label: str | I18n
    location: I18n = Field(default_factory=dict)
    services: list[Key] = Field(min_length=1)
    zone: Key


class ZoneConfig(FrozenModel):
    """A waiting area and its boards: their name, languages, chime, speech and message line."""

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


class KioskConfig(FrozenModel):
    """A ticket kiosk: its zone, its printer (None: the ticket is only shown), language and services offered."""

    key: Key
    zone: Key
    printer: Key | None = None
    language: Language | None = None
    #: the services this kiosk offers (a kiosk by the Kela waiting room offers Kela only); None: every service
    services: list[Key] | None = Field(default=None, min_length=1)
    #: seconds without a touch after which a half-made choice is cleared and the kiosk returns to its language
    idle_s: Annotated[int, Field(ge=10, le=600)] = 60


RateLimit = Annotated[str, Field(pattern=r"^\s*\d+\s*(/|per)\s*\d*\s*(second|minute|hour|day)s?\s*(;.*)?$")]


class LimitsConfig(FrozenModel):
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
