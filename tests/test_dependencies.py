"""Every third-party package the code in pipelines/ imports is declared in pyproject.toml's runtime
dependencies, and the test-only tools are not: a clean install of the package must run it."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from tests.support import ROOT

# playwright is not among them: `regiobench rapport` drives chromium with it, so it is a runtime dependency.
TEST_ONLY = {"pytest", "pytest-timeout", "hypothesis", "ruff", "sqlfluff", "mypy"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(extra: str | None = None) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    return {_norm(re.split(r"[\s<>=!~;\[]", s, maxsplit=1)[0]) for s in specs}


def imported_modules(source: str) -> set[str]:
    """Top-level names of the absolute imports in a module's source (relative imports are the package's own)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def undeclared(modules: set[str], declared: set[str]) -> set[str]:
    """The third-party modules among ``modules`` whose distribution is not in ``declared``."""
    dists = packages_distributions()
    missing = set()
    for mod in modules - set(sys.stdlib_module_names) - {"pipelines", "__future__"}:
        owners = {_norm(d) for d in dists.get(mod, [mod])}
        if not owners & declared:
            missing.add(mod)
    return missing


def test_every_imported_package_is_a_declared_runtime_dependency():
    modules = set()
    for path in sorted((ROOT / "pipelines").rglob("*.py")):
        modules |= imported_modules(path.read_text(encoding="utf-8"))
    assert {"jinja2", "markupsafe", "duckdb", "dagster"} <= modules  # the scan sees the imports at all
    assert undeclared(modules, _declared()) == set()


def test_the_scan_reports_an_undeclared_package():
    modules = imported_modules("import os\nimport jinja2\nfrom yaml import safe_load\nfrom . import x\n")
    assert modules == {"os", "jinja2", "yaml"}
    assert undeclared(modules, {"duckdb"}) == {"jinja2", "yaml"}
    assert undeclared(modules, {"jinja2", "pyyaml"}) == set()


def test_test_only_tools_are_not_runtime_dependencies():
    assert _declared() & TEST_ONLY == set()
    assert _declared("dev") >= TEST_ONLY
