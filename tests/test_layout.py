"""The package layout tells the data flow: imports point only down the layers, never in a cycle.

Layers, lowest first (README "Module map"): the shared base (settings, errors, strings, grades,
file helpers) -> ``sources`` (readers) -> ``network`` (the routing engine) -> ``region`` (recipes
and bundles) -> ``broadband`` (coverage analysis) -> ``planning`` (scenarios, assignment,
indicators, optimisation) -> ``outputs`` (maps, exports, report) -> ``jobs`` -> ``cli``.
Imports are read with ``ast``, including any inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GEO = Path(__file__).resolve().parents[1] / "geo"

LAYERS = (
    ("geo", "geo.settings", "geo.errors", "geo.i18n", "geo.grades", "geo._files", "geo._csv",
     "geo._yaml", "geo.progress"),
    ("geo.sources",),
    ("geo.network",),
    ("geo.region",),
    ("geo.broadband",),
    ("geo.planning",),
    ("geo.outputs",),
    ("geo.jobs",),
    ("geo.cli", "geo.__main__"),
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(GEO.parent).with_suffix("").parts
    name = ".".join(parts)
    return name.removesuffix(".__init__")


MODULES = {_module_name(p): p for p in GEO.rglob("*.py")}


def layer_of(module: str) -> int:
    """Index in :data:`LAYERS` of the longest prefix naming ``module``'s layer."""
    best, rank = -1, None
    for i, names in enumerate(LAYERS):
        for n in names:
            if (module == n or module.startswith(n + ".")) and len(n) > best:
                if n == "geo" and module != "geo":
                    continue
                best, rank = len(n), i
    if rank is None:
        raise AssertionError(f"{module} belongs to no layer; add it to LAYERS and the README's module map")
    return rank


def imports_of(module: str, source: str | None = None) -> set[str]:
    """The ``geo`` modules that ``module`` imports (absolute and relative, at any depth)."""
    path = MODULES.get(module, GEO / "x.py")
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = module.split(".")
                if path.name != "__init__.py":
                    pkg = pkg[:-1]
                pkg = pkg[: len(pkg) - node.level + 1]
                base = ".".join(pkg + ([base] if base else []))
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        out.update(n for n in names if n in MODULES and n != module)
    # a submodule importing its own package's __init__ is not an edge of the layout
    return {n for n in out if not module.startswith(n + ".")}


EDGES = {m: imports_of(m) for m in MODULES}


def test_every_module_has_a_layer():
    for m in MODULES:
        layer_of(m)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down_the_layers(module):
    here = layer_of(module)
    up = sorted(t for t in EDGES[module] if layer_of(t) > here)
    assert not up, f"{module} (layer {LAYERS[here][0]}) imports higher layers: {up}"


def test_no_import_cycle():
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in EDGES[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for m in sorted(MODULES):
        if m not in index:
            visit(m)
    assert not cycles, f"import cycles: {cycles}"


def test_the_check_sees_upward_imports_inside_functions():
    """The checker itself: an import inside a function, relative or absolute, is an edge."""
    src = "def f():\n    from geo.planning.assign import assign\n    from ..jobs import run_access\n"
    found = imports_of("geo.sources.osm", src)
    assert found == {"geo.planning.assign", "geo.jobs"}
    assert all(layer_of(t) > layer_of("geo.sources.osm") for t in found)
