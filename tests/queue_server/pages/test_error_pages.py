"""The 403, 404 and 500 pages of page requests, in the reader's language; the API keeps its JSON errors."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient

from queue_server.pages import views
from queue_server.services.context import Context

SECRET = "secret-detail-of-the-failure"


def _boom() -> str:
    raise RuntimeError(SECRET)


def _forbidden() -> str:
    abort(403)


@pytest.fixture
def app_with_failures(app: Flask) -> Flask:
    """The test's own app with routes that fail, added before its first request."""
    app.add_url_rule("/test-boom", "test_boom", _boom)
    app.add_url_rule("/test-forbidden", "test_forbidden", _forbidden)
    app.add_url_rule("/api/test-boom", "test_api_boom", _boom)
    app.add_url_rule("/api/test-forbidden", "test_api_forbidden", _forbidden)
    return app


def page(resp: Any) -> str:
    assert resp.mimetype == "text/html"
    return resp.get_data(as_text=True)


@pytest.mark.parametrize(("lang", "title"), [("fi", "Ei käyttöoikeutta"), ("sv", "Ingen behörighet")])
def test_a_clerk_opening_the_admin_pages_gets_the_forbidden_page_in_their_language(
    clerk_client: FlaskClient, lang: str, title: str
) -> None:
    resp = clerk_client.get(f"/admin?lang={lang}")
    assert resp.status_code == 403
    text = page(resp)
    assert f'<html lang="{lang}">' in text and f"<h1>{title}</h1>" in text
    assert 'href="/login?next=/admin"' in text


def test_the_forbidden_page_follows_the_remembered_language(clerk_client: FlaskClient) -> None:
    clerk_client.get("/?lang=sv")
    assert "Ingen behörighet" in page(clerk_client.get("/admin"))


def test_a_page_that_raises_gets_the_error_page_and_nothing_of_the_error(app_with_failures: Flask) -> None:
    client = app_with_failures.test_client()
    for lang, title in (("fi", "Jokin meni vikaan"), ("sv", "Något gick fel"), ("en", "Something went wrong")):
        resp = client.get(f"/test-boom?lang={lang}")
        assert resp.status_code == 500
        text = page(resp)
        assert f'<html lang="{lang}">' in text and f"<h1>{title}</h1>" in text
        assert SECRET not in text and "Traceback" not in text and "RuntimeError" not in text


def test_the_error_page_needs_no_database(
    app_with_failures: Flask, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    class NoDatabase:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"the error page touched the database ({name})")

    client = app_with_failures.test_client()
    monkeypatch.setattr(ctx, "db", NoDatabase())
    resp = client.get("/test-boom?lang=sv")
    assert resp.status_code == 500 and "Något gick fel" in page(resp)


def test_an_error_page_that_cannot_be_written_still_answers(
    app_with_failures: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("no templates today")

    monkeypatch.setattr(views, "render_page", broken)
    resp = app_with_failures.test_client().get("/test-boom")
    assert resp.status_code == 500
    text = page(resp)
    assert "Jokin meni vikaan" in text and "Something went wrong" in text and SECRET not in text


def test_an_unknown_page_gets_the_not_found_page_in_the_readers_language(client: FlaskClient) -> None:
    resp = client.get("/no-such-page?lang=sv")
    assert resp.status_code == 404
    assert '<html lang="sv">' in page(resp) and "Sidan hittades inte" in page(resp)


def test_a_forbidden_page_route_gets_the_page(app_with_failures: Flask) -> None:
    resp = app_with_failures.test_client().get("/test-forbidden?lang=en")
    assert resp.status_code == 403 and "<h1>No access</h1>" in page(resp)


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/test-boom", 500, "internal_error"),
        ("/api/test-forbidden", 403, "forbidden"),
        ("/api/no-such-thing", 404, "not_found"),
    ],
)
def test_api_paths_keep_their_json_errors(app_with_failures: Flask, path: str, status: int, code: str) -> None:
    resp = app_with_failures.test_client().get(path)
    assert resp.status_code == status and resp.mimetype == "application/json"
    assert resp.json is not None and resp.json["error"]["code"] == code


def test_a_client_asking_for_json_gets_json_on_a_page_path(app_with_failures: Flask) -> None:
    resp = app_with_failures.test_client().get("/test-boom", headers={"Accept": "application/json"})
    assert resp.status_code == 500 and resp.json is not None and resp.json["error"]["code"] == "internal_error"


def test_the_api_refuses_a_clerk_with_json(clerk_client: FlaskClient) -> None:
    resp = clerk_client.get("/api/stats")
    assert resp.status_code == 403 and resp.mimetype == "application/json"
    assert resp.json is not None and resp.json["error"]["code"] == "forbidden"
