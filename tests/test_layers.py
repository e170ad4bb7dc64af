"""The layers of docs/architecture.md, kept by a test: a module imports its own layer and the ones below, never one
above, and the edges (API, pages, admin, kiosk, board) never import one another.  No import cycles, and no
import inside a function but the few that must stay lazy, each with its reason below.

Read from the source with ``ast``: the rule holds for imports anywhere in a module, at the top or inside a
function, so a cycle cannot hide in a function either.  An import for the type checker only (``if
TYPE_CHECKING:``) must respect the layers too, but makes no cycle: nothing runs it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("queue_server", "printer", "kiosk_ui", "display_board", "vuoro_tools")

#: top to bottom; a name is a package or module, and holds everything under it
LAYERS: tuple[frozenset[str], ...] = tuple(
    frozenset(layer)
    for layer in (
        {"vuoro_tools"},
        {
            "queue_server.cli",
            "queue_server.cli_options",
            "queue_server.admin.cli",
            "queue_server.__main__",
            "queue_server.wsgi_server",
            "queue_server.workers",
        },
        {"queue_server.app"},
        # the edges: each stands alone
        {
            "queue_server.api",
            "queue_server.pages",
            "queue_server.admin",
            "kiosk_ui",
            "display_board",
            "queue_server.health",
            "queue_server.metrics",
        },
        {"queue_server.realtime"},
        {"queue_server.printing"},
        {"queue_server.web"},
        {"queue_server.services"},
        {
            "queue_server.config",
            "queue_server.config_sections",
            "queue_server.config_checks",
            "queue_server.auth_config",
            "queue_server.push_config",
            "queue_server.models",
            "queue_server.db",
            "queue_server.migrations",
            "queue_server.i18n",
            "queue_server.events",
            "queue_server.extensions",
            "queue_server.proxy",
            "queue_server.log_hygiene",
            "queue_server.receipt_texts",
            "queue_server.authz_matrix",
            "queue_server",
        },
        {"queue_server.domain"},
        {"printer"},
    )
)
#: layers whose members may import one another (the base is one family); in the others each member stands alone
SHARED = frozenset({LAYERS[1], LAYERS[8]})

#: imports that stay inside a function, and why
LAZY: dict[tuple[str, str], str] = {
    ("queue_server.workers", "gevent"): "gevent's monkey patching must come before anything imports socket or ssl",
    ("printer.factory", "printer.escpos_backend"): "python-escpos is imported only when an ESC/POS printer is set up",
    ("printer.factory", "printer.pdf_backend"): "reportlab is imported only when a PDF printer is set up",
    ("printer.escpos_connection", "escpos.printer"): "each transport's driver (USB, serial) is optional",
    ("printer.glyphs", "PIL"): "Pillow is needed only for a text the printer's code page cannot hold",
}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (or the module a name is imported from)
    line: int
    in_function: bool
    typing_only: bool = False


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _targets(node: ast.Import | ast.ImportFrom, package: str) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (a.name for a in node.names)
        return
    if node.level:
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        module = ".".join(base + ([node.module] if node.module else []))
    else:
        module = node.module or ""
    yield module
    yield from (f"{module}.{a.name}" for a in node.names if _is_module(f"{module}.{a.name}"))


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imports() -> list[Import]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "versions" in path.parts:
                continue  # Alembic's revisions import only alembic and sqlalchemy
            module = _module(path)
            package_name = module if path.name == "__init__.py" else module.rpartition(".")[0]
            tree = ast.parse(path.read_text(encoding="utf-8"))
            inner = _inside(tree, (ast.FunctionDef, ast.AsyncFunctionDef))
            typing = {
                id(n)
                for block in ast.walk(tree)
                if isinstance(block, ast.If) and ast.unparse(block.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
                for n in ast.walk(block)
            }
            for node in ast.walk(tree):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    found += [
                        Import(module, t, node.lineno, id(node) in inner, id(node) in typing)
                        for t in _targets(node, package_name)
                    ]
    return found


def _inside(tree: ast.AST, kinds: tuple[type[ast.AST], ...]) -> set[int]:
    return {
        id(n)
        for f in ast.walk(tree)
        if isinstance(f, kinds)
        for n in ast.walk(f)
        if isinstance(n, (ast.Import, ast.ImportFrom))
    }


def layer_of(module: str) -> tuple[int, str] | None:
    """(layer index, member) of the longest member that holds ``module``."""
    best: tuple[int, str] | None = None
    for index, layer in enumerate(LAYERS):
        for member in layer:
            if (module == member or module.startswith(member + ".")) and (best is None or len(member) > len(best[1])):
                best = (index, member)
    return best


def _ours(module: str) -> bool:
    return module.split(".")[0] in PACKAGES


def test_every_module_has_a_layer() -> None:
    modules = {i.source for i in imports()}
    assert not sorted(m for m in modules if layer_of(m) is None), "add them to LAYERS (and docs/architecture.md)"


def test_no_module_imports_a_layer_above_its_own_or_a_sibling_edge() -> None:
    wrong = []
    for i in imports():
        if not _ours(i.target):
            continue
        source, target = layer_of(i.source), layer_of(i.target)
        if source is None or target is None or source[1] == target[1]:
            continue
        if target[0] < source[0]:
            wrong.append(f"{i.source}:{i.line} imports {i.target} from a layer above")
        elif target[0] == source[0] and LAYERS[source[0]] not in SHARED:
            wrong.append(f"{i.source}:{i.line} imports its sibling {i.target}")
    assert not wrong, "\n".join(wrong)


def test_printer_never_imports_the_server() -> None:
    assert not [
        i
        for i in imports()
        if i.source.startswith("printer") and not i.target.startswith("printer") and _ours(i.target)
    ]


def test_no_import_cycles_between_modules() -> None:
    graph: dict[str, set[str]] = {}
    for i in imports():
        if _ours(i.target) and i.target != i.source and _is_module(i.target) and not i.typing_only:
            # ``from . import x`` in a package's __init__ names its own submodule: not a cycle
            if not i.target.startswith(i.source + "."):
                graph.setdefault(i.source, set()).add(i.target)
    cycles = _cycles(graph)
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each as a list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_imports_inside_functions_are_only_the_lazy_ones() -> None:
    inner = [i for i in imports() if i.in_function]
    unexplained = sorted(
        {
            f"{i.source}:{i.line} {i.target}"
            for i in inner
            if not any(i.source == s and (i.target == t or i.target.startswith(t + ".")) for s, t in LAZY)
        }
    )
    assert not unexplained, "move them to the top of the module, or add the reason to LAZY:\n" + "\n".join(unexplained)


@pytest.mark.parametrize(
    ("graph", "cycles"), [({"a": {"b"}, "b": {"a"}}, [["a", "b"]]), ({"a": {"b"}, "b": {"c"}}, [])]
)
def test_the_cycle_finder_finds_cycles(graph: dict[str, set[str]], cycles: list[list[str]]) -> None:
    assert _cycles(graph) == cycles
