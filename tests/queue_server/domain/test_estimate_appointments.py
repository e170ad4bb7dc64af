"""The replay estimator with appointments (estimate.Booked) and desks on a break (estimate.Desk.back_in_s)."""

from __future__ import annotations

from queue_server.domain.estimate import Booked, Desk, ServiceRate, Snapshot, Waiting, predict
from queue_server.domain.forecast import PAUSE_LEFT_S, Priors, forecast_group
from queue_server.domain.queue_model import DeskSpec, LiveTicket, QueueModel, Topology

# fixed-length visits (cv 0): the replay's arithmetic is exact
R = {"kela": ServiceRate(600, cv=0.0)}


def snap(waiting: list[Waiting], desks: list[Desk], booked: list[Booked], now: float = 0.0) -> Snapshot:
    return Snapshot(now=now, waiting=waiting, desks=desks, rates=R, booked=booked)


def test_an_appointment_is_due_on_the_snapshots_clock() -> None:
    # the same queue seen at 10:00 and at 0: the appointment booked 15 min ahead is called in 15 min
    for now in (0.0, 36_000.0):
        walk_ins = [Waiting(i, "kela", False, now - 100 + i) for i in (1, 2, 3)]
        p = predict(snap(walk_ins, [Desk("d1", ("kela",))], [Booked(9, "kela", now + 900)], now))
        assert p.waits[9] == 1200  # the desk is busy with walk-ins until 1200, then the due appointment first
        assert (p.waits[1], p.waits[2], p.waits[3]) == (0, 600, 1800)


def test_an_appointment_checked_in_early_is_called_when_no_walk_in_waits() -> None:
    p = predict(snap([], [Desk("d1", ("kela",))], [Booked(9, "kela", 1200)]))
    assert p.waits[9] == 0 and p.newcomer["kela"] == 0  # a walk-in issued now would still go first


def test_a_booking_not_checked_in_is_not_called_before_its_time() -> None:
    p = predict(snap([], [Desk("d1", ("kela",))], [Booked(-1, "kela", 300), Booked(9, "kela", 600)]))
    assert p.waits[9] == 0  # the checked-in one goes early; the other visitor is not there yet
    p = predict(snap([Waiting(1, "kela", False, -10)], [Desk("d1", ("kela",))], [Booked(-1, "kela", 300)]))
    assert p.waits[1] == 0


def test_a_paused_desk_comes_back_and_the_due_appointments_do_not_starve_the_walk_ins() -> None:
    desks = [Desk("d1", ("kela",)), Desk("d2", ("kela",), back_in_s=900)]
    booked = [Booked(-i, "kela", 600.0 * i) for i in range(1, 20)]  # one due every visit: one desk's work
    p = predict(snap([Waiting(1, "kela", False, -10), Waiting(2, "kela", False, -5)], desks, booked))
    assert p.waits[1] == 0 and p.waits[2] == 900


def test_a_forecast_counts_a_paused_desk_as_back_after_a_break() -> None:
    model = QueueModel(Topology(services=("kela",), desks=(DeskSpec("d1", ("kela",), "z"),)), "2026-11-27")
    model.put(
        LiveTicket(
            id=1,
            number="K001",
            status="waiting",
            service="kela",
            pending=(),
            priority=False,
            language="fi",
            issued_at=0,
            queued_at=0,
            desk=None,
            called_at=None,
            token_hash="h1",
        )
    )
    model.set_desk("d1", "paused", 0)
    fc = forecast_group(model, Priors({"kela": 600.0}, priority_ratio=2), frozenset({"kela"}), now_us=0)
    assert fc["kela"].waits == (int(PAUSE_LEFT_S),) and not fc["kela"].staffed
