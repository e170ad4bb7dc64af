"""A real OpenID Connect provider on loopback, for end-to-end tests of staff sign-in through Authlib.

It is panva's certified ``oidc-provider`` (npm), run by the machine's Node.js from ``tests/oidc/provider.mjs``:
the authorization code flow with PKCE (S256) required, the accounts' claims (``name``, ``vuoro_roles``,
``vuoro_desks``, ...) in the ID token for ``openid profile``, no consent screen, RP-initiated logout without an
``id_token_hint``, and ID tokens signed RS256 with a key this side generates, so a restart can rotate it. Only
this test program has ``/_test/``: counters (live sessions, JWKS and token requests, logouts) and a switch that
makes every token response carry a bad ID token (wrong ``aud``/``exp``/``nonce``/``iss`` correctly signed, a
broken signature, or none), so a test can check that the relying party refuses each.

Install once with ``npm ci --prefix tests/oidc``; without it (or without ``node``) the tests skip, or fail with
``VUORO_REQUIRE_SERVICES=1`` (``require_provider()``).

    require_provider()
    accounts = {"alice": {"name": "Alice Clerk", "vuoro_roles": ["vuoro-clerk"], "vuoro_desks": ["d1"]}}
    with OidcProvider(tmp_path, redirect_uris=[f"{site}/auth/callback"],
                      post_logout_redirect_uris=[f"{site}/"], accounts=accounts) as provider:
        ...  # configure the server under test with provider.issuer, client_id, client_secret
        http = requests.Session()
        login = http.get(f"{site}/auth/login", allow_redirects=False).headers["Location"]
        callback = sign_in(http, login, "alice")  # the URL back to the site, with code and state
        http.get(callback)
        assert provider.state()["sessions"] == 1
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal
from urllib.parse import urljoin, urlsplit

import requests
from joserfc.jwk import KeySet, RSAKey

ROOT = Path(__file__).resolve().parent.parent
PROGRAM_DIR = ROOT / "tests" / "oidc"
PROGRAM = PROGRAM_DIR / "provider.mjs"
PACKAGE = PROGRAM_DIR / "node_modules" / "oidc-provider"
NODE = "/usr/bin/node"

#: what ``tamper`` takes: None turns tampering off
TamperMode = Literal["aud", "aud_azp", "exp", "nonce", "iss", "sig", "no_id_token"] | None
TAMPER_MODES: tuple[TamperMode, ...] = (None, "aud", "aud_azp", "exp", "nonce", "iss", "sig", "no_id_token")

#: the login form and the logout confirmation, for a browser test (Selenium's By.CSS_SELECTOR)
LOGIN_FIELD = "form#login-form input[name=login]"
PASSWORD_FIELD = "form#login-form input[name=password]"
SIGN_IN_BUTTON = "button#sign-in"
LOGOUT_BUTTON = "button#logout-yes"

_LISTENING = re.compile(r"^listening on (http://127\.0\.0\.1:(\d+))$", re.MULTILINE)
_MAX_STEPS = 12  # redirects and forms on the way through the provider: a handful in practice


class ProviderError(Exception):
    """The provider did not start, or answered a step of a sign-in or sign-out with something unexpected."""


def node_path() -> str | None:
    """The Node.js that runs the provider: Debian's, else whatever ``node`` is on PATH."""
    return NODE if Path(NODE).exists() else shutil.which("node")


def available() -> str | None:
    """Why the provider cannot run here (no Node.js, or its npm packages not installed), or None if it can."""
    if node_path() is None:
        return "no Node.js (apt-get install nodejs)"
    if not (PACKAGE / "package.json").exists():
        return f"{PACKAGE.relative_to(ROOT)} is missing: run npm ci --prefix tests/oidc"
    return None


def require_provider() -> None:
    """Skip the test where the provider cannot run (a developer machine); fail in CI (VUORO_REQUIRE_SERVICES=1)."""
    reason = available()
    if reason is not None:
        from tests.conftest import service_unavailable  # here, not at import: this module works without pytest

        service_unavailable("The OpenID Connect test provider", FileNotFoundError(reason))


def new_signing_key() -> dict[str, Any]:
    """A fresh RS256 key as a private JWK, with a kid of its own (so a rotation is visible in the JWKS)."""
    kid = f"vuoro-test-{secrets.token_hex(6)}"
    key = RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"}, private=True)
    return dict(key.as_dict(private=True))


