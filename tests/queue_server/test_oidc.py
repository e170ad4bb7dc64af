"""Staff sign-in with the city's OpenID provider, against a real one (oidc-provider on Node.js, on loopback):
the code flow with PKCE, state and nonce; each bad ID token refused; key rotation followed; the provider away
answered with 503; nothing of the token kept but the subject, the name and the role."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask

from queue_server.services.context import Context
from queue_server.services.login_states import LoginStates
from queue_server.services.staff import list_users, update_user
from tests.oidc_provider import OidcProvider, TamperMode, sign_in
from tests.queue_server.oidc_helpers import callback_path, go_to_provider, me, oidc_section, sign_in_as


def test_a_clerk_signs_in_and_reaches_the_desk(oidc_app: Flask) -> None:
    client = oidc_app.test_client()
    resp = sign_in_as(client, "aino")
    assert resp.status_code == 303 and resp.headers["Location"] == "/desk"
    who = me(client)
    assert who is not None and (who["role"], who["sso"], who["display_name"]) == ("clerk", True, "Aino Clerk")
    desk = client.get("/desk")
    assert desk.status_code == 200 and "Aino Clerk" in desk.get_data(as_text=True)
    assert client.get("/api/desks/d2/waiting").status_code == 403, "the token's desks claim limits the desks"
    assert client.get("/api/desks/d1/waiting").status_code == 200


def test_the_authorization_request_carries_pkce_state_and_nonce(oidc_app: Flask) -> None:
    query = parse_qs(urlsplit(go_to_provider(oidc_app.test_client())).query)
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43 and query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == ["http://vuoro.test/login/oidc/callback"]
    assert set(query["scope"][0].split()) == {"openid", "profile"}


@pytest.mark.parametrize("mode", ["aud", "aud_azp", "exp", "nonce", "iss", "sig", "no_id_token"])
def test_a_bad_id_token_is_refused(oidc_app: Flask, oidc: OidcProvider, mode: TamperMode) -> None:
    """Wrong audience (alone, or naming Vuoro as the authorized party), expired, no nonce, another issuer (each
    correctly signed), a bad signature, none at all."""
    client = oidc_app.test_client()
    oidc.tamper(mode)
    resp = sign_in_as(client, "aino")
    assert resp.status_code == 401, (mode, resp.status_code)
    assert 'id="login-error"' in resp.get_data(as_text=True)
    assert me(client) is None
    assert not [u for u in list_users(oidc_app.extensions["vuoro"]) if u["sso"]], "no account was made"


def test_a_replayed_state_is_refused_even_with_the_old_cookie(oidc_app: Flask) -> None:
    client = oidc_app.test_client()
    back = sign_in(requests.Session(), go_to_provider(client), "aino")
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert client.get(callback_path(back)).status_code == 303
    assert client.get(callback_path(back)).status_code == 401, "the state left the session with its first use"
    replay = oidc_app.test_client()
    replay.set_cookie("session", cookie.value)  # the cookie as it was before the callback
    assert replay.get(callback_path(back)).status_code == 401, "the database took the state once"
    assert me(replay) is None


def test_a_callback_for_another_browser_s_state_is_refused(oidc_app: Flask) -> None:
    victim, attacker = oidc_app.test_client(), oidc_app.test_client()
    back = sign_in(requests.Session(), go_to_provider(attacker), "aino")
    go_to_provider(victim)  # the victim has a sign-in of its own under way
    assert victim.get(callback_path(back)).status_code == 401, "a state is bound to the session that made it"
    assert me(victim) is None


def test_the_provider_s_refusal_and_a_missing_state_are_refused(oidc_app: Flask) -> None:
    client = oidc_app.test_client()
    go_to_provider(client)
    assert client.get("/login/oidc/callback?error=access_denied&state=x").status_code == 401
    assert client.get("/login/oidc/callback?code=abc").status_code == 401
    assert client.get("/login/oidc/callback").status_code == 401


def test_key_rotation_at_the_provider_is_followed(oidc_app: Flask, oidc: OidcProvider) -> None:
    before = oidc.state()["jwks_requests"]  # the provider counts for the whole module
    assert sign_in_as(oidc_app.test_client(), "aino").status_code == 303
    assert sign_in_as(oidc_app.test_client(), "aino").status_code == 303
    assert oidc.state()["jwks_requests"] - before == 1, "the keys are fetched once and kept"
    old = oidc.kid
    oidc.restart(rotate_keys=True)
    assert oidc.kid != old
    assert sign_in_as(oidc_app.test_client(), "aino").status_code == 303, "a token with the new key signs in"
    assert oidc.state()["jwks_requests"] == 1, "the new key set was fetched once, on the unknown key id"  # restarted


def test_a_user_without_a_mapped_role_is_refused_with_a_clear_page(oidc_app: Flask) -> None:
    client = oidc_app.test_client()
    resp = sign_in_as(client, "outsider")
    assert resp.status_code == 403
    assert "ei ole roolia Vuorossa" in resp.get_data(as_text=True)  # the config's language is Finnish
    assert me(client) is None


def test_a_role_change_at_the_provider_applies_at_the_next_sign_in(oidc_app: Flask, oidc: OidcProvider) -> None:
    first = oidc_app.test_client()
    sign_in_as(first, "aino")
    assert me(first)["role"] == "clerk"  # type: ignore[index]
    oidc.accounts["aino"] = {**oidc.accounts["aino"], "vuoro_roles": ["vuoro-admin"], "vuoro_desks": ["d1", "d2"]}
    oidc.restart()
    later = oidc_app.test_client()
    sign_in_as(later, "aino")
    assert me(later)["role"] == "admin"  # type: ignore[index]
    [user] = [u for u in list_users(oidc_app.extensions["vuoro"]) if u["sso"]]
    assert user["desks"] == ["d1", "d2"]
    oidc.accounts["aino"] = {**oidc.accounts["aino"], "vuoro_roles": []}
    oidc.restart()
    assert sign_in_as(oidc_app.test_client(), "aino").status_code == 403, "a role taken away keeps the user out"


def test_disabling_the_user_in_vuoro_still_wins(oidc_app: Flask) -> None:
    ctx: Context = oidc_app.extensions["vuoro"]
    client = oidc_app.test_client()
    sign_in_as(client, "ville")
    [user] = [u for u in list_users(ctx) if u["sso"]]
    update_user(ctx, user["username"], actor="user:1", active=False)
    assert me(client) is None, "the open session ends at once"
    again = oidc_app.test_client()
    resp = sign_in_as(again, "ville")
    assert resp.status_code == 403 and "poistettu käytöstä" in resp.get_data(as_text=True)
    assert me(again) is None


def test_nothing_of_the_token_is_kept_but_subject_name_and_role(
    oidc_app: Flask, oidc: OidcProvider, caplog: pytest.LogCaptureFixture
) -> None:
    ctx: Context = oidc_app.extensions["vuoro"]
    oidc.accounts["aino"] = {**oidc.accounts["aino"], "email": "aino.clerk@espoo.example"}
    oidc.restart()
    caplog.set_level(logging.DEBUG)
    http = requests.Session()
    client = oidc_app.test_client()
    back = sign_in(http, go_to_provider(client), "aino")
    code = parse_qs(urlsplit(back).query)["code"][0]
    assert client.get(callback_path(back)).status_code == 303
    with ctx.db.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT * FROM users WHERE subject IS NOT NULL").mappings().one()
    text = " ".join(str(v) for v in row.values())
    assert "aino.clerk@espoo.example" not in text and "aino " not in text.lower().replace("aino clerk", "")
    assert row["display_name"] == "Aino Clerk" and row["role"] == "clerk" and len(row["subject"]) == 64
    assert LoginStates(ctx.db, ctx.now).count() == 0, "the sign-in's state is gone with its callback"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert code not in logged and "eyJ" not in logged, "no code and no token in the log"
    assert "signed in with the provider as clerk" in logged


def test_the_provider_away_is_a_503_with_retry_after(
    oidc: OidcProvider, config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]
) -> None:
    app = make_app({**copy.deepcopy(config_data), "auth": oidc_section(oidc)})
    client = app.test_client()
    back = sign_in(requests.Session(), go_to_provider(client), "aino")  # discovery done, the trip under way
    oidc.stop()
    resp = client.get(callback_path(back))
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "30"
    fresh = make_app({**copy.deepcopy(config_data), "auth": oidc_section(oidc)}).test_client()
    resp = fresh.get("/login/oidc")
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "30"
    assert "Kirjautumispalvelu ei vastaa" in resp.get_data(as_text=True)
    oidc.start()
    assert sign_in_as(fresh, "aino").status_code == 303, "back as soon as the provider is"
