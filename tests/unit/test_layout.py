"""The layout shows the architecture: each package imports only the rooms below it, nothing imports the command line,
settings are a leaf, the import graph has no cycles, and the generator's functions stay short.

Imports are read from the source (ast), not by importing: an import inside a function counts for the rules between rooms
(it runs as soon as the function does), and only module-level imports count for cycles at import time."""
from __future__ import annotations

import ast
import graphlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from edukpi.settings import PROJECT_ROOT

PACKAGES = ("edukpi", "ingestion", "dagster_defs", "reports", "generator", "bench")
# What each room may import from the project (besides itself). `edukpi.cli` is the composition root: in no list.
ALLOWED = {
    "edukpi": set(),
    "edukpi.settings": set(),
    "edukpi.runtime": {"edukpi.settings", "ingestion"},
    "edukpi.sql": {"edukpi.settings"},
    "ingestion": {"edukpi.settings"},
    "reports": {"edukpi.settings"},
    "generator": {"edukpi.settings"},
    "dagster_defs": {"edukpi.settings", "ingestion", "reports"},
    "bench": {"edukpi.settings", "edukpi.runtime", "edukpi.sql", "ingestion", "reports", "generator", "dagster_defs"},
    "edukpi.cli": {"edukpi.settings", "edukpi.runtime", "edukpi.sql", "ingestion", "reports", "generator", "bench",
                   "dagster_defs"},
}
MAX_GENERATOR_FUNCTION_LINES = 80


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported project module
    line: int
    at_module_level: bool


