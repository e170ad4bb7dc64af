"""Request and response shapes of statistics, reports and feedback (issue 6), for validation and OpenAPI."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..config import Language
from .schemas import JsonInt

FeedbackCategory = Literal["signage", "noise", "privacy", "waiting_time", "service"]


class FeedbackRequest(BaseModel):
    """The body of POST /api/tickets/{token}/feedback: a rating from 1 to 5 and, if chosen, what it is about."""

    model_config = ConfigDict(extra="forbid", strict=True)

    rating: Annotated[JsonInt, Field(ge=1, le=5)]
    category: FeedbackCategory | None = None


class FeedbackAnswerOut(BaseModel):
    """The feedback as it was recorded: the rating and its category."""

    rating: int
    category: FeedbackCategory | None


class FeedbackEnvelope(BaseModel):
    """The answer of POST /api/tickets/{token}/feedback: the visit's one answer."""

    feedback: FeedbackAnswerOut


class DurationsOut(BaseModel):
    """Durations in seconds: how many, their mean, median and 90th percentile (null: none measured)."""

    n: int
    mean_s: float | None
    median_s: float | None
    p90_s: float | None


class StatsRowOut(BaseModel):
    """The figures of one group; see docs/statistics.md for the definitions."""

    errands: int = Field(description="errands that joined this queue (a ticket for two services makes two)")
    visits: int = Field(description="tickets issued (their first errand)")
    served: int
    no_shows: int
    cancelled: int
    expired: int
    transferred: int = Field(description="sent to another service while waiting, unserved")
    wait: DurationsOut
    service_time: DurationsOut
    served_within_target: float | None = Field(description="share of served errands whose wait <= target")
    arrivals_per_hour: list[int] = Field(description="errands that joined the queue per local hour 0..23")
    appointments: int = Field(description="of the errands, those checked in for an appointment")
    punctuality: DurationsOut = Field(
        description="appointments: first call minus booked time, in seconds (negative: called before the booked time)"
    )


class DayStatsOut(StatsRowOut):
    """The figures of one business day (the centre's local date)."""

    day: str


class ServiceStatsOut(StatsRowOut):
    """The figures of one service, with its name and its target wait."""

    service: str
    name: str
    target_wait_s: int


class DeskStatsOut(StatsRowOut):
    """The figures of the errands one desk called (desk null: those no desk called)."""

    desk: str | None = Field(description="null: errands that no desk called")
    label: str | None


class DayServiceStatsOut(StatsRowOut):
    """The figures of one service on one business day."""

    day: str
    service: str


class KindStatsOut(StatsRowOut):
    """The figures of the walk-ins, or of the appointments."""

    kind: Literal["walk_in", "appointment"]


class ServiceKindStatsOut(KindStatsOut):
    """The figures of one service's walk-ins, or of its appointments."""

    service: str


class FeedbackStatsOut(BaseModel):
    """The visitors' feedback: how many answered, the mean rating, and how many gave each rating and category."""

    answers: int
    mean_rating: float | None
    ratings: dict[str, int]
    categories: dict[str, int]


class ServiceFeedbackOut(FeedbackStatsOut):
    """The feedback on one service's visits."""

    service: str


class StatsOut(BaseModel):
    """The answer of GET /api/stats: a period's figures in all and by day, service, desk and kind, and feedback.
    docs/statistics.md defines every figure."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    service: str | None
    timezone: str
    percentile_method: str
    summary: StatsRowOut
    days: list[DayStatsOut]
    services: list[ServiceStatsOut]
    desks: list[DeskStatsOut]
    day_services: list[DayServiceStatsOut]
    kinds: list[KindStatsOut] = Field(description="walk-ins and appointments apart (a kind without errands: absent)")
    service_kinds: list[ServiceKindStatsOut]
    feedback: FeedbackStatsOut
    feedback_by_service: list[ServiceFeedbackOut]


class _Query(BaseModel):
    """Query parameters: validated by this model and documented from its JSON schema, so the OpenAPI document
    and the server accept exactly the same requests (lax, since a query is text: ``from=2026-11-27``)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


ServiceKey = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9][a-z0-9_-]*$")]


class RangeQuery(_Query):
    """A period (?from=, ?to=): business days by the centre's local date, both today when left out."""

    start: date | None = Field(
        None, alias="from", description="first business day (YYYY-MM-DD, the centre's local date); default today"
    )
    end: date | None = Field(None, alias="to", description="last business day, inclusive; default today")


class StatsQuery(RangeQuery):
    """The query of GET /api/stats: a period, and one service or all."""

    service: ServiceKey | None = Field(None, description="only this service")


class CsvQuery(StatsQuery):
    """The query of GET /api/stats.csv: the statistics' query, how the rows are grouped, the columns' language."""

    by: Annotated[str, Field(pattern=r"^(day|service|desk|kind)(,(day|service|desk|kind)){0,3}$")] | None = Field(
        None,
        description="group by a comma-separated subset of day, service, desk, kind (walk_in or "
        "appointment); default day,service",
    )
    language: Language | None = Field(
        None,
        description="column names in this language; default stable keys (day, service, wait_mean_s, ...) for scripts",
    )


class ReportQuery(RangeQuery):
    """The query of GET /api/report.pdf: a period and the report's language."""

    language: Language | None = Field(None, description="default the centre's language")


class AuditQuery(_Query):
    """The query of GET /api/audit: a time range, one actor, an action prefix, and JSON or CSV."""

    since: datetime | None = Field(None, alias="from", description="entries from this moment (ISO 8601)")
    until: datetime | None = Field(None, alias="to", description="entries before this moment (ISO 8601)")
    actor: Annotated[str, Field(max_length=80)] | None = Field(None, description="only this actor, e.g. user:3")
    action: Annotated[str, Field(max_length=32)] | None = Field(None, description="actions starting so, e.g. service.")
    format: Literal["json", "csv"] | None = Field(None, description="csv: the same entries as a CSV file")


def query_parameters(model: type[_Query]) -> list[dict[str, Any]]:
    """The OpenAPI query parameters of ``model``, from its own JSON schema."""
    schema = model.model_json_schema(by_alias=True)
    out = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", "")
        prop.pop("default", None)
        prop.pop("title", None)
        options = [p for p in prop.pop("anyOf", [prop]) if p.get("type") != "null"]
        out.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": description,
                "schema": options[0] if len(options) == 1 else {"anyOf": options},
            }
        )
    return out


#: what the OPERATIONS table cannot say: query parameters and non-JSON bodies, merged into the document
OPENAPI_EXTRA: dict[tuple[str, str], dict[str, Any]] = {
    ("get", "/api/stats"): {"parameters": query_parameters(StatsQuery)},
    ("get", "/api/stats.csv"): {
        "parameters": query_parameters(CsvQuery),
        "responses": {"200": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    },
    ("get", "/api/audit"): {
        "parameters": query_parameters(AuditQuery),
        "responses": {
            "200": {
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/AuditEnvelope"}},
                    "text/csv": {"schema": {"type": "string", "description": "with format=csv"}},
                }
            }
        },
    },
    ("get", "/api/report.pdf"): {
        "parameters": query_parameters(ReportQuery),
        "responses": {"200": {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}},
    },
}
