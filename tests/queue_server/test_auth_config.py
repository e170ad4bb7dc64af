"""``auth:`` in config.yaml: the provider's settings checked at start, the secret from the environment."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from queue_server.config import ConfigError, build_config
from tests.conftest import BASE_CONFIG

OIDC = {
    "issuer": "https://login.example.fi/realms/espoo/",
    "client_id": "vuoro",
    "client_secret": "s3cret",
    "roles": {"vuoro-clerk": "clerk"},
}


def config(auth: dict[str, Any], environ: dict[str, str] | None = None) -> Any:
    return build_config({**copy.deepcopy(BASE_CONFIG), "auth": auth}, environ=environ or {})


def test_without_auth_local_accounts_sign_in_as_before() -> None:
    cfg = build_config(copy.deepcopy(BASE_CONFIG), environ={})
    assert cfg.auth.oidc is None and cfg.auth.local_login is True


def test_a_provider_s_defaults_and_derived_urls() -> None:
    oidc = config({"oidc": OIDC}).auth.oidc
    assert oidc.issuer == "https://login.example.fi/realms/espoo"
    assert oidc.discovery_url == "https://login.example.fi/realms/espoo/.well-known/openid-configuration"
    assert oidc.origin == "https://login.example.fi"
    assert (oidc.scopes, oidc.role_claim, oidc.name_claim, oidc.desks_claim) == (
        ["openid", "profile"],
        "roles",
        "name",
        None,
    )


def test_the_client_secret_comes_from_the_environment() -> None:
    no_secret = {k: v for k, v in OIDC.items() if k != "client_secret"}
    cfg = config({"oidc": no_secret}, {"VUORO_OIDC_CLIENT_SECRET": "from-env"})
    assert cfg.auth.oidc.client_secret == "from-env"
    assert config({"oidc": OIDC}, {"VUORO_OIDC_CLIENT_SECRET": "wins"}).auth.oidc.client_secret == "wins"
    with pytest.raises(ConfigError, match="auth.oidc.client_secret"):
        config({"oidc": no_secret})


@pytest.mark.parametrize(
    ("auth", "message"),
    [
        ({"local_login": False}, "nobody can sign in"),
        ({"oidc": {**OIDC, "issuer": "login.example.fi"}}, "issuer"),
        ({"oidc": {**OIDC, "issuer": "https://idp.example/?x=1"}}, "issuer"),
        ({"oidc": {**OIDC, "scopes": ["profile"]}}, "openid"),
        ({"oidc": {**OIDC, "roles": {"vuoro-kiosk": "kiosk"}}}, "auth.oidc.roles"),
        ({"oidc": {**OIDC, "roles": {}}}, "auth.oidc.roles"),
        ({"oidc": {**OIDC, "role_claim": "roles; drop"}}, "auth.oidc.role_claim"),
        ({"oidc": {**OIDC, "surprise": 1}}, "surprise"),
    ],
)
def test_a_provider_set_up_wrong_stops_the_start_with_the_setting_named(auth: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config(auth)
