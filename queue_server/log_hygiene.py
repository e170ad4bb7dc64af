"""What the server's log may hold: no client addresses (unless ``log_client_addresses``), no flood of one line.

- **Addresses**: a visitor's network address, next to the time of a ticket, is personal data; gunicorn, the
  rate limiter and the Socket.IO libraries write client addresses into their lines.  Every line goes through
  :class:`AddressScrubber`, which replaces IPv4 and IPv6 addresses with ``<address>`` (the loopback and
  unspecified addresses of the server's own sockets stay: they name no one).
- **Floods**: with Redis or the database down, a library can write the same error many times a second.
  :class:`RepeatLimiter` lets the first of a kind through and then at most one per minute, saying how many it
  held back.
- **Client mistakes are not server errors**: a refused polling session, a websocket upgrade of a dead session
  or a foreign origin is the client's business; :class:`ClientMistakes` logs them at INFO, not ERROR.

- **Credentials in URLs**: the provider's callback (``/login/oidc/callback?code=...&state=...``) carries a
  one-time code in its query, which an access log line would keep; :class:`CredentialScrubber` hides the
  values of those parameters, always.

``install`` puts the four on the handlers of the root logger and of gunicorn's loggers.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable

#: an IPv4 address, or an IPv6 one (at least two groups and a "::" or seven colons), not inside a longer token
_ADDRESS = re.compile(
    r"(?<![\w.])(?:::ffff:(?:\d{1,3}\.){3}\d{1,3}"
    r"|(?:\d{1,3}\.){3}\d{1,3}"
    r"|(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
    r"|(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,5})?"
    r"|::(?:[0-9A-Fa-f]{1,4}:){0,5}[0-9A-Fa-f]{1,4})(?![\w.])"
)
_OWN = frozenset({"127.0.0.1", "0.0.0.0", "::1", "::"})  # noqa: S104 - the server's own sockets, no one's
#: the engine.io / socket.io lines that report a client's mistake (matched at the start of the message)
_CLIENT_MISTAKES = (
    "Invalid session",
    "Invalid websocket upgrade",
    "Invalid transport",
    "Unexpected upgrade",
    "Failed websocket upgrade",
    "Unknown namespace",
)
_CLIENT_MISTAKES_IN = ("is not an accepted origin",)
#: the query parameters of the OpenID sign-in and log-out that are credentials, or lead to one
_CREDENTIAL = re.compile(r"(?<=[?&])(code|state|id_token_hint|session_state)=[^&\s\"']*")
WINDOW_S = 60.0
MAX_KINDS = 1000


def scrub(text: str) -> str:
    """``text`` with every client address as ``<address>``; the server's own loopback and unspecified ones stay."""
    return _ADDRESS.sub(lambda m: m[0] if m[0] in _OWN else "<address>", text)


class AddressScrubber(logging.Filter):
    """Formats the message once and replaces every client address in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always True: the line is kept, its message rewritten (arguments merged in) if it names an address."""
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def hide_credentials(text: str) -> str:
    """``text`` with the values of the sign-in's credential parameters (``code``, ``state``...) hidden."""
    return _CREDENTIAL.sub(lambda m: f"{m[1]}=<hidden>", text)


class CredentialScrubber(logging.Filter):
    """Hides the values of ``code``, ``state`` and the like in any URL a line quotes (access logs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always True: the line is kept, its message rewritten (arguments merged in) if it quotes a credential."""
        message = record.getMessage()
        cleaned = hide_credentials(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class RepeatLimiter(logging.Filter):
    """The first record of a kind (logger, level, message template) passes; repeats within a minute do not;
    the next one after that says how many were held back."""

    def __init__(self, window_s: float = WINDOW_S, clock: object = time.monotonic) -> None:
        super().__init__()
        self.window_s = window_s
        self.clock = clock
        self._lock = threading.Lock()
        self._kinds: dict[tuple[str, int, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a warning or error of a kind let through less than a window ago; lower levels always pass."""
        if record.levelno < logging.WARNING:
            return True  # only warnings and errors flood in an outage; INFO lines are each worth having
        key = (record.name, record.levelno, str(record.msg))
        now = self.clock()  # type: ignore[operator]
        with self._lock:
            last, held = self._kinds.get(key, (float("-inf"), 0))
            if now - last < self.window_s:
                self._kinds[key] = (last, held + 1)
                return False
            if len(self._kinds) >= MAX_KINDS:
                self._kinds.clear()
            self._kinds[key] = (now, 0)
        if held:
            record.msg, record.args = f"{record.getMessage()} (and {held} more like it before)", None
        return True


class ClientMistakes(logging.Filter):
    """Engine.IO's and Socket.IO's reports of a client's mistake, at INFO instead of ERROR."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always True: a client's mistake is only lowered to INFO, never dropped."""
        if record.levelno > logging.INFO and record.name.split(".")[0] in ("engineio", "socketio"):
            message = str(record.msg)
            if message.startswith(_CLIENT_MISTAKES) or any(p in message for p in _CLIENT_MISTAKES_IN):
                record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def filters(log_client_addresses: bool) -> list[logging.Filter]:
    """The filters for one handler, in order: the level first (a downgraded line is no flood), then repeats,
    then addresses."""
    chain: list[logging.Filter] = [ClientMistakes(), RepeatLimiter(), CredentialScrubber()]
    if not log_client_addresses:
        chain.append(AddressScrubber())
    return chain


def install(handlers: Iterable[logging.Handler], *, log_client_addresses: bool = False) -> None:
    """Put the filters on each of ``handlers``, once: a handler that has them already is left alone."""
    for handler in handlers:
        if any(isinstance(f, RepeatLimiter) for f in handler.filters):
            continue  # installed already
        for f in filters(log_client_addresses):
            handler.addFilter(f)


def install_everywhere(*, log_client_addresses: bool = False) -> None:
    """On the root logger's handlers and gunicorn's (those exist once gunicorn has set its logging up)."""
    names = ("", "gunicorn.error", "gunicorn.access")
    install([h for n in names for h in logging.getLogger(n).handlers], log_client_addresses=log_client_addresses)
