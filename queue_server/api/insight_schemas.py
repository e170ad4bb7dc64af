"""Request and response shapes of statistics, reports and feedback (issue 6), for validation and OpenAPI."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FeedbackCategory = Literal["signage", "noise", "privacy", "waiting_time", "service"]


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    rating: Annotated[int, Field(ge=1, le=5)]
    category: FeedbackCategory | None = None


class FeedbackAnswerOut(BaseModel):
    rating: int
    category: FeedbackCategory | None


class FeedbackEnvelope(BaseModel):
    feedback: FeedbackAnswerOut


class DurationsOut(BaseModel):
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


class DayStatsOut(StatsRowOut):
    day: str


class ServiceStatsOut(StatsRowOut):
    service: str
    name: str
    target_wait_s: int


class DeskStatsOut(StatsRowOut):
    desk: str | None = Field(description="null: errands that no desk called")
    label: str | None


class DayServiceStatsOut(StatsRowOut):
    day: str
    service: str


class FeedbackStatsOut(BaseModel):
    answers: int
    mean_rating: float | None
    ratings: dict[str, int]
    categories: dict[str, int]


class ServiceFeedbackOut(FeedbackStatsOut):
    service: str


class StatsOut(BaseModel):
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
    feedback: FeedbackStatsOut
    feedback_by_service: list[ServiceFeedbackOut]


def query(name: str, description: str, pattern: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if pattern:
        schema["pattern"] = pattern
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


DATE = r"^\d{4}-\d{2}-\d{2}$"
RANGE_PARAMS = [
    query("from", "first business day (YYYY-MM-DD, the centre's local date); default today", DATE),
    query("to", "last business day, inclusive; default today", DATE),
]
#: what the OPERATIONS table cannot say: query parameters and non-JSON bodies, merged into the document
OPENAPI_EXTRA: dict[tuple[str, str], dict[str, Any]] = {
    ("get", "/api/stats"): {"parameters": [*RANGE_PARAMS, query("service", "only this service")]},
    ("get", "/api/stats.csv"): {
        "parameters": [*RANGE_PARAMS, query("service", "only this service"),
                       query("by", "group by a comma-separated subset of day, service, desk; default day,service")],
        "responses": {"200": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    },
    ("get", "/api/report.pdf"): {
        "parameters": [*RANGE_PARAMS, query("language", "fi, sv or en; default the centre's language")],
        "responses": {"200": {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}},
    },
}
