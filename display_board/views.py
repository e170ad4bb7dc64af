"""``/board/<zone>``: the page only; calls, queues and settings come from the Socket.IO snapshot and events."""

from __future__ import annotations

import json

from flask import Response, request, url_for

from queue_server.web.rendering import catalog, config, not_found, render_page

from . import bp

#: seconds each of a zone's languages stays on its boards; ``?rotate=N`` (1-120) for a test or a trial
ROTATE_S = 8.0


def _rotate_s() -> float:
    asked = request.args.get("rotate", type=float)
    return ROTATE_S if asked is None or not 1 <= asked <= 120 else asked  # NaN fails the range too


@bp.get("/board/<zone>")
def board_page(zone: str) -> Response:
    """GET /board/<zone>: the zone's board, its fixed labels taking turns in the zone's languages
    (``?rotate=`` seconds each)."""
    cfg = config()
    zcfg = cfg.zone_map.get(zone)
    if zcfg is None:
        return not_found("zone")
    languages = zcfg.board_languages(cfg.centre.language)
    data = {
        "zone": zcfg.key,
        "chime": url_for("pages.static", filename="sounds/chime.wav"),
        "languages": " ".join(languages),
        "rotate": f"{_rotate_s():g}",
        # the fixed labels take turns in the zone's languages, the centre's name with them
        "centre-names": json.dumps({code: cfg.text(cfg.centre.name, code) for code in languages}, ensure_ascii=False),
    }
    return render_page(
        "board/board.html",
        lang=languages[0],
        catalog=catalog("board."),
        page="board",
        data=data,
        js_languages=languages,
        zone=zcfg,
    )
