"""No module outside the tests grows past 400 lines.

A newcomer reads a module whole; past a few hundred lines it holds more than one thing, and the style guide
asks to split before ~300. This check is the hard stop: split a module by what it holds before it gets here.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 400

# tests (fixtures and tables grow with the code they test), generated migrations, and what is not ours
SKIPPED = {Path("tests"), Path("queue_server/migrations/versions")}
SKIPPED_NAMES = {"node_modules", "build", "dist", "__pycache__"}


def modules() -> list[Path]:
    found = []
    for folder, subfolders, files in os.walk(ROOT):
        here = Path(folder).relative_to(ROOT)
        # .venv*, .git and the tools' caches start with a dot
        subfolders[:] = [
            name
            for name in subfolders
            if not name.startswith(".") and name not in SKIPPED_NAMES and here / name not in SKIPPED
        ]
        found += [here / name for name in files if name.endswith(".py")]
    return sorted(found)


def test_no_module_outside_the_tests_is_over_400_lines() -> None:
    sizes = {path: len((ROOT / path).read_text(encoding="utf-8").splitlines()) for path in modules()}
    over = sorted(((lines, str(path)) for path, lines in sizes.items() if lines > LIMIT), reverse=True)
    for lines, path in over:
        print(f"{path}: {lines} lines")
    assert not over, f"modules over {LIMIT} lines; split each by what it holds: " + ", ".join(
        f"{path} ({lines})" for lines, path in over
    )


def test_the_walk_sees_the_packages() -> None:
    found = {path.parts[0] for path in modules()}
    assert {"queue_server", "printer", "kiosk_ui", "display_board", "bench"} <= found
    assert not any(path.parts[0] == "tests" for path in modules())
