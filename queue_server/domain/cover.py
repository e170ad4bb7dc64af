"""Which services' public figures are shown together, so that no one can watch a sensitive queue.

A small waiting room can tell who just took a mental-health ticket if the kiosk, a board or the API shows
that queue's length moving.  Publicly, a sensitive service's figures therefore appear only merged with the
services that share its prefix (its numbers look alike) and its waiting area (its visitors sit together):
each of them shows the group's total, so a new ticket could be any of theirs.  A sensitive service with no
such partner has no public figures at all.  Staff views keep the per-service figures.

The same holds for what one ticket shows (:func:`privacy_problems`): a sensitive service's prefix, the name and
place on its ticket and phone page, and the desks a board calls its numbers to must each be shared with a
service that is not sensitive, so that the ticket or the call could be that service's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Coverable:
    """What cover needs to know of a service (config.py builds one per service): its prefix and waiting
    area, the two things a sensitive service must share to hide among others."""

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
    return {s.key: ("sensitive" if s.sensitive and len(groups[s.key]) == 1 else "+".join(groups[s.key])) for s in items}


# -- what a sensitive service shows in public must not be its own ---------------------------------------------
#
# A ticket, a phone and a board call show a prefix, a name, a place to wait and a desk.  For a sensitive service
# each of these must also be what some service that is *not* sensitive shows, or that one detail alone tells a
# shoulder, a lock screen or the waiting room what the visit is about.  The partner must share the prefix too:
# "H + Terveyspalvelut" is private only while non-sensitive H tickets also say "Terveyspalvelut".


@dataclass(frozen=True)
class PublicFace:
    """What a ticket shows of a service: its prefix, and its public name and location, one text per language."""

    key: str
    prefix: str
    sensitive: bool
    name: tuple[str, ...]
    location: tuple[str, ...]


@dataclass(frozen=True)
class BoardCall:
    """How a board calls to a desk: its zone, its label and location (one text per language), what it serves."""

    key: str
    zone: str
    label: tuple[str, ...]
    location: tuple[str, ...]
    services: tuple[str, ...]


def privacy_problems(faces: Sequence[PublicFace], desks: Sequence[BoardCall]) -> list[str]:
    """What makes a sensitive service recognisable in public, as ``path: why`` (paths index the config lists):
    a prefix, public name or public location no non-sensitive service of its prefix shares, or a desk serving it
    that its zone's board calls by a label and location no non-sensitive service of that prefix is called to."""
    by_key = {f.key: f for f in faces}
    problems = []
    for i, face in enumerate(faces):
        problem = _face_problem(face, faces) if face.sensitive else None
        if problem:
            problems.append(f"services.{i}.{problem}")
    for j, desk in enumerate(desks):
        problem = _desk_problem(desk, desks, by_key)
        if problem:
            problems.append(f"desks.{j}.label: {problem}")
    return problems


def _face_problem(face: PublicFace, faces: Sequence[PublicFace]) -> str | None:
    partners = [f for f in faces if f.prefix == face.prefix and not f.sensitive]
    if not partners:
        return (
            f"prefix: a sensitive service needs a prefix it shares with a service that is not sensitive, or its "
            f"numbers alone reveal it: {face.prefix!r} is its own"
        )
    named = [p for p in partners if p.name == face.name]
    if not named:
        return _unshared_name(face, partners)
    if not any(p.location == face.location for p in named):
        return (
            f"public_location: a sensitive service needs a public location it shares with a service that is "
            f"not sensitive and goes by its prefix {face.prefix!r} and public name {_first(face.name)!r} "
            f"({_keys(named)}), or its tickets reveal it: {_first(face.location)!r} is its own"
        )
    return None


def _unshared_name(face: PublicFace, partners: list[PublicFace]) -> str:
    hint = next((p for p in partners if p.location == face.location), partners[0])  # one waiting beside it
    return (
        f"public_name: a sensitive service needs a public name it shares with a service that is not "
        f"sensitive and has its prefix {face.prefix!r}, or its tickets and phone page reveal it: "
        f"{_first(face.name)!r} is its own (give it and, e.g., {hint.key!r} the same public_name)"
    )


def _desk_problem(desk: BoardCall, desks: Sequence[BoardCall], faces: Mapping[str, PublicFace]) -> str | None:
    for key in desk.services:
        served = faces.get(key)
        if served is not None and served.sensitive and not _called_alike(desk, served.prefix, desks, faces):
            return (
                f"desk {desk.key!r} serves the sensitive service {key!r}, but its board calls no number of a "
                f"service that is not sensitive with the prefix {served.prefix!r} to {_place(desk)!r}: a call "
                f"there reveals the errand (let this desk serve such a service too, or give it the label and "
                f"location of a desk in zone {desk.zone!r} that does)"
            )
    return None


def _called_alike(desk: BoardCall, prefix: str, desks: Sequence[BoardCall], faces: Mapping[str, PublicFace]) -> bool:
    """Whether the zone's board also calls non-sensitive numbers of ``prefix`` by ``desk``'s label and location."""
    return any(
        other.zone == desk.zone
        and other.label == desk.label
        and other.location == desk.location
        and any(k in faces and faces[k].prefix == prefix and not faces[k].sensitive for k in other.services)
        for other in desks
    )


def _place(desk: BoardCall) -> str:
    return ", ".join(t for t in (_first(desk.label), _first(desk.location)) if t)


def _keys(faces: list[PublicFace]) -> str:
    return ", ".join(repr(f.key) for f in faces)


def _first(texts: tuple[str, ...]) -> str:
    return texts[0] if texts else ""
