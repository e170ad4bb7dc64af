"""The dashboard's appointment counts from the live model: one service's day at a few moments, without an app.

Times are minutes from 10:00 in microseconds; check-in closes ten minutes after the booked time.
"""

from __future__ import annotations

from queue_server.domain.appointment_counts import AppointmentCounts, appointment_counts
from queue_server.domain.queue_model import Booking, QueueModel, Topology, build

MIN = 60_000_000
T10 = 1_000_000 * MIN  # 10:00
GRACE = 10 * MIN
TOPOLOGY = Topology(services=("kela", "library"), desks=())


def at(minutes: int) -> int:
    return T10 + minutes * MIN


def day() -> list[Booking]:
    """09:00 missed and marked, 09:30 checked in, 09:40 cancelled, 09:55 missed not marked yet, 10:00 and 10:05
    late, 10:30 to come; one library appointment that must not count for Kela."""
    return [
        Booking(1, "kela", at(-60), "no_show"),
        Booking(2, "kela", at(-30), "checked_in"),
        Booking(3, "kela", at(-20), "cancelled"),
        Booking(4, "kela", at(-5), "booked"),
        Booking(5, "kela", at(0), "booked"),
        Booking(6, "kela", at(5), "booked"),
        Booking(7, "kela", at(30), "booked"),
        Booking(8, "library", at(0), "booked"),
    ]


def model_of(bookings: list[Booking]) -> QueueModel:
    model = QueueModel(TOPOLOGY, "2026-11-27")
    for booking in bookings:
        model.put_booking(booking)
    return model


def test_the_day_splits_into_checked_in_late_no_show_and_still_to_come() -> None:
    counts = appointment_counts(model_of(day()), "kela", at(6), GRACE)
    # 09:55 closed at 10:05 (the sweep has not marked it yet); 10:00 and 10:05 are late, 10:30 is to come
    assert counts == AppointmentCounts(booked=6, checked_in=1, late=2, no_show=2)


def test_late_begins_after_the_booked_time_and_ends_with_the_grace() -> None:
    model = model_of([Booking(1, "kela", at(0), "booked")])
    assert appointment_counts(model, "kela", at(0), GRACE).late == 0  # on time
    assert appointment_counts(model, "kela", at(0) + 1, GRACE).late == 1
    assert appointment_counts(model, "kela", at(10), GRACE).late == 1  # check-in still open at start + grace
    closed = appointment_counts(model, "kela", at(10) + 1, GRACE)
    assert (closed.late, closed.no_show, closed.booked) == (0, 1, 1)


def test_a_change_moves_an_appointment_from_one_count_to_the_next() -> None:
    model = model_of(day())
    model.put_booking(Booking(5, "kela", at(0), "checked_in"))  # the 10:00 visitor arrives, late
    model.put_booking(Booking(7, "kela", at(30), "cancelled"))
    counts = appointment_counts(model, "kela", at(6), GRACE)
    assert counts == AppointmentCounts(booked=5, checked_in=2, late=1, no_show=2)


def test_a_rebuilt_model_counts_what_the_one_kept_change_by_change_counts() -> None:
    kept = model_of(day())
    kept.put_booking(Booking(4, "kela", at(-5), "no_show"))  # the sweep
    rebuilt = build(
        TOPOLOGY, "2026-11-27", 0, (), {}, (), [*day()[:3], Booking(4, "kela", at(-5), "no_show"), *day()[4:]]
    )
    for service in ("kela", "library"):
        assert appointment_counts(kept, service, at(6), GRACE) == appointment_counts(rebuilt, service, at(6), GRACE)


def test_a_service_without_appointments_counts_nothing() -> None:
    assert appointment_counts(model_of(day()), "passport", at(0), GRACE) == AppointmentCounts(0, 0, 0, 0)
    assert appointment_counts(model_of(day()), "library", at(1), GRACE) == AppointmentCounts(1, 0, 1, 0)
