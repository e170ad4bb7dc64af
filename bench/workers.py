"""gthread against gevent: one ``vuoro serve`` process on PostgreSQL holding thousands of Socket.IO clients.

    python bench/workers.py                     # 5,000 clients, 20 calls, both workers (~16 minutes today)
    python bench/workers.py --clients 1000 --no-write

For each worker, in turn, on a fresh PostgreSQL database with the example centre (config.yaml, no printers, no
rate limits, services always open) and one process (no Redis):

1. ``vuoro serve --worker W`` starts (gthread with ``--threads`` = clients + 300); tokens come from
   ``vuoro token create``; a kiosk issues the tickets the phones follow (at most 300, a busy peak) and the ones
   the desks will call.
2. Connect: ``--clients`` Socket.IO clients over websocket (the asyncio swarm of vuoro_tools/simulate/sockets.py,
   as bench/run.py uses): a tenth boards, the rest phones following the waiting tickets.  Time until all have
   joined their room.
3. Memory: the worker's resident set (``/proc``) before and after; the difference per client.
4. Idle CPU: the worker's CPU time over ``--idle-seconds`` with every client connected and nothing happening
   (25 s by default: Engine.IO's ping interval, so every client is pinged once).
5. Call to board: ``--calls`` times a desk's ``POST /api/desks/<key>/next`` until two boards watching the
   desks' zone receive ``called``; then ``POST .../finish``; half a second apart.  p50/p99 of those latencies,
   the lost deliveries, and the worker's CPU per call + finish.

The load generator runs on the same machine and cores as the server: both workers pay for it alike.
Figures go to the marked section of docs/deploy.md and bench/results/workers.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
import yaml  # noqa: E402

from bench import doc_section  # noqa: E402
from bench.servers import PG_ADMIN_URL, bench_config, pg_admin, serve_argv  # noqa: E402
from bench.servers import Server as Process  # noqa: E402
from bench.workers_clients import OBSERVERS, Observers, issue_tickets  # noqa: E402
from bench.workers_table import table  # noqa: E402
from vuoro_tools.simulate.http import HttpClient  # noqa: E402
from vuoro_tools.simulate.sockets import SocketIOError, Swarm  # noqa: E402

DOC = ROOT / "docs" / "deploy.md"
RESULTS = ROOT / "bench" / "results" / "workers.json"
BEGIN, END = "<!-- BEGIN worker-benchmark (bench/workers.py) -->", "<!-- END worker-benchmark -->"
ZONES = ["street", "kela", "health"]
CALL_DESKS = ["kela1", "kela2", "kela3", "kela4"]  # zone "kela": the observing boards watch it
CALL_INTERVAL_S = 0.5
#: the servers run this checkout's code, not whatever ``vuoro`` the environment has installed
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def centre_config(database_url: str, public_url: str) -> dict[str, Any]:
    """The bench's centre (bench/servers.py: always open, no printers or limits), one process (no Redis)."""
    return {**bench_config(database_url), "public_url": public_url}


def vuoro(*args: str) -> str:
    """Run the ``vuoro`` command; its standard output."""
    out = subprocess.run(
        [sys.executable, "-m", "queue_server", *args],
        capture_output=True,
        text=True,  # noqa: S603
        timeout=120,
        check=True,
        cwd=ROOT,
        env=ENV,
    )
    return out.stdout


class Server(Process):
    """``vuoro serve --worker W`` on a loopback port, on its own config and PostgreSQL database (the process
    itself is started, watched and stopped by bench/servers.py's ``Server``)."""

    def __init__(self, worker: str, workdir: Path, clients: int) -> None:
        self.worker = worker
        self.db_name = f"vuoro_workers_{uuid.uuid4().hex[:10]}"
        self.db_url = sa.engine.make_url(PG_ADMIN_URL).set(database=self.db_name).render_as_string(hide_password=False)
        self.config = workdir / f"config-{worker}.yaml"
        argv = serve_argv(self.config, "--worker", worker)
        if worker == "gthread":
            argv += ["--threads", str(clients + 300)]  # every open websocket holds a thread
        super().__init__(argv, workdir, {"PYTHONPATH": ENV["PYTHONPATH"]}, name=f"server-{worker}")

    def __enter__(self) -> Server:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with pg_admin() as admin:
            admin.execute(sa.text(f'CREATE DATABASE "{self.db_name}"'))
        self.config.write_text(
            yaml.safe_dump(centre_config(self.db_url, self.url), allow_unicode=True), encoding="utf-8"
        )
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        with pg_admin() as admin:
            admin.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)'))

    def token(self, role: str) -> str:
        return (
            vuoro("token", "create", "--role", role, "--name", f"bench-{role}", "--config", str(self.config))
            .strip()
            .splitlines()[-1]
        )

    def rss_kb(self) -> int:
        return self.memory_kb()["worker_rss"]

    def sockets(self, http: HttpClient) -> int:
        """Open Socket.IO connections as the server counts them (its /metrics); -1 if it does not answer."""
        try:
            body = str(http.get("/metrics").body)
        except OSError:
            return -1
        for line in body.splitlines():
            if line.startswith("vuoro_socketio_connections "):
                return int(float(line.split()[1]))
        return -1


