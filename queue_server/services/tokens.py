"""Random, unguessable tokens: the visitor's ticket token and device API tokens.  Stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    """192 random bits, URL-safe (32 characters)."""
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    """SHA-256 is enough: the tokens are long random values, not passwords that could be guessed."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
