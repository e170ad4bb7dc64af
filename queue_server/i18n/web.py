"""Flask-Babel on the catalogues: each request's language, and gettext in templates and server code.

Flask-Babel picks the request's language (``?lang=``, the language cookie, the centre's default: the pages'
own choice, :func:`queue_server.web.rendering.chosen_language`) and gives Jinja ``_()``/``gettext``; its
translations are the same in-memory catalogues every other text comes from, not a second copy compiled to
``.mo`` files on disk.
"""

from __future__ import annotations

from collections.abc import Callable

from babel.support import NullTranslations
from flask import Flask
from flask_babel import Babel, Domain, get_locale

from .catalogue import DOMAIN, catalogues


class CatalogueDomain(Domain):  # type: ignore[misc]  # Flask-Babel ships no types
    """The ``messages`` domain, served from :func:`catalogues` (read and compiled once per process)."""

    def get_translations(self) -> NullTranslations:
        """The locale's texts from the in-memory catalogues; none when there is no locale (no app context)."""
        locale = get_locale()
        return catalogues().translations(str(locale)) if locale is not None else NullTranslations()


def init_app(app: Flask, locale_selector: Callable[[], str]) -> None:
    """Flask-Babel on ``app``: ``locale_selector`` picks each request's language, the in-memory catalogues translate."""
    babel = Babel(app, locale_selector=locale_selector, default_domain=DOMAIN)
    babel.domain_instance = CatalogueDomain(domain=DOMAIN)  # replaces Babel's cached_property
