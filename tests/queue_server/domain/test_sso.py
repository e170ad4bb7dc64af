"""What Vuoro keeps of a verified ID token: a hashed subject, a name, the highest mapped role, the desks."""

from __future__ import annotations

import pytest

from queue_server.domain.sso import identity_from, mapped_role, subject_of

ROLES = {"vuoro-clerk": "clerk", "vuoro-super": "supervisor", "vuoro-admin": "admin"}
ISSUER = "https://login.example.fi/realms/espoo"


def identity(claims: dict[str, object], desks_claim: str | None = "vuoro_desks"):  # type: ignore[no-untyped-def]
    return identity_from(
        claims, issuer=ISSUER, role_claim="roles", roles=ROLES, desks_claim=desks_claim, name_claim="name"
    )


@pytest.mark.parametrize(
    ("claim", "role"),
    [
        ("vuoro-clerk", "clerk"),
        (["vuoro-clerk", "vuoro-admin", "vuoro-super"], "admin"),
        (["other", "vuoro-super"], "supervisor"),
        (["other"], None),
        (None, None),
        ({"vuoro-admin": True}, None),  # not a string nor a list of them: nothing
        ([1, "vuoro-clerk"], "clerk"),
    ],
)
def test_the_highest_mapped_role_of_the_claim_counts(claim: object, role: str | None) -> None:
    assert mapped_role(claim, ROLES) == role


def test_the_subject_is_hashed_with_the_issuer_and_the_handle_comes_from_it() -> None:
    who = identity({"sub": "8c1f-44", "name": "Aino Virtanen", "roles": ["vuoro-clerk"]})
    assert who.subject == subject_of(ISSUER, "8c1f-44") != subject_of("https://other.example", "8c1f-44")
    assert "8c1f" not in who.subject and len(who.subject) == 64
    assert who.username == "sso-" + who.subject[:12] and who.name == "Aino Virtanen" and who.role == "clerk"


def test_the_name_falls_back_to_preferred_username_then_to_the_handle() -> None:
    assert identity({"sub": "a", "preferred_username": "aino.v"}).name == "aino.v"
    nameless = identity({"sub": "a", "name": ""})
    assert nameless.name == nameless.username
    assert len(identity({"sub": "a", "name": "x" * 500}).name) == 128


def test_desks_come_from_the_claim_only_when_it_is_there() -> None:
    assert identity({"sub": "a", "vuoro_desks": ["d2", "d1", "d2"]}).desks == ("d2", "d1")
    assert identity({"sub": "a", "vuoro_desks": "d1"}).desks == ("d1",)
    assert identity({"sub": "a", "vuoro_desks": []}).desks == (), "an empty list limits to no desk at all"
    assert identity({"sub": "a"}).desks is None, "a missing claim limits nothing"
    assert identity({"sub": "a", "vuoro_desks": ["d1"]}).desks_from_token
    unclaimed = identity({"sub": "a", "vuoro_desks": ["d1"]}, desks_claim=None)
    assert unclaimed.desks is None and not unclaimed.desks_from_token, "then Vuoro's staff page decides"


@pytest.mark.parametrize("claims", [{}, {"sub": ""}, {"sub": 5}])
def test_a_token_without_a_subject_is_refused(claims: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="subject"):
        identity(claims)
