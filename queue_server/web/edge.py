"""What a request must be before any handler or database sees it: text without control characters
(:mod:`queue_server.domain.text`), and a JSON body that parses.

Bad text is refused with a 400 that names the field, on every database alike (a NUL byte was a 500 on
PostgreSQL).  JSON that cannot be parsed, however it fails (also by nesting a thousand levels deep, which
makes ``json.loads`` raise ``RecursionError``) is a 400 ``invalid_json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from flask import request
from werkzeug.exceptions import BadRequest

from ..domain.text import bad_text
from .errors import ApiError

_UNPARSED = object()
#: nesting deeper than this is no request Vuoro documents (its deepest body is two levels)
MAX_DEPTH = 32


def _first_bad(pairs: Iterable[tuple[str, str]]) -> str | None:
    return next((name for name, value in pairs if bad_text(name) or bad_text(value)), None)


def refuse_control_characters() -> None:
    """``before_request``: the path, the query and a posted form may hold no control character."""
    where = (
        "the address"
        if bad_text(request.path)
        else _first_bad(request.args.items(multi=True)) or _first_bad(request.form.items(multi=True))
    )
    if where is None:
        return
    message = f"{where}: control characters are not allowed"
    if request.path.startswith("/api/"):
        raise ApiError(400, "invalid_text", message)
    raise BadRequest(message)


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of a parsed JSON value, stopping once past ``limit``."""
    stack = [(value, 1)]
    deepest = 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def _text_problem(value: Any, path: str = "body") -> str | None:
    """The first string (key or value) with a control character, as ``body.field``; None when clean."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str) and bad_text(item):
            return where
        if isinstance(item, dict):
            for key, sub in item.items():
                if bad_text(key):
                    return where
                stack.append((sub, f"{where}.{key}"))
        elif isinstance(item, list):
            stack.extend((sub, f"{where}.{i}") for i, sub in enumerate(item))
    return None


def json_body() -> Any:
    """The request's JSON body, or a 400: ``invalid_json`` when it does not parse (or nests absurdly deep),
    ``invalid_text`` when a string in it holds a control character.  Valid JSON of the wrong shape (``[]``)
    is the model's to refuse, with the field named."""
    data = _UNPARSED
    if request.is_json:
        try:
            data = json.loads(request.get_data(cache=True))
        except (ValueError, RecursionError):
            pass
    if data is _UNPARSED or _depth(data, MAX_DEPTH) > MAX_DEPTH:
        raise ApiError(400, "invalid_json", "the body must be a JSON object (Content-Type: application/json)")
    where = _text_problem(data)
    if where is not None:
        raise ApiError(400, "invalid_text", f"{where}: control characters are not allowed")
    return data
