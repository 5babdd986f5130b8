"""The layer arrows of DESIGN.md: schemas <- pipeline <- flows, and Prefect only in flows."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(folder: str) -> dict[str, set[str]]:
    found = {}
    for path in (ROOT / folder).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize("folder", ["schemas", "pipeline"])
def test_no_prefect_or_flows_below_flows(folder: str) -> None:
    offenders = {f: n & {"prefect", "flows"} for f, n in imported_modules(folder).items() if n & {"prefect", "flows"}}
    assert offenders == {}


def test_schemas_import_only_pydantic_and_the_standard_library() -> None:
    allowed = {"pydantic", "schemas", "__future__"} | set(sys.stdlib_module_names)
    offenders = {f: n - allowed for f, n in imported_modules("schemas").items() if n - allowed}
    assert offenders == {}


def test_pipeline_does_not_read_the_environment() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "pipeline").rglob("*.py")
        if "os.environ" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []
