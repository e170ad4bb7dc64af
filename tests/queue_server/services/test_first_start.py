"""The first start's admin: its one-time password reaches the operator, never a log, and must be changed.

A real ``vuoro serve`` whose standard output is a file, as under systemd: the password goes into a 0600 file in
the working directory, the log says only where; logging in with it reaches nothing but the password change;
after the change the file is gone and the account works.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from queue_server.services.first_start import FILE_NAME
from tests.live_server import LiveServer

pytestmark = pytest.mark.slow


@pytest.fixture
def first_start(config_data: dict[str, Any], tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(config_data, tmp_path).start()  # a fresh database: no account yet
    yield server
    server.stop()


def csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=5).text
    return page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


def test_the_one_time_password_goes_to_a_private_file_and_must_be_changed(first_start: LiveServer) -> None:
    server = first_start
    secret = server.workdir / FILE_NAME
    assert secret.exists(), server.output()
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600, "readable by the server's user only"
    name, password = secret.read_text().split()
    assert name == "admin" and len(password) >= 12
    log = server.output()
    assert password not in log, "the one-time password is in the server's log"
    assert str(secret) in log, "the log says where the password is"

    web = requests.Session()
    token = csrf(web, server.url + "/login")
    resp = web.post(
        server.url + "/api/session",
        json={"username": name, "password": password},
        headers={"X-CSRFToken": token},
        timeout=5,
    )
    assert resp.status_code == 200 and resp.json()["must_change_password"] is True
    # nothing but the change: the API says why, pages lead to the form
    resp = web.get(server.url + "/api/desks", timeout=5)
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "password_change_required"
    resp = web.get(server.url + "/admin", allow_redirects=False, timeout=5)
    assert resp.status_code == 303 and "/account/password" in resp.headers["Location"]
    resp = web.post(
        server.url + "/api/session/password",
        headers={"X-CSRFToken": token},
        timeout=5,
        json={"current_password": password, "new_password": password},
    )
    assert resp.status_code == 400, "the new password must differ"
    resp = web.post(
        server.url + "/api/session/password",
        headers={"X-CSRFToken": token},
        timeout=5,
        json={"current_password": "not-it-at-all", "new_password": "admins-own-password"},
    )
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "wrong_password"

    # the form, as a person does it
    page = web.get(server.url + "/account/password", timeout=5).text
    assert "kertakäyttöinen" in page
    resp = web.post(
        server.url + "/account/password",
        allow_redirects=False,
        timeout=5,
        data={
            "csrf_token": token,
            "current_password": password,
            "new_password": "admins-own-password",
            "new_password_again": "admins-own-password",
            "next": "/admin",
        },
    )
    assert resp.status_code == 303 and resp.headers["Location"] == "/admin"
    assert not secret.exists(), "the file of a changed password is deleted"
    assert web.get(server.url + "/api/desks", timeout=5).status_code == 200
    assert web.get(server.url + "/api/session", timeout=5).json()["must_change_password"] is False

    # the old password no longer works, the new one does
    other = requests.Session()
    token = csrf(other, server.url + "/login")
    assert (
        other.post(
            server.url + "/api/session",
            json={"username": name, "password": password},
            headers={"X-CSRFToken": token},
            timeout=5,
        ).status_code
        == 401
    )
    assert (
        other.post(
            server.url + "/api/session",
            json={"username": name, "password": "admins-own-password"},
            headers={"X-CSRFToken": token},
            timeout=5,
        ).json()["must_change_password"]
        is False
    )
    assert password not in server.output()
