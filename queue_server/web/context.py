"""Access to the app's use-case context from request handlers."""

from __future__ import annotations

from typing import TypeVar

from flask import current_app, request
from pydantic import BaseModel

from ..services.context import Context
from .edge import json_body
from .errors import ApiError

M = TypeVar("M", bound=BaseModel)


def ctx() -> Context:
    """The app's context (config, database, clock, live model): the one accessor every edge uses."""
    context: Context = current_app.extensions["vuoro"]
    return context


def parse_body(model: type[M]) -> M:
    """Validate the JSON body against ``model``; malformed JSON or a wrong shape is a 400, never a 500."""
    return model.model_validate(json_body())


def query_language() -> str:
    """``?language=xx``: one of the centre's languages (400 for another), by default the centre's own."""
    languages = ctx().config.centre.languages
    language = request.args.get("language", ctx().config.centre.language)
    if language not in languages:
        raise ApiError(400, "invalid_request", f"language must be one of {', '.join(languages)}")
    return language
