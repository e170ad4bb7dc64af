"""Access to the app's use-case context from request handlers."""

from __future__ import annotations

from typing import TypeVar

from flask import current_app
from pydantic import BaseModel

from ..services.context import Context
from .edge import json_body

M = TypeVar("M", bound=BaseModel)


def ctx() -> Context:
    return current_app.extensions["vuoro"]


def parse_body(model: type[M]) -> M:
    """Validate the JSON body against ``model``; malformed JSON or a wrong shape is a 400, never a 500."""
    return model.model_validate(json_body())
