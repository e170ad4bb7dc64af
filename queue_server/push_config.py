"""``push:`` in config.yaml: which push services Vuoro posts to, and how patiently (docs/realtime.md, Web Push).

A machine setting like the database URL: it stays in the file, not in the centre's live document.  The list of
origins is what keeps the server from being an open relay -- a browser's subscription names the URL the server
will post to, so an endpoint outside the list is refused when it is subscribed.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: the push services of the major browsers: Chrome/Edge/Opera/Samsung (FCM), Firefox (Mozilla autopush),
#: Safari (Apple), and Edge on Windows (WNS, one host per region)
DEFAULT_ENDPOINT_ORIGINS = (
    "https://fcm.googleapis.com",
    "https://updates.push.services.mozilla.com",
    "https://web.push.apple.com",
    "https://*.notify.windows.com",
)


def _origin(text: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of an origin such as ``https://fcm.googleapis.com`` or ``http://127.0.0.1:8080``;
    ValueError for anything with a path, a query, credentials or another scheme."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{text!r} is not an http(s) origin")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{text!r}: an origin is a scheme, a host and a port, nothing more")
    return parts.scheme, parts.hostname.lower(), parts.port


class PushConfig(BaseModel):
    """See the module docstring; ``allows`` is the relay check."""

    model_config = ConfigDict(extra="forbid")

    #: off: the phone page offers no notifications and nothing is ever posted
    enabled: bool = True
    #: the push services subscriptions may name; ``https://*.host`` allows every subdomain of host.  https only
    #: unless an origin here says http (a test's ``http://127.0.0.1:PORT``)
    endpoint_origins: list[str] = Field(default_factory=lambda: list(DEFAULT_ENDPOINT_ORIGINS))
    #: the VAPID ``sub`` claim, a contact the push service can reach the operator at (RFC 8292); default: the
    #: centre's public_url when it is https, else a mailto: address at localhost
    contact: Annotated[str, Field(pattern=r"^(mailto:|https://)\S+$")] | None = None
    #: how long a push service keeps an undelivered notification (a phone off the network)
    ttl_s: Annotated[int, Field(ge=0, le=24 * 3600)] = 900
    #: one post's time limit, and how often a failed one (a timeout, 429, 5xx) is tried again
    timeout_s: Annotated[float, Field(gt=0, le=60)] = 5.0
    retries: Annotated[int, Field(ge=0, le=5)] = 2
    #: notifications waiting to be sent, at most (more are dropped and counted), and the threads sending them
    queue_size: Annotated[int, Field(ge=1, le=100_000)] = 1000
    senders: Annotated[int, Field(ge=1, le=32)] = 4

    @field_validator("endpoint_origins")
    @classmethod
    def _valid_origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            _origin(origin)
        return value

    def allows(self, endpoint: str) -> bool:
        """Whether the server may post to ``endpoint``: its origin is in the list (a ``*.`` entry matching any
        subdomain), with the same scheme and port."""
        try:
            scheme, host, port = _origin(f"{urlsplit(endpoint).scheme}://{urlsplit(endpoint).netloc}")
        except ValueError:
            return False
        for allowed in self.endpoint_origins:
            a_scheme, a_host, a_port = _origin(allowed)
            if (a_scheme, a_port) != (scheme, port):
                continue
            if a_host == host or (a_host.startswith("*.") and host.endswith(a_host[1:])):
                return True
        return False
