"""The services and opening hours page (/admin/services): what a manager edits there reaches the live
configuration (GET /api/config, the kiosks' /api/services) at once; what a supervisor may not do is refused;
bad input shows the page again with 400 and the field named, never a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from queue_server.services.accounts import add_user, create_token
from queue_server.services.context import Context
from tests.conftest import ROOT, FakeClock

TEMPLATES = ROOT / "queue_server" / "admin" / "templates" / "admin"
LIBRARY = {
    "form": "edit",
    "name_fi": "Kirjasto",
    "name_sv": "Bibliotek",
    "name_en": "Library",
    "location_fi": "Katutaso",
    "location_sv": "Gatuplan",
    "location_en": "Street level",
    "prefix": "L",
    "service_time_min": "5",
    "target_wait_min": "15",
    "daily_limit": "",
}
PASSPORT = {
    "form": "create",
    "key": "passport",
    "name_fi": "Passit",
    "name_sv": "Pass",
    "name_en": "Passports",
    "prefix": "P",
    "service_time_min": "8",
    "target_wait_min": "20",
    "daily_limit": "",
}


def log_in(app: Flask, ctx: Context, role: str) -> FlaskClient:
    add_user(ctx.db, f"a-{role}", f"{role}-password-123", role)
    client = app.test_client()
    resp = client.post("/api/session", json={"username": f"a-{role}", "password": f"{role}-password-123"})
    assert resp.status_code == 200, resp.json
    return client


@pytest.fixture
def admin(app: Flask, ctx: Context) -> FlaskClient:
    return log_in(app, ctx, "admin")


@pytest.fixture
def supervisor(app: Flask, ctx: Context) -> FlaskClient:
    return log_in(app, ctx, "supervisor")


def live(app: Flask, ctx: Context) -> dict[str, Any]:
    """The live configuration as the API shows it, services by key."""
    token = create_token(ctx.db, "admin", "script")
    body = app.test_client().get("/api/config", headers={"Authorization": f"Bearer {token}"}).get_json()
    return {
        "version": body["version"],
        "config": body["config"],
        "services": {s["key"]: s for s in body["config"]["services"]},
    }


def page(client: FlaskClient, query: str = "") -> str:
    resp = client.get(f"/admin/services?lang=en{query}")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def post(client: FlaskClient, path: str, data: dict[str, str], status: int = 303) -> str:
    resp = client.post(f"/admin{path}?lang=en", data=data)
    assert resp.status_code == status, resp.get_data(as_text=True)[:3000]
    return resp.get_data(as_text=True) if status != 303 else resp.headers["Location"]


def row(html: str, key: str) -> str:
    match = re.search(rf'<tr data-service="{key}".*?</tr>', html, re.S)
    assert match, f"no row for {key}"
    return match.group(0)


def cell(html: str, day: str) -> str:
    match = re.search(rf'<td class="cal-day[^"]*" data-day="{day}".*?</td>', html, re.S)
    assert match, f"no calendar day {day}"
    return match.group(0)


def test_the_page_lists_the_services_with_a_calendar_of_this_month_and_the_next(admin: FlaskClient) -> None:
    html = page(admin)
    assert 'tr data-service="library"' in html and 'class="open-now">yes<' in row(html, "library")
    assert 'data-month="2026-11"' in html and 'data-month="2026-12"' in html  # the clock: 27 Nov 2026
    assert 'data-day="2026-11-27" aria-current="date"' in html
    assert "November 2026" in html and "December 2026" in html and 'abbr title="Monday"' in html
    assert 'data-month="2027-01"' in page(admin, "&month=2027-01") and 'data-month="2027-02"' in page(
        admin, "&month=2027-01"
    )
    assert 'data-month="2026-11"' in page(admin, "&month=nonsense")
    assert "Marraskuu 2026" in admin.get("/admin/services?lang=fi").get_data(as_text=True)
    assert "November 2026" in admin.get("/admin/services?lang=sv").get_data(as_text=True)


def test_a_manager_edits_the_names_times_and_limit_and_the_configuration_changes_at_once(
    app: Flask, ctx: Context, admin: FlaskClient, kiosk_auth: dict[str, str]
) -> None:
    assert 'id="edit"' not in page(admin)
    html = page(admin, "&edit=library")
    assert (
        'id="edit-name-sv"' in html
        and 'value="Bibliotek"' in html
        and 'id="edit-service-time" '
        'name="service_time_min" type="number" min="0.1" step="any" inputmode="decimal" value="5"'
        in html
    )
    location = post(
        admin,
        "/services/library/edit",
        {
            **LIBRARY,
            "name_en": "City library",
            "name_sv": "Stadsbiblioteket",
            "location_en": "",
            "service_time_min": "7",
            "target_wait_min": "12,5",
            "daily_limit": "150",
        },
    )
    assert "edit=library" in location and location.endswith("#edit")
    library = live(app, ctx)["services"]["library"]
    assert library["name"] == {"fi": "Kirjasto", "sv": "Stadsbiblioteket", "en": "City library"}
    assert library["location"] == {"fi": "Katutaso", "sv": "Gatuplan"}
    assert (library["service_time_s"], library["target_wait_s"], library["daily_limit"]) == (420, 750, 150)
    kiosk = app.test_client().get("/api/services?language=en", headers=kiosk_auth).get_json()["services"]
    assert {s["key"]: s["name"] for s in kiosk}["library"] == "City library"
    assert "City library" in page(admin)

    # an unchanged form changes nothing (no new version); an emptied limit is no limit again
    version = live(app, ctx)["version"]
    post(
        admin,
        "/services/library/edit",
        {
            **LIBRARY,
            "name_en": "City library",
            "name_sv": "Stadsbiblioteket",
            "location_en": "",
            "service_time_min": "7",
            "target_wait_min": "12.5",
            "daily_limit": "150",
        },
    )
    assert live(app, ctx)["version"] == version
    post(admin, "/services/library/edit", LIBRARY)
    library = live(app, ctx)["services"]["library"]
    assert "daily_limit" not in library and "service_time_s" not in library  # 5 min: the default
    assert library["location"]["en"] == "Street level"


def test_a_manager_edits_the_weekly_hours(app: Flask, ctx: Context, admin: FlaskClient, clock: FakeClock) -> None:
    hours = {
        "mon": "08:00-16:00",
        "tue": "08:00-12:00, 13:00-16:00",
        "wed": "",
        "thu": "08:00-16:00",
        "fri": "",
        "sat": "10:00-14:00",
        "sun": "",
    }
    post(admin, "/services/library/hours", hours)
    assert live(app, ctx)["services"]["library"]["hours"] == {
        "mon": "08:00-16:00",
        "tue": ["08:00-12:00", "13:00-16:00"],
        "thu": "08:00-16:00",
        "sat": "10:00-14:00",
    }
    html = page(admin, "&edit=library")
    assert 'id="hours-tue" name="tue"' in html and 'value="08:00-12:00, 13:00-16:00"' in html
    library = row(html, "library")  # Friday 10:00: closed on Fridays now, opens on Saturday at 10
    assert 'class="open-now">no<' in library and "opens 2026-11-28 10:00" in library
    assert "untick it" in post(admin, "/services/library/hours", {**hours, "always_open": "1"}, status=400)
    post(admin, "/services/library/hours", {**dict.fromkeys(hours, ""), "always_open": "1"})
    assert "hours" not in live(app, ctx)["services"]["library"]
    assert 'class="open-now">yes<' in row(page(admin), "library")


def test_a_manager_creates_a_service_and_sees_its_editor(app: Flask, ctx: Context, admin: FlaskClient) -> None:
    assert 'id="create"' in page(admin)
    # a sensitive service needs a prefix and a public name shared with another service (docs/security.md)
    assert "services.4.prefix: a sensitive service" in post(
        admin, "/services", {**PASSPORT, "sensitive": "1"}, status=400
    )
    location = post(admin, "/services", {**PASSPORT, "daily_limit": "40"})
    assert "edit=passport" in location
    passport = live(app, ctx)["services"]["passport"]
    assert passport == {
        "key": "passport",
        "prefix": "P",
        "name": {"fi": "Passit", "sv": "Pass", "en": "Passports"},
        "service_time_s": 480,
        "target_wait_s": 1200,
        "daily_limit": 40,
    }
    assert "Edit the service: Passports" in page(admin, "&edit=passport")
    html = post(admin, "/services", PASSPORT, status=409)
    assert "exists already" in html and "<details open>" in html and 'value="Passit"' in html


def test_a_service_with_a_waiting_ticket_cannot_be_retired_until_it_is_done(
    app: Flask, ctx: Context, admin: FlaskClient, kiosk_auth: dict[str, str]
) -> None:
    post(admin, "/services", PASSPORT)
    issued = app.test_client().post(
        "/api/tickets", headers=kiosk_auth, json={"services": ["passport"], "language": "fi", "kiosk": "k1"}
    )
    assert issued.status_code == 201
    html = post(admin, "/services/passport/retire", {"confirm": "1"}, status=409)
    assert "still waiting or being served" in html and 'id="manage-error"' in html and 'id="edit"' in html
    assert "passport" in live(app, ctx)["services"]
    assert "confirm" in post(admin, "/services/passport/retire", {}, status=400)
    assert "desks d2, d3 serve" in post(admin, "/services/library/retire", {"confirm": "1"}, status=409)

    app.test_client().delete(f"/api/tickets/{issued.get_json()['ticket']['token']}")
    post(admin, "/services/passport/retire", {"confirm": "1"})
    assert "passport" not in live(app, ctx)["services"] and 'data-service="passport"' not in page(admin)
    assert "no such service" in post(admin, "/services/passport/edit", PASSPORT, status=404)


def test_close_for_today_and_reopen(
    app: Flask, ctx: Context, supervisor: FlaskClient, kiosk_auth: dict[str, str]
) -> None:
    def kiosk_open() -> bool:
        services = app.test_client().get("/api/services", headers=kiosk_auth).get_json()["services"]
        return bool({s["key"]: s for s in services}["library"]["open"])

    assert 'data-action="close"' in row(page(supervisor), "library") and kiosk_open()
    post(supervisor, "/services/library/close", {})
    assert live(app, ctx)["services"]["library"]["exceptions"] == {"2026-11-27": {"closed": True}}
    library = row(page(supervisor), "library")
    assert 'class="open-now">no<' in library and 'data-action="reopen"' in library and not kiosk_open()
    post(supervisor, "/services/library/reopen", {})
    assert "exceptions" not in live(app, ctx)["services"]["library"] and kiosk_open()
    assert "no exception on 2026-11-27" in post(supervisor, "/services/library/reopen", {}, status=404)


def test_centre_and_service_exceptions_show_in_the_calendar(app: Flask, ctx: Context, admin: FlaskClient) -> None:
    location = post(
        admin,
        "/exceptions",
        {"form": "calendar", "month": "2026-11", "day": "2026-12-24", "hours": "10:00-14:00", "service": ""},
    )
    assert "month=2026-11" in location and location.endswith("#calendar")
    post(admin, "/exceptions", {"form": "calendar", "month": "2026-11", "day": "2026-12-24", "service": "kela"})
    post(admin, "/services/library/exceptions", {"day": "2026-11-30", "closed": "1"})
    assert live(app, ctx)["config"]["centre"]["exceptions"] == {"2026-12-24": {"hours": ["10:00-14:00"]}}
    html = page(admin)
    christmas_eve = cell(html, "2026-12-24")
    assert "The whole centre: 10:00-14:00" in christmas_eve and "Kela: closed" in christmas_eve
    assert "Remove the exception: The whole centre, 2026-12-24" in christmas_eve
    assert "Library: closed" in cell(html, "2026-11-30") and "2026-11-30: closed" in row(html, "library")
    assert "cal-marks" not in cell(html, "2026-11-29")

    # a day outside the months shown: back to that day's month
    assert "month=2027-03" in post(admin, "/exceptions", {"month": "2026-11", "day": "2027-03-01", "closed": "1"})
    assert "The whole centre: closed" in cell(page(admin, "&month=2027-03"), "2027-03-01")
    post(admin, "/exceptions/2026-12-24/remove", {"form": "calendar", "month": "2026-11"})
    post(admin, "/services/kela/exceptions/2026-12-24/remove", {"month": "2026-11"})
    assert "cal-marks" not in cell(page(admin), "2026-12-24")


def test_closed_dates_are_marked_in_the_calendar(make_app: Any, config_data: dict[str, Any]) -> None:
    config_data["centre"]["closed_dates"] = ["2026-12-06"]
    app = make_app(config_data)
    client = log_in(app, app.extensions["vuoro"], "admin")
    independence_day = cell(page(client), "2026-12-06")
    assert "cal-closed" in independence_day and "closed (public holiday)" in independence_day
    assert "cal-remove" not in independence_day  # not an exception: the centre's closed dates are config


def test_a_supervisor_changes_exceptions_but_not_services_or_their_hours(
    app: Flask, ctx: Context, supervisor: FlaskClient
) -> None:
    html = page(supervisor, "&edit=library")
    assert 'id="edit"' not in html and 'id="create"' not in html and "edit-link" not in html
    assert 'id="calendar"' in html and 'id="day-library"' in html
    post(supervisor, "/exceptions", {"day": "2026-12-31", "closed": "1"})
    post(supervisor, "/services/library/exceptions", {"day": "2026-12-30", "hours": "10:00-12:00"})
    assert live(app, ctx)["services"]["library"]["exceptions"] == {"2026-12-30": {"hours": ["10:00-12:00"]}}
    for path, data in (
        ("/services/library/edit", LIBRARY),
        ("/services/library/hours", {"mon": "08:00-16:00"}),
        ("/services", PASSPORT),
        ("/services/library/retire", {"confirm": "1"}),
    ):
        assert supervisor.post(f"/admin{path}", data=data).status_code == 403, path
    assert live(app, ctx)["services"]["library"]["name"]["en"] == "Library"


def test_a_clerk_is_refused_and_a_stranger_sent_to_log_in(
    app: Flask, ctx: Context, clerk_client: FlaskClient, client: FlaskClient
) -> None:
    assert clerk_client.get("/admin/services").status_code == 403
    assert clerk_client.post("/admin/services/library/close").status_code == 403
    assert clerk_client.post("/admin/exceptions", data={"day": "2026-12-31"}).status_code == 403
    resp = client.post("/admin/services/library/close")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert "exceptions" not in live(app, ctx)["services"]["library"]


@pytest.mark.parametrize(
    ("path", "data", "named"),
    [
        ("/services/library/edit", {**LIBRARY, "prefix": "l1"}, "prefix"),
        ("/services/library/edit", {**LIBRARY, "service_time_min": "-5"}, "service_time_s"),
        ("/services/library/edit", {**LIBRARY, "target_wait_min": "soon"}, "target_wait_s"),
        ("/services/library/edit", {**LIBRARY, "daily_limit": "2.5"}, "daily_limit"),
        ("/services/library/edit", {**LIBRARY, "name_fi": ""}, "name"),
        ("/services/library/hours", {"mon": "25:00-26:00"}, "hours.mon"),
        ("/services/library/hours", {"tue": "16:00-08:00"}, "hours.tue"),
        ("/services", {**PASSPORT, "key": "Passport!"}, "key"),
        ("/services", {**PASSPORT, "service_time_min": "nan"}, "service_time_s"),
        ("/services/library/exceptions", {"day": "2026-12-24", "hours": "25:00-26:00"}, "hours"),
        ("/services/library/exceptions", {"day": "24.12.2026"}, "day"),
        ("/exceptions", {"day": "", "form": "calendar"}, "day"),
        ("/exceptions", {"day": "2026-12-24", "service": "nothing"}, "nothing"),
    ],
)
def test_bad_input_shows_the_page_again_with_400_and_the_field_named(
    app: Flask, ctx: Context, admin: FlaskClient, path: str, data: dict[str, str], named: str
) -> None:
    before = live(app, ctx)["config"]
    status = 404 if named == "nothing" else 400
    html = post(admin, path, data, status=status)
    error = re.search(r'<p class="notice notice-error" role="alert" id="manage-error">(.*?)</p>', html, re.S)
    assert error and named in error.group(1), html[:2000]
    assert 'id="services"' in html and 'id="calendar"' in html  # the whole page, not an error page
    assert live(app, ctx)["config"] == before


def test_a_refused_edit_keeps_what_was_typed(admin: FlaskClient) -> None:
    html = post(admin, "/services/library/edit", {**LIBRARY, "name_en": "Books", "prefix": "l1"}, status=400)
    assert 'id="edit-name-en" name="name_en" type="text" lang="en" maxlength="120" value="Books"' in html
    html = post(
        admin, "/services/library/hours", {"form": "hours", "mon": "25:00-26:00", "tue": "09:00-10:00"}, status=400
    )
    assert 'value="25:00-26:00"' in html and 'value="09:00-10:00"' in html


def test_a_sensitive_service_is_created_with_the_public_name_and_place_it_shares(
    app: Flask, ctx: Context, admin: FlaskClient
) -> None:
    """The form's public name and place: what its tickets and screens show instead of its own."""
    health = ctx.config.service_map["health"]
    shared = {f"public_name_{lang}": text for lang, text in health.ticket_name.items()}
    shared |= {f"public_location_{lang}": text for lang, text in health.ticket_location.items()}
    counselling = {
        "key": "counselling",
        "prefix": health.prefix,
        "sensitive": "1",
        "name_fi": "Päihdeneuvonta",
        "name_sv": "Missbruksrådgivning",
        "name_en": "Substance abuse counselling",
        **shared,
    }
    post(admin, "/services", counselling)
    created = live(app, ctx)["services"]["counselling"]
    assert created["sensitive"] is True and created["public_name"] == dict(health.ticket_name)
    assert 'value="Päihdeneuvonta"' in page(admin, "&edit=counselling")
