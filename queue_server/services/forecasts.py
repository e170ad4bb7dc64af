"""The live model's forecasts, cached per group of services and recomputed once per change that can move them.

A change marks the groups it touched; the next read of a service in a marked group runs one bounded replay for
that group (domain/forecast.py) and caches the result until the next change marks it again.  Reads between
changes never replay: they take the cached forecast and age it by the time since.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..domain.forecast import HORIZON, Priors, ServiceForecast, forecast_group, groups
from ..domain.queue_model import QueueModel, Topology


class Forecasts:
    """Not thread-safe on its own: the live model calls it under its lock."""

    def __init__(self, topology: Topology, priors: Priors) -> None:
        self.priors = priors
        self.groups = groups(topology)
        self.group_of = {s: g for g in self.groups for s in g}
        self.desk_services = {d.key: d.services for d in topology.desks}
        self._cache: dict[str, ServiceForecast] = {}
        self._dirty: set[frozenset[str]] = set(self.groups)

    def clear(self) -> None:
        """Everything is stale (the model was rebuilt)."""
        self._cache.clear()
        self._dirty = set(self.groups)

    def invalidate(self, model: QueueModel, record: Mapping[str, Any]) -> None:
        """Mark the groups ``record`` can move, before it is applied to ``model``.

        A normal ticket joining a queue already longer than the forecast's horizon moves nobody's forecast: the
        kiosks' busiest case costs no replay at all.
        """
        beyond = set()
        for event in record.get("events", ()):
            service = event["service"]
            if event["type"] == "issued" and not event.get("priority") and model.waiting_count(service) >= HORIZON:
                beyond.add(int(event["ticket"]))
            else:
                self._dirty.add(self.group_of.get(service, frozenset({service})))
        for ticket in record.get("tickets", ()):  # a next errand or a transfer: the queue it moved to, too
            if ticket["service"] in self.group_of and int(ticket["id"]) not in beyond:
                self._dirty.add(self.group_of[ticket["service"]])
        for booking in record.get("appointments", ()):  # an appointment booked, checked in or missed
            if booking["service"] in self.group_of:
                self._dirty.add(self.group_of[booking["service"]])
        for desk in record.get("desks", ()):
            for service in self.desk_services.get(desk["key"], ()):
                self._dirty.add(self.group_of[service])

    def get(self, model: QueueModel, service: str, now_us: int) -> ServiceForecast:
        """``service``'s forecast: the cached one, or -- once a change marked its group -- one bounded
        replay of the whole group (domain/forecast.py), cached for the group's other services too."""
        group = self.group_of[service]
        if group in self._dirty or service not in self._cache:
            self._cache.update(forecast_group(model, self.priors, group, now_us))
            self._dirty.discard(group)
        return self._cache[service]