class OidcProvider:
    """The Node process and what it is started with; a context manager that starts and stops it.

    ``accounts`` maps login names to claims; the attribute (like ``redirect_uris`` and
    ``post_logout_redirect_uris``) may be changed between restarts. The provider keeps its sessions and grants
    in memory, so a restart signs every browser out at the provider (the relying party's own sessions stay).
    """

    def __init__(
        self,
        workdir: Path,
        *,
        redirect_uris: list[str],
        post_logout_redirect_uris: list[str],
        accounts: dict[str, dict[str, Any]],
        client_id: str = "vuoro",
        client_secret: str | None = None,
        token_endpoint_auth_method: Literal["client_secret_basic", "client_secret_post"] = "client_secret_basic",
        startup_timeout: float = 20.0,
    ) -> None:
        self.workdir = Path(workdir)
        self.redirect_uris = list(redirect_uris)
        self.post_logout_redirect_uris = list(post_logout_redirect_uris)
        self.accounts = dict(accounts)
        self._client_id = client_id
        self._client_secret = client_secret or secrets.token_urlsafe(24)
        self.token_endpoint_auth_method = token_endpoint_auth_method
        self.startup_timeout = startup_timeout
        self.config_path = self.workdir / "oidc-provider.json"
        self.keys_path = self.workdir / "oidc-provider-keys.json"
        self.log_path = self.workdir / "oidc-provider.log"
        self._key = new_signing_key()
        self._port = 0  # chosen by the first start, kept by restarts so the issuer stays the same
        self._issuer: str | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._process_rc: int | None = None  # how the last process ended, for the error of a failed start
        self._log: IO[bytes] | None = None

    # -- process

    def start(self) -> OidcProvider:
        """Write the config and the key, run the provider, and wait for it to listen; raise with its log if not."""
        if self._process is not None:
            raise ProviderError("the provider is already running")
        reason = available()
        if reason is not None:
            raise ProviderError(reason)
        node = node_path()
        assert node is not None
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.keys_path.write_text(json.dumps({"keys": [self._key]}))
        self.config_path.write_text(
            json.dumps(
                {
                    "port": self._port,
                    "keys_file": str(self.keys_path),
                    "client": {
                        "client_id": self._client_id,
                        "client_secret": self._client_secret,
                        "redirect_uris": self.redirect_uris,
                        "post_logout_redirect_uris": self.post_logout_redirect_uris,
                        "token_endpoint_auth_method": self.token_endpoint_auth_method,
                    },
                    "accounts": self.accounts,
                },
                indent=2,
            )
        )
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self._log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            [node, str(PROGRAM), str(self.config_path)],
            cwd=PROGRAM_DIR,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + self.startup_timeout
        while True:
            text = self._log_text(offset)
            match = _LISTENING.search(text)
            if match:
                self._issuer, self._port = match.group(1), int(match.group(2))
                return self
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                what = (
                    f"exited with {self._process_rc}"
                    if self._process_rc is not None
                    else f"did not listen within {self.startup_timeout} s"
                )
                raise ProviderError(f"the OpenID Connect provider {what}; its log:\n{self._log_text(offset)}")
            time.sleep(0.05)

    def stop(self) -> None:
        """End the process (SIGTERM, then SIGKILL after 5 s); nothing happens if it is not running."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)
            self._process_rc = process.returncode
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart(self, rotate_keys: bool = False) -> None:
        """Stop and start again on the same port (same issuer); ``rotate_keys`` replaces the signing key.

        Memory is lost: sessions, grants, codes and the counters of ``state()``; tampering is off again.
        """
        self.stop()
        if rotate_keys:
            self._key = new_signing_key()
        self.start()

    def __enter__(self) -> OidcProvider:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log(self) -> str:
        """Everything the Node process printed, over all its starts."""
        return self._log_text(0)

    def _log_text(self, offset: int) -> str:
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as file:
            file.seek(offset)
            return file.read().decode("utf-8", "replace")

    # -- what a relying party is configured with

    @property
    def issuer(self) -> str:
        """``http://127.0.0.1:PORT``, exactly as the discovery document and the ID tokens say it."""
        if self._issuer is None:
            raise ProviderError("the provider has not started")
        return self._issuer

    @property
    def discovery_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    @property
    def client_id(self) -> str:
        return self._client_id

    @property
    def client_secret(self) -> str:
        return self._client_secret

    @property
    def kid(self) -> str:
        """The key id of the current signing key (in every ID token's header and in the JWKS)."""
        return str(self._key["kid"])

    def public_keys(self) -> KeySet:
        """The current public key, read from this side (so it is not counted in ``jwks_requests``)."""
        public = {name: value for name, value in self._key.items() if name in ("kty", "n", "e", "kid", "alg", "use")}
        return KeySet.import_key_set({"keys": [public]})

    # -- test controls

    def state(self) -> dict[str, Any]:
        """``{"sessions", "jwks_requests", "token_requests", "end_session", "tamper"}``: live provider sessions
        with a signed-in account, GETs of the JWKS, POSTs to the token endpoint, completed logouts; since start."""
        response = requests.get(self.issuer + "/_test/state", timeout=5)
        response.raise_for_status()
        return dict(response.json())

    def tamper(self, mode: TamperMode) -> None:
        """From now on alter the ID token of every successful token response (None: stop); see the module doc."""
        if mode not in TAMPER_MODES:
            raise ValueError(f"tamper mode {mode!r} is not one of {TAMPER_MODES}")
        response = requests.post(self.issuer + "/_test/tamper", json={"mode": mode}, timeout=5)
        response.raise_for_status()

    def session_account(self, http: requests.Session) -> str | None:
        """The account (sub) signed in at the provider in this browser (its cookies), or None."""
        response = http.get(self.issuer + "/_test/whoami", timeout=5)
        response.raise_for_status()
        account = response.json()["account"]
        return None if account is None else str(account)

    def has_session(self, http: requests.Session) -> bool:
        """Whether this browser is signed in at the provider: its next sign-in would not show the form."""
        return self.session_account(http) is not None


