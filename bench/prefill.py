"""Filling a day's queues with thousands of waiting tickets quickly, without going around the server's picture.

Issuing 5,000 tickets through the API takes as long as the server needs (minutes, when each issue re-reads the
queues), so the bench fills the database directly -- but only while every server is stopped, and starts them
again afterwards: a server must build its picture of the day from the database at start, so whatever it keeps
in memory is then built from these rows as it would be after a restart in the middle of a busy day.

The rows are not invented: one ticket per service is issued through the API first, and the others are copies
of it (every column as the server wrote it, whatever the schema holds) with their own sequence number, number
and token, and a copy of its event rows; the numbering counters are moved past the copies, so that the next
ticket issued gets the next number.  The tokens are made here, so phones can follow the copied tickets.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sqlalchemy as sa

from bench.servers import Setup
from queue_server.domain.numbering import format_number
from queue_server.services.tokens import new_token, token_hash
from vuoro_tools.simulate.http import HttpClient

BATCH = 500


@dataclass(frozen=True)
class Waiting:
    """A waiting ticket the bench knows the token of (a phone can follow it)."""

    number: str
    token: str
    service: str


def issue(setup: Setup, service: str, server: int = 0) -> Waiting:
    """One ticket through the API (``POST /api/tickets``, the kiosk token)."""
    with HttpClient(setup.servers[server].url, timeout=60) as http:
        reply = http.post("/api/tickets", {"services": [service]}, token=setup.tokens["kiosk"])
    if reply.status != 201:
        raise RuntimeError(f"issue {service}: {reply.status} {reply.body}")
    ticket = reply.body["ticket"]
    return Waiting(ticket["number"], ticket["token"], service)


def fill(setup: Setup, count: int, services: list[str]) -> list[Waiting]:
    """Add ``count`` waiting tickets, round robin over ``services``; the servers are stopped and started again.

    The first ticket of each service is issued through the API (while the servers run); the rest are copies
    written while they are stopped.  Returns every added ticket, in queue order within each service.
    """
    if count <= 0:
        return []
    templates = [issue(setup, s) for s in services[:count]]
    if count <= len(templates):
        return templates
    setup.stop()
    try:
        copies = _copy(setup.engine, templates, count - len(templates))
    finally:
        setup.start()
    return templates + copies


def _copy(engine: sa.Engine, templates: list[Waiting], count: int) -> list[Waiting]:
    meta = sa.MetaData()
    tickets = sa.Table("tickets", meta, autoload_with=engine)
    events = sa.Table("ticket_events", meta, autoload_with=engine)
    counters = sa.Table("counters", meta, autoload_with=engine)
    with engine.begin() as conn:
        rows = {
            t.service: dict(
                conn.execute(sa.select(tickets).where(tickets.c.token_hash == token_hash(t.token))).mappings().one()
            )
            for t in templates
        }
        template_events = {
            service: [
                dict(e)
                for e in conn.execute(
                    sa.select(events).where(events.c.ticket_id == row["id"]).order_by(events.c.id)
                ).mappings()
            ]
            for service, row in rows.items()
        }
        next_seq: dict[str, int] = {}
        for row in rows.values():
            scope = f"prefix:{row['prefix']}"
            value = conn.execute(
                sa.select(counters.c.value).where(counters.c.scope == scope, counters.c.day == row["business_day"])
            ).scalar()
            next_seq[row["prefix"]] = max(int(value or 0), next_seq.get(row["prefix"], 0))
        made: list[Waiting] = []
        added: dict[str, int] = {}
        order = itertools.cycle(t.service for t in templates)
        for start in range(0, count, BATCH):
            batch = []
            for service in itertools.islice(order, min(BATCH, count - start)):
                row = dict(rows[service])
                row.pop("id")
                prefix = row["prefix"]
                next_seq[prefix] += 1
                token = new_token()
                row.update(
                    seq=next_seq[prefix], number=format_number(prefix, next_seq[prefix]), token_hash=token_hash(token)
                )
                batch.append(row)
                made.append(Waiting(row["number"], token, service))
                added[service] = added.get(service, 0) + 1
            conn.execute(tickets.insert(), batch)
            ids = dict(
                conn.execute(
                    sa.select(tickets.c.token_hash, tickets.c.id).where(
                        tickets.c.token_hash.in_([r["token_hash"] for r in batch])
                    )
                ).all()
            )
            copied = []
            for row in batch:
                service = row["service_key"]
                for event in template_events.get(service, []):
                    copy = dict(event)
                    copy.pop("id")
                    copy["ticket_id"] = ids[row["token_hash"]]
                    copied.append(copy)
            if copied:
                conn.execute(events.insert(), copied)
        day = next(iter(rows.values()))["business_day"]
        for prefix, seq in next_seq.items():
            conn.execute(
                counters.update().where(counters.c.scope == f"prefix:{prefix}", counters.c.day == day).values(value=seq)
            )
        for service, n in added.items():  # the per-service counter (daily limits), where the server keeps one
            conn.execute(
                counters.update()
                .where(counters.c.scope == f"service:{service}", counters.c.day == day)
                .values(value=counters.c.value + n)
            )
    return made


def waiting(setup: Setup, server: int = 0) -> dict[str, int]:
    """Waiting tickets per service, as the server says (``GET /api/services``)."""
    with HttpClient(setup.servers[server].url, timeout=120) as http:
        reply = http.get("/api/services")
    if reply.status != 200:
        raise RuntimeError(f"/api/services: {reply.status}")
    return {s["key"]: int(s.get("waiting") or 0) for s in reply.body["services"]}


def waiting_total(setup: Setup, server: int = 0) -> int:
    return sum(waiting(setup, server).values())


def waiting_in(setup: Setup, service: str, server: int = 0) -> int:
    return waiting(setup, server).get(service, 0)