def connect(
    server: Server, swarm: Swarm, observers: Observers, clients: int, tickets: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    """Boards (the first OBSERVERS watch the calling desks' zone) and phones, 64 connecting at a time.

    A client not connected and joined within ``--connect-timeout`` seconds fails; those still waiting when the
    ``--connect-budget`` is spent are given up.  The rest stay connected for the measurements that follow.
    """
    boards = max(OBSERVERS, clients // 10)
    rooms = [
        ({"board": "kela" if i < OBSERVERS else ZONES[i % len(ZONES)]}, i if i < OBSERVERS else None)
        for i in range(boards)
    ]
    rooms += [({"ticket": tickets[i % len(tickets)]}, None) for i in range(clients - boards)]
    errors: set[str] = set()

    async def one(gate: asyncio.Semaphore, room: dict[str, Any], tag: int | None) -> None:
        async with gate:
            client = swarm.client(server.url, on_event=observers.on_event, tag=tag)
            try:
                await client.connect(args.connect_timeout)
                answer = await client.call("join", room, args.connect_timeout)
            except (SocketIOError, asyncio.CancelledError) as exc:
                errors.add(str(exc) or "given up: the connect budget was spent")
                await client.close()
                if isinstance(exc, asyncio.CancelledError):
                    raise
                return
            if isinstance(answer, dict) and answer.get("ok"):
                swarm.clients.append(client)  # closed with the swarm
            else:
                errors.add(f"join refused: {answer}")
                await client.close()

    async def everyone() -> None:
        gate = asyncio.Semaphore(64)
        tasks = [asyncio.ensure_future(one(gate, room, tag)) for room, tag in rooms]
        _, pending = await asyncio.wait(tasks, timeout=args.connect_budget)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    started = time.perf_counter()
    swarm.run(everyone())
    watching = sum(1 for c in swarm.clients if c.tag is not None)
    if watching < OBSERVERS:
        raise RuntimeError(f"only {watching} of the {OBSERVERS} observing boards connected: {sorted(errors)[:3]}")
    return {
        "connected": len(swarm.clients),
        "connect_failed": clients - len(swarm.clients),
        "connect_s": round(time.perf_counter() - started, 1),
        "connect_errors": sorted(errors)[:5],
    }


def calls(
    server: Server, http: HttpClient, observers: Observers, desk: str, count: int, budget_s: float
) -> dict[str, Any]:
    """``count`` call + finish cycles: latency until both observing boards have ``called``, and worker CPU.

    Calls not started within ``budget_s`` seconds count as failed: a server that cannot keep up says so.
    """
    latencies: list[float] = []
    lost = failed = 0
    cpu0, deadline = server.cpu_s(), time.perf_counter() + budget_s
    for k in range(count):
        if time.perf_counter() > deadline:
            failed += count - k
            break
        path = f"/api/desks/{CALL_DESKS[k % len(CALL_DESKS)]}"
        sent = time.perf_counter()
        try:
            reply = http.post(path + "/next", token=desk)
        except OSError:  # no answer within the client's timeout: counted, and the calls go on
            reply = None
        if reply is None or reply.status != 200:
            failed += 1
            continue
        got = observers.wait(str(reply.body["ticket"]["number"]))
        latencies += [at - sent for at in got.values()]
        lost += OBSERVERS - len(got)
        with contextlib.suppress(OSError):
            http.post(path + "/finish", token=desk)
        time.sleep(CALL_INTERVAL_S)
    cpu = server.cpu_s() - cpu0
    done = count - failed
    return {
        "calls": done,
        "failed_calls": failed,
        "deliveries": len(latencies),
        "lost": lost,
        "p50_ms": round(pct(latencies, 0.5) * 1000, 1) if latencies else None,
        "p99_ms": round(pct(latencies, 0.99) * 1000, 1) if latencies else None,
        "cpu_per_call_ms": round(cpu / done * 1000, 1) if done else None,
    }


def measure(worker: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """One worker: connect, memory, idle CPU, call-to-board latency."""
    with Server(worker, workdir, args.clients) as server, HttpClient(server.url, timeout=30) as http, Swarm() as swarm:
        kiosk, desk = server.token("kiosk"), server.token("desk")
        http.get("/api/services")  # warm up: lazily imported code
        time.sleep(1.0)
        idle_kb = server.rss_kb()
        tickets = issue_tickets(http, kiosk, args.clients - args.clients // 10, args.calls)
        log(f"{worker}: idle worker RSS {idle_kb / 1024:.1f} MB; {len(tickets)} tickets for the phones")
        observers = Observers()
        joined = connect(server, swarm, observers, args.clients, tickets, args)
        time.sleep(2.0)
        connected_kb, held = server.rss_kb(), server.sockets(http)
        log(
            f"{worker}: {args.clients} clients in {joined['connect_s']} s, {joined['connect_failed']} failed "
            f"{joined['connect_errors']}; server holds {held}; worker RSS {connected_kb / 1024:.1f} MB"
        )
        cpu0, t0 = server.cpu_s(), time.perf_counter()
        time.sleep(args.idle_seconds)
        idle_cpu = (server.cpu_s() - cpu0) / (time.perf_counter() - t0)
        log(f"{worker}: idle CPU {idle_cpu * 100:.1f}% of a core")
        called = calls(server, http, observers, desk, args.calls, args.call_budget)
        still = sum(1 for c in swarm.clients if c.connected)
        log(f"{worker}: call to board {json.dumps(called)}; {still} clients still connected")
        return {
            "worker": worker,
            "clients": args.clients,
            "tickets": len(tickets),
            "server_sockets": held,
            **joined,
            "idle_rss_mb": round(idle_kb / 1024, 1),
            "connected_rss_mb": round(connected_kb / 1024, 1),
            "kb_per_client": round((connected_kb - idle_kb) / max(1, joined["connected"]), 1),
            "idle_cpu_pct": round(idle_cpu * 100, 1),
            **called,
            "still_connected": still,
        }


def _commit() -> str:
    out = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],  # noqa: S603,S607
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return out.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--idle-seconds", type=float, default=25.0)
    parser.add_argument(
        "--connect-timeout",
        type=float,
        default=60.0,
        help="seconds a client may take to connect and join before it counts as failed",
    )
    parser.add_argument(
        "--connect-budget",
        type=float,
        default=300.0,
        help="seconds for connecting everyone; clients still waiting then are given up",
    )
    parser.add_argument(
        "--call-budget",
        type=float,
        default=120.0,
        help="seconds for the calls; those not started by then count as failed",
    )
    parser.add_argument("--workers", default="gthread,gevent")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/deploy.md alone")
    args = parser.parse_args(argv)
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the swarm holds a descriptor per client
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the servers and drop the databases on the way out
    started, load_before = time.monotonic(), ", ".join(f"{x:.2f}" for x in os.getloadavg())
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"vuoro-workers-{uuid.uuid4().hex[:8]}"
    results: list[dict[str, Any]] = []
    try:
        for worker in args.workers.split(","):
            try:
                results.append(measure(worker, args, workdir))
            except Exception as exc:  # noqa: BLE001 - one worker failing must not lose the other's figures
                log(f"{worker}: failed: {type(exc).__name__}: {exc}")
                results.append({"worker": worker, "error": f"{type(exc).__name__}: {exc}"})
    finally:
        subprocess.run(["rm", "-rf", str(workdir)], check=False)  # noqa: S603,S607 - our own temporary folder
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    command = "python bench/workers.py" + "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:]))
    result = {
        "workers": results,
        "meta": {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": _commit(),
            "command": command,
            "machine": f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}",
            "minutes": (time.monotonic() - started) / 60,
            "load_before": load_before,
            "clients": args.clients,
            "calls": args.calls,
        },
    }
    text = table(result)
    print("\n" + text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        doc_section.write_section(DOC, BEGIN, END, text)
        print(f"\nwrote {DOC.relative_to(ROOT)} and {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
