"""The staff page with an account of the city's provider: marked as such, named, disabled here, never reset."""

from __future__ import annotations

import re

from flask import Flask

from queue_server.services.accounts import add_user
from tests.queue_server.oidc_helpers import sign_in_as


def test_a_city_account_is_marked_and_has_no_password_to_reset(oidc_app: Flask) -> None:
    assert sign_in_as(oidc_app.test_client(), "aino").status_code == 303
    add_user(oidc_app.extensions["vuoro"].db, "admin1", "admin-password-1", "admin")
    admin = oidc_app.test_client()
    assert admin.post("/login", data={"username": "admin1", "password": "admin-password-1"}).status_code == 303
    html = admin.get("/admin/staff").get_data(as_text=True)
    row = re.search(r'<tr data-user="sso-[0-9a-f]{12}">.*?</tr>', html, re.S)
    assert row is not None, html
    assert "Kaupungin tunnus" in row[0] and "Aino Clerk" in row[0]
    assert 'data-action="disable"' in row[0] and 'data-action="reset"' not in row[0]