def module_name(path: Path, root: Path = PROJECT_ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules(root: Path = PROJECT_ROOT) -> dict[str, Path]:
    return {module_name(path, root): path for package in PACKAGES for path in sorted((root / package).rglob("*.py"))
            if "__pycache__" not in path.parts}


def room(module: str) -> str:
    """The room a module belongs to: its top-level package, except that the edukpi package holds separate rooms."""
    top = module.split(".")[0]
    return module if top == "edukpi" else top


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module an imported name belongs to (`a.b.c` → `a.b` if `c` is an attribute of module `a.b`)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _function_bodies(tree: ast.Module) -> set[int]:
    """ids of the import nodes inside a function (they run when the function is called, not at import)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inside |= {id(child) for child in ast.walk(node) if isinstance(child, (ast.Import, ast.ImportFrom))}
    return inside


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lazy = _function_bodies(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            anchor = parts[: len(parts) - node.level + 1] if node.level else []
            base = ".".join(anchor + ([node.module] if node.module else []))
            names = [f"{base}.{alias.name}" if base else alias.name for alias in node.names]
        else:
            continue
        for name in names:
            target = _resolve(name, modules)
            if target is not None and target != module:
                found.append(Import(module, target, node.lineno, id(node) not in lazy))
    return found


def all_imports(root: Path = PROJECT_ROOT) -> list[Import]:
    modules = project_modules(root)
    return [found for module, path in modules.items() for found in imports_of(module, path, modules)]


def broken_rules(imports: list[Import]) -> list[str]:
    problems = []
    for found in imports:
        source, target = room(found.source), room(found.target)
        if source == target:
            continue
        if source not in ALLOWED:
            problems.append(f"{found.source} is in no room of the layout (tests/unit/test_layout.py ALLOWED)")
        elif target not in ALLOWED[source]:
            problems.append(f"{found.source} (line {found.line}) imports {found.target}: {source} may import only "
                            f"{', '.join(sorted(ALLOWED[source])) or 'nothing of the project'}")
    return problems


def cycles(imports: list[Import]) -> list[str]:
    graph: dict[str, set[str]] = {}
    for found in imports:
        graph.setdefault(found.source, set()).add(found.target)
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        return [" → ".join(error.args[1])]
    return []


def test_every_module_is_in_a_room() -> None:
    modules = project_modules()
    assert "edukpi.cli" in modules and "edukpi.settings" in modules and "generator.generate" in modules
    assert not [m for m in modules if room(m) not in ALLOWED], "modules outside the rooms of ALLOWED"


def test_each_room_imports_only_the_rooms_below_it() -> None:
    assert broken_rules(all_imports()) == []


def test_settings_are_a_leaf_and_nothing_imports_the_command_line() -> None:
    imports = all_imports()
    assert [f for f in imports if f.source == "edukpi.settings"] == []
    assert [f"{f.source} line {f.line}" for f in imports if f.target == "edukpi.cli"] == []


def test_no_import_cycles() -> None:
    imports = all_imports()
    assert cycles([f for f in imports if f.at_module_level]) == []
    # Not even through imports inside functions.
    assert cycles(imports) == []
    # Nor between rooms: settings ← ingestion, reports, generator ← dagster_defs ← bench ← cli.
    rooms = [Import(room(f.source), room(f.target), f.line, f.at_module_level) for f in imports if room(f.source) != room(f.target)]
    assert cycles(rooms) == []


def test_the_rules_catch_the_old_layout(tmp_path: Path) -> None:
    """The first round's layout, rebuilt in miniature: the rules name each of its faults."""
    files = {
        "ingestion/__init__.py": "",
        "ingestion/settings.py": "",
        "ingestion/cli.py": "from edukpi.settings import X\n\ndef bench():\n    from bench.run import run_bench\n",
        "ingestion/loading.py": "from dagster_defs.resources import EduKpiSettings\n",
        "bench/__init__.py": "",
        "bench/run.py": "from edukpi.cli import runtime_env\n",
        "edukpi/__init__.py": "",
        "edukpi/cli.py": "import bench.run\n",
        "edukpi/settings.py": "from ingestion import loading\n",
        "dagster_defs/__init__.py": "",
        "dagster_defs/resources.py": "from reports.render import render_reports\n",
        "reports/__init__.py": "",
        "reports/charts.py": "",
        "reports/render.py": "from . import charts\nfrom dagster_defs import resources\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    imports = all_imports(tmp_path)
    problems = "\n".join(broken_rules(imports))
    assert "ingestion.loading (line 1) imports dagster_defs.resources" in problems
    assert "bench.run (line 1) imports edukpi.cli" in problems
    assert "edukpi.settings (line 1) imports ingestion.loading" in problems
    assert "reports.render (line 2) imports dagster_defs.resources" in problems
    assert Import("reports.render", "reports.charts", 1, True) in imports  # relative imports are resolved
    assert "ingestion.cli (line 4) imports bench.run" in problems  # a lazy import breaks a rule as well
    assert cycles([f for f in imports if f.at_module_level])  # cli → bench.run → edukpi.cli
    lazy = [f for f in imports if not f.at_module_level]
    assert [(f.source, f.target) for f in lazy] == [("ingestion.cli", "bench.run")]


# What publish copies into data/warehouse.duckdb, and DuckDB's catalogue (the column checks of reports/marts.py).
READABLE_SCHEMAS = {"marts", "reference", "information_schema"}
TABLE_REFERENCE = re.compile(r"\b(?:from|join)\s+([a-z_]+)\.[a-z_{]", re.IGNORECASE)
PYTHON_IMPORT = re.compile(r"^\s*from\s+[\w.]+\s+import\b.*$", re.MULTILINE)


def test_reports_read_only_the_published_schemas() -> None:
    schemas = {(path.name, match.group(1)) for path in sorted((PROJECT_ROOT / "reports").rglob("*.py"))
               for match in TABLE_REFERENCE.finditer(PYTHON_IMPORT.sub("", path.read_text(encoding="utf-8")))}
    assert ("marts.py", "marts") in schemas
    assert {(name, schema) for name, schema in schemas if schema not in READABLE_SCHEMAS} == set()


@pytest.mark.parametrize("path", sorted((PROJECT_ROOT / "generator").rglob("*.py")), ids=lambda p: p.name)
def test_generator_functions_are_short(path: Path) -> None:
    long = [f"{node.name} (line {node.lineno}): {node.end_lineno - node.lineno + 1} lines"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_GENERATOR_FUNCTION_LINES]
    assert long == []
