"""What a manager changes in a normal week, as edits of the centre's configuration document.

Each use case reads the live document, changes one part, and stores the whole (``centre_config.replace``:
validated as a whole, audited, taken up by every process within a second).  A change that would break running
tickets is refused with 409 and says why: a service that still has tickets today cannot be retired (it can be
closed), and its prefix cannot change while today's numbers carry the old one; a desk that is open or serving
cannot be retired, nor the last desk of a service whose visitors are waiting today.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa

from ..config import ConfigError
from ..domain.errors import DomainError, InvalidRequest, NotFound
from ..domain.states import ACTIVE, AT_DESK, TicketStatus
from ..models import DeskState, Ticket
from . import centre_config
from .context import Context

#: the fields of a service a PATCH may change (the key is its identity)
SERVICE_FIELDS = frozenset(
    {
        "name",
        "location",
        "public_name",
        "public_location",
        "prefix",
        "hours",
        "daily_limit",
        "sensitive",
        "service_time_s",
        "target_wait_s",
        "appointments",
        "notify_at_position",
        "notify_at_wait_s",
        "remote",
        "remote_daily_limit",
        "remote_confirm",
    }
)
DESK_FIELDS = frozenset({"label", "location", "services", "zone"})
ZONE_FIELDS = frozenset({"name", "language", "languages", "chime", "speech", "volume", "message"})
KIOSK_FIELDS = frozenset({"zone", "printer", "language", "services"})
#: a zone's message is one line under the calls on its boards
MESSAGE_MAX = 200


class ConfigConflict(DomainError):
    """A configuration change that today's queue or the rest of the configuration forbids (a taken key,
    a new prefix while today's tickets carry the old, a service still in use): 409 ``config_conflict``."""

    code = "config_conflict"
    status = 409


def _store(ctx: Context, document: dict[str, Any], *, actor: str, action: str, target: str) -> dict[str, Any]:
    try:
        _, version = centre_config.replace(ctx, document, actor=actor, action=action, target=target)
    except ConfigError as exc:  # the field is named in the message ("services.2.prefix: ...")
        raise InvalidRequest(str(exc).split(":\n", 1)[-1].strip()) from None
    return {"version": version, "config": centre_config.document_of(ctx.config)}


def _document(ctx: Context) -> dict[str, Any]:
    return copy.deepcopy(centre_config.document_of(ctx.config))


def _index(items: list[dict[str, Any]], key: str, kind: str) -> int:
    for i, item in enumerate(items):
        if item.get("key") == key:
            return i
    raise NotFound(f"no such {kind}: {key!r}")


def _tickets_today(ctx: Context, service: str, *, active_only: bool) -> int:
    where = [Ticket.business_day == ctx.today(), Ticket.service_key == service]
    if active_only:
        where.append(Ticket.status.in_([s.value for s in ACTIVE]))
    with ctx.db.reader() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(Ticket).where(*where)) or 0)


def _changed(item: dict[str, Any], changes: Mapping[str, Any], fields: frozenset[str], kind: str) -> None:
    """Apply a PATCH to one item of the document: a left-out field stays, ``null`` puts it back to its default."""
    unknown = sorted(set(changes) - fields)
    if unknown:
        raise InvalidRequest(f"{', '.join(unknown)}: not a field a {kind} may change")
    item.update(changes)
    for field in [f for f, v in changes.items() if v is None]:
        item.pop(field)


def create_service(ctx: Context, service: Mapping[str, Any], *, actor: str) -> dict[str, Any]:
    """Add a service to the centre's configuration; 409 if its key is taken."""
    document = _document(ctx)
    if any(s["key"] == service.get("key") for s in document["services"]):
        raise ConfigConflict(f"a service {service.get('key')!r} exists already")
    document["services"].append(dict(service))
    return _store(ctx, document, actor=actor, action="service.create", target=str(service.get("key")))


def update_service(ctx: Context, key: str, changes: Mapping[str, Any], *, actor: str) -> dict[str, Any]:
    """Change a service's fields (``null``: its default); 409 for a new prefix while today's tickets carry the old."""
    unknown = sorted(set(changes) - SERVICE_FIELDS)
    if unknown:
        raise InvalidRequest(f"{', '.join(unknown)}: not a field a service may change")
    document = _document(ctx)
    i = _index(document["services"], key, "service")
    if (
        "prefix" in changes
        and changes["prefix"] != document["services"][i]["prefix"]
        and _tickets_today(ctx, key, active_only=False)
    ):
        raise ConfigConflict(
            f"prefix: today's tickets of {key!r} carry {document['services'][i]['prefix']!r}; "
            "change it before the day starts, or tomorrow"
        )
    document["services"][i].update(changes)
    for field in [f for f, v in changes.items() if v is None]:
        document["services"][i].pop(field)  # null: back to the default (no hours: always open; no appointments)
    return _store(ctx, document, actor=actor, action="service.update", target=key)


def retire_service(ctx: Context, key: str, *, actor: str) -> dict[str, Any]:
    """Remove a service; 409 while today's tickets still wait or are served for it, or desks still serve it."""
    document = _document(ctx)
    i = _index(document["services"], key, "service")
    active = _tickets_today(ctx, key, active_only=True)
    if active:
        raise ConfigConflict(
            f"{key!r} has {active} ticket(s) still waiting or being served today: close it "
            "(opening hours or an exception) and retire it when they are done"
        )
    desks = [d["key"] for d in document["desks"] if key in d["services"]]
    if desks:
        raise ConfigConflict(f"desks {', '.join(desks)} serve {key!r}: give them other services first")
    del document["services"][i]
    return _store(ctx, document, actor=actor, action="service.retire", target=key)


