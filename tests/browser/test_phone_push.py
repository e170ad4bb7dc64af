"""The phone page's "tell me when it is almost my turn" (Web Push, issue 16) in Chromium at 390x844.

Headless Chromium reaches no push service, so the browser's edge alone is stood in for: ``PushManager``'s
``subscribe`` and ``getSubscription`` resolve to a subscription of the loopback push service
(tests/push_service.py), with a real key pair.  Everything else is real: the permission (granted or blocked
through CDP), the service worker /sw.js and its registration, the key from the server, the subscription posted
to it, the server's own push reaching the loopback service when a desk calls the ticket, and that message
delivered to the worker (CDP ``ServiceWorker.deliverPushMessage``), which shows it as a notification.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from queue_server.i18n.catalogue import text
from tests.browser.conftest import Site, browser_config, serve_site
from tests.browser.test_pages_in_browser import (
    console_problems,
    no_overflow,
    screenshot,
    set_viewport,
    shown,
    text_of,
    wait,
)
from tests.browser.test_phone_page import call_api, serious
from tests.push_service import PushService, Received

pytestmark = pytest.mark.browser
LANG = "en"

#: the stand-in for the browser's push service client; SUBSCRIPTION is the subscription's JSON, or null
STAND_IN = """
(function () {
  var given = SUBSCRIPTION;
  var current = null;
  function base64url(bytes) {
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  }
  if (NO_PUSH) { delete window.PushManager; return; }
  PushManager.prototype.subscribe = function (options) {
    var key = new Uint8Array(options.applicationServerKey);
    window.vuoroTestPush = { key: base64url(key), userVisibleOnly: options.userVisibleOnly, unsubscribed: 0 };
    current = {
      endpoint: given.endpoint,
      expirationTime: null,
      options: { applicationServerKey: key.buffer, userVisibleOnly: true },
      toJSON: function () { return { endpoint: given.endpoint, expirationTime: null, keys: given.keys }; },
      unsubscribe: function () {
        current = null;
        window.vuoroTestPush.unsubscribed += 1;
        return Promise.resolve(true);
      },
    };
    return Promise.resolve(current);
  };
  PushManager.prototype.getSubscription = function () { return Promise.resolve(current); };
})();
"""


@pytest.fixture(scope="module")
def push_service() -> Iterator[PushService]:
    with PushService() as service:
        yield service


@pytest.fixture(scope="module")
def site(
    chromium_paths: tuple[str, str], tmp_path_factory: pytest.TempPathFactory, push_service: PushService
) -> Iterator[Site]:
    """The shared test centre, allowed to post to the loopback push service only."""
    tmp = tmp_path_factory.mktemp("phone-push-site")
    config = browser_config(tmp)
    config["push"] = {"endpoint_origins": [push_service.origin]}
    yield from serve_site(config, tmp, {}, ("k1",), "phone-push-tests")


@pytest.fixture
def ticket(site: Site) -> Iterator[dict[str, Any]]:
    """A waiting library ticket in English; cancelled afterwards, so the next test's ticket is first in line."""
    answer = call_api(
        site,
        "POST",
        "/api/tickets",
        site.kiosk_tokens["k1"],
        {"services": ["library"], "language": LANG, "kiosk": "k1"},
    )
    yield answer["ticket"]
    try:
        call_api(site, "DELETE", f"/api/tickets/{answer['ticket']['token']}", "")
    except OSError:
        pass  # called, or ended by the test itself


def open_phone(
    new_driver: Callable[..., Any],
    site: Site,
    ticket: dict[str, Any],
    *,
    permission: str = "granted",
    subscription: dict[str, Any] | None = None,
    no_push: bool = False,
) -> Any:
    """A fresh phone (its own profile) with the push stand-in, the notification permission set, on the page."""
    driver = new_driver(390, 844)
    set_viewport(driver, 390, 844)
    driver.set_script_timeout(20)
    source = STAND_IN.replace("SUBSCRIPTION", json.dumps(subscription)).replace(
        "NO_PUSH", "true" if no_push else "false"
    )
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": source})
    driver.execute_cdp_cmd(
        "Browser.setPermission", {"permission": {"name": "notifications"}, "setting": permission, "origin": site.url}
    )
    driver.get(f"{site.url}/t/{ticket['token']}")
    wait(driver, lambda d: text_of(d, "#phone-position") != "", message="the phone page did not load")
    return driver


