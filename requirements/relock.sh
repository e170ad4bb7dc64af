#!/usr/bin/env bash
# Re-locks requirements/ci.txt and requirements/deploy.txt from pyproject.toml with uv (pip install uv).
# Run it after changing a dependency in pyproject.toml; tests/test_lockfiles.py fails CI until then.
# --universal: one lock for every Python >= 3.11 and platform (CI has 3.11, Debian 13 has 3.13);
# Without arguments uv keeps the pins already there and changes only what pyproject's change needs;
# `bash requirements/relock.sh --upgrade` takes the newest versions of everything.
set -euo pipefail
cd "$(dirname "$0")/.."
lock() {
  uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet \
    --custom-compile-command "bash requirements/relock.sh" "$@"
}
# CI: the test extra, and ruff and mypy (the dev extra) that .ci/run lints and type-checks with
lock --extra test --extra dev -o requirements/ci.txt "$@"
# deployments: the runtime dependencies, the gevent worker and the USB and serial printer drivers, at the
# versions CI tests (ci.txt as constraints)
lock --extra gevent --extra usb --extra serial -c requirements/ci.txt -o requirements/deploy.txt "$@"
