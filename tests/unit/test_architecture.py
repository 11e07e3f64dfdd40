"""The shape of the code (issue 15, acceptance 1), read with `ast` from the files themselves.

- nothing in ivr/, routing/, recordings/ (nor the event hub) imports ari_app or console;
- no part imports the composition root (hotline12319/);
- nothing outside tools/ and tests/ imports tools;
- no module of the product is over 400 lines (tools/bench_orders.py, 596, is not product).
import-linter (`make lint`) checks the same contracts with the whole import graph; this test
keeps them in the unit suite, where a forbidden import fails first.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("hotline12319", "events", "ari_app", "console", "ivr", "routing", "recordings")
DOMAIN = ("ivr", "routing", "recordings", "events")
MAX_LINES = 400


def _modules(*packages: str) -> list[Path]:
    return sorted(p for pkg in packages for p in (ROOT / pkg).rglob("*.py")
                  if "migrations" not in p.parts)


def _imports(path: Path) -> set[str]:
    """Every module an `import` or `from ... import` names, nested ones too."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _offending(packages: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    return [f"{path.relative_to(ROOT)} imports {name}"
            for path in _modules(*packages) for name in sorted(_imports(path))
            if name.split(".")[0] in forbidden]


def test_the_domain_imports_no_adapter_and_no_root() -> None:
    assert _offending(DOMAIN, ("ari_app", "console", "hotline12319", "tools")) == []


def test_no_part_imports_the_composition_root() -> None:
    parts = tuple(p for p in PRODUCT if p != "hotline12319")
    assert _offending(parts, ("hotline12319",)) == []


def test_telephony_and_the_web_do_not_import_each_other() -> None:
    assert _offending(("ari_app",), ("console",)) == []
    assert _offending(("console",), ("ari_app",)) == []


def test_only_tools_and_tests_import_tools() -> None:
    others = [*PRODUCT, "docker", "scripts"]
    assert _offending(tuple(p for p in others if (ROOT / p).is_dir()), ("tools",)) == []


def test_no_module_is_over_400_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for p in _modules(*PRODUCT)
            if (n := len(p.read_text("utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_the_scan_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from console.http import routes\n", "utf-8")
    assert _imports(module) == {"console.http"}
