"""Imports point down: pipeline/core is the bottom layer and imports nothing else of the project;
the contracts in schemas/ import only that layer (never the validators that apply them)."""

from __future__ import annotations

import ast
from pathlib import Path

from pipeline.paths import REPO


def imported_names(path: Path, root: Path) -> set[str]:
    """Every dotted name a file imports, at the top or inside a function: `import a.b` gives a.b,
    `from a import b` gives a.b (relative imports resolved against the file's package)."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


def project_imports(folder: str, root: Path = REPO) -> dict[str, set[str]]:
    """file -> the names of the project (pipeline, schemas, flows, tests, tools) it imports."""
    ours = ("pipeline", "schemas", "flows", "tests", "tools")
    return {
        path.relative_to(root).as_posix(): {n for n in imported_names(path, root) if n.split(".")[0] in ours}
        for path in sorted((root / folder).rglob("*.py"))
    }


def below(name: str, *layers: str) -> bool:
    return any(name == layer or name.startswith(layer + ".") for layer in layers)


def test_core_imports_nothing_of_the_project_outside_core():
    upward = {
        file: sorted(name for name in names if not below(name, "pipeline.core"))
        for file, names in project_imports("pipeline/core").items()
    }
    assert {file: modules for file, modules in upward.items() if modules} == {}
    assert "pipeline/core/idcard.py" in upward  # the scan reads the layer


def test_schemas_import_only_the_core_layer():
    upward = {
        file: sorted(name for name in names if not below(name, "pipeline.core", "schemas"))
        for file, names in project_imports("schemas").items()
    }
    assert {file: modules for file, modules in upward.items() if modules} == {}
    assert "schemas/roster.py" in upward


def test_the_scan_sees_a_backward_import(tmp_path):
    """The guards can fail: an import of the validation layer, even inside a function, is seen."""
    folder = tmp_path / "schemas"
    folder.mkdir()
    (folder / "bad.py").write_text(
        "import pandas\nfrom pipeline.core import idcard\nfrom . import checks\n\n"
        "def f():\n    from pipeline import validate\n    import pipeline.validate.rules\n",
        encoding="utf-8",
    )
    names = project_imports("schemas", root=tmp_path)["schemas/bad.py"]
    assert names == {"pipeline.core.idcard", "schemas.checks", "pipeline.validate", "pipeline.validate.rules"}
    assert sorted(n for n in names if not below(n, "pipeline.core", "schemas")) == [
        "pipeline.validate",
        "pipeline.validate.rules",
    ]


def test_no_one_imports_a_private_module_of_the_schemas():
    private = {
        file: sorted(name for name in names if name.startswith("schemas._"))
        for folder in ("pipeline", "flows", "schemas", "tests")
        for file, names in project_imports(folder).items()
    }
    assert {file: names for file, names in private.items() if names} == {}
