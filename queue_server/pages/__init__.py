"""Placeholder: the page blueprint is being written (issue 3)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    return None
