"""Accounts of the city's provider: made at the first sign-in, kept in step later, refused without a role or
when disabled in Vuoro -- audited, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from queue_server.domain.sso import Identity, subject_of
from queue_server.services import audit
from queue_server.services.accounts import authenticate, change_password
from queue_server.services.context import Context
from queue_server.services.sso import AccountDisabled, NoRole, sign_in
from queue_server.services.staff import list_users, reset_password, update_user


@pytest.fixture
def app(any_db_config: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]) -> Flask:
    return make_app(copy.deepcopy(any_db_config))


def who(
    role: str | None = "clerk",
    desks: tuple[str, ...] | None = None,
    name: str = "Aino V",
    desks_from_token: bool = True,
) -> Identity:
    return Identity(
        subject=subject_of("https://idp.example", "aino"),
        name=name,
        role=role,
        desks=desks,
        desks_from_token=desks_from_token,
    )


def test_a_first_sign_in_makes_the_account_with_the_mapped_role(ctx: Context) -> None:
    principal = sign_in(ctx, who(desks=("d1",)))
    assert (principal.role, principal.sso, principal.label, principal.desks) == ("clerk", True, "Aino V", ("d1",))
    [user] = [u for u in list_users(ctx) if u["sso"]]
    assert user["username"] == who().username and user["display_name"] == "Aino V" and user["desks"] == ["d1"]
    [entry] = audit.entries(ctx.db, action="user.create")
    assert entry["actor"] == "oidc" and entry["after"]["role"] == "clerk"


def test_the_next_sign_in_brings_the_provider_s_changes(ctx: Context) -> None:
    first = sign_in(ctx, who())
    again = sign_in(ctx, who(role="supervisor", desks=("d2",), name="Aino Virtanen"))
    assert again.id == first.id and (again.role, again.desks, again.label) == ("supervisor", ("d2",), "Aino Virtanen")
    [entry] = audit.entries(ctx.db, action="user.update")
    assert entry["before"]["role"] == "clerk" and entry["after"]["role"] == "supervisor"
    sign_in(ctx, who(role="supervisor", desks=("d2",), name="Aino Virtanen"))
    assert len(audit.entries(ctx.db, action="user.update")) == 1, "no change, no entry"


def test_a_user_without_a_mapped_role_gets_no_account(ctx: Context) -> None:
    with pytest.raises(NoRole):
        sign_in(ctx, who(role=None))
    assert not [u for u in list_users(ctx) if u["sso"]]
    sign_in(ctx, who())
    with pytest.raises(NoRole):
        sign_in(ctx, who(role=None))  # a role taken away at the provider keeps the user out


def test_disabling_the_account_in_vuoro_wins_over_the_provider(ctx: Context) -> None:
    sign_in(ctx, who(role="admin"))
    update_user(ctx, who().username, actor="user:1", active=False)
    with pytest.raises(AccountDisabled):
        sign_in(ctx, who(role="admin"))


def test_a_provider_s_account_has_no_password(ctx: Context) -> None:
    principal = sign_in(ctx, who())
    assert authenticate(ctx.db, who().username, "!sso") is None
    assert authenticate(ctx.db, who().username, "") is None
    with pytest.raises(Exception, match="cannot change"):
        change_password(ctx.db, principal.id, "!sso", "a-new-password")
    with pytest.raises(Exception, match="no password"):
        reset_password(ctx, who().username, actor="user:1")


def test_without_a_desks_claim_the_desks_set_in_vuoro_stay(ctx: Context) -> None:
    sign_in(ctx, who(desks_from_token=False))
    update_user(ctx, who().username, actor="user:1", desks=["d1"])
    assert sign_in(ctx, who(role="supervisor", desks_from_token=False)).desks == ("d1",)
    assert sign_in(ctx, who(desks=("d2",))).desks == ("d2",), "with a desks claim the provider decides"
