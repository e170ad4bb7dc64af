"""GET /api/stats, /api/stats.csv and /api/report.pdf: admin only, the known days' figures, the PDF's text."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader

from queue_server.i18n.catalogue import text as catalogue_text
from queue_server.services.context import Context
from queue_server.services.report_pdf import render_report, report_language
from queue_server.services.statistics import build_report
from tests.conftest import FakeClock
from tests.queue_server.helpers import Api, assert_error
from tests.queue_server.insight_days import hours, play_both

RANGE = "from=2026-11-26&to=2026-11-27"


@pytest.fixture
def played(ctx: Context, clock: FakeClock) -> Context:
    play_both(ctx, clock)
    return ctx


def test_stats_gives_the_known_figures_and_matches_the_openapi_document(
    api: Api, admin_auth: dict[str, str], played: Context
) -> None:
    body = api.get(f"/api/stats?{RANGE}", headers=admin_auth, expect=200).get_json()
    assert (body["from"], body["to"], body["timezone"]) == ("2026-11-26", "2026-11-27", "Europe/Helsinki")
    assert "type 7" in body["percentile_method"]
    s = body["summary"]
    assert (s["errands"], s["visits"], s["served"], s["no_shows"], s["cancelled"], s["expired"]) == (7, 6, 4, 1, 1, 1)
    assert s["wait"] == {"n": 5, "mean_s": 600.0, "median_s": 300.0, "p90_s": 1212.0}
    assert [d["day"] for d in body["days"]] == ["2026-11-26", "2026-11-27"]
    assert body["days"][1]["arrivals_per_hour"] == hours(h0=1)
    library = next(x for x in body["services"] if x["service"] == "library")
    assert (library["name"], library["target_wait_s"]) == ("Kirjasto", 900)
    assert library["wait"] == {"n": 2, "mean_s": 930.0, "median_s": 930.0, "p90_s": 1482.0}
    desks = {d["desk"]: d for d in body["desks"]}
    assert desks[None]["label"] is None and desks["d1"]["label"] == "Tiski 1" and desks["d1"]["served"] == 2
    assert {(x["day"], x["service"]) for x in body["day_services"]} == {
        ("2026-11-26", "kela"),
        ("2026-11-26", "library"),
        ("2026-11-27", "kela"),
    }
    assert [(k["kind"], k["errands"]) for k in body["kinds"]] == [("walk_in", 7)]  # no appointments those days
    assert s["appointments"] == 0 and s["punctuality"]["n"] == 0
    assert {(x["service"], x["kind"]) for x in body["service_kinds"]} == {("kela", "walk_in"), ("library", "walk_in")}


def test_stats_can_be_limited_to_one_service(api: Api, admin_auth: dict[str, str], played: Context) -> None:
    body = api.get(f"/api/stats?{RANGE}&service=library", headers=admin_auth, expect=200).get_json()
    assert body["service"] == "library" and [x["service"] for x in body["services"]] == ["library"]
    assert body["summary"]["errands"] == 3


@pytest.mark.parametrize(
    "query, status, code",
    [
        ("from=2026-13-01", 400, "invalid_request"),
        ("from=2026-11-27&to=2026-11-26", 400, "invalid_request"),
        ("service=nope", 404, "unknown_service"),
    ],
)
def test_stats_refuses_bad_parameters(api: Api, admin_auth: dict[str, str], query: str, status: int, code: str) -> None:
    assert_error(api.get(f"/api/stats?{query}", headers=admin_auth), status, code)


def test_stats_are_for_admins_only(api: Api, clerk_client: FlaskClient, desk_auth: dict[str, str]) -> None:
    assert_error(api.get("/api/stats"), 401)
    assert_error(api.get("/api/stats", headers=desk_auth), 403)
    for path in ("/api/stats", "/api/stats.csv", "/api/report.pdf"):
        assert_error(clerk_client.get(path), 403)
        assert_error(api.client.get(path), 401)


def test_an_admin_session_may_read_stats(api: Api, app: Any, ctx: Context) -> None:
    from queue_server.services.accounts import add_user

    add_user(ctx.db, "boss", "boss-password-1", "admin")
    c = app.test_client()
    assert c.post("/api/session", json={"username": "boss", "password": "boss-password-1"}).status_code == 200
    assert c.get("/api/stats").status_code == 200


def test_csv_export_by_day_and_service(client: FlaskClient, admin_auth: dict[str, str], played: Context) -> None:
    resp = client.get(f"/api/stats.csv?{RANGE}", headers=admin_auth)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "vuoro-stats-2026-11-26-2026-11-27.csv" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    kela = rows[0]
    assert (kela["day"], kela["service"], kela["errands"], kela["served"], kela["expired"]) == (
        "2026-11-26",
        "kela",
        "3",
        "2",
        "1",
    )
    assert (kela["wait_mean_s"], kela["wait_median_s"], kela["wait_p90_s"]) == ("270.0", "270.0", "294.0")
    assert kela["arrivals_09"] == "2" and kela["arrivals_23"] == "1"


def test_csv_export_by_desk(client: FlaskClient, admin_auth: dict[str, str], played: Context) -> None:
    resp = client.get(f"/api/stats.csv?{RANGE}&by=desk", headers=admin_auth)
    rows = {r["desk"]: r for r in csv.DictReader(io.StringIO(resp.get_data(as_text=True)))}
    assert set(rows) == {"", "d1", "d2", "d3"}
    assert (rows["d3"]["served"], rows["d3"]["no_shows"]) == ("1", "1")
    by_kind = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/api/stats.csv?{RANGE}&by=service,kind", headers=admin_auth).get_data(as_text=True)
            )
        )
    )
    assert [(r["service"], r["kind"], r["appointments"], r["punctuality_n"]) for r in by_kind][:1] == [
        ("kela", "walk_in", "0", "0")
    ]  # the played days had walk-ins only
    assert_error(client.get("/api/stats.csv?by=week", headers=admin_auth), 400, "invalid_request")


def test_the_csv_s_column_names_in_a_language_for_a_spreadsheet(
    client: FlaskClient, admin_auth: dict[str, str], played: Context
) -> None:
    """Scripts keep the stable keys; ``language`` gives a manager's spreadsheet its names."""
    keys = client.get(f"/api/stats.csv?{RANGE}", headers=admin_auth).get_data(as_text=True).splitlines()[0]
    assert keys.startswith("day,service,errands,visits,served,no_shows,")
    named = client.get(f"/api/stats.csv?{RANGE}&language=fi", headers=admin_auth).get_data(as_text=True)
    header = next(csv.reader(io.StringIO(named)))
    assert header[:4] == ["Päivä", "Palvelu", "Asioinnit", "Käynnit"]
    assert header[-1] == "Saapuneet klo 23" and "Odotus keskiarvo (s)" in header
    assert_error(client.get(f"/api/stats.csv?{RANGE}&language=de", headers=admin_auth), 400, "invalid_request")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_report_is_in_the_centres_language_with_finnish_letters(
    client: FlaskClient, admin_auth: dict[str, str], played: Context
) -> None:
    resp = client.get(f"/api/report.pdf?{RANGE}", headers=admin_auth)
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text = pdf_text(resp.data)
    assert "Asiointiraportti: Testikeskus" in text
    assert "26.11.2026 – 27.11.2026" in text
    assert "Käynnit (vuoronumerot)" in text and "Saapuneet tunneittain" in text
    assert "Palveltu tavoiteajassa" in text and "Kirjasto" in text
    assert "Odotusajat palveluittain (min)" in text


