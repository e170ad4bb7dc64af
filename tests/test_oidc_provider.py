"""The loopback OpenID Connect provider's own tests: a relying party made of requests and Authlib (as Vuoro's
server is) goes through it, so the sign-in tests built on it can trust what it issues and what it refuses."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from tests.oidc_provider import TAMPER_MODES, OidcProvider, ProviderError, require_provider, sign_in, sign_out

RP = "http://127.0.0.1:9"  # never requested: the tests stop at the redirect back and read its query
REDIRECT_URI = f"{RP}/auth/callback"
LOGGED_OUT_URI = f"{RP}/logged-out"
ACCOUNTS: dict[str, dict[str, Any]] = {
    "alice": {
        "name": "Alice Clerk",
        "preferred_username": "alice",
        "vuoro_roles": ["vuoro-clerk"],
        "vuoro_desks": ["d1", "d2"],
    },
    "bob": {"sub": "b-0042", "name": "Bob Supervisor", "vuoro_roles": ["vuoro-supervisor"]},
}


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    require_provider()
    with OidcProvider(
        tmp_path_factory.mktemp("oidc"),
        redirect_uris=[REDIRECT_URI],
        post_logout_redirect_uris=[LOGGED_OUT_URI],
        accounts=ACCOUNTS,
    ) as running:
        yield running


@pytest.fixture(scope="module")
def discovery(provider: OidcProvider) -> dict[str, Any]:
    response = requests.get(provider.discovery_url, timeout=5)
    response.raise_for_status()
    return dict(response.json())


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """A browser's cookie jar, fresh for each test."""
    with requests.Session() as session:
        yield session


def query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_url(provider: OidcProvider, discovery: dict[str, Any], **params: str) -> str:
    """The provider's authorization URL for the test client, with the request's own parameters on top."""
    base = {
        "client_id": provider.client_id,
        "response_type": "code",
        "scope": "openid profile",
        "redirect_uri": REDIRECT_URI,
    }
    return discovery["authorization_endpoint"] + "?" + urlencode({**base, **params})


def public_keys(discovery: dict[str, Any]) -> KeySet:
    response = requests.get(discovery["jwks_uri"], timeout=5)
    response.raise_for_status()
    return KeySet.import_key_set(response.json())


def code_flow(
    provider: OidcProvider, discovery: dict[str, Any], http: requests.Session, login: str = "alice"
) -> tuple[dict[str, Any], str]:
    """What Vuoro's server does with Authlib: authorize with PKCE and a nonce, sign in, swap the code."""
    nonce = secrets.token_urlsafe(16)
    verifier = secrets.token_urlsafe(48)
    with OAuth2Session(
        provider.client_id,
        provider.client_secret,
        scope="openid profile",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    ) as client:
        url, state = client.create_authorization_url(
            discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce, ui_locales="fi"
        )
        back = sign_in(http, url, login)
        assert back.startswith(REDIRECT_URI + "?")
        assert query(back)["state"] == state
        token = client.fetch_token(discovery["token_endpoint"], authorization_response=back, code_verifier=verifier)
    return dict(token), nonce


def test_discovery_names_the_issuer_and_its_endpoints(provider: OidcProvider, discovery: dict[str, Any]) -> None:
    assert provider.issuer == f"http://127.0.0.1:{urlsplit(provider.issuer).port}"
    assert discovery["issuer"] == provider.issuer
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri", "end_session_endpoint"):
        assert discovery[endpoint].startswith(provider.issuer + "/")
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]
    assert {"vuoro_roles", "vuoro_desks", "name"} <= set(discovery["claims_supported"])


def test_code_flow_with_pkce_gives_a_signed_id_token_with_the_accounts_claims(
    provider: OidcProvider, discovery: dict[str, Any], http: requests.Session
) -> None:
    before = provider.state()
    token, nonce = code_flow(provider, discovery, http)
    keys = public_keys(discovery)
    after = provider.state()

    decoded = jwt.decode(token["id_token"], keys)
    assert (decoded.header["alg"], decoded.header["kid"]) == ("RS256", provider.kid)
    claims = decoded.claims
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": provider.client_id},
        nonce={"essential": True, "value": nonce},
    ).validate(claims)
    assert claims["sub"] == "alice"
    assert claims["name"] == "Alice Clerk"
    assert claims["preferred_username"] == "alice"
    assert claims["vuoro_roles"] == ["vuoro-clerk"]
    assert claims["vuoro_desks"] == ["d1", "d2"]
    assert token["access_token"]
    assert after["token_requests"] == before["token_requests"] + 1
    assert after["jwks_requests"] == before["jwks_requests"] + 1
    assert provider.session_account(http) == "alice"


