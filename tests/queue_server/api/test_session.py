"""POST/GET/DELETE /api/session: clerk and admin log-in through the JSON API."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from queue_server.models import ApiToken, User
from queue_server.services.accounts import add_user, create_token
from queue_server.services.context import Context
from tests.conftest import FakeClock
from tests.queue_server.helpers import Api, OpenApi, assert_error


@pytest.fixture
def accounts(ctx: Context) -> None:
    add_user(ctx.db, "clerk7", "clerk-password-7", "clerk")
    add_user(ctx.db, "boss", "admin-password-1", "admin")


CLERK7 = {"username": "clerk7", "role": "clerk", "must_change_password": False, "sso": False, "display_name": None}


def login(api: Api, username: str, password: str, expect: int) -> Any:
    return api.post("/api/session", json={"username": username, "password": password}, expect=expect)


@pytest.mark.usefixtures("accounts")
def test_a_clerk_logs_in_and_is_known_until_logging_out(api: Api) -> None:
    assert login(api, "clerk7", "clerk-password-7", 200).get_json() == CLERK7
    assert api.get("/api/session", expect=200).get_json() == CLERK7
    assert api.delete("/api/session", expect=204).get_data() == b""
    assert_error(api.get("/api/session"), 401, "unauthorized")


@pytest.mark.usefixtures("accounts")
def test_an_admin_logs_in_with_the_admin_role(api: Api) -> None:
    assert login(api, "boss", "admin-password-1", 200).get_json() == {
        "username": "boss",
        "role": "admin",
        "must_change_password": False,
        "sso": False,
        "display_name": None,
    }


@pytest.mark.usefixtures("accounts")
def test_the_session_cookie_is_http_only(api: Api) -> None:
    resp = login(api, "clerk7", "clerk-password-7", 200)
    cookies = resp.headers.getlist("Set-Cookie")
    assert cookies and all("HttpOnly" in c for c in cookies)


@pytest.mark.usefixtures("accounts")
def test_a_wrong_password_and_an_unknown_user_get_the_same_401(api: Api) -> None:
    wrong = assert_error(login(api, "clerk7", "not-the-password", 401), 401, "bad_credentials")
    unknown = assert_error(login(api, "nobody", "clerk-password-7", 401), 401, "bad_credentials")
    assert wrong == unknown
    assert_error(api.get("/api/session"), 401)


def test_a_deactivated_account_cannot_log_in(api: Api, ctx: Context) -> None:
    add_user(ctx.db, "gone", "gone-password-1", "clerk")
    with ctx.db.writer() as session:
        session.execute(sa.update(User).where(User.username == "gone").values(active=False))
    assert_error(login(api, "gone", "gone-password-1", 401), 401, "bad_credentials")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "clerk7"},
        {"password": "x"},
        {"username": "", "password": "x"},
        {"username": "clerk7", "password": 12345678},
        {"username": ["clerk7"], "password": "x"},
        {"username": "clerk7", "password": "clerk-password-7", "remember": True},
        {"username": "u" * 65, "password": "x"},
    ],
)
def test_a_malformed_login_is_400(api: Api, body: dict[str, Any]) -> None:
    assert_error(api.post("/api/session", json=body), 400, "invalid_request")


def test_a_login_that_is_not_json_is_400(client: FlaskClient) -> None:
    resp = client.post("/api/session", data={"username": "clerk7", "password": "clerk-password-7"})
    assert_error(resp, 400, "invalid_json")


def test_a_desk_token_is_who_is_calling(api: Api, desk_auth: dict[str, str]) -> None:
    assert api.get("/api/session", headers=desk_auth, expect=200).get_json() == {
        "username": "desk-device",
        "role": "desk",
        "must_change_password": False,
        "sso": False,
        "display_name": None,
    }


def test_a_kiosk_token_is_not_a_desk(api: Api, kiosk_auth: dict[str, str]) -> None:
    assert_error(api.get("/api/session", headers=kiosk_auth), 403, "forbidden")


def test_a_bad_token_is_401_even_with_a_session(clerk_client: FlaskClient, openapi: OpenApi) -> None:
    api = Api(clerk_client, openapi)
    api.get("/api/session", expect=200)
    assert_error(api.get("/api/session", headers={"Authorization": "Bearer wrong"}), 401, "unauthorized")


def test_logging_out_without_a_session_is_harmless(api: Api) -> None:
    api.delete("/api/session", expect=204)


def test_a_logged_out_clerk_cannot_call(clerk_client: FlaskClient, openapi: OpenApi) -> None:
    api = Api(clerk_client, openapi)
    api.post("/api/desks/d1/status", json={"status": "open"}, expect=200)
    api.delete("/api/session", expect=204)
    assert_error(api.post("/api/desks/d1/status", json={"status": "open"}), 401, "unauthorized")


def test_a_revoked_token_is_401(api: Api, ctx: Context, clock: FakeClock) -> None:
    token = create_token(ctx.db, "desk", "stolen-tablet")
    headers = {"Authorization": f"Bearer {token}"}
    api.get("/api/session", headers=headers, expect=200)
    with ctx.db.writer() as session:
        session.execute(sa.update(ApiToken).where(ApiToken.name == "stolen-tablet").values(revoked_at=clock.now))
    error = assert_error(api.get("/api/session", headers=headers), 401, "unauthorized")
    assert "revoked" in error["message"]
    assert_error(api.post("/api/desks/d1/next", headers=headers), 401, "unauthorized")


def test_the_bearer_scheme_is_case_insensitive(api: Api, desk_auth: dict[str, str]) -> None:
    token = desk_auth["Authorization"].split(" ", 1)[1]
    api.get("/api/session", headers={"Authorization": f"bearer {token}"}, expect=200)
