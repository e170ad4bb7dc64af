"""Statistics (JSON and CSV), the PDF report, and the visitor's feedback after a finished visit."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, jsonify, request

from ..domain.statistics import Summary
from ..services import feedback as feedback_service
from ..services import statistics as stats_service
from . import bp
from .auth import ADMIN_ROLES, require
from .context import ctx, parse_body
from .errors import ApiError
from .insight_schemas import FeedbackAnswerOut, FeedbackEnvelope, FeedbackRequest, StatsOut

PERCENTILE_METHOD = "linear interpolation between closest ranks (Hyndman-Fan type 7)"


def _date_arg(name: str) -> date | None:
    text = request.args.get(name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ApiError(400, "invalid_request", f"'{name}' must be a date like 2026-11-27") from None


def _range() -> tuple[date | None, date | None, str | None]:
    return _date_arg("from"), _date_arg("to"), request.args.get("service") or None


def _row(s: Summary) -> dict[str, Any]:
    return s.to_dict()


def stats_json(report: stats_service.StatsReport) -> dict[str, Any]:
    config = ctx().config
    out = StatsOut.model_validate({
        "from": report.start.isoformat(), "to": report.end.isoformat(), "service": report.service,
        "timezone": config.centre.timezone, "percentile_method": PERCENTILE_METHOD,
        "summary": _row(report.summary),
        "days": [{"day": d.isoformat(), **_row(s)} for d, s in report.by_day.items()],
        "services": [
            {"service": k, "name": config.text(config.service_map[k].name) if k in config.service_map else k,
             "target_wait_s": config.service_map[k].target_wait_s if k in config.service_map else 0, **_row(s)}
            for k, s in report.by_service.items()
        ],
        "desks": [
            {"desk": k or None, "label": config.text(config.desk_map[k].label) if k in config.desk_map else None,
             **_row(s)}
            for k, s in report.by_desk.items()
        ],
        "day_services": [{"day": d.isoformat(), "service": k, **_row(s)}
                         for (d, k), s in report.by_day_service.items()],
        "feedback": report.feedback.to_dict(),
        "feedback_by_service": [{"service": k, **f.to_dict()} for k, f in report.feedback_by_service.items()],
    })
    return out.model_dump(mode="json", by_alias=True)


@bp.get("/stats")
@require(ADMIN_ROLES)
def stats() -> Response:
    start, end, service = _range()
    return jsonify(stats_json(stats_service.build_report(ctx(), start, end, service)))


@bp.get("/stats.csv")
@require(ADMIN_ROLES)
def stats_csv() -> Response:
    start, end, service = _range()
    by = stats_service.parse_by(request.args.get("by"))
    report = stats_service.build_report(ctx(), start, end, service)
    body = stats_service.to_csv(ctx(), report, by)
    name = f"vuoro-stats-{report.start.isoformat()}-{report.end.isoformat()}.csv"
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/report.pdf")
@require(ADMIN_ROLES)
def report_pdf() -> Response:
    from ..admin.report import render_report

    start, end, _ = _range()
    language = request.args.get("language") or None
    config = ctx().config
    if language is not None and language not in ("fi", "sv", "en"):
        raise ApiError(400, "invalid_request", "language must be one of fi, sv, en")
    report = stats_service.build_report(ctx(), start, end)
    pdf = render_report(ctx(), report, language or config.centre.language)
    name = f"vuoro-report-{report.start.isoformat()}-{report.end.isoformat()}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/tickets/<token>/feedback")
def feedback(token: str) -> tuple[Response, int]:
    """The visitor's one optional answer; the token in the path is the credential (no cookie, no CSRF)."""
    req = parse_body(FeedbackRequest)
    feedback_service.give_feedback(ctx(), token, req.rating, req.category)
    body = FeedbackEnvelope(feedback=FeedbackAnswerOut(rating=req.rating, category=req.category))
    return jsonify(body.model_dump(mode="json")), 201
