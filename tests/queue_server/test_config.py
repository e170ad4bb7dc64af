"""Configuration: the shipped example validates; a bad file is refused with the key and the reason."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from queue_server.config import ConfigError, VuoroConfig, build_config, load_config
from tests.conftest import BASE_CONFIG, ROOT

SHIPPED = ROOT / "config.yaml"
NO_ENV: dict[str, str] = {}


def data() -> dict[str, Any]:
    return copy.deepcopy(BASE_CONFIG)


def refused(config: dict[str, Any], environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        build_config(config, environ=NO_ENV if environ is None else environ)
    return str(info.value)


# -- the shipped example -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> VuoroConfig:
    return load_config(SHIPPED, environ=NO_ENV)


def test_shipped_config_has_the_iso_omena_centre(shipped: VuoroConfig) -> None:
    assert len(shipped.services) == 9
    assert len(shipped.zones) == 3
    assert 18 <= len(shipped.desks) <= 24
    assert shipped.centre.timezone == "Europe/Helsinki"
    assert shipped.text(shipped.centre.name) == "Iso Omenan palvelutori"


def test_every_shipped_service_has_a_desk_and_weekly_hours(shipped: VuoroConfig) -> None:
    served = {s for d in shipped.desks for s in d.services}
    assert served == set(shipped.service_map)
    for service in shipped.services:
        assert service.hours, service.key
        assert shipped.hours_map[service.key].ranges, service.key


def test_shipped_health_services_share_one_prefix_and_the_sensitive_one_is_marked(shipped: VuoroConfig) -> None:
    h = [s for s in shipped.services if s.prefix == "H"]
    assert {s.key for s in h} == {"maternity", "health", "mental", "lab"}
    assert [s.key for s in shipped.services if s.sensitive] == ["mental"]


def test_shipped_holidays_close_every_service(shipped: VuoroConfig) -> None:
    from datetime import datetime

    christmas_eve_noon = datetime(2026, 12, 24, 12, 0, tzinfo=shipped.centre.tz)  # a Thursday
    assert not any(shipped.hours_map[s.key].is_open(christmas_eve_noon) for s in shipped.services)
    a_thursday_noon = datetime(2026, 12, 17, 12, 0, tzinfo=shipped.centre.tz)
    assert all(shipped.hours_map[s.key].is_open(a_thursday_noon) for s in shipped.services)


def test_sqlite_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    raw = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    file = tmp_path / "conf" / "vuoro.yaml"
    file.parent.mkdir()
    file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    cfg = load_config(file, environ=NO_ENV)
    assert cfg.resolved_database_url() == f"sqlite:///{tmp_path / 'conf' / 'var' / 'vuoro.db'}"
    assert (tmp_path / "conf" / "var").is_dir()


# -- refusals name the key -----------------------------------------------------------------------------------


def test_a_bad_prefix_names_the_service_and_the_key() -> None:
    config = data()
    config["services"][0]["prefix"] = "k1"
    assert "services.0.prefix: String should match pattern" in refused(config)


def test_an_unknown_zone_on_a_desk_names_the_desk() -> None:
    config = data()
    config["desks"][2]["zone"] = "basement"
    assert "desks.2.zone: unknown zone 'basement'" in refused(config)


def test_an_unknown_service_on_a_desk_names_the_desk() -> None:
    config = data()
    config["desks"][1]["services"] = ["kela", "passport"]
    assert "desks.1.services: unknown service 'passport'" in refused(config)


def test_a_kiosk_with_an_unknown_printer_is_refused() -> None:
    config = data()
    config["kiosks"][0]["printer"] = "nope"
    assert "kiosks.0.printer: unknown printer 'nope'" in refused(config)


@pytest.mark.parametrize(("section", "index"), [("services", 2), ("desks", 3), ("zones", 1), ("kiosks", 1)])
def test_a_duplicate_key_is_refused(section: str, index: int) -> None:
    config = data()
    duplicate = copy.deepcopy(config[section][index - 1])
    config[section].insert(index, duplicate)
    assert f"{section}.{index}.key: {duplicate['key']!r} is used twice" in refused(config)


def test_a_setting_written_twice_in_the_file_is_refused(tmp_path: Path) -> None:
    text = SHIPPED.read_text(encoding="utf-8") + "\npriority_ratio: 5\n"
    file = tmp_path / "twice.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="priority_ratio"):
        load_config(file, environ=NO_ENV)


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({"mon": "16:00-08:00"}, "services.1.hours: '16:00-08:00' ends before it starts"),
        ({"mon": "8 to 4"}, "services.1.hours: '8 to 4' is not a range like '08:00-16:00'"),
        ({"someday": "08:00-16:00"}, "services.1.hours: 'someday' is not a weekday"),
    ],
)
def test_bad_opening_hours_are_refused(hours: dict[str, str], message: str) -> None:
    config = data()
    config["services"][1]["hours"] = hours
    assert message in refused(config)


def test_an_unknown_time_zone_is_refused() -> None:
    config = data()
    config["centre"]["timezone"] = "Europe/Espoo"
    assert "centre.timezone: unknown time zone 'Europe/Espoo'" in refused(config)


def test_every_error_is_reported_at_once() -> None:
    config = data()
    config["services"][0]["prefix"] = "kk"
    config["services"][1]["service_time_s"] = 0
    config["centre"]["timezone"] = "Nowhere"
    message = refused(config)
    assert "services.0.prefix" in message
    assert "services.1.service_time_s" in message
    assert "centre.timezone" in message


def test_an_unknown_setting_is_refused() -> None:
    config = data()
    config["servises"] = []
    assert "servises: Extra inputs are not permitted" in refused(config)


def test_a_name_missing_in_the_default_language_is_refused() -> None:
    config = data()
    config["services"][0]["name"] = {"en": "Kela"}
    assert "services.0.name: needs a text in the default language 'fi'" in refused(config)


def test_any_language_with_a_catalogue_may_be_a_centre_language() -> None:
    config = data()
    config["centre"]["languages"] = ["fi", "sv", "en", "ru", "et", "ar"]
    config["kiosks"][0]["language"] = "ar"
    built = build_config(config, environ=NO_ENV)
    assert built.centre.languages == ["fi", "sv", "en", "ru", "et", "ar"] and built.kiosks[0].language == "ar"
    del config["centre"]["languages"]
    assert build_config(config, environ=NO_ENV).centre.languages == ["fi", "sv", "en"], "the default stays"


def test_a_language_without_a_catalogue_is_refused_with_the_known_ones() -> None:
    config = data()
    config["centre"]["languages"] = ["fi", "de"]
    message = refused(config)
    assert "centre.languages.1" in message and "unknown language 'de'" in message
    assert "ar, en, et, fi, ru, sv" in message


def test_a_priority_ratio_out_of_range_is_refused() -> None:
    config = data()
    config["priority_ratio"] = -1
    assert "priority_ratio" in refused(config)


def test_the_message_names_the_file(tmp_path: Path) -> None:
    raw = data()
    raw["services"][0]["prefix"] = "k"
    file = tmp_path / "broken.yaml"
    file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(file, environ=NO_ENV)
    assert str(info.value).startswith(f"{file}: the configuration is not valid")
    assert "services.0.prefix" in str(info.value)


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "missing.yaml", environ=NO_ENV)


def test_invalid_yaml_is_a_config_error(tmp_path: Path) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text("services: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(file, environ=NO_ENV)


def test_a_top_level_list_is_a_config_error(tmp_path: Path) -> None:
    file = tmp_path / "list.yaml"
    file.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_config(file, environ=NO_ENV)


def test_vuoro_config_names_the_file_when_no_path_is_given(tmp_path: Path) -> None:
    file = tmp_path / "elsewhere.yaml"
    file.write_text(SHIPPED.read_text(encoding="utf-8"), encoding="utf-8")
    cfg = load_config(None, environ={"VUORO_CONFIG": str(file)})
    assert cfg.base_dir == tmp_path


# -- environment overrides -----------------------------------------------------------------------------------


def test_production_refuses_the_example_secret() -> None:
    with pytest.raises(ConfigError, match="secret_key: still the example secret"):
        load_config(SHIPPED, environ={"VUORO_ENV": "production"})


def test_production_starts_with_a_secret_from_the_environment() -> None:
    cfg = load_config(SHIPPED, environ={"VUORO_ENV": "production", "VUORO_SECRET_KEY": "x" * 40})
    assert cfg.env == "production"
    assert cfg.secret_key == "x" * 40


def test_development_accepts_the_example_secret(shipped: VuoroConfig) -> None:
    assert shipped.env == "development"


def test_an_unknown_environment_name_is_refused() -> None:
    with pytest.raises(ConfigError, match="env"):
        load_config(SHIPPED, environ={"VUORO_ENV": "staging"})


def test_database_and_redis_urls_come_from_the_environment() -> None:
    cfg = load_config(
        SHIPPED,
        environ={
            "VUORO_DATABASE_URL": "postgresql+psycopg://vuoro@db.example/vuoro",
            "VUORO_REDIS_URL": "redis://cache.example:6379/2",
            "VUORO_PUBLIC_URL": "https://jono.example.fi",
        },
    )
    assert cfg.database_url == "postgresql+psycopg://vuoro@db.example/vuoro"
    assert cfg.resolved_database_url() == "postgresql+psycopg://vuoro@db.example/vuoro"
    assert cfg.redis_url == "redis://cache.example:6379/2"
    assert cfg.public_url == "https://jono.example.fi"


def test_proxy_hops_come_from_the_environment_too(shipped: VuoroConfig) -> None:
    """The systemd units' environment file says how many proxies stand in front (deploy/vuoro.env.example)."""
    assert shipped.proxy_hops == 0
    assert load_config(SHIPPED, environ={"VUORO_PROXY_HOPS": "1"}).proxy_hops == 1
    assert "proxy_hops" in refused(data(), {"VUORO_PROXY_HOPS": "one"})


def test_without_overrides_the_file_values_stand(shipped: VuoroConfig) -> None:
    assert shipped.database_url == "sqlite:///var/vuoro.db"
    assert shipped.redis_url is None


def test_an_empty_variable_does_not_override() -> None:
    cfg = build_config(data(), environ={"VUORO_REDIS_URL": ""})
    assert cfg.redis_url is None


def test_the_process_environment_is_used_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VUORO_REDIS_URL", "redis://from-env:6379/0")
    assert build_config(data()).redis_url == "redis://from-env:6379/0"
