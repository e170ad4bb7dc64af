"""Which services' public figures are shown together, so that no one can watch a sensitive queue.

A small waiting room can tell who just took a mental-health ticket if the kiosk, a board or the API shows
that queue's length moving.  Publicly, a sensitive service's figures therefore appear only merged with the
services that share its prefix (its numbers look alike) and its waiting area (its visitors sit together):
each of them shows the group's total, so a new ticket could be any of theirs.  A sensitive service with no
such partner has no public figures at all.  Staff views keep the per-service figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Coverable:
    key: str
    prefix: str
    location: Mapping[str, str]
    sensitive: bool


def cover_groups(services: Iterable[Coverable]) -> dict[str, tuple[str, ...]]:
    """For every service, the services (itself included, in configuration order) its public figures are
    merged with: those sharing prefix and waiting area with a sensitive one, linked transitively; alone
    otherwise."""
    items = list(services)
    parent = {s.key: s.key for s in items}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for s in items:
        if s.sensitive:
            for other in items:
                if other.prefix == s.prefix and dict(other.location) == dict(s.location):
                    parent[root(other.key)] = root(s.key)
    members: dict[str, list[str]] = {}
    for s in items:
        members.setdefault(root(s.key), []).append(s.key)
    return {s.key: tuple(members[root(s.key)]) for s in items}


def uncovered(services: Iterable[Coverable]) -> list[str]:
    """Sensitive services that have nobody to hide among: they show no public figures."""
    items = list(services)
    groups = cover_groups(items)
    return [s.key for s in items if s.sensitive and len(groups[s.key]) == 1]


def public_labels(services: Iterable[Coverable]) -> dict[str, str]:
    """The name each service's figures go under where they are seen outside the staff views (metrics):
    its own key, or its cover group's keys joined with ``+``; every uncovered sensitive one ``sensitive``."""
    items = list(services)
    groups = cover_groups(items)
    return {s.key: ("sensitive" if s.sensitive and len(groups[s.key]) == 1 else "+".join(groups[s.key]))
            for s in items}
