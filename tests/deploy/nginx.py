"""The shipped ``deploy/nginx.conf`` run by a real nginx: rendered for test ports, checked, started, its logs read.

Rendering changes only what must differ on a test machine (the listening port, the backend ports, the log
folder) and refuses to render when one of those lines is no longer in the file, so the test can never drift
into checking a copy of the configuration rather than the one operators install.  The main ``nginx.conf``
around it stands in for Debian's: the file is included inside ``http {}``, as ``conf.d/*.conf`` is there.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT

SHIPPED = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
#: the upstream's server lines in the shipped file, e.g. "server 127.0.0.1:5001 max_fails=3 fail_timeout=10s;"
UPSTREAM_LINE = re.compile(r"^(\s*)server 127\.0\.0\.1:500\d( [^;]*)?;\n", re.MULTILINE)
#: one access-log line of the shipped ``vuoro_nopath`` format
ACCESS_LINE = re.compile(
    r'^(?P<addr>\S+) \[[^\]]+\] "(?P<method>[A-Z]+)" (?P<status>\d{3}) \d+ \S+ '
    r"upstream=(?P<upstream>.*) upstream_status=(?P<upstream_status>.*)$"
)


class RenderError(AssertionError):
    """The shipped file no longer has a line the test renders: update the test together with the file."""


def _replace(text: str, old: str, new: str, *, count: int | None = 1) -> str:
    found = text.count(old)
    if found == 0 or (count is not None and found != count):
        raise RenderError(f"deploy/nginx.conf: expected {count or 'some'} {old!r}, found {found}")
    return text.replace(old, new)


def render(port: int, backends: list[int], log_dir: Path, shipped: Path = SHIPPED) -> str:
    """The shipped configuration with nginx on ``127.0.0.1:port``, these backends, and logs in ``log_dir``."""
    text = shipped.read_text(encoding="utf-8")
    text = _replace(text, "listen 80;", f"listen 127.0.0.1:{port};")
    lines = UPSTREAM_LINE.findall(text)
    if len(lines) < 2:
        raise RenderError(f"deploy/nginx.conf: expected the upstream's server lines, found {len(lines)}")
    indent, params = lines[0]
    servers = "".join(f"{indent}server 127.0.0.1:{b}{params};\n" for b in backends)
    first = UPSTREAM_LINE.search(text)
    assert first is not None
    text = text[: first.start()] + servers + UPSTREAM_LINE.sub("", text[first.start() :])
    return _replace(text, "/var/log/nginx/", f"{log_dir}/", count=None)


def main_conf(prefix: Path, include: Path, log_dir: Path) -> str:
    """A stand-in for Debian's /etc/nginx/nginx.conf: the global logs at Debian's levels, the file included."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # the workers must reach the test's private folders
    temp = "".join(
        f"    {kind}_temp_path {prefix / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log {log_dir / 'error.log'};\n"
        "daemon off;\nevents { worker_connections 1024; }\n"
        f"http {{\n{temp}    access_log {log_dir / 'access.log'};\n    include {include};\n}}\n"
    )


@dataclass
class Access:
    """One line of the access log: who asked, which process answered."""

    addr: str
    method: str
    status: int
    upstream: str
    upstream_status: str


class Nginx:
    """nginx in front of the backends, on its own port, with every file under ``prefix``."""

    def __init__(self, prefix: Path, backends: list[int], port: int) -> None:
        self.prefix = prefix
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_dir = prefix / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.site = prefix / "vuoro.conf"
        self.site.write_text(render(port, backends, self.log_dir), encoding="utf-8")
        self.conf = prefix / "nginx.conf"
        self.conf.write_text(main_conf(prefix, self.site, self.log_dir), encoding="utf-8")
        self.proc: subprocess.Popen[bytes] | None = None

    def _command(self, *extra: str) -> list[str]:
        return [NGINX, "-p", str(self.prefix), "-e", str(self.log_dir / "error.log"), "-c", str(self.conf), *extra]

    def check(self) -> subprocess.CompletedProcess[str]:
        """``nginx -t`` on the rendered configuration."""
        return subprocess.run(self._command("-t"), capture_output=True, text=True, timeout=30)  # noqa: S603

    def start(self, timeout: float = 10.0) -> Nginx:
        self.proc = subprocess.Popen(
            self._command(),
            stdout=subprocess.DEVNULL,  # noqa: S603
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.logs()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nginx did not listen within {timeout}s: {self.logs()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)

    def logs(self) -> dict[str, str]:
        """Every file nginx wrote, by name."""
        return {p.name: p.read_text(errors="replace") for p in sorted(self.log_dir.iterdir()) if p.is_file()}

    def access_from(self, addr: str, count: int, timeout: float = 10.0) -> list[Access]:
        """The access-log lines of client ``addr``, once there are at least ``count``: nginx writes a line
        after the response has gone, so the client can be faster than its line."""
        deadline = time.monotonic() + timeout
        while True:
            lines = [a for a in self.access() if a.addr == addr]
            if len(lines) >= count or time.monotonic() > deadline:
                return lines
            time.sleep(0.02)

    def access(self) -> list[Access]:
        """The access log of the Vuoro server block, parsed."""
        path = self.log_dir / "vuoro.log"
        lines = path.read_text().splitlines() if path.exists() else []
        out = []
        for line in lines:
            match = ACCESS_LINE.match(line)
            assert match, f"an access-log line not in the vuoro_nopath format: {line!r}"
            out.append(
                Access(
                    match["addr"], match["method"], int(match["status"]), match["upstream"], match["upstream_status"]
                )
            )
        return out
