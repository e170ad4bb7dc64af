"""The authorization matrix: every route and Socket.IO event, and who may use it.

This table is the single source: ``tests/queue_server/test_authorization.py`` walks the app's URL map and the
Socket.IO handlers and fails when something is missing here or answers a role it should refuse, and
``docs/security.md`` holds :func:`markdown_table` verbatim (a test compares them).

Roles: ``anonymous`` (nobody), ``kiosk`` / ``desk`` / ``admin-token`` / ``booking`` (device or script bearer
tokens, or the ``auth`` token of a socket), ``clerk`` / ``admin`` (a logged-in session cookie).  "Capability"
routes are open to anybody who holds the unguessable ticket token or appointment code in the path: they are
listed as open to every role.
"""

from __future__ import annotations

from dataclasses import dataclass

from .domain.roles import PAIRABLE_ROLES, STAFF_ROLES, TOKEN_ROLES

#: who calls, as the matrix names them: nobody, the devices, the staff sessions, then the script tokens (an
#: admin token is not an admin's session: pages read the session cookie only)
ROLES = (
    "anonymous",
    *PAIRABLE_ROLES,
    *STAFF_ROLES,
    *("admin-token" if r == "admin" else r for r in TOKEN_ROLES if r not in PAIRABLE_ROLES),
)
EVERYONE = frozenset(ROLES)
DESK = frozenset({"desk", "clerk", "supervisor", "admin", "admin-token"})
KIOSK = frozenset({"kiosk", "clerk", "supervisor", "admin", "admin-token"})
#: the day's hours, exceptions and desks
SUPERVISOR = frozenset({"supervisor", "admin", "admin-token"})
ADMIN = frozenset({"admin", "admin-token"})
#: an external booking system's token (``vuoro token create --role booking``), and admins
BOOKING = frozenset({"booking", "admin", "admin-token"})
STAFF_SESSION = frozenset(STAFF_ROLES)  # pages read the session cookie only
SUPERVISOR_SESSION = frozenset({"supervisor", "admin"})
ADMIN_SESSION = frozenset({"admin"})

#: endpoints that only serve files shipped with the code (CSS, JS, sounds, fonts): public by design
STATIC_ENDPOINTS = frozenset(
    {"static", "pages.static", "kiosk.static", "board.static", "admin.static", "admin_assets.static"}
)


@dataclass(frozen=True)
class Entry:
    """One route of the matrix: method, Flask rule, who may call it, and the note docs/security.md shows."""

    method: str
    rule: str
    allowed: frozenset[str]
    note: str = ""


