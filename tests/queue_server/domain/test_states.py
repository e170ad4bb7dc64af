"""The ticket state machine: the whole transition table, and everything outside it refused."""

from __future__ import annotations

import pytest

from queue_server.domain.errors import DomainError, InvalidTransition
from queue_server.domain.states import ACTIVE, AT_DESK, FINAL, TRANSITIONS, Action, TicketStatus, apply, finish_action

S, A = TicketStatus, Action

#: The rules written out independently of the module: (action, from) -> to.
EXPECTED = {
    (A.ISSUE, None): S.WAITING,
    (A.CALL, S.WAITING): S.CALLED,
    (A.RECALL, S.CALLED): S.CALLED,
    (A.START, S.CALLED): S.SERVING,
    (A.FINISH, S.CALLED): S.DONE,
    (A.FINISH, S.SERVING): S.DONE,
    (A.NEXT_ERRAND, S.CALLED): S.WAITING,
    (A.NEXT_ERRAND, S.SERVING): S.WAITING,
    (A.NO_SHOW, S.CALLED): S.NO_SHOW,
    (A.TRANSFER, S.WAITING): S.WAITING,
    (A.TRANSFER, S.CALLED): S.WAITING,
    (A.TRANSFER, S.SERVING): S.WAITING,
    (A.RETURN, S.CALLED): S.WAITING,
    (A.RETURN, S.SERVING): S.WAITING,
    (A.CANCEL, S.WAITING): S.CANCELLED,
    (A.CANCEL, S.CALLED): S.CANCELLED,
    (A.EXPIRE, S.WAITING): S.EXPIRED,
    (A.EXPIRE, S.CALLED): S.EXPIRED,
    (A.EXPIRE, S.SERVING): S.EXPIRED,
    (A.UNDO_NO_SHOW, S.NO_SHOW): S.WAITING,
    (A.ARRIVE, S.WAITING): S.WAITING,  # a remote ticket's visitor is here: callable now, from its place
}
ALL_FROM: list[TicketStatus | None] = [None, *TicketStatus]


def test_transition_table_is_exactly_the_documented_rules() -> None:
    assert TRANSITIONS == EXPECTED


@pytest.mark.parametrize(("action", "before"), sorted(EXPECTED, key=str))
def test_allowed_transition_gives_the_documented_state(action: Action, before: TicketStatus | None) -> None:
    assert apply(before, action) == EXPECTED[(action, before)]


@pytest.mark.parametrize(
    ("action", "before"),
    [(a, s) for a in Action for s in ALL_FROM if (a, s) not in EXPECTED],
    ids=lambda v: str(v.value) if v is not None else "new",
)
def test_every_transition_outside_the_table_is_refused(action: Action, before: TicketStatus | None) -> None:
    with pytest.raises(InvalidTransition) as info:
        apply(before, action)
    assert info.value.status == 409
    assert info.value.code == "invalid_transition"
    assert info.value.details == {"status": before.value if before else None, "action": action.value}


@pytest.mark.parametrize("final", sorted(FINAL))
def test_a_finished_ticket_never_moves_again(final: TicketStatus) -> None:
    for action in Action:
        if (final, action) == (S.NO_SHOW, A.UNDO_NO_SHOW):
            continue  # the one way back, for a while (the service layer's time limit)
        with pytest.raises(InvalidTransition):
            apply(final, action)


def test_a_no_show_marked_by_mistake_can_wait_again() -> None:
    assert apply(S.NO_SHOW, A.UNDO_NO_SHOW) is S.WAITING
    assert [s for (a, s) in TRANSITIONS if a is A.UNDO_NO_SHOW] == [S.NO_SHOW]


def test_refusal_message_names_the_action_and_the_state() -> None:
    with pytest.raises(InvalidTransition, match="cannot no show a ticket that is waiting"):
        apply(S.WAITING, A.NO_SHOW)
    with pytest.raises(InvalidTransition, match="a ticket that is new"):
        apply(None, A.CALL)


def test_invalid_transition_is_a_domain_error_the_api_maps_to_409() -> None:
    assert issubclass(InvalidTransition, DomainError)


def test_only_issue_creates_a_ticket() -> None:
    creating = [a for (a, s) in TRANSITIONS if s is None]
    assert creating == [A.ISSUE]


def test_active_and_final_states_partition_all_states() -> None:
    assert ACTIVE | FINAL == set(TicketStatus)
    assert not ACTIVE & FINAL
    assert AT_DESK == {S.CALLED, S.SERVING} and AT_DESK <= ACTIVE


def test_every_active_state_can_reach_a_final_state() -> None:
    for status in ACTIVE:
        assert any(TRANSITIONS.get((a, status)) in FINAL for a in Action), status


def test_every_final_state_is_reachable() -> None:
    assert {to for to in TRANSITIONS.values()} >= FINAL


def test_status_and_event_names_fit_their_database_columns() -> None:
    # tickets.status and ticket_events.type / from_status / to_status are VARCHAR(16)
    assert max(len(s.value) for s in TicketStatus) <= 16
    assert max(len(a.value) for a in Action) <= 16


def test_finishing_the_last_errand_ends_the_visit() -> None:
    assert finish_action([]) is A.FINISH


def test_finishing_with_errands_left_sends_the_ticket_on() -> None:
    assert finish_action(["library"]) is A.NEXT_ERRAND
    assert apply(S.SERVING, finish_action(["library"])) is S.WAITING
