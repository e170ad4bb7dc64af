"""Every Socket.IO event name, room name and payload shape, in one place (documented in docs/realtime.md).

Payloads carry numbers, never personal data; a board never receives the service of a ``sensitive`` service.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .config import VuoroConfig

# -- client -> server
JOIN = "join"  # {"board": zone} | {"desk": key} | {"ticket": token} | {"kiosk": key} | {"admin": true}
LEAVE = "leave"

# -- server -> client
SNAPSHOT = "snapshot"  # the full current state of what was joined; sent at once after a join
CALLED = "called"  # a number is called (or recalled) to a desk: to the desk's zone board
QUEUE = "queue"  # waiting count and estimate per service: to every screen
TICKET = "ticket"  # the public view of one ticket: to that ticket's own room (the phone)
DESK = "desk"  # a desk's state and current ticket: to that desk's room
WAITING = "waiting"  # a desk's waiting list, in call order (services/waiting_list.py): to that desk's room
PRINTED = "printed"  # a kiosk's ticket came out of its printer: to that kiosk's room
FAILED = "failed"  # printing failed (the ticket stands; tell the visitor to note the number)
PRINTER = "printer"  # a printer's health changed: to desks and admins
RESYNC = "resync"  # the server rebuilt its live model (a gap, a lost change feed): join again
DASHBOARD = "dashboard"  # the admin dashboard's live picture (namespace ADMIN_NAMESPACE, room ADMIN_ROOM)
ADMIN_NAMESPACE = "/admin"  # the admin dashboard's own namespace: join {"admin": true} there (admin/live.py)
ADMIN_ROOM = "admin"


def board_room(zone: str) -> str:
    """The room of a zone's display boards: the calls to that zone's desks go there."""
    return f"board:{zone}"


def desk_room(desk: str) -> str:
    """The room of one desk's screens: its state, current ticket and waiting list."""
    return f"desk:{desk}"


def ticket_room(token_hash: str) -> str:
    """Rooms are named by the token's hash: the token itself never travels beyond its holder."""
    return f"ticket:{token_hash}"


def kiosk_room(kiosk: str) -> str:
    """The room of one kiosk: whether its tickets came out of its printer (``printed``, ``failed``)."""
    return f"kiosk:{kiosk}"


#: kiosks: public screens that show every service's queue, a sensitive one's merged (phones follow their ticket)
SCREENS_ROOM = "screens"
#: desks: staff, who see every service's own figures and the printers' health
STAFF_ROOM = "staff"


def called_payload(
    config: VuoroConfig, *, number: str, desk_key: str, called_at: datetime, recall: bool
) -> dict[str, Any]:
    """``K042 -> Desk 5, 2nd floor``; no service, so a sensitive service is never revealed."""
    desk = config.desk_map[desk_key]
    zone = config.zone_map[desk.zone]
    language = zone.language or config.centre.language
    labels = desk.label if isinstance(desk.label, dict) else dict.fromkeys(config.centre.languages, desk.label)
    return {
        "number": number,
        "desk": desk.key,
        "desk_label": config.text(desk.label, language),
        "desk_labels": dict(labels),
        "location": dict(desk.location),
        "zone": desk.zone,
        "called_at": called_at.isoformat(),
        "recall": recall,
    }


def queue_payload(summaries: list[Any], *, for_board: bool) -> dict[str, Any]:
    """Waiting count and estimate per service; boards leave sensitive services out altogether."""
    return {
        "services": [
            {
                "key": s.key,
                "names": s.names,
                "waiting": s.waiting,
                "estimated_wait_s": s.estimated_wait_s,
                "open": s.open,
                "opens_at": s.opens_at,
                "closed_tomorrow": s.closed_tomorrow,
                "wait_texts": s.wait_texts,
                "estimate_reason": s.estimate_reason,
                "full_today": s.full_today,
            }
            for s in summaries
            if not (for_board and s.sensitive)
        ]
    }
