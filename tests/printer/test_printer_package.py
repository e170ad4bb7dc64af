"""Package hygiene: importing it is cheap and side-effect free, and it never reaches into the server."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import printer

PACKAGE = Path(printer.__file__).parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_import_does_not_load_drivers_or_server() -> None:
    code = (
        "import sys, printer\n"
        "from printer import build_printers, PrintSpooler, PrinterMonitor, parse_printer_configs\n"
        "printers = build_printers(parse_printer_configs([{'key': 'a', 'type': 'fake'}]))\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('escpos', 'reportlab', 'usb', 'serial', 'queue_server'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True, timeout=60)


def test_no_module_imports_the_server_and_drivers_stay_in_backends() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        found = _imports(path)
        assert "queue_server" not in found, path.name
        if "escpos" in found:
            assert path.name.startswith("escpos_"), path.name
        if "reportlab" in found:
            assert path.name.startswith("pdf_"), path.name


def test_public_names() -> None:
    for name in printer.__all__:
        assert hasattr(printer, name), name