def test_sub_from_the_claims_and_unknown_logins(provider: OidcProvider, discovery: dict[str, Any]) -> None:
    keys = provider.public_keys()
    with requests.Session() as http:
        bob = jwt.decode(code_flow(provider, discovery, http, "bob")[0]["id_token"], keys).claims
    assert (bob["sub"], bob["name"], bob["vuoro_roles"]) == ("b-0042", "Bob Supervisor", ["vuoro-supervisor"])
    with requests.Session() as http:
        stranger = jwt.decode(code_flow(provider, discovery, http, "stranger")[0]["id_token"], keys).claims
    assert stranger["sub"] == "stranger"
    assert not {"name", "vuoro_roles", "vuoro_desks"} & set(stranger)


def test_a_second_sign_in_goes_straight_back(
    provider: OidcProvider, discovery: dict[str, Any], http: requests.Session
) -> None:
    code_flow(provider, discovery, http)
    verifier, challenge = pkce_pair()
    url = authorize_url(
        provider, discovery, state="again", nonce="n", code_challenge=challenge, code_challenge_method="S256"
    )
    response = http.get(url, allow_redirects=False, timeout=5)
    assert response.is_redirect
    assert response.headers["Location"].startswith(REDIRECT_URI + "?code=")
    assert query(sign_in(http, url, "alice"))["state"] == "again"


@pytest.mark.parametrize(
    "pkce", [{}, {"code_challenge": "x" * 43, "code_challenge_method": "plain"}], ids=["none", "plain"]
)
def test_an_authorization_request_without_s256_pkce_is_refused(
    provider: OidcProvider, discovery: dict[str, Any], http: requests.Session, pkce: dict[str, str]
) -> None:
    url = authorize_url(provider, discovery, state="s", nonce="n", **pkce)
    back = sign_in(http, url, "alice")
    assert back.startswith(REDIRECT_URI + "?")
    assert query(back)["error"] == "invalid_request"
    assert "code" not in query(back)


def test_a_wrong_code_verifier_is_refused(
    provider: OidcProvider, discovery: dict[str, Any], http: requests.Session
) -> None:
    _, challenge = pkce_pair()
    url = authorize_url(
        provider, discovery, state="s", nonce="n", code_challenge=challenge, code_challenge_method="S256"
    )
    code = query(sign_in(http, url, "alice"))["code"]
    response = requests.post(
        discovery["token_endpoint"],
        auth=(provider.client_id, provider.client_secret),
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": pkce_pair()[0],
        },
        timeout=5,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("mode", [mode for mode in TAMPER_MODES if mode is not None])
def test_tampered_id_tokens(
    provider: OidcProvider, discovery: dict[str, Any], http: requests.Session, mode: str
) -> None:
    keys = provider.public_keys()
    honest = jwt.decode(code_flow(provider, discovery, http)[0]["id_token"], keys).claims
    provider.tamper(mode)  # type: ignore[arg-type]
    try:
        token, nonce = code_flow(provider, discovery, http)
    finally:
        provider.tamper(None)
    assert provider.state()["tamper"] is None
    if mode == "no_id_token":
        assert "id_token" not in token
        assert token["access_token"]
        return
    if mode == "sig":
        with pytest.raises(BadSignatureError):
            jwt.decode(token["id_token"], keys)
        return
    decoded = jwt.decode(token["id_token"], keys)  # re-signed with the real key: only the claim is wrong
    assert decoded.header["kid"] == provider.kid
    claims = decoded.claims
    now = time.time()
    if mode == "aud":
        assert claims["aud"] == "someone-else"
        assert claims["nonce"] == nonce
    elif mode == "aud_azp":
        assert (claims["aud"], claims["azp"]) == ("someone-else", provider.client_id)
        assert claims["nonce"] == nonce
    elif mode == "exp":
        assert now - 610 <= claims["exp"] <= now - 590
        assert claims["iat"] == claims["exp"] - 600
        assert claims["nonce"] == nonce
    elif mode == "nonce":
        assert "nonce" not in claims
    elif mode == "iss":
        assert claims["iss"] == "http://evil.example"
        assert claims["nonce"] == nonce
    else:
        raise AssertionError(mode)
    altered = {"aud": {"aud"}, "aud_azp": {"aud", "azp"}, "exp": {"exp", "iat"}, "nonce": {"nonce"}, "iss": {"iss"}}[
        mode
    ]
    per_flow = {"exp", "iat", "nonce"}  # differ between any two sign-ins
    assert {name: claims[name] for name in set(claims) - altered - per_flow} == {
        name: honest[name] for name in set(honest) - altered - per_flow
    }
    assert claims["sub"] == "alice" and claims["vuoro_roles"] == ["vuoro-clerk"]


