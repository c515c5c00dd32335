"""The shape of the package (issue 16): small files, rooms that only import downwards, no import cycle.

Read from the source with ``ast``; nothing is imported. A failure names the file or the cycle.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pipelines"
MAX_LINES = 500
#: Files still over the limit (lines on 2026-12-05, after ruff format): a ratchet. A listed file may not grow,
#: and must leave the list once it is split below the limit; no other file may pass the limit.
DEBT: dict[str, int] = {}

#: The pure rooms, lowest first. A room may import itself and the rooms before it, never one after it.
PURE_ROOMS = ["core", "contract", "ingest", "engine", "publish", "site", "sample"]
ALLOWED = {
    "core": {"core"},
    "contract": {"core", "contract"},
    "ingest": {"core", "contract", "ingest"},
    "engine": {"core", "contract", "engine"},
    "publish": {"core", "contract", "publish"},
    "site": {"core", "contract", "engine", "site"},
    "sample": {"core", "contract", "sample"},
}
#: What only the Dagster layer (definitions.py, defs/) and the application layer (app/) may import.
FRAMEWORK = {"dagster", "dagster_duckdb"}
#: Great Expectations is the validation's engine: only the validation modules may import it (slow to import).
GX_HOMES = ("pipelines.ingest.validation",)


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Project modules ``name`` imports at module level or inside functions (both count for a cycle)."""
    found = set()
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                found.add(t)
    return found


def third_party(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            out.add(node.module.split(".")[0])
    return out


def room(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else ""


def test_no_python_file_in_the_package_is_longer_than_500_lines():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.rglob("*.py")}
    too_long = {f: n for f, n in sizes.items() if n > DEBT.get(f, MAX_LINES)}
    assert too_long == {}, f"split these along their concerns (limit {MAX_LINES}, or their DEBT entry): {too_long}"
    paid = sorted(f for f, n in DEBT.items() if sizes.get(f, 0) <= MAX_LINES)
    assert paid == [], f"now under {MAX_LINES} lines: remove them from DEBT in this test: {paid}"


def test_no_module_imports_itself_back_through_others():
    mods = modules()
    graph = {
        name: imports(name, path, set(mods)) - {n for n in mods if name.startswith(n + ".") or n == "pipelines"}
        for name, path in mods.items()
    }
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as err:
        raise AssertionError(f"import cycle: {' -> '.join(err.args[1])}") from None


def test_pure_rooms_import_only_rooms_below_them_and_no_framework():
    mods = modules()
    wrong = []
    for name, path in mods.items():
        r = room(name)
        if r not in ALLOWED:
            continue
        for target in imports(name, path, set(mods)):
            if target != "pipelines" and room(target) not in ALLOWED[r]:
                wrong.append(f"{name} imports {target}")
        for pkg in third_party(path) & FRAMEWORK:
            wrong.append(f"{name} imports {pkg}")
        if "great_expectations" in third_party(path) and not name.startswith(GX_HOMES):
            wrong.append(f"{name} imports great_expectations")
    assert wrong == []


def test_the_checker_sees_a_cycle_and_a_wrong_direction(tmp_path):
    """The two checks above can fail: a planted cycle and a planted upward import are found."""
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("from pipelines.engine import b\n")
    b.write_text("import pipelines.engine.a\n")
    known = {"pipelines.engine.a", "pipelines.engine.b", "pipelines.app.cli"}
    graph = {
        "pipelines.engine.a": imports("pipelines.engine.a", a, known),
        "pipelines.engine.b": imports("pipelines.engine.b", b, known),
    }
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError:
        pass
    else:
        raise AssertionError("the planted cycle was not found")
    c = tmp_path / "c.py"
    c.write_text("def f():\n    from pipelines.app import cli\n")
    assert room(next(iter(imports("pipelines.core.c", c, known)))) not in ALLOWED["core"]
