"""axe-core over the admin pages in Chromium: no serious or critical accessibility violation.

axe-core comes from the npm registry (``npm ci --prefix tests/browser/axe``, which .ci/run does); without it the
test skips on a developer machine and fails in CI.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import Site
from tests.browser.test_admin_pages import MANAGER, log_in, wait
from tests.browser.test_admin_pages import site as site  # noqa: F401 - this module's centre, with its admin
from tests.conftest import ROOT, service_unavailable

AXE = ROOT / "tests" / "browser" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = (
    "/admin/services",
    "/admin/desks",
    "/admin/zones",
    "/admin/kiosks",
    "/admin/staff",
    "/admin/devices",
    "/admin/audit",
    "/account/password",
)


def run_axe(driver: Any) -> list[dict[str, Any]]:
    if not AXE.exists():
        service_unavailable("axe-core", FileNotFoundError(f"{AXE} (npm ci --prefix tests/browser/axe)"))
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then("
        " function (r) { done(JSON.stringify(r.violations)); },"
        " function (e) {"
        "   done(JSON.stringify([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}])); });"
    )
    return list(json.loads(result))


@pytest.mark.parametrize("language", ["fi", "en"])
def test_the_admin_pages_have_no_serious_or_critical_violations(
    site: Site,
    new_driver: Callable[..., Any],  # noqa: F811
    language: str,
    artifacts: Path,
) -> None:
    """... and a screenshot of each (tests/artifacts/admin-*.png: docs/admin.md shows two of them)."""
    driver = new_driver(1440, 900)
    driver.set_script_timeout(30)
    log_in(driver, site, MANAGER, "/admin/services")
    wait(driver, lambda: driver.find_element(By.CSS_SELECTOR, "main.manage"), "the services page did not load")
    found = {}
    for path in PAGES:
        driver.get(f"{site.url}{path}?lang={language}")
        wait(driver, lambda: driver.find_element(By.ID, "main"), f"{path} did not load")
        driver.save_screenshot(str(artifacts / f"admin-{path.rsplit('/', 1)[-1]}-{language}.png"))
        bad = [v for v in run_axe(driver) if v.get("impact") in ("serious", "critical")]
        if bad:
            found[path] = [(v["id"], v["help"], [n.get("target") for n in v["nodes"][:3]]) for v in bad]
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)
    # the checker itself can fail: an image without a text is a critical violation
    driver.execute_script(
        "var i = document.createElement('img'); i.src = '/favicon.ico';document.getElementById('main').appendChild(i);"
    )
    assert "image-alt" in {v["id"] for v in run_axe(driver) if v.get("impact") == "critical"}
