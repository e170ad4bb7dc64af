"""The deployment as docs/deploy.md describes it: nginx (the shipped file) in front of two ``vuoro serve
--worker gevent`` processes (as the shipped systemd unit starts them) on PostgreSQL and Redis.

Without nginx the tests skip on a developer machine and fail in CI (``apt-get install nginx-light``).
"""

from __future__ import annotations

import copy
import http.client
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.cluster import Cluster, prepare_database
from tests.conftest import BASE_CONFIG, service_unavailable
from tests.deploy.nginx import NGINX, Nginx
from tests.live_server import LiveServer, free_port
from tests.postgres import throwaway_database


@pytest.fixture(scope="session")
def nginx_binary() -> str:
    if not os.access(NGINX, os.X_OK):
        service_unavailable("nginx", FileNotFoundError(f"{NGINX} (apt-get install nginx-light)"))
    return NGINX


def deployed_config() -> dict[str, Any]:
    """The test centre as a real one runs it: one proxy in front, abuse limits on (generous for issuing, so the
    test's own kiosks are not refused; tight for log-ins, so the test can see whose address the server sees)."""
    config = copy.deepcopy(BASE_CONFIG)
    config["proxy_hops"] = 1
    config["limits"] = {
        "enabled": True,
        "issue_per_kiosk": "1000/minute",
        "issue_per_client": "1000/minute",
        "ticket_per_token": "1000/minute",
        "login": "3/minute",
    }
    return config


@dataclass
class Deployment:
    """nginx and the processes behind it; ``lan`` is this run's own /24 on loopback (127.R.R.0/24), so that
    rate-limit counters a previous run left in Redis never meet this one's."""

    nginx: Nginx
    cluster: Cluster
    tokens: dict[str, str]
    lan: str = field(default_factory=lambda: f"127.{random.randint(1, 254)}.{random.randint(1, 254)}")  # noqa: S311
    visitor_tokens: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.nginx.url

    @property
    def backends(self) -> list[LiveServer]:
        return self.cluster.servers

    def upstream_of(self, server: LiveServer) -> str:
        return f"127.0.0.1:{server.port}"

    def address(self, host: int) -> str:
        return f"{self.lan}.{host}"

    def request(
        self,
        method: str,
        path: str,
        *,
        source: str | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        """One request through nginx, from ``source`` (an address on this run's /24) if given."""
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.nginx.port, timeout=15, source_address=(source, 0) if source else None
        )
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read()
        finally:
            conn.close()

    def cookie_for(self, server: LiveServer) -> str:
        """A balancing cookie that nginx sends to ``server`` (found by asking, as any value is as good)."""
        probe = self.address(250)
        want = self.upstream_of(server)
        for i in range(200):
            value = f"pin{i}"
            seen = len(self.nginx.access_from(probe, 0))
            status, _, _ = self.request("GET", "/healthz", source=probe, headers={"Cookie": f"vuoro_lb={value}"})
            assert status == 200
            mine = self.nginx.access_from(probe, seen + 1)
            assert len(mine) == seen + 1, "nginx did not log the probe"
            if mine[-1].upstream == want:
                return f"vuoro_lb={value}"
        raise AssertionError(f"no cookie of 200 reached {want}")


@pytest.fixture(scope="module")
def deployment(
    nginx_binary: str, postgres_server: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    workdir = tmp_path_factory.mktemp("deploy")
    port = free_port()
    with throwaway_database(postgres_server) as db_url:
        tokens = prepare_database(db_url)
        cluster = Cluster(
            deployed_config(),
            workdir,
            db_url,
            redis_url,
            tokens,
            args=["--worker", "gevent"],
            public_url=f"http://127.0.0.1:{port}",
        )
        nginx = Nginx(workdir / "nginx", [s.port for s in cluster.servers], port)
        checked = nginx.check()
        assert checked.returncode == 0, checked.stderr
        cluster.start()
        try:
            nginx.start()
            yield Deployment(nginx, cluster, tokens)
        finally:
            nginx.stop()
            cluster.stop()
