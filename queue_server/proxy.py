"""Behind a reverse proxy: whose word to take for the client's address, and a warning when nobody said.

With ``proxy_hops: N`` werkzeug's ProxyFix takes the client's address, scheme and host from the last N
``X-Forwarded-*`` values, the ones the centre's own proxies wrote; anything before them came from the client
and is not believed.  With 0 (the default, for a server that faces its clients directly) the proxy's address
is every client's, and the per-address rate limits would count a whole centre as one client.  A request that
arrives with ``X-Forwarded-For`` while ``proxy_hops`` is 0 is that mistake, so the server says so, once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class UnconfiguredProxyWarning:
    """WSGI middleware: the first request forwarded by a proxy logs one warning; then it only passes through."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self.warned = False

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Pass the request on unchanged, warning first if it is the first to carry ``X-Forwarded-For``."""
        if not self.warned and environ.get("HTTP_X_FORWARDED_FOR"):
            self.warned = True
            log.warning(
                "requests arrive through a proxy (they carry X-Forwarded-For) but proxy_hops is 0: every "
                "client looks like %s, and the rate limits count them as one; set proxy_hops: 1 (or "
                "VUORO_PROXY_HOPS=1) behind nginx, see docs/deploy.md",
                environ.get("REMOTE_ADDR"),
            )
        return self.app(environ, start_response)


def behind_proxies(app: WsgiApp, hops: int) -> WsgiApp:
    """``app`` trusting exactly ``hops`` proxies, or warning when a proxy it was not told about shows up."""
    if hops:
        return ProxyFix(app, x_for=hops, x_proto=hops, x_host=hops)
    return UnconfiguredProxyWarning(app)