ROUTES: tuple[Entry, ...] = (
    # pages
    Entry("GET", "/", EVERYONE, "start page: links only"),
    Entry("GET", "/login", EVERYONE),
    Entry("POST", "/login", EVERYONE, "log-in form (CSRF, throttled per address)"),
    Entry("POST", "/logout", EVERYONE, "CSRF; a provider's account goes on to the provider's log-out"),
    Entry("GET", "/login/oidc", EVERYONE, "off to the city's OpenID provider (auth.oidc; throttled per address)"),
    Entry(
        "GET",
        "/login/oidc/callback",
        EVERYONE,
        "back from the provider: state (single-use), PKCE, nonce, the ID token's signature and claims",
    ),
    Entry("GET", "/login/oidc/logged-out", EVERYONE, "back from the provider's log-out"),
    Entry("GET", "/account/password", STAFF_SESSION, "others are sent to /login"),
    Entry("POST", "/account/password", STAFF_SESSION, "change one's own password (CSRF)"),
    Entry("GET", "/desk", STAFF_SESSION, "others are sent to /login"),
    Entry("GET", "/admin", ADMIN_SESSION, "clerk: 403; others are sent to /login"),
    Entry("GET", "/admin/", ADMIN_SESSION, "as /admin"),
    Entry("GET", "/admin/services", SUPERVISOR_SESSION, "the management pages: clerk 403, others to /login"),
    Entry("POST", "/admin/services/<key>/exceptions", SUPERVISOR_SESSION, "CSRF"),
    Entry("POST", "/admin/services/<key>/exceptions/<day>/remove", SUPERVISOR_SESSION, "CSRF"),
    Entry("POST", "/admin/services", ADMIN_SESSION, "add a service (CSRF)"),
    Entry("POST", "/admin/services/<key>/edit", ADMIN_SESSION, "names, locations, prefix, times, daily limit (CSRF)"),
    Entry("POST", "/admin/services/<key>/hours", ADMIN_SESSION, "weekly opening hours (CSRF)"),
    Entry("POST", "/admin/services/<key>/appointments", ADMIN_SESSION, "appointments: slots, check-in, hours (CSRF)"),
    Entry("POST", "/admin/services/<key>/retire", ADMIN_SESSION, "CSRF, ticked confirmation; 409 while tickets wait"),
    Entry("POST", "/admin/services/<key>/close", SUPERVISOR_SESSION, "closed for today: an exception (CSRF)"),
    Entry("POST", "/admin/services/<key>/reopen", SUPERVISOR_SESSION, "removes today's exception (CSRF)"),
    Entry("POST", "/admin/exceptions", SUPERVISOR_SESSION, "the calendar: a centre or service exception (CSRF)"),
    Entry("POST", "/admin/exceptions/<day>/remove", SUPERVISOR_SESSION, "the centre's exception (CSRF)"),
    Entry(
        "GET",
        "/admin/desks",
        SUPERVISOR_SESSION,
        "a supervisor changes the day's desks; adding, retiring and who may open them are an admin's",
    ),
    Entry("POST", "/admin/desks", ADMIN_SESSION, "add a desk (CSRF)"),
    Entry("POST", "/admin/desks/<key>", SUPERVISOR_SESSION, "label, location, zone, services (CSRF)"),
    Entry("POST", "/admin/desks/<key>/retire", ADMIN_SESSION, "CSRF, a ticked confirmation"),
    Entry("POST", "/admin/accounts/<name>/desks", ADMIN_SESSION, "the desks an account may open (CSRF)"),
    Entry("GET", "/admin/zones", ADMIN_SESSION),
    Entry("POST", "/admin/zones/<key>", ADMIN_SESSION, "name, language, sound, the boards' message line (CSRF)"),
    Entry("GET", "/admin/kiosks", ADMIN_SESSION, "kiosks and the printers' health"),
    Entry("POST", "/admin/kiosks/<key>", ADMIN_SESSION, "zone, printer, language, offered services (CSRF)"),
    Entry("GET", "/admin/kiosks/<key>/poster", ADMIN_SESSION, "the kiosk's QR poster, to print"),
    Entry("POST", "/admin/printers/<key>/test", ADMIN_SESSION, "a test ticket, printed in the background (CSRF)"),
    Entry("GET", "/admin/staff", ADMIN_SESSION),
    Entry("POST", "/admin/staff", ADMIN_SESSION, "CSRF; shows the one-time password once"),
    Entry("POST", "/admin/staff/<name>/<action>", ADMIN_SESSION, "disable, enable, reset (CSRF)"),
    Entry("GET", "/admin/devices", ADMIN_SESSION),
    Entry("POST", "/admin/devices/pair", ADMIN_SESSION, "CSRF"),
    Entry("POST", "/admin/devices/<int:device_id>/revoke", ADMIN_SESSION, "CSRF"),
    Entry("GET", "/admin/audit", ADMIN_SESSION),
    Entry("GET", "/kiosk/<kiosk>", EVERYONE, "the page is public; issuing needs a kiosk token or a session"),
    Entry("GET", "/board/<zone>", EVERYONE, "public screen; sensitive services never shown"),
    Entry("GET", "/t/<token>", EVERYONE, "capability: the ticket token (rate-limited per token)"),
    Entry("GET", "/sw.js", EVERYONE, "the phone page's service worker: shows a push notification, nothing else"),
    Entry("GET", "/pair/<code>/qr.svg", EVERYONE, "a waiting device's code as a QR code (404 once used or expired)"),
    Entry("GET", "/t/<token>/qr.svg", EVERYONE, "capability: the ticket token (rate-limited per token)"),
    Entry("GET", "/book", EVERYONE, "the public booking page: books and cancels through the API"),
    Entry("GET", "/join/<kiosk>", EVERYONE, "the QR poster's page: a ticket on one's own phone, through the API"),
    Entry("GET", "/book/<code>/qr.svg", EVERYONE, "capability: the appointment code (rate-limited per address)"),
    Entry("GET", "/healthz", EVERYONE, "liveness, no data"),
    Entry("GET", "/metrics", EVERYONE, "counters only, no tokens or numbers; restrict at the proxy"),
    # API
    Entry("GET", "/api/openapi.json", EVERYONE),
    Entry("GET", "/api/services", EVERYONE, "counts only; what a kiosk offers"),
    Entry("POST", "/api/session", EVERYONE, "log in (CSRF for cookies, throttled per address)"),
    Entry("GET", "/api/session", DESK),
    Entry("DELETE", "/api/session", EVERYONE, "log out"),
    Entry("POST", "/api/session/password", STAFF_SESSION, "change one's own password (CSRF)"),
    Entry("POST", "/api/tickets", KIOSK, "a kiosk token speaks for its own kiosk only (rate-limited)"),
    Entry(
        "POST",
        "/api/join/<kiosk>",
        EVERYONE,
        "the QR poster: remote services only, a daily cap (rate-limited per address and per browser)",
    ),
    Entry("GET", "/api/tickets/<token>", EVERYONE, "capability: the ticket token (rate-limited per token)"),
    Entry("DELETE", "/api/tickets/<token>", EVERYONE, "capability: the ticket token (no CSRF)"),
    Entry("POST", "/api/tickets/<token>/feedback", EVERYONE, "capability: the ticket token (no CSRF)"),
    Entry("POST", "/api/tickets/<token>/push", EVERYONE, "capability: the ticket token; listed push services only"),
    Entry("GET", "/api/tickets/<token>/push", EVERYONE, "capability: the ticket token (rate-limited per token)"),
    Entry("DELETE", "/api/tickets/<token>/push", EVERYONE, "capability: the ticket token (no CSRF)"),
    Entry("GET", "/api/push/key", EVERYONE, "the VAPID public key"),
    Entry("POST", "/api/tickets/<token>/here", EVERYONE, "capability: the ticket token (no CSRF)"),
    Entry("GET", "/api/desks", DESK),
    Entry("GET", "/api/desks/<key>", DESK),
    Entry("GET", "/api/desks/<key>/waiting", DESK, "numbers, waits, errands left; no token, nothing personal"),
    *(
        Entry("POST", f"/api/desks/<key>/{a}", DESK)
        for a in ("next", "recall", "start", "finish", "no-show", "return", "transfer", "call", "status")
    ),
    Entry(
        "POST", "/api/desks/<key>/undo-no-show", DESK, "within 10 minutes of the no-show, at a desk serving its service"
    ),
    Entry("GET", "/api/config", ADMIN),
    Entry("POST", "/api/services", ADMIN, "configuration changes: validated whole, audited, live on every process"),
    Entry("PATCH", "/api/services/<key>", ADMIN),
    Entry("DELETE", "/api/services/<key>", ADMIN, "409 while it has tickets today or desks serve it"),
    Entry("PUT", "/api/services/<key>/exceptions/<day>", SUPERVISOR, "a supervisor may change the day's hours"),
    Entry("DELETE", "/api/services/<key>/exceptions/<day>", SUPERVISOR),
    Entry("PUT", "/api/exceptions/<day>", SUPERVISOR),
    Entry("DELETE", "/api/exceptions/<day>", SUPERVISOR),
    Entry("PATCH", "/api/desks/<key>", SUPERVISOR),
    Entry("POST", "/api/desks", ADMIN),
    Entry(
        "DELETE",
        "/api/desks/<key>",
        ADMIN,
        "409 while open or serving, or the only desk of a service with visitors waiting",
    ),
    Entry("PATCH", "/api/zones/<key>", ADMIN),
    Entry("GET", "/api/kiosks/<key>", EVERYONE, "what the kiosk offers, as its public page shows"),
    Entry("PATCH", "/api/kiosks/<key>", ADMIN),
    Entry("GET", "/api/users", ADMIN),
    Entry("POST", "/api/users", ADMIN, "the one-time password is in the answer, once"),
    Entry("PATCH", "/api/users/<name>", ADMIN, "a disabled account's sessions and sockets end at once"),
    Entry("POST", "/api/users/<name>/password-reset", ADMIN),
    Entry("GET", "/api/devices", ADMIN),
    Entry("POST", "/api/devices", ADMIN, "the token is in the answer, once"),
    Entry("DELETE", "/api/devices/<device_id>", ADMIN, "revoked: 401 at once, sockets closed"),
    Entry("POST", "/api/devices/pair/start", EVERYONE, "an unenrolled device asks for a code (throttled per address)"),
    Entry("GET", "/api/devices/pair/<code>", EVERYONE, "pending, paired or expired; nothing else"),
    Entry("POST", "/api/devices/pair", ADMIN, "enrol the device showing the code"),
    Entry("GET", "/api/audit", ADMIN),
    Entry("GET", "/api/printers", ADMIN),
    Entry("POST", "/api/printers/<key>/test", ADMIN, "202: a test ticket, printed in the background"),
    Entry("POST", "/api/appointments", BOOKING, "a booking system books a slot; the database keeps capacity"),
    Entry("GET", "/api/appointments", BOOKING, "codes, services, times, statuses: nothing personal is stored"),
    Entry("GET", "/api/appointments/<code>", EVERYONE, "capability: the code (rate-limited per address)"),
    Entry("DELETE", "/api/appointments/<code>", EVERYONE, "capability: the code (rate-limited per address, no CSRF)"),
    Entry(
        "GET",
        "/api/appointments/<code>/calendar.ics",
        EVERYONE,
        "capability: the code (rate-limited per address); public names only",
    ),
    Entry("POST", "/api/bookings", EVERYONE, "the public booking page (rate-limited per address)"),
    Entry("GET", "/api/services/<key>/slots", EVERYONE, "counts only"),
    Entry("GET", "/api/stats", ADMIN),
    Entry("GET", "/api/stats.csv", ADMIN),
    Entry("GET", "/api/report.pdf", ADMIN),
)


