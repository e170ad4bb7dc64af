"""The ``vuoro`` command: serve, migrate, and manage accounts and device tokens."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
import yaml

from printer import PrinterError, build_printer

from . import log_hygiene, workers
from .admin.cli import appointments, purge, report
from .app import create_app
from .cli_options import config_option, live_context, load, open_database
from .config import ConfigError, VuoroConfig
from .domain.errors import DomainError
from .domain.roles import STAFF_ROLES, TOKEN_ROLES
from .receipt_texts import sample_receipt
from .services import centre_config, devices, first_start, staff
from .services.accounts import add_user, create_token, ensure_first_admin
from .workers import WORKERS
from .wsgi_server import run


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="debug logging")
def main(verbose: bool) -> None:
    """Vuoro: queue and ticketing for public service centres."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)


@main.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--worker",
    type=click.Choice(WORKERS),
    default="gthread",
    show_default=True,
    help="gthread: a thread per websocket, any database; gevent: greenlets for thousands of sockets, "
    "PostgreSQL only (pip install 'vuoro[gevent]')",
)
@click.option(
    "--threads", default=200, show_default=True, type=int, help="gthread worker threads; each open websocket holds one"
)
def serve(config_path: str | None, host: str, port: int, worker: str, threads: int) -> None:
    """Run the server (one process: gunicorn with one gthread or gevent worker)."""
    cfg = load(config_path)
    why = workers.refusal(worker, cfg.resolved_database_url())
    if why:
        raise click.ClickException(why)
    if worker == "gevent":
        workers.prepare_gevent()  # before the database driver is first imported, below
    database = open_database(cfg)  # refuses a PostgreSQL database behind the code before anything starts
    open_files = workers.raise_open_files_limit()
    log_hygiene.install_everywhere(log_client_addresses=cfg.log_client_addresses)  # from here on, it serves
    first = ensure_first_admin(database)
    database.dispose()
    _echo_addresses(cfg, host, port, first)
    run(
        lambda: create_app(cfg),
        host=host,
        port=port,
        worker=worker,
        threads=threads,
        open_files=open_files,
        log_client_addresses=cfg.log_client_addresses,
    )


def _hand_over_first_password(first: tuple[str, str]) -> None:
    """The one-time password on the terminal, or into a file only this user can read: never into a log."""
    name, password = first
    if sys.stdout.isatty():
        click.echo(f"First start: created the account '{name}' with the one-time password: {password}")
        click.echo("It is shown only now, and must be changed at the first log-in.")
    else:
        path = first_start.write_password_file(name, password)
        click.echo(
            f"First start: created the account '{name}'; its one-time password is in {path} (readable "
            "only by this user). Log in with it and choose your own; the file is deleted then."
        )
    click.echo("Give each clerk an account of their own with 'vuoro user add'.")


def _echo_addresses(cfg: VuoroConfig, host: str, port: int, first: tuple[str, str] | None) -> None:
    """The first admin's one-time password (first start only) and the pages' addresses."""
    base = f"http://{'localhost' if host in ('0.0.0.0', '127.0.0.1') else host}:{port}"  # noqa: S104
    if first:
        _hand_over_first_password(first)
    click.echo(f"Vuoro for {cfg.text(cfg.centre.name)} on {base}")
    click.echo(f"  log in:  {base}/login      desk: {base}/desk      admin: {base}/admin")
    for kiosk in cfg.kiosks:
        click.echo(f"  kiosk {kiosk.key}: {base}/kiosk/{kiosk.key}")
    for zone in cfg.zones:
        click.echo(f"  board {zone.key}: {base}/board/{zone.key}")
    click.echo(f"  API: {base}/api/openapi.json")


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@config_option
def db_upgrade(config_path: str | None) -> None:
    """Create the schema or migrate it to the newest revision (Alembic): on PostgreSQL the only command that does,
    once per release before the servers restart (vuoro-migrate.service)."""
    cfg = load(config_path)
    open_database(cfg, migrate=True)
    click.echo("database is at the newest revision")


@main.group()
def user() -> None:
    """Clerk and admin accounts."""


