"""The checks of ``config.yaml`` that need more than one section: each decides one thing about the whole file.

A section checks its own keys (:mod:`queue_server.config_sections`); these run once every section has parsed,
in the order :meth:`queue_server.config.VuoroConfig._cross_references` calls them, and raise the first problem
as a ``ValueError`` whose message names its own path (``desks.3.zone: ...``) -- the start-up message and the
centre editor show it as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .config_sections import CentreConfig, DeskConfig, KioskConfig, ServiceConfig, ZoneConfig
from .domain.cover import BoardCall, PublicFace, privacy_problems

#: Example secrets shipped in config.yaml; production mode refuses to start while one is still in use.
EXAMPLE_SECRETS = frozenset({"change-me-example-secret-key-not-for-production"})


def check_unique_keys(keys: Mapping[str, Sequence[str]]) -> None:
    """Every key once per section (``{"services": [...], "desks": [...]}``): the key is how the rest of the file,
    the database and the screens name a thing, so two with one key would be one thing configured twice."""
    for kind, section in keys.items():
        seen: set[str] = set()
        for i, key in enumerate(section):
            if key in seen:
                raise ValueError(f"{kind}.{i}.key: {key!r} is used twice")
            seen.add(key)


def check_references(
    services: set[str], zones: set[str], printers: set[str], desks: Sequence[DeskConfig], kiosks: Sequence[KioskConfig]
) -> None:
    """The services, zones and printers a desk or a kiosk names exist: a typo would otherwise leave a desk
    calling for nobody or a kiosk printing nowhere, found only on the day.  Desks are checked first."""
    for i, d in enumerate(desks):
        _check_desk(i, d, services, zones)
    for i, k in enumerate(kiosks):
        _check_kiosk(i, k, services, zones, printers)


def _check_desk(i: int, d: DeskConfig, services: set[str], zones: set[str]) -> None:
    for s in d.services:
        if s not in services:
            raise ValueError(f"desks.{i}.services: unknown service {s!r}")
    if d.zone not in zones:
        raise ValueError(f"desks.{i}.zone: unknown zone {d.zone!r}")


def _check_kiosk(i: int, k: KioskConfig, services: set[str], zones: set[str], printers: set[str]) -> None:
    if k.zone not in zones:
        raise ValueError(f"kiosks.{i}.zone: unknown zone {k.zone!r}")
    if k.printer is not None and k.printer not in printers:
        raise ValueError(f"kiosks.{i}.printer: unknown printer {k.printer!r}")
    for s in k.services or ():
        if s not in services:
            raise ValueError(f"kiosks.{i}.services: unknown service {s!r}")


def check_default_texts(
    centre: CentreConfig, services: Sequence[ServiceConfig], zones: Sequence[ZoneConfig], desks: Sequence[DeskConfig]
) -> None:
    """Every name a visitor may see has a text in the centre's default language: it is what every other language
    falls back to, so without it a screen would show an empty name."""
    default = centre.language
    for where, names in _texts(centre, services, zones, desks):
        if default not in names:
            raise ValueError(f"{where}: needs a text in the default language {default!r}")


def _texts(
    centre: CentreConfig, services: Sequence[ServiceConfig], zones: Sequence[ZoneConfig], desks: Sequence[DeskConfig]
) -> list[tuple[str, Mapping[str, str]]]:
    out: list[tuple[str, Mapping[str, str]]] = [("centre.name", centre.name)]
    out += [(f"services.{i}.name", s.name) for i, s in enumerate(services)]
    out += [(f"services.{i}.public_name", s.public_name) for i, s in enumerate(services) if s.public_name is not None]
    out += [(f"zones.{i}.name", z.name) for i, z in enumerate(zones)]
    out += [(f"zones.{i}.message", z.message) for i, z in enumerate(zones) if z.message]
    out += [(f"desks.{i}.label", d.label) for i, d in enumerate(desks) if isinstance(d.label, dict)]
    return out


def check_privacy(centre: CentreConfig, services: Sequence[ServiceConfig], desks: Sequence[DeskConfig]) -> None:
    """A sensitive service's prefix, public name, public location and desk labels must each be shared with
    a service that is not sensitive (:func:`domain.cover.privacy_problems`); the first problem is raised."""
    languages = [centre.language, *(lang for lang in centre.languages if lang != centre.language)]

    def texts(names: Mapping[str, str] | str) -> tuple[str, ...]:
        return tuple(centre.text(names, lang) for lang in languages)

    faces = [PublicFace(s.key, s.prefix, s.sensitive, texts(s.ticket_name), texts(s.ticket_location)) for s in services]
    calls = [BoardCall(d.key, d.zone, texts(d.label), texts(d.location), tuple(d.services)) for d in desks]
    problems = privacy_problems(faces, calls)
    if problems:
        raise ValueError(problems[0])


def check_production_secret(env: str, secret_key: str) -> None:
    """Production mode does not start with the example secret of config.yaml: anyone who has read the file
    could sign a session cookie."""
    if env == "production" and secret_key in EXAMPLE_SECRETS:
        raise ValueError(
            "secret_key: still the example secret; production mode (VUORO_ENV=production) needs a "
            "random one (set VUORO_SECRET_KEY or edit the config)"
        )
