"""The audit log's page: filtered by date, actor and kind of change, each entry with what it changed."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from queue_server.services import centre_admin, staff
from queue_server.services.accounts import add_user
from queue_server.services.context import Context


def manager_client(app: Flask, ctx: Context) -> FlaskClient:
    add_user(ctx.db, "manager", "manager-password-1", "admin")
    client = app.test_client()
    assert (
        client.post("/api/session", json={"username": "manager", "password": "manager-password-1"}).status_code == 200
    )
    return client


def test_the_audit_page_filters_by_kind_and_shows_what_changed(app: Flask, ctx: Context, clock: object) -> None:
    client = manager_client(app, ctx)
    centre_admin.update_service(ctx, "kela", {"service_time_s": 777}, actor="user:9")
    staff.create_user(ctx, "maija", "clerk", actor="user:9")

    page = client.get("/admin/audit?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-action="service.update"' in html and 'data-action="user.create"' in html
    assert "+  service_time_s: 777" in html, "the difference, not the two documents"

    services_only = client.get("/admin/audit?action=service&lang=en").get_data(as_text=True)
    assert 'data-action="service.update"' in services_only and 'data-action="user.create"' not in services_only
    assert "action=service." in services_only, "the CSV link carries the same filter"
    assert "data-action" not in client.get("/admin/audit?actor=user:1").get_data(as_text=True)
    assert "data-action" not in client.get("/admin/audit?from=2999-01-01").get_data(as_text=True)
    assert 'data-action="service.update"' in client.get(f"/admin/audit?to={ctx.today().isoformat()}").get_data(
        as_text=True
    )
    assert client.get("/admin/audit?from=not-a-date&action=nonsense").status_code == 200, "ignored, not a 500"


def test_a_clerk_may_not_read_the_audit_log(app: Flask, ctx: Context) -> None:
    add_user(ctx.db, "clerk9", "clerk-password-9", "clerk")
    client = app.test_client()
    client.post("/api/session", json={"username": "clerk9", "password": "clerk-password-9"})
    assert client.get("/admin/audit").status_code == 403
    assert app.test_client().get("/admin/audit").status_code in (302, 303)
