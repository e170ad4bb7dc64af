"""The pure privacy checks of a sensitive service's public face (queue_server.domain.cover.privacy_problems)."""

from __future__ import annotations

from dataclasses import replace

from queue_server.domain.cover import BoardCall, PublicFace
from queue_server.domain.cover import privacy_problems as problems

HEALTH = PublicFace("health", "H", False, ("Terveyspalvelut", "Hälsotjänster"), ("3. kerros", "3 våningen"))
MENTAL = PublicFace("mental", "H", True, ("Terveyspalvelut", "Hälsotjänster"), ("3. kerros", "3 våningen"))
KELA = PublicFace("kela", "K", False, ("Kela", "FPA"), ("2. kerros", "2 våningen"))
ROOM_301 = BoardCall("r301", "z3", ("Huone 301", "Rum 301"), ("3. kerros", "3 våningen"), ("health",))
ROOM_320 = BoardCall("r320", "z3", ("Huone 320", "Rum 320"), ("3. kerros", "3 våningen"), ("mental",))


def test_a_sensitive_service_that_looks_like_a_non_sensitive_one_is_private() -> None:
    shared_room = replace(ROOM_320, key="r320-mornings", services=("health",))
    assert problems([KELA, HEALTH, MENTAL], [ROOM_301, ROOM_320, shared_room]) == []
    assert problems([KELA, HEALTH, MENTAL], [replace(ROOM_320, services=("mental", "health"))]) == []


def test_nothing_is_asked_of_services_that_are_not_sensitive() -> None:
    alone = PublicFace("youth", "N", False, ("Nuoriso",), ("Katutaso",))
    assert problems([alone, KELA], [replace(ROOM_301, services=("youth",))]) == []


def test_a_prefix_shared_only_with_sensitive_services_is_its_own() -> None:
    other = replace(MENTAL, key="addiction")
    found = problems([KELA, replace(MENTAL, prefix="M"), replace(other, prefix="M")], [])
    assert [p.split(":")[0] for p in found] == ["services.1.prefix", "services.2.prefix"]
    assert "'M' is its own" in found[0]


def test_a_public_name_must_be_one_a_non_sensitive_service_of_its_prefix_goes_by() -> None:
    own = replace(MENTAL, name=("Mielenterveyspalvelut", "Mentalvård"))
    assert problems([HEALTH, own], [])[0].startswith("services.1.public_name: ")
    like_kela = replace(MENTAL, name=KELA.name)  # another prefix's name: "H... Kela" is still its own
    assert problems([KELA, HEALTH, like_kela], [])[0].startswith("services.2.public_name: ")
    half = replace(MENTAL, name=("Terveyspalvelut", "Mentalvård"))  # one language is enough to tell
    assert problems([HEALTH, half], [])[0].startswith("services.1.public_name: ")


def test_a_public_location_must_be_that_of_a_partner_with_the_same_name() -> None:
    found = problems([HEALTH, replace(MENTAL, location=("Odotustila C", "Väntrum C"))], [])
    assert len(found) == 1 and found[0].startswith("services.1.public_location: ")
    assert "'Odotustila C' is its own" in found[0] and "'health'" in found[0]


def test_a_desk_of_its_own_is_refused_and_named() -> None:
    found = problems([HEALTH, MENTAL], [ROOM_301, ROOM_320])
    assert len(found) == 1 and found[0].startswith("desks.1.label: desk 'r320' serves the sensitive service 'mental'")
    assert "'Huone 320, 3. kerros'" in found[0]


def test_a_shared_label_counts_only_in_the_same_zone_with_the_same_location_and_prefix() -> None:
    for partner in (
        replace(ROOM_320, key="x", services=("health",), zone="z1"),
        replace(ROOM_320, key="x", services=("health",), location=("4. kerros", "4 våningen")),
        replace(ROOM_320, key="x", services=("kela",)),
        replace(ROOM_320, key="x", services=("mental",)),
    ):
        assert len(problems([KELA, HEALTH, MENTAL], [ROOM_320, partner])) >= 1, partner
