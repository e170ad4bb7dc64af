"""What the services page's forms send, as the use cases take it: a service's fields, weekly hours, exceptions,
appointments.

A value that cannot be read is refused with :class:`InvalidRequest` naming the configuration's field
(``service_time_s``, ``hours.mon``, ``day``), as the JSON API names it; what can be read but breaks a rule
(a prefix ``L1``, a negative time) is left to the use case, which validates the whole configuration.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ..config import AppointmentsConfig, ServiceConfig
from ..domain.errors import InvalidRequest
from ..domain.hours import WEEKDAYS, TimeRange


def texts(form: Mapping[str, str], field: str, old: Mapping[str, str], languages: Sequence[str]) -> dict[str, str]:
    """A per-language text (``name_fi``, ``name_sv``, ...): the form's languages (empty: none), others as they
    were."""
    merged = {lang: text for lang, text in old.items() if lang not in languages}
    merged.update({lang: form.get(f"{field}_{lang}", "").strip() for lang in languages})
    return {lang: text for lang, text in merged.items() if text}


def number(form: Mapping[str, str], name: str, field: str, *, minutes: bool = False) -> int | None:
    """A whole number (or minutes, returned as seconds) from the form; None when empty (the default)."""
    text = form.get(name, "").strip().replace(",", ".")  # a Finnish or Swedish decimal comma
    if not text:
        return None
    try:
        value = float(text) * 60 if minutes else int(text)
        if not math.isfinite(value):
            raise ValueError(text)
    except ValueError:
        raise InvalidRequest(f"{field}: {text!r} is not a number") from None
    return round(value)


def service_fields(form: Mapping[str, str], old: ServiceConfig | None, languages: Sequence[str]) -> dict[str, Any]:
    """A service's fields as the form gives them; None: back to the default (no location, not sensitive, ...)."""
    return {
        "name": texts(form, "name", old.name if old else {}, languages),
        "location": texts(form, "location", old.location if old else {}, languages) or None,
        "public_name": texts(form, "public_name", old.public_name or {} if old else {}, languages) or None,
        "public_location": texts(form, "public_location", old.public_location or {} if old else {}, languages) or None,
        "prefix": form.get("prefix", "").strip().upper(),
        "sensitive": True if form.get("sensitive") else None,
        "service_time_s": number(form, "service_time_min", "service_time_s", minutes=True),
        "target_wait_s": number(form, "target_wait_min", "target_wait_s", minutes=True),
        "daily_limit": number(form, "daily_limit", "daily_limit"),
    }


def fields_of(service: ServiceConfig) -> dict[str, Any]:
    """The service's fields in :func:`service_fields`'s terms, to send only what a form changed."""
    return {
        "name": dict(service.name),
        "location": dict(service.location) or None,
        "public_name": dict(service.public_name or {}) or None,
        "public_location": dict(service.public_location or {}) or None,
        "prefix": service.prefix,
        "sensitive": service.sensitive or None,
        "service_time_s": service.service_time_s,
        "target_wait_s": service.target_wait_s,
        "daily_limit": service.daily_limit,
    }


def changed_fields(form: Mapping[str, str], service: ServiceConfig, languages: Sequence[str]) -> dict[str, Any]:
    """The fields the edit form changes (an unchanged form changes nothing, and writes no audit entry)."""
    old = fields_of(service)
    return {f: v for f, v in service_fields(form, service, languages).items() if v != old[f]}


def ranges(text: str, field: str) -> list[str]:
    """``"08:00-12:00, 13:00-16:00"`` as a list of ranges, each checked (the error names ``field``)."""
    found = [part.strip() for part in text.split(",") if part.strip()]
    for one in found:
        try:
            TimeRange.parse(one)
        except ValueError as exc:
            raise InvalidRequest(f"{field}: {exc}") from None
    return found


#: the appointments form's numbers, by field (each also its input's name); empty: the default
APPOINTMENT_NUMBERS = ("slot_minutes", "per_slot", "checkin_early_min", "grace_min")
#: the appointments form's weekday inputs are ``appt_mon``, ...; ``appt_same_hours``: the service's own hours
APPOINTMENT_HOURS = "appt_"


#: the boxes that stand for "no weekly hours", as the refusal names them
BOXES = {"always_open": "always open", APPOINTMENT_HOURS + "same_hours": "same as the service's opening hours"}


def weekly(
    form: Mapping[str, str], *, prefix: str = "", box: str = "always_open", field: str = "hours"
) -> dict[str, str | list[str]] | None:
    """A weekly hours form: None when ``box`` is ticked (always open; for appointments, the service's own
    hours), else each weekday's ranges (a weekday left out: closed), read from ``prefix + "mon"``, ...

    The box ticked with hours on some weekday is refused: without a script the page cannot untick the box, and
    quietly dropping the hours typed would surprise whoever typed them."""
    hours: dict[str, str | list[str]] = {}
    for day in WEEKDAYS:
        found = ranges(form.get(prefix + day, ""), f"{field}.{day}")
        if found:
            hours[day] = found[0] if len(found) == 1 else found
    if form.get(box):
        if hours:
            raise InvalidRequest(f"{field}: {BOXES[box]!r} is ticked and weekdays have hours: untick it, or empty them")
        return None
    return hours