def registration(driver: Any) -> dict[str, Any] | None:
    return driver.execute_async_script("""
        var done = arguments[arguments.length - 1];
        navigator.serviceWorker.getRegistration("/").then(function (r) {
          var worker = r && (r.active || r.waiting || r.installing);
          done(r ? { scope: r.scope, script: worker && worker.scriptURL, state: worker && worker.state } : null);
        }, function (e) { done({ error: String(e) }); });
    """)  # type: ignore[no-any-return]


def subscribed(site: Site, ticket: dict[str, Any]) -> bool:
    """Whether the server holds the ticket's push subscription (``GET /api/tickets/<token>/push``)."""
    return bool(call_api(site, "GET", f"/api/tickets/{ticket['token']}/push", "")["push"]["subscribed"])


def received_by(push_service: PushService, name: str, kind: str, timeout: float = 10.0) -> Received:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in push_service.received:
            if message.name == name and message.payload.get("type") == kind:
                return message
        time.sleep(0.1)
    raise AssertionError(f"no {kind!r} push reached {name}: {push_service.received!r} {push_service.rejected!r}")


def subscribe(phone: Any) -> None:
    wait(phone, lambda d: shown(d, "#push-offer"), message="the offer did not appear")
    assert text_of(phone, "#push-offer") == text("phone.push_offer", LANG)
    phone.find_element("css selector", "#push-offer").click()
    wait(phone, lambda d: shown(d, "#push-on"), message="the subscription did not go through")


def test_a_visitor_subscribes_is_called_and_the_worker_shows_the_notification(
    site: Site, new_driver: Callable[..., Any], push_service: PushService, ticket: dict[str, Any], artifacts: Path
) -> None:
    subscriber = push_service.subscribe("phone-called")
    phone = open_phone(
        new_driver, site, ticket, subscription=subscriber.subscription(push_service.endpoint("phone-called"))
    )
    assert text_of(phone, "#phone-keep-open") == text("phone.keep_open", LANG)
    subscribe(phone)
    assert text_of(phone, "#push-on") == text("phone.push_on", LANG)
    assert shown(phone, "#push-stop") and not shown(phone, "#push-offer") and not shown(phone, "#push-note")
    assert text_of(phone, "#phone-keep-open") == text("phone.push_may_close", LANG)
    # the worker is registered for the whole site, and the browser was given the server's own key
    worker = registration(phone)
    assert worker is not None and worker["scope"] == f"{site.url}/" and worker["script"] == f"{site.url}/sw.js"
    sent = phone.execute_script("return window.vuoroTestPush")
    assert sent["userVisibleOnly"] is True
    assert sent["key"] == call_api(site, "GET", "/api/push/key", "")["key"]
    subscribed_before_the_call = subscribed(site, ticket)
    assert serious(phone) == []
    no_overflow(phone)
    screenshot(phone, artifacts, "phone-push-on-390x844.png")

    # a desk calls the ticket: the server posts "called" to the push service; the page drops its offer
    call_api(site, "POST", "/api/desks/d3/status", site.desk_token, {"status": "open"})
    call_api(site, "POST", "/api/desks/d3/call", site.desk_token, {"number": ticket["number"]})
    called = received_by(push_service, "phone-called", "called")
    assert called.payload["number"] == ticket["number"]
    wait(phone, lambda d: shown(d, "#phone-called"), message="the page did not show the call")
    assert not shown(phone, "#push")

    # that very message, handed to the worker as the browser's push service would: a notification to tap
    phone.execute_script("""
        window.vuoroTestHeard = [];
        navigator.serviceWorker.addEventListener("message", function (e) { window.vuoroTestHeard.push(e.data); });
    """)
    phone.execute_cdp_cmd("ServiceWorker.enable", {})
    phone.execute_cdp_cmd(
        "ServiceWorker.deliverPushMessage",
        {"origin": site.url, "registrationId": "0", "data": json.dumps(called.payload)},
    )
    heard = wait(
        phone,
        lambda d: d.execute_script("return window.vuoroTestHeard.length && window.vuoroTestHeard"),
        message="the open page was not told",
    )
    assert heard == [{"vuoroPush": called.payload}]
    # the worker tells the page once the notification is up
    shown_notes = phone.execute_async_script("""
        var done = arguments[arguments.length - 1];
        navigator.serviceWorker.ready.then(function (r) { return r.getNotifications(); }).then(function (list) {
          done(list.map(function (n) {
            return { title: n.title, body: n.body, tag: n.tag, data: n.data, requireInteraction: n.requireInteraction };
          }));
        });
    """)
    [note] = shown_notes
    assert {k: note[k] for k in ("title", "body", "tag", "requireInteraction")} == {
        "title": called.payload["title"],
        "body": called.payload["body"],
        "tag": called.payload.get("tag") or ticket["number"],
        "requireInteraction": True,
    }
    assert console_problems(phone) == []
    assert subscribed_before_the_call
    assert "url" not in called.payload and ticket["token"] not in json.dumps(called.payload)  # no token travels
    assert note["data"] == {"url": f"{site.url}/t/{ticket['token']}"}  # a tap opens the page, as it left itself