@user.command("add")
@config_option
@click.argument("name")
@click.option("--role", type=click.Choice(STAFF_ROLES), required=True)
def user_add(config_path: str | None, name: str, role: str) -> None:
    """Add an account; the password comes from a prompt, or from the first line of standard input."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    database = open_database(load(config_path))
    try:
        add_user(database, name, password, role)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"added {role} {name}")


@main.group()
def token() -> None:
    """Device and script tokens."""


@token.command("create")
@config_option
@click.option("--role", type=click.Choice(TOKEN_ROLES), required=True)
@click.option("--name", required=True, help="what the token is for, e.g. the kiosk's key")
def token_create(config_path: str | None, role: str, name: str) -> None:
    """Create a token; it is printed once, as the last line (only its hash is stored)."""
    database = open_database(load(config_path))
    try:
        value = create_token(database, role, name)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"created {role} token {name!r}; use it as 'Authorization: Bearer <token>':")
    click.echo(value)


@token.command("list")
@config_option
def token_list(config_path: str | None) -> None:
    """List device and script tokens (never the tokens themselves)."""
    for d in devices.list_devices(live_context(config_path)):
        state = f"revoked {d['revoked_at']}" if d["revoked_at"] else "active"
        click.echo(f"{d['id']:>5}  {d['role']:<6} {d['name']:<24} created {d['created_at']}  {state}")


@token.command("revoke")
@config_option
@click.argument("token_id", type=int)
def token_revoke(config_path: str | None, token_id: int) -> None:
    """Revoke a token by its id (see 'vuoro token list'): refused at once, its sockets closed on every server."""
    try:
        device = devices.revoke_device(live_context(config_path), token_id, actor="cli")
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"revoked {device['role']} token {device['id']} ({device['name']})")


@token.command("pair")
@config_option
@click.argument("code")
@click.option("--name", required=True, help="the device's name: a kiosk is named after its key, e.g. k1")
def token_pair(config_path: str | None, code: str, name: str) -> None:
    """Enrol the device whose screen shows CODE (a kiosk's unenrolled screen offers one)."""
    try:
        device = devices.approve_pairing(live_context(config_path), code, name, actor="cli")
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"enrolled {device['role']} {device['name']} (token {device['id']}); it starts within seconds")


@user.command("disable")
@config_option
@click.argument("name")
def user_disable(config_path: str | None, name: str) -> None:
    """Disable an account: its sessions and sockets end at once, on every server."""
    try:
        staff.update_user(live_context(config_path), name, actor="cli", active=False)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"disabled {name}")


@main.command("print-test")
@config_option
@click.option("--printer", "printer_key", required=True, help="the printer's key in the config")
@click.option("--language", default=None, help="a language of the centre (default: its first)")
def print_test(config_path: str | None, printer_key: str, language: str | None) -> None:
    """Print a sample ticket, for the technician installing a kiosk printer."""
    cfg = load(config_path)
    if language is not None and language not in cfg.centre.languages:
        raise click.ClickException(f"--language must be one of {', '.join(cfg.centre.languages)}")
    chosen = next((p for p in cfg.printers if p.key == printer_key), None)
    if chosen is None:
        known = ", ".join(p.key for p in cfg.printers) or "none"
        raise click.ClickException(f"no printer {printer_key!r} in the config (known: {known})")
    device = build_printer(chosen)
    status = device.status()
    click.echo(f"{printer_key} ({chosen.type}): {status.state.value} {status.detail}".rstrip())
    try:
        device.print_receipt(sample_receipt(cfg, language or cfg.centre.language))
    except PrinterError as exc:
        raise click.ClickException(f"printing failed: {exc}") from None
    click.echo("sample ticket printed")


@main.group("config")
def config_group() -> None:
    """The centre's live configuration (services, hours, desks, zones, kiosks, printers), kept in the database."""


@config_group.command("export")
@config_option
@click.option("--out", "out_path", type=click.Path(dir_okay=False), default=None, help="file (default: stdout)")
def config_export(config_path: str | None, out_path: str | None) -> None:
    """Write the live configuration in config.yaml's shape (machine settings stay in the server's file)."""
    cfg, version = centre_config.load_or_seed(open_database(load(config_path)), load(config_path))
    text = f"# Vuoro: the live centre configuration, version {version}\n" + centre_config.to_yaml(
        centre_config.document_of(cfg)
    )
    if out_path:
        Path(out_path).write_text(text, encoding="utf-8")
        click.echo(f"wrote version {version} to {out_path}")
    else:
        click.echo(text, nl=False)


@config_group.command("import")
@config_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="show what would change, change nothing")
def config_import(config_path: str | None, file: str, dry_run: bool) -> None:
    """Apply FILE as the live configuration, printing the difference first; every server takes it up at once."""
    ctx = live_context(config_path)
    live = ctx.config
    try:
        data = yaml.safe_load(Path(file).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise click.ClickException(f"{file}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise click.ClickException(f"{file}: the top level must be a mapping of settings")
    document, ignored = centre_config.split_file(data)
    if ignored:
        click.echo(
            f"not imported (machine settings stay in the server's own file and environment): {', '.join(ignored)}"
        )
    try:
        new = centre_config.with_document(live, document, source=file)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    changes = centre_config.diff(centre_config.document_of(live), centre_config.document_of(new), to_name=file)
    click.echo(changes or "no change", nl=not changes)
    if dry_run or not changes:
        return
    _, version = centre_config.replace(ctx, document, actor="cli", action="config.import", target=Path(file).name)
    click.echo(f"imported as version {version}; running servers take it up within a second")


# the commands that live beside their feature: the PDF report, retention and appointments
for _command in (report, purge, appointments):
    main.add_command(_command)
