"""The loopback push service's own tests, driven by pywebpush as the server will drive it, so it can be trusted."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid, Vapid01, Vapid02
from pywebpush import WebPusher, WebPushException, webpush

from tests.push_service import (
    MAX_VAPID_LIFETIME,
    DecryptError,
    PushService,
    Rejected,
    Subscriber,
    b64url_decode,
    b64url_encode,
)

SUB = "mailto:ops@example.org"
PAYLOAD = {"event": "ticket_called", "ticket": "A012", "desk": "3", "text": "Vuorosi: tiski 3 – äö"}


@pytest.fixture
def service() -> Iterator[PushService]:
    with PushService() as push_service:
        yield push_service


@pytest.fixture(scope="module")
def vapid() -> Vapid02:
    key = Vapid()
    key.generate_keys()
    return key


def application_server_key(vapid: Vapid01) -> str:
    """The VAPID public key as a page passes it to ``pushManager.subscribe``."""
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url_encode(raw)


def push(subscription: dict[str, Any], vapid: Vapid01, **kwargs: Any) -> requests.Response:
    kwargs.setdefault("vapid_claims", {"sub": SUB})
    kwargs.setdefault("timeout", 5)
    response = webpush(subscription, json.dumps(PAYLOAD), vapid_private_key=vapid, ttl=60, **kwargs)
    assert isinstance(response, requests.Response)
    return response


def status_of_failed_push(subscription: dict[str, Any], vapid: Vapid01, **kwargs: Any) -> int:
    with pytest.raises(WebPushException) as failure:
        push(subscription, vapid, **kwargs)
    assert failure.value.response is not None
    assert failure.value.status_code == failure.value.response.status_code
    return int(failure.value.response.status_code)


def test_a_subscriber_holds_what_a_browser_makes() -> None:
    subscriber = Subscriber()
    subscription = subscriber.subscription("http://127.0.0.1:1/push/x")
    point = b64url_decode(subscription["keys"]["p256dh"])
    assert len(point) == 65 and point[0] == 4  # an uncompressed P-256 point
    assert len(b64url_decode(subscription["keys"]["auth"])) == 16
    assert "=" not in subscription["keys"]["p256dh"] + subscription["keys"]["auth"]
    assert Subscriber().auth != subscriber.auth


def test_a_subscriber_decrypts_only_what_was_encrypted_for_it() -> None:
    subscriber = Subscriber()
    pusher = WebPusher(subscriber.subscription("http://127.0.0.1:1/push/x"))
    body = pusher.encode(b"hello", "aes128gcm")["body"]
    assert subscriber.decrypt(body) == b"hello"
    with pytest.raises(DecryptError):
        Subscriber().decrypt(body)
    with pytest.raises(DecryptError):
        subscriber.decrypt(body[:-1] + bytes([body[-1] ^ 1]))
    with pytest.raises(DecryptError):
        subscriber.decrypt(b"")


def test_a_message_from_pywebpush_arrives_decrypted(service: PushService, vapid: Vapid02) -> None:
    subscriber = service.subscribe("visit-1", application_server_key=application_server_key(vapid))
    response = push(subscriber.subscription(service.endpoint("visit-1")), vapid)

    assert response.status_code == 201
    assert response.headers["Location"].startswith(service.origin + "/message/")
    [message] = service.wait_for(1)
    assert message.name == "visit-1"
    assert message.payload == PAYLOAD
    assert message.vapid_claims["aud"] == service.origin
    assert message.vapid_claims["sub"] == SUB
    assert message.vapid_key == application_server_key(vapid)
    assert message.headers["content-encoding"] == "aes128gcm"
    assert message.headers["ttl"] == "60"
    assert message.headers["authorization"].startswith("vapid t=")
    assert service.rejected == []


def test_pywebpush_fills_aud_and_exp_into_the_callers_claims(service: PushService, vapid: Vapid02) -> None:
    # webpush() writes aud (scheme://host:port of the endpoint) and exp (12 h) into the dict it is given, and
    # keeps an aud that is there: one claims dict shared across push services would carry the first one's aud.
    subscriber = service.subscribe("visit-1")
    claims: dict[str, str | int] = {"sub": SUB}
    push(subscriber.subscription(service.endpoint("visit-1")), vapid, vapid_claims=claims)
    assert claims["aud"] == service.origin
    assert 0 < int(claims["exp"]) - time.time() <= 12 * 60 * 60


def test_wait_for_returns_messages_sent_meanwhile(service: PushService, vapid: Vapid02) -> None:
    subscription = service.subscribe("visit-1").subscription(service.endpoint("visit-1"))
    sender = threading.Thread(target=lambda: [push(subscription, vapid) for _ in range(3)])
    sender.start()
    assert len(service.wait_for(3, timeout=10)) == 3
    sender.join()


def test_wait_for_says_what_arrived_when_too_little_did(service: PushService, vapid: Vapid02) -> None:
    push(service.subscribe("visit-1").subscription(service.endpoint("visit-1")), vapid)
    with pytest.raises(AssertionError, match="expected 2 push messages.*ticket_called"):
        service.wait_for(2, timeout=0.2)


def test_a_jwt_whose_claims_changed_after_signing_is_unauthorized(service: PushService, vapid: Vapid02) -> None:
    subscription = service.subscribe("visit-1").subscription(service.endpoint("visit-1"))
    headers = vapid.sign({"sub": SUB, "aud": "https://push.example.net"})
    scheme_and_token, key = headers["Authorization"].split(",")
    header_b64, _, signature = scheme_and_token.removeprefix("vapid t=").split(".")
    forged = b64url_encode(json.dumps({"sub": SUB, "aud": service.origin, "exp": int(time.time()) + 3600}).encode())
    headers["Authorization"] = f"vapid t={header_b64}.{forged}.{signature},{key}"

    response = WebPusher(subscription).send(json.dumps(PAYLOAD), headers, ttl=60, timeout=5)

    assert isinstance(response, requests.Response)
    assert response.status_code == 401
    assert service.rejected == [Rejected("visit-1", 401, "JWT signature does not verify with k")]
    assert service.received == []


def test_a_jwt_for_another_push_service_is_forbidden(service: PushService, vapid: Vapid02) -> None:
    subscription = service.subscribe("visit-1").subscription(service.endpoint("visit-1"))
    claims = {"sub": SUB, "aud": "https://fcm.googleapis.com"}
    assert status_of_failed_push(subscription, vapid, vapid_claims=claims) == 403
    [rejected] = service.rejected
    assert "aud" in rejected.reason


def test_a_jwt_living_longer_than_24_hours_is_unauthorized(service: PushService, vapid: Vapid02) -> None:
    subscription = service.subscribe("visit-1").subscription(service.endpoint("visit-1"))
    claims = {"sub": SUB, "exp": int(time.time()) + MAX_VAPID_LIFETIME + 3600}
    assert status_of_failed_push(subscription, vapid, vapid_claims=claims) == 401


def test_a_sub_that_is_no_contact_is_forbidden(service: PushService, vapid: Vapid02) -> None:
    subscription = service.subscribe("visit-1").subscription(service.endpoint("visit-1"))
    lax = Vapid02(private_key=vapid.private_key, conf={"no-strict": True})  # py_vapid itself refuses such a sub
    assert status_of_failed_push(subscription, lax, vapid_claims={"sub": "ops"}) == 403


def test_the_draft_webpush_scheme_is_unauthorized(service: PushService, vapid: Vapid02) -> None:
    # A Vapid01 key makes pywebpush send draft-01's "Authorization: WebPush <JWT>" and a Crypto-Key header
    subscription = service.subscribe("visit-1").subscription(service.endpoint("visit-1"))
    assert status_of_failed_push(subscription, Vapid01(private_key=vapid.private_key)) == 401


def test_no_vapid_at_all_is_unauthorized(service: PushService) -> None:
    subscription = service.subscribe("visit-1").subscription(service.endpoint("visit-1"))
    with pytest.raises(WebPushException) as failure:
        webpush(subscription, json.dumps(PAYLOAD), ttl=60, timeout=5)
    assert failure.value.status_code == 401


def test_a_restricted_subscription_refuses_another_key(service: PushService, vapid: Vapid02) -> None:
    subscription = service.subscribe("visit-1", application_server_key(vapid)).subscription(service.endpoint("visit-1"))
    other = Vapid()
    other.generate_keys()
    assert status_of_failed_push(subscription, other) == 403


def test_a_body_encrypted_for_another_subscriber_is_refused(service: PushService, vapid: Vapid02) -> None:
    service.subscribe("visit-1")
    assert status_of_failed_push(Subscriber().subscription(service.endpoint("visit-1")), vapid) == 400
    [rejected] = service.rejected
    assert rejected.name == "visit-1" and "decrypt" in rejected.reason


def test_the_old_aesgcm_encoding_is_refused(service: PushService, vapid: Vapid02) -> None:
    subscription = service.subscribe("visit-1").subscription(service.endpoint("visit-1"))
    assert status_of_failed_push(subscription, vapid, content_encoding="aesgcm") == 400


def test_a_body_over_4096_bytes_is_too_large(service: PushService, vapid: Vapid02) -> None:
    subscription = service.subscribe("visit-1").subscription(service.endpoint("visit-1"))
    with pytest.raises(WebPushException) as failure:
        webpush(subscription, "x" * 5000, vapid_private_key=vapid, vapid_claims={"sub": SUB}, ttl=60, timeout=5)
    assert failure.value.status_code == 413


def test_an_unknown_endpoint_is_not_found(service: PushService, vapid: Vapid02) -> None:
    assert status_of_failed_push(Subscriber().subscription(service.endpoint("nobody")), vapid) == 404


@pytest.mark.parametrize("status", [404, 410, 500])
def test_answer_makes_webpush_fail_with_that_status(service: PushService, vapid: Vapid02, status: int) -> None:
    subscription = service.subscribe("visit-1").subscription(service.endpoint("visit-1"))
    service.answer("visit-1", status)
    assert status_of_failed_push(subscription, vapid) == status
    assert service.attempts("visit-1") == 1
    assert service.received == [] and service.rejected == []


def test_a_rate_limit_carries_retry_after_and_reset_accepts_again(service: PushService, vapid: Vapid02) -> None:
    subscription = service.subscribe("visit-1").subscription(service.endpoint("visit-1"))
    service.answer("visit-1", 429, retry_after=30)
    with pytest.raises(WebPushException) as failure:
        push(subscription, vapid)
    assert failure.value.status_code == 429
    assert failure.value.retry_after == "30"

    service.reset("visit-1")
    assert push(subscription, vapid).status_code == 201
    assert service.attempts("visit-1") == 2


def test_a_hanging_endpoint_lets_webpush_time_out(service: PushService, vapid: Vapid02) -> None:
    subscription = service.subscribe("visit-1").subscription(service.endpoint("visit-1"))
    service.hang("visit-1")
    started = time.monotonic()
    # a timeout surfaces as requests' own exception, not WebPushException
    with pytest.raises(requests.exceptions.ReadTimeout):
        push(subscription, vapid, timeout=0.5)
    assert time.monotonic() - started < 5  # it returns; generous, since this is not a measure of speed
    assert service.attempts("visit-1") == 1


def test_closing_the_service_ends_hanging_connections() -> None:
    service = PushService()
    service.subscribe("visit-1")
    service.hang("visit-1")
    outcome: list[BaseException] = []

    def post_without_timeout() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", int(service.origin.rsplit(":", 1)[1]))
        try:
            connection.request("POST", "/push/visit-1", body=b"x")
            connection.getresponse()
        except (http.client.HTTPException, ConnectionError) as exc:
            outcome.append(exc)
        finally:
            connection.close()

    client = threading.Thread(target=post_without_timeout)
    client.start()
    deadline = time.monotonic() + 5
    while service.attempts("visit-1") == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    service.close()
    client.join(timeout=5)
    assert not client.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], http.client.RemoteDisconnected)


def test_a_subscriber_decrypts_the_rfc_8291_example() -> None:
    # RFC 8291 §5 and Appendix A: the user agent's keys and the message sent to it; independent of pywebpush
    subscriber = Subscriber()
    private_value = int.from_bytes(b64url_decode("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"), "big")
    subscriber.private_key = ec.derive_private_key(private_value, ec.SECP256R1())
    subscriber.auth_secret = b64url_decode("BTBZMqHH6r4Tts7J_aSIgg")
    assert subscriber.p256dh == (
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
    )
    body = b64url_decode(
        "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3"
        "jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
    )
    assert subscriber.decrypt(body) == b"When I grow up, I want to be a watermelon"