def test_stopping_notifications_deletes_the_subscription(
    site: Site, new_driver: Callable[..., Any], push_service: PushService, ticket: dict[str, Any]
) -> None:
    subscriber = push_service.subscribe("phone-stop")
    phone = open_phone(
        new_driver, site, ticket, subscription=subscriber.subscription(push_service.endpoint("phone-stop"))
    )
    subscribe(phone)
    subscribed_view = subscribed(site, ticket)
    phone.find_element("css selector", "#push-stop").click()
    wait(phone, lambda d: shown(d, "#push-offer"), message="the offer did not come back")
    assert not shown(phone, "#push-on") and not shown(phone, "#push-stop")
    assert text_of(phone, "#phone-keep-open") == text("phone.keep_open", LANG)
    assert phone.execute_script("return window.vuoroTestPush.unsubscribed") == 1
    assert console_problems(phone) == []
    assert subscribed_view
    assert not subscribed(site, ticket)


def test_a_browser_without_push_keeps_the_page_open_as_before(
    site: Site, new_driver: Callable[..., Any], ticket: dict[str, Any], artifacts: Path
) -> None:
    phone = open_phone(new_driver, site, ticket, no_push=True)
    wait(phone, lambda d: shown(d, "#push-note"), message="no note for a browser without push")
    assert text_of(phone, "#push-note") == text("phone.push_unsupported", LANG)
    assert not shown(phone, "#push-offer") and not shown(phone, "#push-on")
    assert text_of(phone, "#phone-keep-open") == text("phone.keep_open", LANG)
    assert shown(phone, "#sound-button")  # the alert it had: sound and vibration while open
    assert serious(phone) == []
    no_overflow(phone)
    screenshot(phone, artifacts, "phone-push-unsupported-390x844.png")


def test_blocked_notifications_are_explained(
    site: Site, new_driver: Callable[..., Any], ticket: dict[str, Any]
) -> None:
    phone = open_phone(new_driver, site, ticket, permission="denied", subscription=None)
    wait(phone, lambda d: shown(d, "#push-note"), message="no note for blocked notifications")
    assert text_of(phone, "#push-note") == text("phone.push_denied", LANG)
    assert not shown(phone, "#push-offer")
    assert registration(phone) is None  # nothing registered for a visitor who said no
    assert serious(phone) == []
    no_overflow(phone)


def test_the_offer_follows_the_language_switch(
    site: Site, new_driver: Callable[..., Any], ticket: dict[str, Any]
) -> None:
    phone = open_phone(new_driver, site, ticket, no_push=True)
    wait(phone, lambda d: shown(d, "#push-note"), message="no note")
    phone.find_element("css selector", '[data-lang-choice="fi"]').click()
    wait(
        phone,
        lambda d: text_of(d, "#push-note") == text("phone.push_unsupported", "fi"),
        message="the note did not switch to Finnish",
    )
    assert text_of(phone, "#phone-keep-open") == text("phone.keep_open", "fi")


def test_a_push_service_the_centre_does_not_allow_is_refused(
    site: Site, new_driver: Callable[..., Any], push_service: PushService, ticket: dict[str, Any]
) -> None:
    subscriber = push_service.subscribe("phone-elsewhere")
    phone = open_phone(
        new_driver, site, ticket, subscription=subscriber.subscription("https://push.example.org/send/phone-elsewhere")
    )
    wait(phone, lambda d: shown(d, "#push-offer"), message="the offer did not appear")
    phone.find_element("css selector", "#push-offer").click()
    wait(phone, lambda d: shown(d, "#push-note"), message="no note for a refused push service")
    assert text_of(phone, "#push-note") == text("phone.push_refused", LANG)
    assert not shown(phone, "#push-offer") and not shown(phone, "#push-on")
    assert text_of(phone, "#phone-keep-open") == text("phone.keep_open", LANG)
    assert not subscribed(site, ticket)
