"""The architecture is checked, not only described: the import contracts in pyproject.toml ([tool.importlinter],
drawn in docs/architecture.md) hold, a wrong import planted in a copy of the code breaks the contract it should,
and no package has an import cycle."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("cockpit", "layouts", "callbacks")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """`lint-imports` on the code under `root` (its pyproject.toml, its packages first on the path)."""
    env = {**os.environ, "PYTHONPATH": str(root), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()",
         "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False)


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of modules (more than one module importing each other, directly or not)."""
    modules = sorted(graph.modules)
    known = set(modules)
    edges = {m: sorted(set(graph.find_modules_directly_imported_by(m)) & known) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []
    for start in modules:  # Tarjan's algorithm, iterative (no recursion limit on a deep graph)
        if start in index:
            continue
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    cycles.append(sorted(group))
    return cycles


def test_the_import_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    kept = [line for line in result.stdout.splitlines() if " KEPT" in line]
    assert len(kept) >= 8, result.stdout  # every contract of pyproject.toml ran


def test_no_module_imports_itself_round_a_circle():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert import_cycles(graph) == []


def test_the_cycle_finder_finds_a_circle_through_three_modules():
    graph = grimp.ImportGraph()
    for module in ("p", "p.a", "p.b", "p.c", "p.d"):
        graph.add_module(module)
    for importer, imported in (("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.d", "p.a")):
        graph.add_import(importer=importer, imported=imported)
    assert import_cycles(graph) == [["p.a", "p.b", "p.c"]]


def copy_of_the_code(tmp_path: Path) -> Path:
    root = tmp_path / "code"
    root.mkdir()
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return root


def plant_import(root: Path, importer: str, imported: str) -> None:
    """`import <imported>` added at the end of the module `importer` in the copy of the code at `root`."""
    path = root / Path(*importer.split("."))
    target = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    target.write_text(target.read_text(encoding="utf-8") + f"\nimport {imported}  # planted by the test\n",
                      encoding="utf-8")


# contract: the wrong imports (importer -> imported) that break it, each planted at the end of the importer's file
WRONG_IMPORTS = {
    "The store knows no formats, rules, screens or web": ["cockpit.store.runs -> cockpit.sources.base",
                                                          "cockpit.store.measures -> cockpit.kpi"],
    "The core imports no Dash, Flask or web layer": ["cockpit.views.overview -> dash"],
    "Layers: from the web down": ["cockpit.kpi.status -> cockpit.readmodel.snapshot",
                                  "cockpit.jobs.scheduler -> cockpit.alerts"],
    "Connectors are independent of each other": ["cockpit.sources.gbfs -> cockpit.sources.ngsi"],
    "Connectors import no store, jobs, rules or screens": ["cockpit.sources.smard -> cockpit.store"],
    "Only the store speaks SQL": ["cockpit.views.goals -> sqlalchemy"],
    "Web layer: from the app factory down": ["layouts.context -> layouts.auth",
                                             "layouts.components.tables -> callbacks.overview"],
}


@pytest.mark.parametrize(("wrong_import", "contract"), [
    pytest.param(wrong, contract, id=wrong) for contract, wrongs in WRONG_IMPORTS.items() for wrong in wrongs])
def test_a_wrong_import_breaks_its_contract(tmp_path, wrong_import, contract):
    root = copy_of_the_code(tmp_path)
    plant_import(root, *wrong_import.split(" -> "))
    result = lint_imports(root)
    assert result.returncode != 0, result.stdout
    broken = [line for line in result.stdout.splitlines() if " BROKEN" in line]
    assert any(contract in b for b in broken), result.stdout


def test_a_connector_added_later_is_covered_by_the_independence_contract(tmp_path):
    root = copy_of_the_code(tmp_path)
    (root / "cockpit/sources/new_format.py").write_text(
        '"""A new format that borrows from another connector."""\n\nfrom cockpit.sources.base import Connector\n'
        "from cockpit.sources.smard import SmardConnector\n\n__all__ = ['Connector', 'SmardConnector']\n",
        encoding="utf-8")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "cockpit.sources.new_format -> cockpit.sources.smard" in result.stdout


def test_a_cycle_between_modules_breaks_the_acyclic_contract(tmp_path):
    root = copy_of_the_code(tmp_path)
    plant_import(root, "cockpit.i18n", "cockpit.roles")
    plant_import(root, "cockpit.roles", "cockpit.i18n")
    result = lint_imports(root)
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if " BROKEN" in line]
    assert any("No import cycles" in b for b in broken), result.stdout
