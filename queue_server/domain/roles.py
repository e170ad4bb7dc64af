"""The roles of Vuoro, in one place: who an account or a device token may be, and which of them may do what.

Staff accounts are clerks, supervisors or admins, whether they sign in with a password or with the city's
OpenID provider; device and script tokens are kiosks, desks, admins or booking systems.  The HTTP and socket
handlers check these sets (``web/auth.py``, ``realtime/``); ``authz_matrix.py`` is the independent statement of
the same rules that the tests hold them to.
"""

from __future__ import annotations

from typing import Literal, get_args

#: clerks serve at desks; supervisors also change the day's hours, exceptions and desks; admins everything
StaffRole = Literal["clerk", "supervisor", "admin"]
STAFF_ROLES: tuple[str, ...] = get_args(StaffRole)
#: from the least to the most: a provider's token that names several mapped roles gets the highest
STAFF_RANK = {role: rank for rank, role in enumerate(STAFF_ROLES)}
#: a device or script credential (``vuoro token create``, ``POST /api/devices``)
TokenRole = Literal["kiosk", "desk", "admin", "booking"]
TOKEN_ROLES: tuple[str, ...] = get_args(TokenRole)
#: the devices that enrol themselves with a pairing code shown on their screen (an admin approves it)
PairableRole = Literal["kiosk", "desk"]
PAIRABLE_ROLES: tuple[str, ...] = get_args(PairableRole)

#: who may act as a desk, and as a kiosk; an admin may do everything
DESK_ROLES = frozenset({"desk", *STAFF_ROLES})
KIOSK_ROLES = frozenset({"kiosk", *STAFF_ROLES})
#: the day's hours, exceptions and desks: a supervisor may change them, as an admin may
SUPERVISOR_ROLES = frozenset({"supervisor", "admin"})
ADMIN_ROLES = frozenset({"admin"})
#: an external booking system's token makes and reads appointments; an admin may too
BOOKING_ROLES = frozenset({"booking", "admin"})
