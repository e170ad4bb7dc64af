"""The ``vuoro simulate`` command: the day from the config (or the API), the run, and what it printed."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import click

from queue_server.config import ConfigError, VuoroConfig, load_config
from queue_server.db import Database
from queue_server.services.accounts import create_token

from .http import HttpClient
from .model import DeskSpec, ServiceSpec, plan_day, specs_from_config
from .runner import Simulation
from .summary import Summary

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@click.command()
@click.option("--url", default=None, help="the server (default: the config's public_url, else http://127.0.0.1:5000)")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="the server's config: services, hours, desks and service times from it, and tokens made for "
    "the run in its database",
)
@click.option("--kiosk-token", envvar="VUORO_KIOSK_TOKEN", default=None, help="a kiosk token (without --config)")
@click.option("--desk-token", envvar="VUORO_DESK_TOKEN", default=None, help="a desk token (without --config)")
@click.option(
    "--visits", default=4500, show_default=True, type=click.IntRange(1, 1_000_000), help="visitors in the day"
)
@click.option(
    "--speed",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0.01),
    help="simulated seconds per real second (60: a 12-hour day in 12 minutes)",
)
@click.option("--seed", default=1, show_default=True, type=int, help="the same seed replays the same day")
@click.option(
    "--day",
    "weekday",
    type=click.Choice(WEEKDAYS),
    default=None,
    help="whose opening hours to follow (default: today's)",
)
@click.option("--kiosk", default=None, help="kiosk key sent with each ticket (its printer then prints them)")
@click.option(
    "--phones",
    default=0.1,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="share of visitors following their ticket on a phone (a Socket.IO connection each)",
)
@click.option("--workers", default=8, show_default=True, type=click.IntRange(1, 256), help="kiosk request threads")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="CSV with every ticket: estimated_wait_s at issue and the observed wait",
)
@click.option("--max-minutes", type=float, default=None, help="stop after this many real minutes")
@click.option("--no-progress", is_flag=True, help="no progress bar")
def simulate(
    url: str | None,
    config_path: str | None,
    kiosk_token: str | None,
    desk_token: str | None,
    visits: int,
    speed: float,
    seed: int,
    weekday: str | None,
    kiosk: str | None,
    phones: float,
    workers: int,
    out: Path | None,
    max_minutes: float | None,
    no_progress: bool,
) -> None:
    """Replay a day of visits against a running server and print what happened.

    Arrivals follow the day's two peaks over the opening hours, split among the services in proportion to
    the desks that serve them; desks call, serve (log-normal service times) and mark no-shows.  The server
    checks opening hours against its own clock: run a demo during opening hours, or on a config without
    ``hours``.  Turn the server's rate limits off (``limits: {enabled: false}``) for a fast run.
    """
    day_index = WEEKDAYS.index(weekday) if weekday else _dt.date.today().weekday()
    cfg = _load_config(config_path) if config_path else None
    base_url = url or (cfg.public_url if cfg is not None else "http://127.0.0.1:5000")
    kiosk_token, desk_token = _tokens(cfg, kiosk_token, desk_token)
    services, desks, languages = _specs(cfg, base_url, desk_token, day_index)
    plan = plan_day(services, desks, visits, seed=seed, languages=languages)
    hours = (plan.end_s - plan.start_s) / 3600
    click.echo(
        f"Simulating {len(plan.visits)} visits over {hours:.1f} h ({WEEKDAYS[day_index]}) at {speed:g}x "
        f"against {base_url}: {len(desks)} desks, {len(services)} services, about "
        f"{hours * 3600 / speed / 60:.1f} minutes."
    )
    sim = Simulation(
        base_url,
        plan,
        kiosk_token=kiosk_token,
        desk_token=desk_token,
        speed=speed,
        kiosk=kiosk,
        workers=workers,
        phones=phones,
        progress=not no_progress,
        max_wall_s=max_minutes * 60 if max_minutes else None,
    )
    _report(sim, sim.run(), out)


def _report(sim: Simulation, summary: Summary, out: Path | None) -> None:
    for line in summary.lines():
        click.echo(line)
    if out is not None:
        rows = sim.write_csv(out)
        click.echo(f"wrote {rows} tickets to {out}")
    if summary.refused.get("rate_limited"):
        click.echo("hint: the server's rate limits refused tickets; set 'limits: {enabled: false}' on a test server")
    if summary.refused.get("service_closed"):
        click.echo(
            "hint: services were closed by the server's clock; simulate during opening hours or on a "
            "config without 'hours'"
        )


def _load_config(path: str) -> VuoroConfig:
    try:
        return load_config(path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _tokens(cfg: VuoroConfig | None, kiosk: str | None, desk: str | None) -> tuple[str, str]:
    """The tokens given, the missing ones created in the server's database (names say what they are for)."""
    if cfg is not None and (kiosk is None or desk is None):
        db = Database(cfg.resolved_database_url(), timeout_s=cfg.database_timeout_s)
        try:
            db.upgrade()
            kiosk = kiosk or create_token(db, "kiosk", "simulator-kiosk")
            desk = desk or create_token(db, "desk", "simulator-desk")
        finally:
            db.dispose()
    if not kiosk or not desk:
        raise click.UsageError("give --kiosk-token and --desk-token, or --config to create them")
    return kiosk, desk


def _specs(
    cfg: VuoroConfig | None, base_url: str, desk_token: str, day_index: int
) -> tuple[list[ServiceSpec], list[DeskSpec], list[str] | None]:
    """The services open that day, the desks serving them, and the centre's languages (from the config or API)."""
    if cfg is not None:
        services, desks = specs_from_config(cfg, day_index)
        languages: list[str] | None = list(cfg.centre.languages)
    else:
        services, desks = _specs_from_api(base_url, desk_token)
        languages = None
    if not services or not desks:
        raise click.ClickException("no service is open that day with a desk to serve it")
    return services, desks, languages


def _specs_from_api(base_url: str, desk_token: str) -> tuple[list[ServiceSpec], list[DeskSpec]]:
    """Without the config: the services open now and the desks, from the API (service times unknown: 5 min)."""
    with HttpClient(base_url) as http:
        services = http.get("/api/services")
        desks = http.get("/api/desks", token=desk_token)
    if services.status != 200 or desks.status != 200:
        raise click.ClickException(f"the server answered {services.status} / {desks.status} for services / desks")
    specs = [ServiceSpec(s["key"]) for s in services.body["services"] if s["open"]]
    keys = {s.key for s in specs}
    desk_specs = [
        DeskSpec(d["key"], tuple(k for k in d["services"] if k in keys), d["zone"]) for d in desks.body["desks"]
    ]
    return specs, [d for d in desk_specs if d.services]
