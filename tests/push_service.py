"""A Web Push service of our own on loopback, for end-to-end tests of the notifications we send.

It stands in for a browser vendor's push service (FCM, Mozilla autopush, Apple): it checks what a real one checks
(the RFC 8292 VAPID JWT, RFC 8030's TTL, RFC 8291's ``aes128gcm`` body) and, unlike a real one, decrypts the
message the way the subscribed browser would, so a test can assert on the payload itself. Per endpoint it can also
answer like a subscription gone stale (410, 404), a rate limit (429 with Retry-After), an outage (500), or never
answer at all.

    with PushService() as service:
        subscription = service.subscribe("ticket-A001").subscription(service.endpoint("ticket-A001"))
        ...  # let the server under test push to ``subscription``
        [message] = service.wait_for(1)
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import struct
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

logger = logging.getLogger(__name__)

MAX_VAPID_LIFETIME = 24 * 60 * 60  # RFC 8292 §2: ``exp`` no more than 24 hours from the time of the request
MAX_BODY = 4096  # RFC 8030 §7.2: the size a push service must accept, and what browsers' services cap at


def b64url_encode(data: bytes) -> str:
    """Base64url without padding: how Web Push writes keys and JWT parts."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """The inverse of ``b64url_encode``; strict, so a mangled key or token fails here rather than later."""
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


class DecryptError(Exception):
    """A body that this subscriber cannot decrypt: made for another key, tampered with, or not aes128gcm."""


class Subscriber:
    """What a browser makes when it subscribes: a P-256 key pair and a 16-byte auth secret (RFC 8291 §2)."""

    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)

    @property
    def p256dh(self) -> str:
        """The public key as the browser hands it out: an uncompressed point, base64url."""
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url_encode(raw)

    @property
    def auth(self) -> str:
        return b64url_encode(self.auth_secret)

    def subscription(self, endpoint: str) -> dict[str, Any]:
        """The PushSubscription JSON a page posts to the server (``subscription.toJSON()``)."""
        return {"endpoint": endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}

    def decrypt(self, body: bytes) -> bytes:
        """Decrypt an ``aes128gcm`` message body as the browser would, with this subscriber's secrets."""
        try:
            return bytes(
                http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm")
            )
        except (http_ece.ECEException, ValueError, struct.error) as exc:
            raise DecryptError(str(exc)) from exc


@dataclass(frozen=True)
class Received:
    """A message the service accepted and decrypted. ``headers`` have lower-case names."""

    name: str
    payload: dict[str, Any]
    headers: dict[str, str]
    vapid_claims: dict[str, Any]
    vapid_key: str


@dataclass(frozen=True)
class Rejected:
    """A request the service refused, with the status it answered and why."""

    name: str
    status: int
    reason: str


