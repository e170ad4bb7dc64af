"""``vuoro report`` and ``vuoro purge``: the PDF report of a period, and data retention on demand."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from ..cli_options import config_option, context
from ..domain.errors import DomainError
from ..i18n.catalogue import languages
from ..services.appointments import import_entries
from ..services.calendar_import import CalendarError, read_events
from ..services.report_pdf import render_report
from ..services.retention import cutoff_day, purge_now
from ..services.statistics import build_report


def _day(_ctx: click.Context, _param: click.Parameter, value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _language(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """A language with a catalogue (checked when the command runs: the catalogues are read then, not at import)."""
    if value is not None and value not in languages():
        raise click.BadParameter(f"{value!r} has no catalogue; choose one of {', '.join(languages())}")
    return value


DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.command("report")
@config_option
@click.option(
    "--from", "start", type=DAY, callback=_day, default=None, help="first business day, YYYY-MM-DD (default today)"
)
@click.option("--to", "end", type=DAY, callback=_day, default=None, help="last business day, inclusive (default today)")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="PDF file to write (default vuoro-report-FROM-TO.pdf)",
)
@click.option(
    "--language",
    callback=_language,
    default=None,
    help="a language with a catalogue, e.g. fi, sv, en, ru (default: the centre's language)",
)
def report(
    config_path: str | None, start: date | None, end: date | None, out: str | None, language: str | None
) -> None:
    """Write the PDF report (summary, per service, arrivals per hour, waits) of a period."""
    ctx = context(config_path)
    try:
        stats = build_report(ctx, start, end)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    path = Path(out or f"vuoro-report-{stats.start.isoformat()}-{stats.end.isoformat()}.pdf")
    path.write_bytes(render_report(ctx, stats, language))
    click.echo(f"wrote {path} ({stats.summary.visits} visits, {stats.start} – {stats.end})")


@click.command("purge")
@config_option
def purge(config_path: str | None) -> None:
    """Apply retention now: keep daily aggregates, delete tickets and events older than retention_days.

    It counts as tonight's run of the servers' nightly purge (deploy/vuoro-purge.timer runs it every night)."""
    ctx = context(config_path)
    result = purge_now(ctx)
    click.echo(
        f"purged {len(result.days)} day(s) before {cutoff_day(ctx)}: {result.tickets} tickets, "
        f"{result.events} events, {result.files} saved PDF tickets; their daily statistics are kept"
    )


@click.group("appointments")
def appointments() -> None:
    """Appointments from a booking system's calendar."""


@appointments.command("import")
@config_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--service", "service_key", required=True, help="the service the calendar's events are for")
def appointments_import(config_path: str | None, file: str, service_key: str) -> None:
    """Book every timed event of FILE.ics; an event imported before (same UID) is not booked twice."""
    ctx = context(config_path)
    try:
        entries, skipped = read_events(Path(file).read_bytes(), ctx.config.centre.tz)
        result = import_entries(ctx, service_key, entries)
    except (CalendarError, DomainError) as exc:
        raise click.ClickException(getattr(exc, "message", str(exc))) from None
    for line in [*skipped, *result.refused]:
        click.echo(f"  not booked: {line}")
    click.echo(
        f"{result.created} booked, {result.already} imported before, {len(skipped) + len(result.refused)} not booked"
    )
