"""Profile a hot path in-process with pyinstrument, and count its SQL: the kiosk's ``POST /api/tickets``, or
the clerk's Next + Finish (``--action call_finish``: ``/api/desks/<key>/next`` then ``/finish`` at the Kela desks).

    python bench/profile_issue.py                    # SQLite, 400 tickets, the profile as text
    python bench/profile_issue.py --action call_finish --tickets 200
    python bench/profile_issue.py --action call_finish --tickets 200 --waiting 5000   # behind a long queue
    python bench/profile_issue.py --tickets 1000 --html profile.html
    python bench/profile_issue.py --database postgresql+psycopg://postgres@127.0.0.1:5432/some_db

No server and no network: the Flask test client drives the app, with the real Socket.IO notifier (nobody is
connected, so emitting costs what it costs without listeners).  CPU milliseconds per ticket are printed too;
on a loaded machine trust them more than wall time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.cost_curve import CALL_DESKS  # noqa: E402  (the example centre's Kela desks)
from bench.run import bench_config  # noqa: E402
from queue_server.app import create_app, shutdown  # noqa: E402
from queue_server.services.accounts import create_token  # noqa: E402

SERVICES = ["kela", "library", "health", "service_point", "lab"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=400, help="operations profiled (tickets issued or called)")
    parser.add_argument("--action", choices=["issue", "call_finish"], default="issue")
    parser.add_argument("--waiting", type=int, default=0, help="tickets issued over the services before it")
    parser.add_argument("--database", default=None, help="a database URL (default: a new SQLite file)")
    parser.add_argument("--html", type=Path, default=None, help="write pyinstrument's HTML report here")
    args = parser.parse_args(argv)
    from pyinstrument import Profiler

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(bench_config(args.database or f"sqlite:///{tmp}/vuoro.db"))
        ctx = app.extensions["vuoro"]
        kiosk = {"Authorization": f"Bearer {create_token(ctx.db, 'kiosk', 'profile')}"}
        desk = {"Authorization": f"Bearer {create_token(ctx.db, 'desk', 'profile')}"}
        client = app.test_client()

        def issue(i: int, service: str | None = None) -> None:
            service = service or ("kela" if args.action == "call_finish" else SERVICES[i % len(SERVICES)])
            resp = client.post("/api/tickets", json={"services": [service]}, headers=kiosk)
            assert resp.status_code == 201, resp.get_json()

        def call_finish(i: int) -> None:
            key = CALL_DESKS[i % len(CALL_DESKS)]
            for step in ("next", "finish"):
                resp = client.post(f"/api/desks/{key}/{step}", headers=desk)
                assert resp.status_code == 200, resp.get_json()

        for key in CALL_DESKS:
            client.post(f"/api/desks/{key}/status", json={"status": "open"}, headers=desk)
        for i in range(args.waiting):  # a long queue behind the one measured (how cost grows with it)
            issue(i, SERVICES[i % len(SERVICES)])
        for i in range(50 + (args.tickets + 50 if args.action == "call_finish" else 0)):
            issue(i)  # warm up (lazy imports, statement caches) and, for the desks, the queue they call from
        if args.action == "call_finish":
            for i in range(50):
                call_finish(i)
        operation = call_finish if args.action == "call_finish" else issue
        statements: list[str] = []
        sa.event.listen(
            ctx.db.engine, "before_cursor_execute", lambda _c, _cur, stmt, *_a: statements.append(stmt.split()[0])
        )
        profiler = Profiler(interval=0.0005)
        wall, cpu = time.perf_counter(), time.process_time()
        profiler.start()
        for i in range(args.tickets):
            operation(i)
        profiler.stop()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        shutdown(app)
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    print(
        f"{args.tickets} × {args.action}: {wall / args.tickets * 1000:.2f} ms wall, "
        f"{cpu / args.tickets * 1000:.2f} ms CPU each (with the profiler's own overhead); "
        f"{len(statements) / args.tickets:.1f} SQL statements each"
    )
    if args.html:
        args.html.write_text(profiler.output_html(), encoding="utf-8")
        print(f"wrote {args.html}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
