"""What every page blueprint shares: the language choice, page rendering and the security headers of pages.

Page data reaches the JavaScript only through ``data-`` attributes on ``<body>`` (autoescaped by Jinja); no
inline script, style or event handler, so the pages run under the strict Content-Security-Policy that
``queue_server.web.security`` sends with every response.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Response, make_response, redirect, render_template, request

from ..config import VuoroConfig
from ..i18n.catalogue import RTL
from ..services.context import Context
from .catalog import Catalog
from .context import ctx

LANG_COOKIE = "vuoro_lang"


def vuoro() -> Context:
    """The app's context, for the pages (the same as :func:`queue_server.web.context.ctx`)."""
    return ctx()


def config() -> VuoroConfig:
    """The centre's live configuration, for the pages."""
    return vuoro().config


def chosen_language(default: str | None = None) -> str:
    """``?lang=xx``, else the language cookie, else ``default``, else the centre's default language."""
    cfg = config()
    for candidate in (request.args.get("lang"), request.cookies.get(LANG_COOKIE), default):
        if candidate in cfg.centre.languages:
            return candidate
    return cfg.centre.language


def text_direction(lang: str) -> str:
    """``rtl`` for a language written right to left (Arabic), else ``ltr``: the ``dir`` of the page's <html>."""
    return "rtl" if lang in RTL else "ltr"


def render_page(
    template: str,
    *,
    lang: str,
    catalog: Catalog,
    page: str,
    status: int = 200,
    data: Mapping[str, Any] | None = None,
    js_languages: list[str] | None = None,
    **context: Any,
) -> Response:
    """Render ``template`` with ``t()``, the config texts in ``lang`` and the ``data-`` attributes of <body>."""
    cfg = config()

    def t(key: str, /, **values: object) -> str:
        return catalog.get(key, lang, **values)

    def text(names: Mapping[str, str] | str) -> str:
        return cfg.text(names, lang)

    page_languages = js_languages or [lang]
    body_data = {
        "page": page,
        "lang": lang,
        "default-lang": cfg.centre.language,
        "timezone": cfg.centre.timezone,
        **(data or {}),
    }
    body_data["strings"] = catalog.json(page_languages)
    # which of the page's languages are written right to left, for a script that switches language (V.setLanguage)
    body_data["rtl"] = " ".join(code for code in page_languages if code in RTL)
    html = render_template(
        template,
        t=t,
        text=text,
        lang=lang,
        dir=text_direction(lang),
        cfg=cfg,
        page=page,
        body_data=body_data,
        centre_name=cfg.text(cfg.centre.name, lang),
        languages=cfg.centre.languages,
        **context,
    )
    response = make_response(html, status)
    if request.args.get("lang") in cfg.centre.languages:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True, secure=request.is_secure
        )
    return response


def safe_next(value: str | None, default: str) -> str:
    """A local path to go to after logging in; anything else (another host, a scheme, ``//x``) is refused."""
    if not value or len(value) > 512:
        return default
    if any(ord(c) < 32 or c in "\\\x7f" for c in value):
        return default
    if not value.startswith("/") or value.startswith("//"):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def login_redirect() -> Response:
    """Send a logged-out visitor of a staff page to ``/login?next=<this page>``."""
    target = request.path + (f"?{request.query_string.decode('latin-1')}" if request.query_string else "")
    return redirect("/login?" + urlencode({"next": target}, safe="/"), 302)  # type: ignore[return-value]


def catalog(*prefixes: str) -> Catalog:
    """The shared texts plus the page's own (the keys under ``prefixes``, e.g. ``"kiosk."``)."""
    return Catalog(*prefixes, fallback=config().centre.language)


def not_found(kind: str, lang: str | None = None) -> Response:
    """The friendly 404 page; ``kind`` (kiosk, zone, ticket or text) picks the explanation."""
    language = lang or chosen_language()
    return render_page(
        "pages/not_found.html",
        lang=language,
        catalog=catalog("index."),
        page="not-found",
        status=404,
        message_key=f"notfound.{kind}",
    )
