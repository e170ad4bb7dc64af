"""The servers the scale benchmark measures: ``vuoro serve`` processes on loopback ports, and their databases.

A :class:`Server` is one process tree (gunicorn master + one worker) started from the command line, as an
operator would; the benchmark reads the worker's CPU time and memory from ``/proc`` and talks to it only over
HTTP and Socket.IO.  A :class:`Setup` is a fresh database (a SQLite file, or a new PostgreSQL database) with the
example centre's config, a kiosk and a desk token, and ``processes`` servers sharing it; it can stop and start
its servers, so that the database can be filled while nobody is running (see ``prefill.py``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
import sqlalchemy as sa
import yaml

from queue_server.db import Database
from queue_server.services.accounts import add_user, create_token

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("VUORO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
#: not the test suite's Redis database (15): the bench must not disturb tests running at the same time
REDIS_URL = os.environ.get("VUORO_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
CLK_TCK = os.sysconf("SC_CLK_TCK")

log = logging.getLogger("bench")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_options() -> str:
    """``vuoro serve --help``: which options this checkout's server offers (``--worker`` is newer)."""
    out = subprocess.run(
        [sys.executable, "-m", "queue_server", "serve", "--help"],  # noqa: S603
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return out.stdout


def serve_argv(config: Path, *options: str) -> list[str]:
    """``vuoro serve`` on loopback with ``config``; ``{port}`` is filled in by :class:`Server` for each start."""
    return [
        sys.executable,
        "-m",
        "queue_server",
        "serve",
        "--config",
        str(config),
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
        *options,
    ]


class Server:
    """One server process tree on a loopback port, started with ``argv`` (``{port}`` is filled in)."""

    def __init__(self, argv: list[str], workdir: Path, env: dict[str, str], name: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.argv = [a.replace("{port}", str(self.port)) for a in argv]
        self.workdir, self.env, self.name = workdir, env, name
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / f"{name}-{self.port}.log"

    def start(self, timeout: float = 120.0) -> None:
        with self.log_path.open("ab") as out:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=self.workdir,
                stdout=out,
                stderr=subprocess.STDOUT,  # noqa: S603
                env={**os.environ, **self.env},
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_path.read_text(errors='replace')[-3000:]}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as resp:  # noqa: S310 - loopback
                    if resp.status == 200 and self.worker_pid():
                        return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer /healthz within {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def worker_pid(self) -> int | None:
        """The gunicorn worker (the master's only child): where the app runs and the CPU is spent."""
        if self.proc is None:
            return None
        with contextlib.suppress(OSError, ValueError):
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            return int(children[0]) if children else None
        return None

    def cpu_s(self) -> float:
        """utime + stime of the worker, every thread included, in seconds (resolution: one clock tick)."""
        pid = self.worker_pid()
        if pid is None:
            raise RuntimeError(f"{self.name}: no worker process")
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # fields 14 and 15 of proc(5)

    def memory_kb(self) -> dict[str, int]:
        """VmRSS of the worker and of the master, and their PSS (shared pages counted once between them)."""
        out = {"worker_rss": 0, "master_rss": 0, "pss": 0}
        for role, pid in (("master", self.proc.pid if self.proc else None), ("worker", self.worker_pid())):
            if pid is None:
                continue
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        out[f"{role}_rss"] = int(line.split()[1])
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        out["pss"] += int(line.split()[1])
        return out

    def open_files_limit(self) -> int | None:
        pid = self.worker_pid()
        with contextlib.suppress(OSError, ValueError, IndexError):
            for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
                if line.startswith("Max open files"):
                    return int(line.split()[3])
        return None


def bench_config(database_url: str) -> dict[str, Any]:
    """The example centre, always open, no printers, no rate limits, no daily limits."""
    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    for service in data["services"]:
        service.pop("hours", None)
        service.pop("daily_limit", None)
    data["centre"]["closed_dates"] = []
    data["printers"] = []
    for kiosk in data["kiosks"]:
        kiosk.pop("printer", None)
    data["limits"] = {"enabled": False}
    data["printer_poll_s"] = 0
    data["database_url"] = database_url
    data["redis_url"] = None
    return data


def pg_url(url: str) -> str:
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


@contextlib.contextmanager
def pg_admin() -> Iterator[sa.Connection]:
    engine = sa.create_engine(pg_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def unavailable() -> dict[str, str]:
    """Why PostgreSQL or Redis cannot be used (a setup that needs one is then skipped with this note)."""
    out: dict[str, str] = {}
    try:
        with pg_admin() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        out["postgresql"] = str(exc).splitlines()[0]
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        out["redis"] = str(exc).splitlines()[0]
    return out


@dataclass
class Setup:
    """A fresh database with tokens, and ``processes`` ``vuoro serve`` processes on it (Redis when > 1)."""

    name: str
    kind: str  # "sqlite" | "postgresql"
    processes: int
    workdir: Path
    threads: int = 64
    worker: str | None = None  # --worker, where `vuoro serve` offers it
    servers: list[Server] = field(default_factory=list)
    db_url: str = ""
    tokens: dict[str, str] = field(default_factory=dict)
    _pg_name: str | None = None
    _engine: sa.Engine | None = None
    _env: dict[str, str] = field(default_factory=dict)
    _config_path: Path = Path()

    def __enter__(self) -> Setup:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.kind == "sqlite":
            self.db_url = f"sqlite:///{self.workdir / 'vuoro.db'}"
        else:
            self._pg_name = f"vuoro_bench_{uuid.uuid4().hex[:10]}"
            with pg_admin() as admin:
                admin.execute(sa.text(f'CREATE DATABASE "{self._pg_name}"'))
            self.db_url = (
                sa.engine.make_url(pg_url(PG_ADMIN_URL))
                .set(database=self._pg_name)
                .render_as_string(hide_password=False)
            )
        config_path = self.workdir / "config.yaml"
        config_path.write_text(yaml.safe_dump(bench_config(self.db_url), allow_unicode=True), encoding="utf-8")
        db = Database(self.db_url)
        db.upgrade()  # once, as "vuoro db upgrade" on release, before the processes start
        add_user(db, "admin", "bench-admin-password", "admin")
        self.tokens = {"kiosk": create_token(db, "kiosk", "bench-kiosk"), "desk": create_token(db, "desk", "bench")}
        db.dispose()
        # PYTHONPATH: the servers run the checkout this bench lives in, whatever the venv has installed
        env = {
            "PYTHONPATH": str(ROOT),
            "VUORO_DATABASE_URL": self.db_url,
            "VUORO_SOCKETIO_CHANNEL": f"vuoro-bench-{uuid.uuid4().hex[:10]}",
        }
        if self.processes > 1:
            env["VUORO_REDIS_URL"] = REDIS_URL
        self._env, self._config_path = env, config_path
        self._make_servers()
        self.start()
        return self

    def _make_servers(self) -> None:
        argv = serve_argv(self._config_path, "--threads", str(self.threads))
        if self.worker:
            argv += ["--worker", self.worker]
        self.servers = [Server(argv, self.workdir, self._env, f"vuoro{i}") for i in range(self.processes)]

    def restart_with(self, worker: str | None, threads: int | None = None) -> None:
        """Stop the servers and start new ones (new ports) on the same database with another ``--worker``."""
        self.stop()
        self.worker = worker
        self.threads = threads or self.threads
        self._make_servers()
        self.start()

    def start(self) -> None:
        """Start every server (in parallel: each builds its app, and from now on its picture of the day)."""
        errors: list[BaseException] = []

        def one(server: Server) -> None:
            try:
                server.start()
            except (RuntimeError, OSError) as exc:
                errors.append(exc)

        threads = [threading.Thread(target=one, args=(s,)) for s in self.servers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            self.stop()
            raise RuntimeError(f"{self.name}: {errors[0]}")

    def stop(self) -> None:
        threads = [threading.Thread(target=s.stop) for s in self.servers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self._engine is not None:
            self._engine.dispose()
        if self._pg_name:
            with pg_admin() as admin:
                admin.execute(sa.text(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)'))

    @property
    def engine(self) -> sa.Engine:
        """The bench's own connection to the database: for filling it while stopped, and for checks."""
        if self._engine is None:
            self._engine = sa.create_engine(
                pg_url(self.db_url) if self.kind == "postgresql" else self.db_url, poolclass=sa.pool.NullPool
            )
        return self._engine

    def cpu_s(self) -> list[float]:
        return [s.cpu_s() for s in self.servers]
