"""Desks: list them, see one and its waiting list, and act on its current ticket.

A logged-in account (a person) holds one desk at a time: its calls and openings pass ``single_desk``, so taking
a desk closes the other desks the account holds (services/desk_state.py).  Device tokens may run several.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, jsonify, request

from ..domain.roles import DESK_ROLES
from ..services import desks as service
from ..services.accounts import Principal
from ..services.context import Context
from ..services.no_show_undo import undo_no_show
from ..services.waiting_list import waiting_list
from ..web.auth import check_desk, current_principal, require
from ..web.context import ctx, parse_body
from . import bp
from .desk_schemas import CallRequest, UndoNoShowRequest, WaitingListOut
from .schemas import DeskActionOut, DeskDetailOut, DeskOut, DesksEnvelope, DeskStatusRequest, TicketOut, TransferRequest


def _desk_out(key: str, status: str) -> DeskOut:
    """A desk's label and location in ``?language=xx`` (as ``/api/services`` takes it; ``?lang=xx`` as the
    pages do): a staff screen in the clerk's language; else the centre's default; and in every language."""
    config = ctx().config
    desk = config.desk_map[key]
    asked = request.args.get("language") or request.args.get("lang")
    lang = asked if asked in config.centre.languages else config.centre.language
    every = config.centre.languages
    return DeskOut(
        key=desk.key,
        label=config.text(desk.label, lang),
        location=config.text(desk.location, lang),
        labels={code: config.text(desk.label, code) for code in every},
        locations={code: config.text(desk.location, code) for code in every},
        zone=desk.zone,
        services=list(desk.services),
        status=status,  # type: ignore[arg-type]  # one of DESK_STATUSES, as the live model keeps it
    )


def _action_json(result: service.DeskResult) -> Response | tuple[str, int]:
    if result.ticket is None:
        return "", 204
    out = DeskActionOut(ticket=TicketOut.model_validate(result.ticket, from_attributes=True), status=result.desk_status)  # type: ignore[arg-type]
    return jsonify(out.model_dump(mode="json"))


def _actor() -> str:
    principal: Principal | None = current_principal()
    return principal.actor if principal else "system"


def _single_desk() -> bool:
    """A person's account holds one desk at a time; a device token (a desk PC, a script) may hold several."""
    principal = current_principal()
    return principal is not None and principal.kind == "user"


@bp.get("/desks")
@require(DESK_ROLES)
def list_desks() -> Response:
    """GET /api/desks: every desk, its labels (see ``_desk_out``) and its status (none in the live model: closed)."""
    statuses = service.desk_statuses(ctx())
    desks = [_desk_out(d.key, statuses.get(d.key, "closed")) for d in ctx().config.desks]
    return jsonify(DesksEnvelope(desks=desks).model_dump(mode="json"))


@bp.get("/desks/<key>")
@require(DESK_ROLES)
def show_desk(key: str) -> Response:
    """GET /api/desks/<key>: the desk's state, its current ticket and the waiting count of each of its services."""
    result, waiting = service.desk_overview(ctx(), key)
    ticket = TicketOut.model_validate(result.ticket, from_attributes=True) if result.ticket else None
    out = DeskDetailOut(desk=_desk_out(key, result.desk_status), ticket=ticket, waiting=waiting)
    return jsonify(out.model_dump(mode="json"))


@bp.get("/desks/<key>/waiting")
@require(DESK_ROLES)
def show_waiting(key: str) -> Response:
    """The tickets this desk would call, in that order (the first 50), for the desk page's waiting list."""
    check_desk(key)
    return jsonify(WaitingListOut.model_validate(waiting_list(ctx(), key).to_dict()).model_dump(mode="json"))


def _call_next(context: Context, key: str, actor: str) -> service.DeskResult:
    """ "Next" takes the desk: a person's other desk closes (``single_desk``)."""
    return service.call_next(context, key, actor, single_desk=_single_desk())


def _simple(action: Callable[..., service.DeskResult]) -> Callable[[str], Response | tuple[str, int]]:
    def view(key: str) -> Response | tuple[str, int]:
        check_desk(key)
        return _action_json(action(ctx(), key, _actor()))

    return view


for _path, _action in (
    ("next", _call_next),
    ("recall", service.recall),
    ("start", service.start),
    ("finish", service.finish),
    ("no-show", service.no_show),
    ("return", service.return_to_queue),
):
    bp.add_url_rule(
        f"/desks/<key>/{_path}",
        f"desk_{_path.replace('-', '_')}",
        require(DESK_ROLES)(_simple(_action)),
        methods=["POST"],
    )


@bp.post("/desks/<key>/transfer")
@require(DESK_ROLES)
def transfer(key: str) -> Response | tuple[str, int]:
    """POST /api/desks/<key>/transfer: send the desk's current ticket to another service, keeping its place."""
    check_desk(key)
    req = parse_body(TransferRequest)
    return _action_json(service.transfer(ctx(), key, req.service, _actor()))


@bp.post("/desks/<key>/call")
@require(DESK_ROLES)
def call_number(key: str) -> Response | tuple[str, int]:
    """POST /api/desks/<key>/call: call a waiting ticket by its number or its waiting-list id (409
    ``already_called`` when another desk was first); like "next", it takes the desk (``single_desk``)."""
    check_desk(key)
    req = parse_body(CallRequest)
    return _action_json(
        service.call_number(ctx(), key, req.number, _actor(), ticket_id=req.ticket, single_desk=_single_desk())
    )


@bp.post("/desks/<key>/undo-no-show")
@require(DESK_ROLES)
def undo_no_show_view(key: str) -> Response | tuple[str, int]:
    """Take back a no-show marked in the last 10 minutes: the ticket waits again in its old place."""
    check_desk(key)
    req = parse_body(UndoNoShowRequest)
    return _action_json(undo_no_show(ctx(), key, _actor(), number=req.number, ticket_id=req.ticket))


@bp.post("/desks/<key>/status")
@require(DESK_ROLES)
def set_status(key: str) -> Response:
    """POST /api/desks/<key>/status: open, pause or close the desk; opening it closes a person's other desk."""
    check_desk(key)
    req = parse_body(DeskStatusRequest)
    result = service.set_status(ctx(), key, req.status, _actor(), single_desk=_single_desk())
    ticket = TicketOut.model_validate(result.ticket, from_attributes=True) if result.ticket else None
    return jsonify(DeskActionOut(ticket=ticket, status=result.desk_status).model_dump(mode="json"))  # type: ignore[arg-type]