class PushRejection(Exception):
    """Why a request is refused, and with which status; raised while checking it, turned into the answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def verify_vapid(authorization: str | None, origin: str, now: float) -> tuple[dict[str, Any], str]:
    """Check an RFC 8292 ``Authorization: vapid t=<JWT>, k=<key>`` header; return the claims and the key.

    A missing, malformed, badly signed or expired token is 401 (the credentials are not valid); a valid token
    for another audience or without a contact ``sub`` is 403 (valid, but not good enough), as push services do.
    """
    if not authorization:
        raise PushRejection(401, "no Authorization header")
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise PushRejection(401, f"Authorization scheme {scheme!r} is not RFC 8292's 'vapid'")
    parts: dict[str, str] = {}
    for item in params.split(","):
        param, _, value = item.strip().partition("=")
        parts[param.strip().lower()] = value.strip()
    token, key = parts.get("t"), parts.get("k")
    if not token or not key:
        raise PushRejection(401, "Authorization lacks t= (the JWT) or k= (the public key)")
    try:
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(b64url_decode(header_b64))
        claims = json.loads(b64url_decode(claims_b64))
        signature = b64url_decode(signature_b64)
        public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
    except (ValueError, binascii.Error) as exc:
        raise PushRejection(401, f"malformed VAPID token or key: {exc}") from exc
    if not isinstance(header, dict) or header.get("alg") != "ES256":
        raise PushRejection(401, f"JWT alg is not ES256: {header!r}")
    if len(signature) != 64:  # JWS ES256 is r || s, 32 bytes each (RFC 7518 §3.4), not DER
        raise PushRejection(401, f"JWT signature is {len(signature)} bytes, not 64")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public_key.verify(der, f"{header_b64}.{claims_b64}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise PushRejection(401, "JWT signature does not verify with k") from exc
    if not isinstance(claims, dict):
        raise PushRejection(401, f"JWT claims are not an object: {claims!r}")
    exp = claims.get("exp")
    if not isinstance(exp, int) or isinstance(exp, bool):
        raise PushRejection(401, f"JWT exp is not a number: {exp!r}")
    if exp <= now:
        raise PushRejection(401, f"JWT expired {now - exp:.0f} s ago")
    if exp > now + MAX_VAPID_LIFETIME:
        raise PushRejection(401, f"JWT exp is {exp - now:.0f} s ahead, more than 24 h")
    if claims.get("aud") != origin:
        raise PushRejection(403, f"JWT aud {claims.get('aud')!r} is not this push service's origin {origin!r}")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.startswith(("mailto:", "https:")):
        raise PushRejection(403, f"JWT sub {sub!r} is not a mailto: or https: contact")
    return claims, key


@dataclass
class _Endpoint:
    subscriber: Subscriber
    application_server_key: str | None = None
    answer: int | None = None
    retry_after: int | None = None
    hang: bool = False
    attempts: int = 0


class PushService:
    """A push service on 127.0.0.1 with a random port, served from a background thread until ``close()``."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._endpoints: dict[str, _Endpoint] = {}
        self._received: list[Received] = []
        self._rejected: list[Rejected] = []
        self._released = threading.Event()  # set on close: hung requests end
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="push-service", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Stop serving; hung requests are let go first, so their connections close without an answer."""
        self._released.set()
        self._server.shutdown()
        self._server.server_close()  # joins the request threads
        self._thread.join()

    def __enter__(self) -> PushService:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def endpoint(self, name: str) -> str:
        return f"{self.origin}/push/{name}"

    def subscribe(self, name: str, application_server_key: str | None = None) -> Subscriber:
        """Register an endpoint and the browser behind it.

        With ``application_server_key`` (the VAPID public key, base64url, as a page passes to
        ``pushManager.subscribe``) the subscription is restricted: a message signed with another key is 403.
        """
        subscriber = Subscriber()
        with self._changed:
            self._endpoints[name] = _Endpoint(subscriber, application_server_key)
        return subscriber

    def answer(self, name: str, status: int, retry_after: int | None = None) -> None:
        """From now on answer every request to this endpoint with ``status`` (410 Gone, 429, 500…) unchecked."""
        with self._changed:
            endpoint = self._endpoints[name]
            endpoint.answer, endpoint.retry_after, endpoint.hang = status, retry_after, False

    def hang(self, name: str) -> None:
        """From now on read requests to this endpoint and never answer them (until the service closes)."""
        with self._changed:
            endpoint = self._endpoints[name]
            endpoint.answer, endpoint.retry_after, endpoint.hang = None, None, True

    def reset(self, name: str) -> None:
        """Back to checking and accepting, after ``answer`` or ``hang``."""
        with self._changed:
            endpoint = self._endpoints[name]
            endpoint.answer, endpoint.retry_after, endpoint.hang = None, None, False

    def attempts(self, name: str) -> int:
        """How many requests reached this endpoint, whatever they were answered (or not)."""
        with self._changed:
            return self._endpoints[name].attempts

    @property
    def received(self) -> list[Received]:
        with self._changed:
            return list(self._received)

    @property
    def rejected(self) -> list[Rejected]:
        with self._changed:
            return list(self._rejected)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """Wait until ``count`` messages were accepted and return them; on timeout say what did arrive."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._received) >= count, timeout):
                raise AssertionError(
                    f"expected {count} push messages within {timeout} s, got "
                    f"{self._received!r}; rejected: {self._rejected!r}"
                )
            return list(self._received)

    def _handle(self, request: BaseHTTPRequestHandler) -> tuple[int, dict[str, str]] | None:
        """Check one request and record what came of it; the answer to send, or None to send none."""
        name = request.path.removeprefix("/push/") if request.path.startswith("/push/") else None
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        with self._changed:
            endpoint = self._endpoints.get(name) if name else None
            if endpoint is None:
                return 404, {}
            endpoint.attempts += 1
            answer, retry_after, hang = endpoint.answer, endpoint.retry_after, endpoint.hang
            self._changed.notify_all()
        if hang:
            self._released.wait()
            return None
        if answer is not None:
            return answer, {} if retry_after is None else {"Retry-After": str(retry_after)}
        assert name is not None
        try:
            message = self._check(name, endpoint, request, body)
        except PushRejection as rejection:
            with self._changed:
                self._rejected.append(Rejected(name, rejection.status, rejection.reason))
                self._changed.notify_all()
            return rejection.status, {}
        with self._changed:
            self._received.append(message)
            self._changed.notify_all()
            number = len(self._received)
        return 201, {"Location": f"{self.origin}/message/{number}"}

    def _check(self, name: str, endpoint: _Endpoint, request: BaseHTTPRequestHandler, body: bytes) -> Received:
        claims, key = verify_vapid(request.headers.get("Authorization"), self.origin, time.time())
        if endpoint.application_server_key is not None and key != endpoint.application_server_key:
            raise PushRejection(403, "VAPID key is not the one this subscription was made with")
        if "TTL" not in request.headers:
            raise PushRejection(400, "no TTL header (RFC 8030 §5.2)")
        encoding = request.headers.get("Content-Encoding")
        if encoding != "aes128gcm":
            raise PushRejection(400, f"Content-Encoding is {encoding!r}, not aes128gcm")
        if len(body) > MAX_BODY:
            raise PushRejection(413, f"body of {len(body)} bytes, more than {MAX_BODY}")
        try:
            plaintext = endpoint.subscriber.decrypt(body)
        except DecryptError as exc:
            raise PushRejection(400, f"cannot decrypt the body for this subscriber: {exc}") from exc
        try:
            payload = json.loads(plaintext)
        except ValueError as exc:
            raise PushRejection(400, f"payload is not JSON: {plaintext[:100]!r}") from exc
        if not isinstance(payload, dict):
            raise PushRejection(400, f"payload is not a JSON object: {payload!r}")
        headers = {header.lower(): value for header, value in request.headers.items()}
        return Received(name, payload, headers, claims, key)


class _Server(ThreadingHTTPServer):
    # Request threads are joined on close, so no test leaves one running; hung ones are released first.
    daemon_threads = False
    block_on_close = True


def _handler_for(service: PushService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        timeout = 10  # a client that connects and sends nothing cannot hold close() up for longer

        def do_POST(self) -> None:
            answer = service._handle(self)
            if answer is None:
                self.close_connection = True
                return
            status, headers = answer
            self.send_response(status)
            for header, value in headers.items():
                self.send_header(header, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("push service: " + format, *args)

    return Handler