def test_tampering_is_off_without_asking(
    provider: OidcProvider, discovery: dict[str, Any], http: requests.Session
) -> None:
    token, nonce = code_flow(provider, discovery, http)
    claims = jwt.decode(token["id_token"], provider.public_keys()).claims
    assert (claims["aud"], claims["iss"], claims["nonce"]) == (provider.client_id, provider.issuer, nonce)
    with pytest.raises(ValueError, match="tamper mode"):
        provider.tamper("everything")  # type: ignore[arg-type]


def test_sessions_are_counted_and_end_with_rp_initiated_logout(
    provider: OidcProvider, discovery: dict[str, Any], http: requests.Session
) -> None:
    before = provider.state()
    code_flow(provider, discovery, http)
    assert provider.state()["sessions"] == before["sessions"] + 1
    assert provider.has_session(http)

    logout = (
        discovery["end_session_endpoint"]
        + "?"
        + urlencode({"client_id": provider.client_id, "post_logout_redirect_uri": LOGGED_OUT_URI, "state": "bye"})
    )
    page = http.get(logout, timeout=5)
    assert 'id="logout-yes"' in page.text and "fonts.googleapis" not in page.text
    back = sign_out(http, logout)
    assert back == f"{LOGGED_OUT_URI}?state=bye"
    after = provider.state()
    assert after["sessions"] == before["sessions"]
    assert after["end_session"] == before["end_session"] + 1
    assert not provider.has_session(http)
    assert http.get(logout, timeout=5).text.count("<form") == 1  # no session: the self-submitting form
    assert sign_out(http, logout) == f"{LOGGED_OUT_URI}?state=bye"


def test_jwks_requests_are_counted(provider: OidcProvider, discovery: dict[str, Any]) -> None:
    before = provider.state()["jwks_requests"]
    assert [key.kid for key in public_keys(discovery)] == [provider.kid]
    public_keys(discovery)
    assert provider.state()["jwks_requests"] == before + 2


def test_the_login_page_loads_nothing_from_outside(
    provider: OidcProvider, discovery: dict[str, Any], http: requests.Session
) -> None:
    _, challenge = pkce_pair()
    url = authorize_url(provider, discovery, state="s", code_challenge=challenge, code_challenge_method="S256")
    page = http.get(url, timeout=5)
    assert page.status_code == 200
    for selector in ('id="login-form"', 'name="login"', 'name="password"', 'id="sign-in"'):
        assert selector in page.text
    assert "http" not in page.text.replace(provider.issuer, "")


def test_restart_with_rotated_keys(provider: OidcProvider, discovery: dict[str, Any], http: requests.Session) -> None:
    code_flow(provider, discovery, http)
    old_kid, issuer = provider.kid, provider.issuer
    provider.restart(rotate_keys=True)
    assert provider.issuer == issuer
    assert provider.kid != old_kid
    assert [key.kid for key in public_keys(discovery)] == [provider.kid]
    assert provider.state() == {
        "sessions": 0,
        "jwks_requests": 1,
        "token_requests": 0,
        "end_session": 0,
        "tamper": None,
    }
    assert not provider.has_session(http)  # memory is lost: the browser signs in again
    token, _ = code_flow(provider, discovery, http)
    assert jwt.decode(token["id_token"], public_keys(discovery)).header["kid"] == provider.kid
    provider.restart()
    assert provider.kid == jwt.decode(token["id_token"], provider.public_keys()).header["kid"]


def test_a_failed_start_raises_with_the_log(tmp_path: Path) -> None:
    require_provider()
    broken = OidcProvider(tmp_path, redirect_uris=["not a url"], post_logout_redirect_uris=[], accounts={})
    try:
        with pytest.raises(ProviderError, match="redirect_uris") as failure:
            broken.start()
    finally:
        broken.stop()  # should it have started after all
    assert "its log" in str(failure.value)
    assert not broken.running
