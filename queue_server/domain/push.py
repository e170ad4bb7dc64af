"""What a Web Push notification says, and when a waiting ticket has earned its "almost your turn": pure.

A notification is shown on a lock screen, where anybody near the phone reads it: it names the ticket's number,
the public name and place of its service (a sensitive service's cover, never its own) and, when called, the
desk -- never more than the board in the waiting room shows.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["almost", "called"]
ALMOST: Kind = "almost"
CALLED: Kind = "called"
#: a P-256 public key, uncompressed (0x04, x, y), and a Web Push auth secret, in bytes (RFC 8291)
P256_POINT_BYTES, AUTH_BYTES = 65, 16


def almost_due(position: int | None, wait_s: int | None, *, at_position: int, at_wait_s: int) -> bool:
    """A waiting ticket is near its turn at ``at_position`` or within ``at_wait_s`` of it, whichever comes
    first; a ticket that does not wait (None) never is."""
    if position is None:
        return False
    return position <= at_position or (wait_s is not None and wait_s <= at_wait_s)


def b64url_decode(text: str) -> bytes:
    """base64url with or without its padding (browsers leave it off); ValueError for anything else."""
    if not isinstance(text, str) or not text or len(text) > 200:
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError("not base64url") from exc


def check_keys(p256dh: str, auth: str) -> None:
    """The subscription's keys as RFC 8291 has them: an uncompressed P-256 point and a 16-byte secret."""
    point = b64url_decode(p256dh)
    if len(point) != P256_POINT_BYTES or point[0] != 4:
        raise ValueError("keys.p256dh is not an uncompressed P-256 public key")
    if len(b64url_decode(auth)) != AUTH_BYTES:
        raise ValueError("keys.auth is not a 16-byte secret")


@dataclass(frozen=True)
class Message:
    """One notification to one subscription, rendered: JSON for the service worker (``payload``)."""

    kind: Kind
    number: str
    title: str
    body: str

    def payload(self) -> dict[str, Any]:
        """The JSON the service worker shows; its ``tag`` makes a later notification of the same ticket
        replace the earlier one."""
        # the tag makes a later notification of the same ticket replace the earlier one on the lock screen
        return {
            "type": self.kind,
            "number": self.number,
            "title": self.title,
            "body": self.body,
            "tag": f"vuoro-{self.number}",
        }
