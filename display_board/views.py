"""``/board/<zone>``: the page only; calls, queues and settings come from the Socket.IO snapshot and events."""

from __future__ import annotations

from flask import Response, url_for

from queue_server.pages.rendering import catalog, config, not_found, render_page

from . import bp


@bp.get("/board/<zone>")
def board_page(zone: str) -> Response:
    cfg = config()
    zcfg = cfg.zone_map.get(zone)
    if zcfg is None:
        return not_found("zone")
    lang = zcfg.language or cfg.centre.language
    data = {"zone": zcfg.key, "chime": url_for("pages.static", filename="sounds/chime.wav")}
    return render_page("board/board.html", lang=lang, catalog=catalog("board."), page="board", data=data,
                       zone=zcfg)