def set_exception(
    ctx: Context, day: date, exception: Mapping[str, Any] | None, *, service: str | None, actor: str
) -> dict[str, Any]:
    """Set (or, with None, remove) a date's exception for one service or, without one, the whole centre."""
    document = _document(ctx)
    owner = document["services"][_index(document["services"], service, "service")] if service else document["centre"]
    exceptions = owner.setdefault("exceptions", {})
    if exception is None:
        if exceptions.pop(day.isoformat(), None) is None:
            raise NotFound(f"no exception on {day.isoformat()}")
        if not exceptions:
            owner.pop("exceptions")
    else:
        exceptions[day.isoformat()] = dict(exception)
    target = f"{service or 'centre'}@{day.isoformat()}"
    return _store(
        ctx, document, actor=actor, action="exception." + ("remove" if exception is None else "set"), target=target
    )


def update_zone(ctx: Context, key: str, changes: Mapping[str, Any], *, actor: str) -> dict[str, Any]:
    """Change a zone: its name, language(s), chime, speech, volume, and the message line its boards show (blank
    texts are left out; no text at all, or ``null``: no message)."""
    changes = dict(changes)
    if changes.get("message") is not None:
        message = {lang: text.strip() for lang, text in changes["message"].items() if text.strip()}
        for lang, text in message.items():
            if len(text) > MESSAGE_MAX:
                raise InvalidRequest(f"message.{lang}: at most {MESSAGE_MAX} characters (one line on the boards)")
        changes["message"] = message or None
    document = _document(ctx)
    _changed(document["zones"][_index(document["zones"], key, "zone")], changes, ZONE_FIELDS, "zone")
    return _store(ctx, document, actor=actor, action="zone.update", target=key)


def update_kiosk(ctx: Context, key: str, changes: Mapping[str, Any], *, actor: str) -> dict[str, Any]:
    """Change a kiosk: its zone, printer (``null``: none), language and the services it offers (``null``: all)."""
    document = _document(ctx)
    _changed(document["kiosks"][_index(document["kiosks"], key, "kiosk")], changes, KIOSK_FIELDS, "kiosk")
    return _store(ctx, document, actor=actor, action="kiosk.update", target=key)


def create_desk(ctx: Context, desk: Mapping[str, Any], *, actor: str) -> dict[str, Any]:
    """Add a desk to the centre's configuration; 409 if its key is taken."""
    document = _document(ctx)
    if any(d["key"] == desk.get("key") for d in document["desks"]):
        raise ConfigConflict(f"a desk {desk.get('key')!r} exists already")
    document["desks"].append(dict(desk))
    return _store(ctx, document, actor=actor, action="desk.create", target=str(desk.get("key")))


def retire_desk(ctx: Context, key: str, *, actor: str) -> dict[str, Any]:
    """Remove a desk; refused (409) while it is open or serving, or while it is the only desk for a service
    whose visitors are waiting today (they would wait for nobody)."""
    document = _document(ctx)
    i = _index(document["desks"], key, "desk")
    _check_desk_idle(ctx, key)
    for service in document["desks"][i]["services"]:
        if any(service in d["services"] for d in document["desks"] if d["key"] != key):
            continue
        waiting = _waiting_today(ctx, service)
        if waiting:
            raise ConfigConflict(
                f"{key!r} is the only desk serving {service!r}, and {waiting} ticket(s) wait for "
                "it today: give another desk that service first"
            )
    del document["desks"][i]
    return _store(ctx, document, actor=actor, action="desk.retire", target=key)


def _check_desk_idle(ctx: Context, key: str) -> None:
    with ctx.db.reader() as session:
        status = session.scalar(sa.select(DeskState.status).where(DeskState.desk_key == key))
        serving = session.scalar(
            sa.select(sa.func.count())
            .select_from(Ticket)
            .where(
                Ticket.business_day == ctx.today(),
                Ticket.desk_key == key,
                Ticket.status.in_([s.value for s in AT_DESK]),
            )
        )
    if serving:
        raise ConfigConflict(f"{key!r} is serving a ticket: finish or transfer it, and close the desk first")
    if status not in (None, "closed"):
        raise ConfigConflict(f"{key!r} is {status}: close it at the desk first")


def _waiting_today(ctx: Context, service: str) -> int:
    with ctx.db.reader() as session:
        return int(
            session.scalar(
                sa.select(sa.func.count())
                .select_from(Ticket)
                .where(
                    Ticket.business_day == ctx.today(),
                    Ticket.service_key == service,
                    Ticket.status == TicketStatus.WAITING.value,
                )
            )
            or 0
        )


def update_desk(ctx: Context, key: str, changes: Mapping[str, Any], *, actor: str) -> dict[str, Any]:
    """Change a desk's label, location, services or zone (any other field: 400)."""
    unknown = sorted(set(changes) - DESK_FIELDS)
    if unknown:
        raise InvalidRequest(f"{', '.join(unknown)}: not a field a desk may change")
    document = _document(ctx)
    i = _index(document["desks"], key, "desk")
    document["desks"][i].update(changes)
    return _store(ctx, document, actor=actor, action="desk.update", target=key)
