"""Configuration: ``config.yaml`` parsed once into typed, validated objects.

Start-up refuses a bad file with a message that names the key and the reason (``services.2.prefix: ...``).
Environment variables override the few settings that differ between machines: ``VUORO_DATABASE_URL``,
``VUORO_REDIS_URL``, ``VUORO_SECRET_KEY``, ``VUORO_PUBLIC_URL``, ``VUORO_PROXY_HOPS`` and ``VUORO_ENV``.

The sections' models are in :mod:`queue_server.config_sections` and the checks across them in
:mod:`queue_server.config_checks`; this module holds the whole file's model and how it is read, and is where the
rest of Vuoro imports all of them from.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from printer.config import PrinterConfig

from .auth_config import AuthConfig, with_secret_from_env
from .config_checks import (
    EXAMPLE_SECRETS,
    check_default_texts,
    check_privacy,
    check_production_secret,
    check_references,
    check_unique_keys,
)
from .config_sections import (
    DEFAULT_LANGUAGES,
    AppointmentsConfig,
    CentreConfig,
    DayException,
    DeskConfig,
    FrozenModel,
    I18n,
    Key,
    KioskConfig,
    Language,
    LimitsConfig,
    RateLimit,
    ServiceConfig,
    ZoneConfig,
)
from .domain.cover import Coverable, cover_groups, public_labels
from .domain.hours import WeeklyHours, parse_weekly
from .push_config import PushConfig

#: the sections' models are imported from here by the rest of Vuoro (config_sections.py holds them)
__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_LANGUAGES",
    "EXAMPLE_SECRETS",
    "AppointmentsConfig",
    "CentreConfig",
    "ConfigError",
    "DayException",
    "DeskConfig",
    "I18n",
    "Key",
    "KioskConfig",
    "Language",
    "LimitsConfig",
    "RateLimit",
    "ServiceConfig",
    "VuoroConfig",
    "ZoneConfig",
    "build_config",
    "format_validation_error",
    "load_config",
]

DEFAULT_CONFIG = "config.yaml"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the bad key and why."""


class VuoroConfig(FrozenModel):
    """The whole file: the machine's settings, then the centre's sections, checked together once parsed."""

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
        """The checks across sections (:mod:`queue_server.config_checks`), in this order: the first problem is
        the one the start-up message names."""
        check_unique_keys(
            {
                "services": [s.key for s in self.services],
                "desks": [d.key for d in self.desks],
                "zones": [z.key for z in self.zones],
                "kiosks": [k.key for k in self.kiosks],
                "printers": [p.key for p in self.printers],
            }
        )
        check_references(
            {s.key for s in self.services},
            {z.key for z in self.zones},
            {p.key for p in self.printers},
            self.desks,
            self.kiosks,
        )
        check_default_texts(self.centre, self.services, self.zones, self.desks)
        check_privacy(self.centre, self.services, self.desks)
        check_production_secret(self.env, self.secret_key)
        return self

    # -- look-ups used all over; built once -------------------------------------------------------------
    @cached_property
    def service_map(self) -> dict[str, ServiceConfig]:
        """Each service by its key, as tickets, desks and kiosks name it."""
        return {s.key: s for s in self.services}

    @cached_property
    def desk_map(self) -> dict[str, DeskConfig]:
        """Each desk by its key, as a called ticket and the /api/desks/<key> routes name it."""
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
        """Each zone by its key, as a board's URL and a desk's ``zone`` name it."""
        return {z.key: z for z in self.zones}

    @cached_property
    def kiosk_map(self) -> dict[str, KioskConfig]:
        """Each kiosk by its key, as its page and the tickets it issues name it (for its printer and its offer)."""
        return {k.key: k for k in self.kiosks}

    @cached_property
    def hours_map(self) -> dict[str, WeeklyHours]:
        """Each service's walk-in hours: its week, closed on the centre's closed dates, following the centre's
        exceptions and its own (its own win on a date); a ticket is issued only while they are open."""
        return {
            s.key: parse_weekly(
                s.hours,
                self.centre.closed_dates,
                {d: e.ranges for d, e in {**self.centre.exceptions, **s.exceptions}.items()},
            )
            for s in self.services
        }

    @cached_property
    def appointment_hours(self) -> dict[str, WeeklyHours]:
        """When each service that takes appointments has slots: its appointment hours (else its own hours),
        closed on the centre's closed dates and following the same exceptions as its walk-ins."""
        return {
            s.key: parse_weekly(
                s.appointments.hours if s.appointments.hours is not None else s.hours,
                self.centre.closed_dates,
                {d: e.ranges for d, e in {**self.centre.exceptions, **s.exceptions}.items()},
            )
            for s in self.services
            if s.appointments is not None
        }

    def text(self, names: Mapping[str, str] | str, language: str | None = None) -> str:
        """A per-language text in ``language``, falling back to the centre's default language."""
        return self.centre.text(names, language)

    def resolved_database_url(self) -> str:
        """SQLite paths in the config are relative to the config file, not to the working directory."""
        url = self.database_url
        for plain in ("postgresql://", "postgres://"):  # psycopg 3 is the driver Vuoro ships with
            if url.startswith(plain):
                url = "postgresql+psycopg://" + url[len(plain) :]
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            path = (self.base_dir / url[len(prefix) :]).resolve()
            path.parent.mkdir(parents=True, exist_ok=True)
            return prefix + str(path)
        return url


class _UniqueKeyLoader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML ships no types
    """YAML silently keeps the last of two equal keys; a config that says a thing twice is refused instead."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"{key!r} is written twice (line {key_node.start_mark.line + 1})", key_node.start_mark
                )
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep)
        return mapping


def format_validation_error(exc: ValidationError, source: str) -> str:
    """A refused configuration as an operator reads it: ``source``, then one line per error, each under its path."""
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
    data: Mapping[str, Any],
    *,
    source: str = "config",
    base_dir: Path | None = None,
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
