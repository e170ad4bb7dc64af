"""The roles of Vuoro, in one place: who an account or a device token may be (docs/security.md's matrix).

Staff accounts are clerks, supervisors or admins, whether they sign in with a password or with the city's
OpenID provider; device and script tokens are kiosks, desks, admins or booking systems.
"""

from __future__ import annotations

from typing import Literal, get_args

#: clerks serve at desks; supervisors also change the day's hours, exceptions and desks; admins everything
StaffRole = Literal["clerk", "supervisor", "admin"]
STAFF_ROLES: tuple[str, ...] = get_args(StaffRole)
#: from the least to the most: a provider's token that names several mapped roles gets the highest
STAFF_RANK = {role: rank for rank, role in enumerate(STAFF_ROLES)}
TOKEN_ROLES: tuple[str, ...] = ("kiosk", "desk", "admin", "booking")
