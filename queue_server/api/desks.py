"""Desks: list them, see one, and act on its current ticket."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, jsonify

from ..services import desks as service
from ..services.accounts import Principal
from . import bp
from .auth import DESK_ROLES, check_desk, current_principal, require
from .context import ctx, parse_body
from .schemas import (
    CallRequest,
    DeskActionOut,
    DeskDetailOut,
    DeskOut,
    DesksEnvelope,
    DeskStatusRequest,
    TicketOut,
    TransferRequest,
)


def _desk_out(key: str, status: str) -> DeskOut:
    config = ctx().config
    desk = config.desk_map[key]
    return DeskOut(key=desk.key, label=config.text(desk.label), location=config.text(desk.location),
                   zone=desk.zone, services=list(desk.services), status=status)  # type: ignore[arg-type]


def _action_json(result: service.DeskResult) -> Response | tuple[str, int]:
    if result.ticket is None:
        return "", 204
    out = DeskActionOut(ticket=TicketOut.model_validate(result.ticket, from_attributes=True),
                        status=result.desk_status)  # type: ignore[arg-type]
    return jsonify(out.model_dump(mode="json"))


def _actor() -> str:
    principal: Principal | None = current_principal()
    return principal.actor if principal else "system"


@bp.get("/desks")
@require(DESK_ROLES)
def list_desks() -> Response:
    statuses = service.desk_statuses(ctx())
    desks = [_desk_out(d.key, statuses.get(d.key, "closed")) for d in ctx().config.desks]
    return jsonify(DesksEnvelope(desks=desks).model_dump(mode="json"))


@bp.get("/desks/<key>")
@require(DESK_ROLES)
def show_desk(key: str) -> Response:
    result, waiting = service.desk_overview(ctx(), key)
    ticket = TicketOut.model_validate(result.ticket, from_attributes=True) if result.ticket else None
    out = DeskDetailOut(desk=_desk_out(key, result.desk_status), ticket=ticket, waiting=waiting)
    return jsonify(out.model_dump(mode="json"))


def _simple(action: Callable[..., service.DeskResult]) -> Callable[[str], Response | tuple[str, int]]:
    def view(key: str) -> Response | tuple[str, int]:
        check_desk(key)
        return _action_json(action(ctx(), key, _actor()))
    return view


for _path, _action in (
    ("next", service.call_next), ("recall", service.recall), ("start", service.start),
    ("finish", service.finish), ("no-show", service.no_show), ("return", service.return_to_queue),
):
    bp.add_url_rule(f"/desks/<key>/{_path}", f"desk_{_path.replace('-', '_')}",
                    require(DESK_ROLES)(_simple(_action)), methods=["POST"])


@bp.post("/desks/<key>/transfer")
@require(DESK_ROLES)
def transfer(key: str) -> Response | tuple[str, int]:
    check_desk(key)
    req = parse_body(TransferRequest)
    return _action_json(service.transfer(ctx(), key, req.service, _actor()))


@bp.post("/desks/<key>/call")
@require(DESK_ROLES)
def call_number(key: str) -> Response | tuple[str, int]:
    check_desk(key)
    req = parse_body(CallRequest)
    return _action_json(service.call_number(ctx(), key, req.number, _actor()))


@bp.post("/desks/<key>/status")
@require(DESK_ROLES)
def set_status(key: str) -> Response:
    check_desk(key)
    req = parse_body(DeskStatusRequest)
    result = service.set_status(ctx(), key, req.status, _actor())
    ticket = TicketOut.model_validate(result.ticket, from_attributes=True) if result.ticket else None
    return jsonify(DeskActionOut(ticket=ticket, status=result.desk_status).model_dump(mode="json"))  # type: ignore[arg-type]
