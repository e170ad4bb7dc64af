"""POST /api/tickets/<token>/feedback: one optional answer after a finished visit, nothing personal."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from queue_server.models import Feedback
from queue_server.services.context import Context
from tests.queue_server.helpers import Api, Centre, assert_error


def finished(centre: Centre) -> str:
    token = centre.issue("kela")["token"]
    centre.call_next("d1")
    centre.act("d1", "finish")
    return token  # type: ignore[no-any-return]


def stored(ctx: Context) -> list[tuple[Any, ...]]:
    with ctx.db.reader() as session:
        return [
            tuple(r)
            for r in session.execute(
                sa.select(Feedback.business_day, Feedback.service_key, Feedback.rating, Feedback.category)
            )
        ]


def test_a_finished_visit_may_be_rated_once(api: Api, centre: Centre, ctx: Context) -> None:
    token = finished(centre)
    body = api.post(f"/api/tickets/{token}/feedback", json={"rating": 4, "category": "noise"}, expect=201).get_json()
    assert body == {"feedback": {"rating": 4, "category": "noise"}}
    assert stored(ctx) == [(ctx.today(), "kela", 4, "noise")]
    assert_error(api.post(f"/api/tickets/{token}/feedback", json={"rating": 1}), 409, "feedback_given")
    assert len(stored(ctx)) == 1


def test_the_category_is_optional(api: Api, centre: Centre, ctx: Context) -> None:
    token = finished(centre)
    api.post(f"/api/tickets/{token}/feedback", json={"rating": 5}, expect=201)
    assert stored(ctx) == [(ctx.today(), "kela", 5, None)]


def test_a_ticket_still_waiting_cannot_be_rated(api: Api, centre: Centre, ctx: Context) -> None:
    token = centre.issue("kela")["token"]
    assert_error(api.post(f"/api/tickets/{token}/feedback", json={"rating": 3}), 409, "not_done")
    centre.call_next("d1")
    centre.act("d1", "no-show")
    assert_error(api.post(f"/api/tickets/{token}/feedback", json={"rating": 3}), 409, "not_done")
    assert stored(ctx) == []


@pytest.mark.parametrize(
    "body",
    [
        {"rating": 0},
        {"rating": 6},
        {"rating": "5"},
        {"rating": 4.5},
        {"rating": True},
        {},
        {"rating": 3, "category": "clerk"},
        {"rating": 3, "comment": "the clerk was rude"},
    ],
)
def test_anything_but_a_rating_and_a_known_category_is_refused(
    api: Api, centre: Centre, ctx: Context, body: dict[str, Any]
) -> None:
    token = finished(centre)
    assert_error(api.post(f"/api/tickets/{token}/feedback", json=body), 400)
    assert stored(ctx) == []


def test_an_unknown_token_is_404(api: Api) -> None:
    assert_error(
        api.post("/api/tickets/not-a-real-token-0000000000/feedback", json={"rating": 3}), 404, "unknown_ticket"
    )


def test_a_finished_ticket_of_an_earlier_day_no_longer_resolves(api: Api, centre: Centre) -> None:
    token = finished(centre)
    centre.clock.advance(24 * 3600)
    assert_error(api.post(f"/api/tickets/{token}/feedback", json={"rating": 3}), 404, "unknown_ticket")


def test_feedback_shows_in_statistics(api: Api, centre: Centre, admin_auth: dict[str, str]) -> None:
    for rating, category in ((5, None), (2, "waiting_time")):
        api.post(f"/api/tickets/{finished(centre)}/feedback", json={"rating": rating, "category": category}, expect=201)
    body = api.get("/api/stats", headers=admin_auth, expect=200).get_json()
    assert body["feedback"]["answers"] == 2 and body["feedback"]["mean_rating"] == 3.5
    assert body["feedback"]["ratings"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    assert body["feedback"]["categories"]["waiting_time"] == 1
    assert body["feedback_by_service"] == [{"service": "kela", **body["feedback"]}]


def test_feedback_needs_no_csrf_token_even_with_a_session_cookie(app: Any, centre: Centre) -> None:
    """The token in the path is the credential; a phone that once logged in as clerk must not be refused."""
    token = finished(centre)
    app.config["WTF_CSRF_ENABLED"] = True
    resp = app.test_client().post(f"/api/tickets/{token}/feedback", json={"rating": 3})
    assert resp.status_code == 201, resp.get_data(as_text=True)
