"""What a manager changes in a normal week, as edits of the centre's configuration document.

Each use case reads the live document, changes one part, and stores the whole (``centre_config.replace``:
validated as a whole, audited, taken up by every process within a second).  A change that would break running
tickets is refused with 409 and says why: a service that still has tickets today cannot be retired (it can be
closed), and its prefix cannot change while today's numbers carry the old one.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa

from ..config import ConfigError
from ..domain.errors import DomainError, InvalidRequest, NotFound
from ..domain.states import ACTIVE
from ..models import Ticket
from . import centre_config
from .context import Context

#: the fields of a service a PATCH may change (the key is its identity)
SERVICE_FIELDS = frozenset({"name", "location", "prefix", "hours", "daily_limit", "sensitive", "service_time_s",
                            "target_wait_s"})
DESK_FIELDS = frozenset({"label", "location", "services", "zone"})


class ConfigConflict(DomainError):
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


def create_service(ctx: Context, service: Mapping[str, Any], *, actor: str) -> dict[str, Any]:
    document = _document(ctx)
    if any(s["key"] == service.get("key") for s in document["services"]):
        raise ConfigConflict(f"a service {service.get('key')!r} exists already")
    document["services"].append(dict(service))
    return _store(ctx, document, actor=actor, action="service.create", target=str(service.get("key")))


def update_service(ctx: Context, key: str, changes: Mapping[str, Any], *, actor: str) -> dict[str, Any]:
    unknown = sorted(set(changes) - SERVICE_FIELDS)
    if unknown:
        raise InvalidRequest(f"{', '.join(unknown)}: not a field a service may change")
    document = _document(ctx)
    i = _index(document["services"], key, "service")
    if "prefix" in changes and changes["prefix"] != document["services"][i]["prefix"] and \
            _tickets_today(ctx, key, active_only=False):
        raise ConfigConflict(f"prefix: today's tickets of {key!r} carry {document['services'][i]['prefix']!r}; "
                             "change it before the day starts, or tomorrow")
    document["services"][i].update(changes)
    for field in [f for f, v in changes.items() if v is None]:
        document["services"][i].pop(field)  # null: back to the default (no hours: always open)
    return _store(ctx, document, actor=actor, action="service.update", target=key)


def retire_service(ctx: Context, key: str, *, actor: str) -> dict[str, Any]:
    document = _document(ctx)
    i = _index(document["services"], key, "service")
    active = _tickets_today(ctx, key, active_only=True)
    if active:
        raise ConfigConflict(f"{key!r} has {active} ticket(s) still waiting or being served today: close it "
                             "(opening hours or an exception) and retire it when they are done")
    desks = [d["key"] for d in document["desks"] if key in d["services"]]
    if desks:
        raise ConfigConflict(f"desks {', '.join(desks)} serve {key!r}: give them other services first")
    del document["services"][i]
    return _store(ctx, document, actor=actor, action="service.retire", target=key)


def set_exception(ctx: Context, day: date, exception: Mapping[str, Any] | None, *, service: str | None,
                  actor: str) -> dict[str, Any]:
    """Set (or, with None, remove) a date's exception for one service or, without one, the whole centre."""
    document = _document(ctx)
    owner = document["services"][_index(document["services"], service, "service")] if service else \
        document["centre"]
    exceptions = owner.setdefault("exceptions", {})
    if exception is None:
        if exceptions.pop(day.isoformat(), None) is None:
            raise NotFound(f"no exception on {day.isoformat()}")
        if not exceptions:
            owner.pop("exceptions")
    else:
        exceptions[day.isoformat()] = dict(exception)
    target = f"{service or 'centre'}@{day.isoformat()}"
    return _store(ctx, document, actor=actor, action="exception." + ("remove" if exception is None else "set"),
                  target=target)


def update_desk(ctx: Context, key: str, changes: Mapping[str, Any], *, actor: str) -> dict[str, Any]:
    unknown = sorted(set(changes) - DESK_FIELDS)
    if unknown:
        raise InvalidRequest(f"{', '.join(unknown)}: not a field a desk may change")
    document = _document(ctx)
    i = _index(document["desks"], key, "desk")
    document["desks"][i].update(changes)
    return _store(ctx, document, actor=actor, action="desk.update", target=key)