# -- a browser without a browser: requests through the provider's pages


@dataclass
class _Form:
    attrs: dict[str, str]
    inputs: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    """The forms of a page with their hidden and preset inputs: enough for the provider's own pages."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[_Form] = []
        self._open: _Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._open = _Form(values)
            self.forms.append(self._open)
        elif tag == "input" and self._open is not None and values.get("name"):
            self._open.inputs[values["name"]] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


def _forms(html: str) -> list[_Form]:
    parser = _Forms()
    parser.feed(html)
    parser.close()
    return parser.forms


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _unexpected(step: str, response: requests.Response) -> ProviderError:
    return ProviderError(
        f"{step}: the provider answered {response.status_code} at {response.url}:\n{response.text[:3000]}"
    )


def _walk(http: requests.Session, url: str, step: str, answer_form: Any, timeout: float) -> str:
    """Follow the provider's redirects and submit its forms until it sends the browser elsewhere; return where.

    ``answer_form(forms)`` says what to post for a page (form action and fields), or None where the page is the
    end of the way (the provider's own "signed out" page): its URL is returned.
    """
    origin = _origin(url)
    response = http.get(url, allow_redirects=False, timeout=timeout)
    for _ in range(_MAX_STEPS):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if _origin(location) != origin:
                return location
            response = http.get(location, allow_redirects=False, timeout=timeout)
            continue
        if response.status_code != 200 or "html" not in response.headers.get("Content-Type", ""):
            raise _unexpected(step, response)
        submit = answer_form(_forms(response.text))
        if submit is None:
            return str(response.url)
        action, data = submit
        target = urljoin(response.url, action)
        if _origin(target) != origin:  # a form_post response: the browser would post it to the relying party
            return target
        response = http.post(target, data=data, allow_redirects=False, timeout=timeout)
    raise ProviderError(f"{step}: more than {_MAX_STEPS} steps at the provider, last at {response.url}")


def sign_in(
    http: requests.Session, authorize_url: str, login: str, password: str = "any-password", timeout: float = 10
) -> str:
    """Go through the provider from the authorization URL the relying party redirected to, signing in as
    ``login`` at its form, and return the URL it sends the browser back to (``code`` and ``state``, or
    ``error``) without requesting it. With a provider session in ``http``'s cookies there is no form on the way.
    """

    def answer(forms: list[_Form]) -> tuple[str, dict[str, str]]:
        form = next((form for form in forms if form.attrs.get("id") == "login-form"), None)
        if form is None:
            raise ProviderError(f"sign-in: no login form on the provider's page (forms: {forms!r})")
        return form.attrs.get("action", ""), {**form.inputs, "login": login, "password": password}

    return _walk(http, authorize_url, "sign-in", answer, timeout)


def sign_out(http: requests.Session, end_session_url: str, timeout: float = 10) -> str:
    """From the relying party's logout redirect (the provider's ``/session/end?client_id=…&post_logout_
    redirect_uri=…&state=…``), confirm at the provider and return the URL it sends the browser back to (with
    ``state``) without requesting it; without a ``post_logout_redirect_uri``, the provider's "signed out" page.
    """

    def answer(forms: list[_Form]) -> tuple[str, dict[str, str]] | None:
        for form in forms:
            if form.attrs.get("id") == "op.logoutForm":  # the confirmation: its "Yes" button says logout=yes
                return form.attrs.get("action", ""), {**form.inputs, "logout": "yes"}
            if form.attrs.get("method", "").lower() == "post":  # no session: a self-submitting form, as it is
                return form.attrs.get("action", ""), form.inputs
        return None

    return _walk(http, end_session_url, "sign-out", answer, timeout)