def test_the_pdf_report_in_swedish_keeps_a_ring_and_dots(
    client: FlaskClient, admin_auth: dict[str, str], played: Context
) -> None:
    text = pdf_text(client.get(f"/api/report.pdf?{RANGE}&language=sv", headers=admin_auth).data)
    assert "Besöksrapport: Testcenter" in text and "Ankomster per timme" in text
    assert "Betjänade inom målet" in text and "Väntetider per tjänst (min)" in text
    assert_error(client.get("/api/report.pdf?language=de", headers=admin_auth), 400, "invalid_request")


def test_a_report_in_russian_is_set_in_a_font_with_cyrillic_letters(played: Context) -> None:
    report = build_report(played, date(2026, 11, 26), date(2026, 11, 27))
    text = pdf_text(render_report(played, report, "ru"))
    assert f"{catalogue_text('report.title', 'ru')}: " in text
    assert catalogue_text("report.arrivals", "ru") in text


def test_a_report_asked_for_in_arabic_is_written_in_the_centre_s_language(played: Context) -> None:
    """reportlab would set Arabic as separate letters in the wrong order: the report says it in Finnish."""
    report = build_report(played, date(2026, 11, 26), date(2026, 11, 27))
    assert "Asiointiraportti: Testikeskus" in pdf_text(render_report(played, report, "ar"))
    assert report_language("ar", "ar") == "en" and report_language("sv", "fi") == "sv"


def test_the_openapi_document_lists_the_insight_operations(api: Api) -> None:
    paths = api.client.get("/api/openapi.json").get_json()["paths"]
    assert {p["name"] for p in paths["/api/stats"]["get"]["parameters"]} == {"from", "to", "service"}
    assert "text/csv" in paths["/api/stats.csv"]["get"]["responses"]["200"]["content"]
    assert "application/pdf" in paths["/api/report.pdf"]["get"]["responses"]["200"]["content"]
    feedback = paths["/api/tickets/{token}/feedback"]["post"]
    assert feedback["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("FeedbackRequest")
    # 413: a body over 64 kB, 429: rate-limited per token, 503: the database away
    assert set(feedback["responses"]) == {"201", "400", "404", "409", "413", "429", "503"}
