"""The log-in page with the city's provider (its button beside or instead of the password form), and log-out that
ends the provider's session too -- against the real test provider."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from flask import Flask

from queue_server.services.accounts import add_user
from tests.oidc_provider import OidcProvider, sign_in, sign_out
from tests.queue_server.oidc_helpers import callback_path, go_to_provider, me, oidc_section


def test_the_log_in_page_offers_the_provider_beside_the_password_form(oidc_app: Flask) -> None:
    html = oidc_app.test_client().get("/login?next=/admin").get_data(as_text=True)
    assert 'id="oidc-login"' in html and "Kirjaudu: Espoo-tunnus" in html
    assert 'href="/login/oidc?next=/admin"' in html
    assert 'name="password"' in html and "Vuoro-tunnuksella" in html


def test_without_a_provider_there_is_no_button_and_no_oidc_pages(client: Any) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert 'id="oidc-login"' not in html and 'name="password"' in html
    for path in ("/login/oidc", "/login/oidc/callback?code=x&state=y", "/login/oidc/logged-out"):
        assert client.get(path).status_code == 404, path


def test_local_login_off_leaves_only_the_provider(
    oidc: OidcProvider, config_data: dict[str, Any], make_app: Callable[[dict[str, Any]], Flask]
) -> None:
    app = make_app({**copy.deepcopy(config_data), "auth": oidc_section(oidc, local_login=False)})
    add_user(app.extensions["vuoro"].db, "local1", "local-password-1", "admin")
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    assert 'id="oidc-login"' in html and 'name="password"' not in html
    resp = client.post("/login", data={"username": "local1", "password": "local-password-1"})
    assert resp.status_code == 403 and me(client) is None
    resp = client.post("/api/session", json={"username": "local1", "password": "local-password-1"})
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "local_login_disabled"


def test_log_out_ends_the_vuoro_session_and_the_provider_s(oidc_app: Flask, oidc: OidcProvider) -> None:
    client, http = oidc_app.test_client(), requests.Session()
    assert client.get(callback_path(sign_in(http, go_to_provider(client), "aino"))).status_code == 303
    assert oidc.has_session(http) and me(client) is not None
    assert client.post("/api/desks/d1/status", json={"status": "open"}).status_code == 200
    resp = client.post("/logout")
    assert resp.status_code == 303
    end = urlsplit(resp.headers["Location"])
    assert f"{end.scheme}://{end.netloc}{end.path}" == f"{oidc.issuer}/session/end"
    query = parse_qs(end.query)
    assert query["client_id"] == [oidc.client_id]
    assert query["post_logout_redirect_uri"] == ["http://vuoro.test/login/oidc/logged-out"]
    assert "id_token_hint" not in query, "no ID token is kept to hint with"
    assert me(client) is None, "the Vuoro session ended first"
    back = urlsplit(sign_out(http, resp.headers["Location"]))
    assert back.path == "/login/oidc/logged-out"
    assert not oidc.has_session(http), "the provider's session ended too"
    page = client.get(f"{back.path}?{back.query}")
    assert page.status_code == 303 and page.headers["Location"] == "/login?bye=1"
    assert oidc_app.extensions["vuoro"].live.desk_status("d1") == "closed", "the desk closed with the session"


def test_a_local_account_s_log_out_stays_at_vuoro(oidc_app: Flask) -> None:
    add_user(oidc_app.extensions["vuoro"].db, "local1", "local-password-1", "clerk")
    client = oidc_app.test_client()
    assert client.post("/login", data={"username": "local1", "password": "local-password-1"}).status_code == 303
    resp = client.post("/logout")
    assert resp.status_code == 303 and resp.headers["Location"] == "/login?bye=1"


def test_the_log_out_form_may_lead_to_the_provider_and_nowhere_else(
    oidc_app: Flask, oidc: OidcProvider, client: Any
) -> None:
    csp = oidc_app.test_client().get("/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {oidc.issuer};" in csp
    assert "form-action 'self';" in client.get("/login").headers["Content-Security-Policy"], "no provider, no more"
