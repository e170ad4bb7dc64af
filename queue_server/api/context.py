"""Access to the app's use-case context from request handlers."""

from __future__ import annotations

from typing import TypeVar

from flask import current_app, request
from pydantic import BaseModel

from ..services.context import Context
from .errors import ApiError

M = TypeVar("M", bound=BaseModel)


def ctx() -> Context:
    return current_app.extensions["vuoro"]


def parse_body(model: type[M]) -> M:
    """Validate the JSON body against ``model``; malformed JSON or a wrong shape is a 400, never a 500."""
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "invalid_json", "the body must be a JSON object (Content-Type: application/json)")
    return model.model_validate(data)
