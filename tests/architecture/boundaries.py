"""Static checks of desk/'s boundaries, over the source text (no import of what is checked).

- `private_reads`: every `obj._name` read whose `_name` belongs to another package of desk.
  A package is `desk.<first part>` (desk/register, desk/controls, ... ; a top-level module
  such as desk/money.py is a package of its own). A private name belongs to the packages
  that define it: `self._name = ...` / `cls._name = ...` in a method, a `def _name` or a
  class-level `_name = ...`, or a module-level `_name` (function, class or variable). A read
  `x._name` (x not `self`/`cls`) in package P is reported when `_name` is defined in desk
  but not in P; `module._name` where `module` was imported from another package is reported
  whatever the name. Private names of other libraries (`argparse._SubParsersAction`,
  `NamedTuple._replace`) are not desk's boundary and are left alone.
- `sql_strings`: string literals outside desk/register/ that are SQL statements (upper-case
  keywords as desk writes them: SELECT ... FROM, INSERT INTO, UPDATE ... SET, DELETE FROM,
  CREATE TABLE/INDEX/TRIGGER, PRAGMA).
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

DESK = Path(__file__).resolve().parents[2] / "desk"

SQL = re.compile(
    r"\bSELECT\b.+\bFROM\b|\bINSERT\s+(OR\s+[A-Z]+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b"
    r"|\bCREATE\s+(TEMP\s+)?(TABLE|INDEX|TRIGGER|VIEW)\b|\bPRAGMA\s+\w+",
    re.DOTALL,
)


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text}"


def package_of(path: str) -> str:
    """`desk/register/walk.py` -> `register`; `desk/money.py` -> `money`."""
    parts = Path(path).parts
    return parts[1] if len(parts) > 2 else Path(parts[1]).stem


def sources(root: Path = DESK) -> dict[str, str]:
    """Every module of desk/ as {"desk/<path>": source}."""
    return {f"desk/{p.relative_to(root).as_posix()}": p.read_text() for p in sorted(root.rglob("*.py"))}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _defined(tree: ast.Module) -> set[str]:
    """The private names a module defines (see the module's docstring)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and _private(node.name):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and _private(node.attr):
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and _private(node.id):
            names.add(node.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and _private(node.target.id):
            names.add(node.target.id)
    return names


def _imported_modules(tree: ast.Module) -> dict[str, str]:
    """Local name -> desk module path for `import desk.x.y as n` and `from desk.x import y`."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("desk.") and alias.asname:
                    bound[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("desk"):
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def private_reads(modules: Mapping[str, str]) -> list[Finding]:
    trees = {path: ast.parse(text, path) for path, text in modules.items()}
    owners: dict[str, set[str]] = defaultdict(set)
    for path, tree in trees.items():
        for name in _defined(tree):
            owners[name].add(package_of(path))
    found = []
    for path, tree in trees.items():
        here = package_of(path)
        imported = _imported_modules(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and _private(node.attr)):
                continue
            value = node.value
            if isinstance(value, ast.Name) and value.id in ("self", "cls"):
                continue
            module = imported.get(value.id) if isinstance(value, ast.Name) else None
            if module is not None:
                other = module.split(".")[1]
                if other != here:
                    found.append(Finding(path, node.lineno, ast.unparse(node)))
                continue
            if owners.get(node.attr) and here not in owners[node.attr]:
                found.append(Finding(path, node.lineno, ast.unparse(node)))
    return sorted(found, key=lambda f: (f.path, f.line))


def _strings(tree: ast.Module) -> Iterable[ast.Constant]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node


def sql_strings(modules: Mapping[str, str]) -> list[Finding]:
    found = []
    for path, text in modules.items():
        if path.startswith("desk/register/"):
            continue
        for node in _strings(ast.parse(text, path)):
            if SQL.search(node.value):
                found.append(Finding(path, node.lineno, node.value.strip().splitlines()[0][:80]))
    return sorted(found, key=lambda f: (f.path, f.line))