@dataclass(frozen=True)
class Event:
    """One Socket.IO event of the matrix; ``payload`` tells apart the kinds of ``join``, each with its own roles."""

    namespace: str
    event: str
    payload: str
    allowed: frozenset[str]
    note: str = ""


#: Socket.IO: (namespace, event); join is listed once per payload kind
EVENTS: tuple[Event, ...] = (
    Event("/", "connect", "", EVERYONE, "a wrong token is refused outright"),
    Event("/", "disconnect", "", EVERYONE),
    Event("/", "join", '{"board": zone}', EVERYONE, "public screen data, sensitive services left out"),
    Event("/", "join", '{"desk": key}', DESK),
    Event("/", "join", '{"ticket": token}', EVERYONE, "capability: the ticket token"),
    Event("/", "join", '{"kiosk": key}', KIOSK, "a kiosk token only for its own kiosk"),
    Event("/", "leave", "any", EVERYONE, "leaves rooms only"),
    Event("/admin", "connect", "", EVERYONE, "a wrong token is refused outright"),
    Event("/admin", "disconnect", "", EVERYONE),
    Event("/admin", "join", '{"admin": true}', ADMIN),
)


def route_keys() -> set[tuple[str, str]]:
    """Every (method, rule) the matrix lists: the authorization test compares them with the app's URL map."""
    return {(e.method, e.rule) for e in ROUTES}


def event_keys() -> set[tuple[str, str]]:
    """Every (namespace, event) the matrix lists, once per event: the test compares them with the handlers."""
    return {(e.namespace, e.event) for e in EVENTS}


def _cells(allowed: frozenset[str]) -> str:
    return " | ".join("yes" if r in allowed else "–" for r in ROLES)


def markdown_table() -> str:
    """The matrix as the Markdown tables in docs/security.md."""
    roles = " | ".join(ROLES)
    sep = "|" + " --- |" * (len(ROLES) + 3)
    lines = [f"| method | route | {roles} | note |", sep]
    lines += [f"| {e.method} | `{e.rule}` | {_cells(e.allowed)} | {e.note} |" for e in ROUTES]
    lines += ["", f"| namespace | event | {roles} | note |", sep]
    lines += [
        f"| `{e.namespace}` | {e.event} {e.payload} | {_cells(e.allowed)} | {e.note} |".replace("  |", " |")
        for e in EVENTS
    ]
    return "\n".join(lines)
