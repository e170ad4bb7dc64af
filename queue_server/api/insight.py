"""Statistics (JSON and CSV), the PDF report, and the visitor's feedback after a finished visit."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Response, jsonify, request
from pydantic import BaseModel

from ..domain.roles import ADMIN_ROLES
from ..domain.statistics import Summary
from ..services import feedback as feedback_service
from ..services import statistics as stats_service
from ..services.report_pdf import render_report
from ..web.auth import require
from ..web.context import ctx, parse_body
from . import bp
from .insight_schemas import (
    CsvQuery,
    FeedbackAnswerOut,
    FeedbackEnvelope,
    FeedbackRequest,
    ReportQuery,
    StatsOut,
    StatsQuery,
)

Q = TypeVar("Q", bound=BaseModel)
PERCENTILE_METHOD = "linear interpolation between closest ranks (Hyndman-Fan type 7)"


def _query(model: type[Q]) -> Q:
    """The query, validated by the model the OpenAPI document describes it with (an empty value: not given)."""
    return model.model_validate({k: v for k, v in request.args.items() if v != ""})


def _row(s: Summary) -> dict[str, Any]:
    return s.to_dict()


def stats_json(report: stats_service.StatsReport) -> dict[str, Any]:
    """The report as ``GET /api/stats`` answers it (``StatsOut``): by day, service, desk and kind, and the
    feedback, with the names of services and desks."""
    config = ctx().config
    out = StatsOut.model_validate(
        {
            "from": report.start.isoformat(),
            "to": report.end.isoformat(),
            "service": report.service,
            "timezone": config.centre.timezone,
            "percentile_method": PERCENTILE_METHOD,
            "summary": _row(report.summary),
            "days": [{"day": d.isoformat(), **_row(s)} for d, s in report.by_day.items()],
            "services": [
                {
                    "service": k,
                    "name": config.text(config.service_map[k].name) if k in config.service_map else k,
                    "target_wait_s": config.service_map[k].target_wait_s if k in config.service_map else 0,
                    **_row(s),
                }
                for k, s in report.by_service.items()
            ],
            "desks": [
                {
                    "desk": k or None,
                    "label": config.text(config.desk_map[k].label) if k in config.desk_map else None,
                    **_row(s),
                }
                for k, s in report.by_desk.items()
            ],
            "day_services": [
                {"day": d.isoformat(), "service": k, **_row(s)} for (d, k), s in report.by_day_service.items()
            ],
            "kinds": [{"kind": k, **_row(s)} for k, s in report.by_kind.items()],
            "service_kinds": [
                {"service": k, "kind": kind, **_row(s)} for (k, kind), s in report.by_service_kind.items()
            ],
            "feedback": report.feedback.to_dict(),
            "feedback_by_service": [{"service": k, **f.to_dict()} for k, f in report.feedback_by_service.items()],
        }
    )
    return out.model_dump(mode="json", by_alias=True)


@bp.get("/stats")
@require(ADMIN_ROLES)
def stats() -> Response:
    """GET /api/stats: the statistics of ``?from=``..``?to=`` (business days), of ``?service=`` or all."""
    q = _query(StatsQuery)
    return jsonify(stats_json(stats_service.build_report(ctx(), q.start, q.end, q.service)))


@bp.get("/stats.csv")
@require(ADMIN_ROLES)
def stats_csv() -> Response:
    """GET /api/stats.csv: the same statistics as CSV, grouped ``?by=``, its column names in ``?language=``."""
    q = _query(CsvQuery)
    by = stats_service.parse_by(q.by)
    report = stats_service.build_report(ctx(), q.start, q.end, q.service)
    body = stats_service.to_csv(ctx(), report, by, q.language)
    name = f"vuoro-stats-{report.start.isoformat()}-{report.end.isoformat()}.csv"
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/report.pdf")
@require(ADMIN_ROLES)
def report_pdf() -> Response:
    """GET /api/report.pdf: a period's PDF report, in ``?language=`` or else the centre's language."""
    q = _query(ReportQuery)
    report = stats_service.build_report(ctx(), q.start, q.end)
    pdf = render_report(ctx(), report, q.language or ctx().config.centre.language)
    name = f"vuoro-report-{report.start.isoformat()}-{report.end.isoformat()}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/tickets/<token>/feedback")
def feedback(token: str) -> tuple[Response, int]:
    """The visitor's one optional answer; the token in the path is the credential (no cookie, no CSRF)."""
    req = parse_body(FeedbackRequest)
    feedback_service.give_feedback(ctx(), token, req.rating, req.category)
    body = FeedbackEnvelope(feedback=FeedbackAnswerOut(rating=req.rating, category=req.category))
    return jsonify(body.model_dump(mode="json")), 201
