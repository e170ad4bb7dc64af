"""What every ``vuoro`` command shares: the ``--config`` option, loading the config, opening the database.

Its own module so that the command groups (``queue_server/cli.py`` and the feature commands beside their
packages, e.g. ``queue_server/admin/cli.py``) import it and not each other: ``cli.py`` registers the feature
commands, so a feature's commands importing ``cli.py`` for these helpers made an import cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from .config import ConfigError, VuoroConfig, load_config
from .db import Database, SchemaNotCurrent
from .services import centre_config
from .services.context import Context

F = TypeVar("F", bound=Callable[..., Any])


def config_option(f: F) -> F:
    """``--config PATH`` on a command (default: $VUORO_CONFIG or ./config.yaml)."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        default=None,
        help="config file (default: $VUORO_CONFIG or ./config.yaml)",
    )(f)


def load(config_path: str | None) -> VuoroConfig:
    """The machine's config; a broken or missing file is a one-line error naming it, not a traceback."""
    try:
        return load_config(config_path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def open_database(cfg: VuoroConfig, *, migrate: bool | None = None) -> Database:
    """The database, its schema made ready by :meth:`Database.prepare`: a SQLite file is created or upgraded, while
    a PostgreSQL database behind the code is refused with what to run, since only ``vuoro db upgrade`` (once per
    release, vuoro-migrate.service) migrates a database that several processes share."""
    db = Database(cfg.resolved_database_url(), timeout_s=cfg.database_timeout_s)
    try:
        db.prepare(migrate)
    except SchemaNotCurrent as exc:
        db.dispose()
        raise click.ClickException(str(exc)) from None
    command = click.get_current_context(silent=True)
    if command is not None:  # its connections close with the command, not whenever the process ends
        command.call_on_close(db.dispose)
    return db


def context(config_path: str | None) -> Context:
    """The machine's config on its database, for commands that read (reports, retention, imports)."""
    cfg = load(config_path)
    return Context(config=cfg, db=open_database(cfg))


def live_context(config_path: str | None) -> Context:
    """The live configuration on the database, for commands that change something every server must see."""
    machine = load(config_path)
    database = open_database(machine)
    live, _ = centre_config.load_or_seed(database, machine)
    return Context(config=live, db=database)
