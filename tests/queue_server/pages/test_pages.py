"""The start, log-in, desk and phone pages and the ticket QR code, through Flask's test client."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from queue_server.domain.text import bad_text
from queue_server.services.accounts import add_user
from queue_server.services.context import Context
from queue_server.web.rendering import safe_next

from .helpers import decode_svg_qr, inline_code, script_sources

PASSWORD = "clerk-password-1"


@pytest.fixture
def clerk(ctx: Context) -> tuple[str, str]:
    add_user(ctx.db, "clerk9", PASSWORD, "clerk")
    return "clerk9", PASSWORD


@pytest.fixture
def ticket(client: FlaskClient, kiosk_auth: dict[str, str]) -> dict[str, Any]:
    resp = client.post("/api/tickets", json={"services": ["kela"], "language": "sv", "kiosk": "k1"}, headers=kiosk_auth)
    assert resp.status_code == 201, resp.json
    return resp.json["ticket"]  # type: ignore[index,no-any-return]


def html(resp: Any) -> str:
    return resp.get_data(as_text=True)


# -- the start page --------------------------------------------------------------------------------------------


def test_index_links_to_every_kiosk_board_and_the_desk(client: FlaskClient) -> None:
    resp = client.get("/")
    assert resp.status_code == 200
    page = html(resp)
    for href in ("/kiosk/k1", "/kiosk/k2", "/board/z1", "/board/z2", "/desk", "/login"):
        assert f'href="{href}"' in page
    assert "Testikeskus" in page and '<html lang="fi">' in page


def test_language_choice_is_remembered(client: FlaskClient) -> None:
    resp = client.get("/?lang=sv")
    assert '<html lang="sv">' in html(resp) and "Köautomater" in html(resp)
    assert "vuoro_lang=sv" in resp.headers["Set-Cookie"]
    assert '<html lang="sv">' in html(client.get("/login"))
    assert '<html lang="sv">' in html(client.get("/login?lang=de"))  # not a centre language: ignored
    assert '<html lang="en">' in html(client.get("/login?lang=en"))


# -- log-in and log-out -----------------------------------------------------------------------------------------


def test_login_form(client: FlaskClient) -> None:
    resp = client.get("/login?next=/board/z1")
    assert resp.status_code == 200
    page = html(resp)
    assert 'name="username"' in page and 'type="password"' in page
    assert 'name="next" value="/board/z1"' in page
    assert '<meta name="csrf-token"' in page


def test_login_with_good_credentials_goes_to_the_desk(client: FlaskClient, clerk: tuple[str, str]) -> None:
    assert client.get("/desk").status_code == 302
    resp = client.post("/login", data={"username": clerk[0], "password": clerk[1]})
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/desk"
    assert client.get("/desk").status_code == 200
    assert client.get("/api/session").json == {
        "username": "clerk9",
        "role": "clerk",
        "must_change_password": False,
        "sso": False,
        "display_name": None,
    }


def test_login_goes_back_to_a_local_next(client: FlaskClient, clerk: tuple[str, str]) -> None:
    resp = client.post("/login", data={"username": clerk[0], "password": clerk[1], "next": "/desk?desk=d2"})
    assert resp.headers["Location"] == "/desk?desk=d2"


def test_login_with_bad_credentials_is_refused(client: FlaskClient, clerk: tuple[str, str]) -> None:
    for form in (
        {"username": clerk[0], "password": "wrong-password"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "", "password": ""},
    ):
        resp = client.post("/login", data=form)
        assert resp.status_code == 401
        assert "Väärä käyttäjätunnus tai salasana." in html(resp)
        assert 'role="alert"' in html(resp)
    assert client.get("/desk").status_code == 302  # still logged out


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/desk",
        "//evil.example/desk",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "evil.example",
        "/desk\r\nSet-Cookie: x=1",
        "///evil.example",
        "/\tevil",
        "",
    ],
)
def test_login_refuses_an_open_redirect(client: FlaskClient, clerk: tuple[str, str], target: str) -> None:
    resp = client.post("/login", data={"username": clerk[0], "password": clerk[1], "next": target})
    if bad_text(target):  # a control character in any field is refused at the edge, before the log-in
        assert resp.status_code == 400
        return
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/desk"
    assert 'name="next" value="/desk"' in html(client.get("/login", query_string={"next": target}))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/desk", "/desk"),
        ("/kiosk/k1?x=1#y", "/kiosk/k1?x=1#y"),
        ("/", "/"),
        ("//x", "/d"),
        ("https://x/", "/d"),
        ("x", "/d"),
        (None, "/d"),
        ("/" + "a" * 600, "/d"),
    ],
)
def test_safe_next(value: str | None, expected: str) -> None:
    assert safe_next(value, "/d") == expected


def test_logout_is_a_post(client: FlaskClient, clerk: tuple[str, str]) -> None:
    client.post("/login", data={"username": clerk[0], "password": clerk[1]})
    assert client.get("/logout").status_code == 405
    resp = client.post("/logout")
    assert resp.status_code == 303 and resp.headers["Location"].startswith("/login")
    assert "Olet kirjautunut ulos." in html(client.get(resp.headers["Location"]))
    assert client.get("/desk").status_code == 302


def test_login_and_logout_forms_carry_the_csrf_token(app: Flask, client: FlaskClient, clerk: tuple[str, str]) -> None:
    app.config["WTF_CSRF_ENABLED"] = True  # the security layer's CSRF check, as in production
    page = html(client.get("/login"))
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
    field = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert meta and field
    assert client.post("/login", data={"username": clerk[0], "password": clerk[1]}).status_code == 400
    resp = client.post("/login", data={"username": clerk[0], "password": clerk[1], "csrf_token": field[1]})
    assert resp.status_code == 303
    desk = html(client.get("/desk"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', desk)
    assert token and client.post("/logout", data={"csrf_token": token[1]}).status_code == 303


# -- the desk ---------------------------------------------------------------------------------------------------


def test_desk_redirects_to_login_when_logged_out(client: FlaskClient) -> None:
    resp = client.get("/desk")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/login?next=/desk"
    assert client.get("/desk?desk=d2").headers["Location"] == "/login?next=/desk%3Fdesk%3Dd2"


def test_desk_page_for_a_clerk(clerk_client: FlaskClient) -> None:
    resp = clerk_client.get("/desk?desk=d2")
    assert resp.status_code == 200
    page = html(resp)
    assert 'data-desk="d2"' in page and 'data-page="desk"' in page
    for action, key in (
        ("next", "N"),
        ("recall", "R"),
        ("start", "S"),
        ("finish", "F"),
        ("no-show", "X"),
        ("transfer", "T"),
        ("call", "C"),
        ("return", "B"),
        ("pause", "P"),
    ):
        assert re.search(rf'data-action="{action}" aria-keyshortcuts="{key}"', page), action
    assert 'data-action="close"' in page
    assert "clerk1" in page


def test_a_desk_token_is_not_a_login(client: FlaskClient, desk_auth: dict[str, str]) -> None:
    assert client.get("/desk", headers=desk_auth).status_code == 302


# -- the phone page and the QR code -----------------------------------------------------------------------------


def test_phone_page_in_the_tickets_language(client: FlaskClient, ticket: dict[str, Any]) -> None:
    resp = client.get(f"/t/{ticket['token']}")
    assert resp.status_code == 200
    page = html(resp)
    assert '<html lang="sv">' in page and "Ditt könummer" in page
    assert ticket["number"] in page
    assert f'data-token="{ticket["token"]}"' in page
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("token", ["nope", "x" * 32, "a" * 500])
def test_unknown_ticket_is_a_friendly_404(client: FlaskClient, token: str) -> None:
    resp = client.get(f"/t/{token}")
    assert resp.status_code == 404
    assert resp.mimetype == "text/html"
    assert "Vuoronumeroa ei löytynyt" in html(resp)
    assert client.get(f"/t/{token}/qr.svg").status_code == 404


def test_qr_code_encodes_the_tickets_track_url(client: FlaskClient, ticket: dict[str, Any]) -> None:
    resp = client.get(f"/t/{ticket['token']}/qr.svg")
    assert resp.status_code == 200
    assert resp.mimetype == "image/svg+xml"
    assert resp.headers["Cache-Control"] == "no-store"
    assert decode_svg_qr(resp.data) == ticket["track_url"] == f"http://vuoro.test/t/{ticket['token']}"


def test_qr_codes_differ_per_ticket(client: FlaskClient, kiosk_auth: dict[str, str], ticket: dict[str, Any]) -> None:
    other = client.post("/api/tickets", json={"services": ["library"], "kiosk": "k1"}, headers=kiosk_auth).json
    assert other is not None
    token = other["ticket"]["token"]
    assert decode_svg_qr(client.get(f"/t/{token}/qr.svg").data).endswith("/t/" + token)


def test_cancelled_ticket_still_shows_its_page_today(client: FlaskClient, ticket: dict[str, Any]) -> None:
    assert client.delete(f"/api/tickets/{ticket['token']}").status_code == 200
    resp = client.get(f"/t/{ticket['token']}")
    assert resp.status_code == 200 and 'data-status="cancelled"' in html(resp)


# -- every page: CSP-safe markup, vendored scripts only, escaped config ----------------------------------------


def all_pages(client: FlaskClient, clerk_client: FlaskClient, ticket: dict[str, Any]) -> dict[str, str]:
    pages = {
        url: html(client.get(url))
        for url in (
            "/",
            "/login",
            "/kiosk/k1",
            "/kiosk/k2",
            "/board/z1",
            "/board/z2",
            f"/t/{ticket['token']}",
            "/kiosk/none",
            "/board/none",
            "/t/none",
        )
    }
    pages["/desk"] = html(clerk_client.get("/desk"))
    return pages


def test_no_inline_script_style_or_handler_anywhere(
    client: FlaskClient, clerk_client: FlaskClient, ticket: dict[str, Any]
) -> None:
    for url, page in all_pages(client, clerk_client, ticket).items():
        assert inline_code(page) == [], url
        for src in script_sources(page):  # served by Vuoro itself: no CDN on a closed network
            assert src.startswith("/") and not src.startswith("//"), f"{url} loads {src} from elsewhere"


def test_inline_code_checker_finds_what_csp_blocks() -> None:
    bad = (
        '<script>alert(1)</script><style>p{}</style><p style="x" onclick="y">'
        '<a href="javascript:z">a</a><script src="https://cdn.example/x.js"></script>'
    )
    assert len(inline_code(bad)) == 5
    assert script_sources(bad) == ["https://cdn.example/x.js"]


def test_config_texts_are_escaped(tmp_path: Any, config_data: dict[str, Any]) -> None:
    from queue_server.app import create_app, shutdown

    evil = '<script>alert("x")</script>" data-x="'
    config_data["centre"]["name"]["fi"] = evil
    config_data["zones"][0]["name"]["fi"] = evil
    app = create_app(config_data)
    try:
        client = app.test_client()
        for url in ("/", "/login", "/kiosk/k1", "/board/z1"):
            page = html(client.get(url))
            assert "<script>alert" not in page, url
            assert inline_code(page) == [], url
            assert '" data-x="' not in page, url
    finally:
        shutdown(app)


def test_static_assets_are_served(client: FlaskClient) -> None:
    for path, mimetype in (
        ("/assets/vuoro/vuoro.css", "text/css"),
        ("/assets/vuoro/vuoro.js", "text/javascript"),
        ("/assets/vuoro/desk.js", "text/javascript"),
        ("/assets/vuoro/phone.js", "text/javascript"),
        ("/assets/vuoro/vendor/socket.io.min.js", "text/javascript"),
        ("/assets/vuoro/icon.svg", "image/svg+xml"),
    ):
        resp = client.get(path)
        assert resp.status_code == 200, path
        assert resp.mimetype == mimetype, path
        resp.close()
    wav = client.get("/assets/vuoro/sounds/chime.wav")
    assert wav.status_code == 200 and wav.data[:4] == b"RIFF"
    wav.close()