def appointments(form: Mapping[str, str]) -> dict[str, Any] | None:
    """The appointments form as the configuration's ``appointments:`` block: None (walk-ins only) unless
    ``appointments`` is ticked; values equal to the defaults are left out, as a person writes the file."""
    if not form.get("appointments"):
        return None
    block: dict[str, Any] = {name: number(form, name, f"appointments.{name}") for name in APPOINTMENT_NUMBERS}
    block["prefix"] = form.get("appointment_prefix", "").strip().upper() or None
    block["hours"] = weekly(
        form, prefix=APPOINTMENT_HOURS, box=APPOINTMENT_HOURS + "same_hours", field="appointments.hours"
    )
    defaults = AppointmentsConfig.model_fields
    return {name: value for name, value in block.items() if value is not None and value != defaults[name].default}


def appointments_of(service: ServiceConfig) -> dict[str, Any] | None:
    """The service's ``appointments:`` block in :func:`appointments`'s terms, to save only a changed form."""
    if service.appointments is None:
        return None
    return service.appointments.model_dump(mode="json", exclude_defaults=True)


#: a service's texts per language: its own, and the public ones a sensitive service shares with another
TEXT_FIELDS = ("name", "location", "public_name", "public_location")


def form_values(service: ServiceConfig | None, languages: Sequence[str]) -> dict[str, str]:
    """What the service form shows for ``service``, by field name (None: a new service, with the defaults)."""
    if service is None:
        defaults = ServiceConfig.model_fields
        return {
            **{f"{field}_{lang}": "" for field in TEXT_FIELDS for lang in languages},
            "key": "",
            "prefix": "",
            "sensitive": "",
            "service_time_min": _minutes(defaults["service_time_s"].default),
            "target_wait_min": _minutes(defaults["target_wait_s"].default),
            "daily_limit": "",
        }
    return {
        **{
            f"{field}_{lang}": (getattr(service, field) or {}).get(lang, "")
            for field in TEXT_FIELDS
            for lang in languages
        },
        "key": service.key,
        "prefix": service.prefix,
        "sensitive": "1" if service.sensitive else "",
        "service_time_min": _minutes(service.service_time_s),
        "target_wait_min": _minutes(service.target_wait_s),
        "daily_limit": "" if service.daily_limit is None else str(service.daily_limit),
    }


def _minutes(seconds: int) -> str:
    return f"{seconds / 60:g}"


def hours_values(service: ServiceConfig) -> dict[str, str]:
    """What the weekly hours form shows (``{"mon": "08:00-12:00, 13:00-16:00", ..., "always_open": ""}``)."""
    return {**_days(service.hours), "always_open": "1" if service.hours is None else ""}


def appointment_bounds() -> dict[str, tuple[int, int]]:
    """Each number's least and greatest value, as the configuration sets them (the inputs' ``min`` and ``max``)."""

    def bound(name: str, side: str) -> int:
        value: int = next(
            getattr(rule, side) for rule in AppointmentsConfig.model_fields[name].metadata if hasattr(rule, side)
        )
        return value

    return {name: (bound(name, "ge"), bound(name, "le")) for name in APPOINTMENT_NUMBERS}


def appointment_values(service: ServiceConfig) -> dict[str, str]:
    """What the appointments form shows: the service's block, or the defaults (unticked) for a service that
    takes none, so that ticking the box is all it takes to start with them."""
    appt = service.appointments or AppointmentsConfig()
    return {
        "appointments": "1" if service.appointments else "",
        "appointment_prefix": appt.prefix,
        **{name: str(getattr(appt, name)) for name in APPOINTMENT_NUMBERS},
        **{APPOINTMENT_HOURS + day: text for day, text in _days(appt.hours).items()},
        APPOINTMENT_HOURS + "same_hours": "1" if appt.hours is None else "",
    }


def _days(hours: Mapping[str, str | list[str]] | None) -> dict[str, str]:
    """Weekly hours as the form's inputs show them: ``{"tue": "08:00-12:00, 13:00-16:00"}`` (``Tuesday``: tue)."""
    spec = {name.lower()[:3]: value for name, value in (hours or {}).items()}
    return {day: ", ".join([value] if isinstance(value, str) else value) for day, value in spec.items()}


def day(text: str) -> date:
    """The form's date (``2026-12-24``); anything else is refused with the reason (400)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidRequest(f"day: {text!r} is not a date like 2026-12-24") from None


def exception_rule(form: Mapping[str, str]) -> dict[str, Any]:
    """An exception from a form: its hours if given (and "closed" is not ticked), else closed all day."""
    hours = ranges(form.get("hours", ""), "hours")
    return {"closed": True} if form.get("closed") or not hours else {"hours": hours}
