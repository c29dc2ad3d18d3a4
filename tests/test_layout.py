"""The layout holds: what each package must not import, no cycles, short modules.

Read from the source's own imports (``ast``), so a new import that breaks a rule fails
here with the file and the line, before anyone has to find it in review.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PACKAGES = (
    "federation",
    "documents",
    "store",
    "actors",
    "accounts",
    "moderation",
    "outbox",
    "posts",
    "follows",
    "sharing",
    "forum",
    "networks",
    "inbox",
    "web",
)
FEATURES = (
    "moderation",
    "outbox",
    "posts",
    "follows",
    "sharing",
    "forum",
    "networks",
    "inbox",
    "web",
)

# What each package must not import: the README's "How it is built" table says why.
MUST_NOT_IMPORT: dict[str, tuple[str, ...]] = {
    "federation": ("starlette", "sqlalchemy", *[p for p in PACKAGES if p != "federation"]),
    "documents": ("starlette", "sqlalchemy", "store", "actors", *FEATURES),
    "store": ("starlette", "federation", "documents", "actors", *FEATURES),
    "actors": (
        "starlette",
        "accounts",
        "outbox",
        "posts",
        "follows",
        "sharing",
        "forum",
        "networks",
        "inbox",
        "web",
    ),
    "accounts": ("starlette", "moderation", *FEATURES),
    "moderation": (
        "starlette",
        "posts",
        "follows",
        "sharing",
        "forum",
        "networks",
        "inbox",
        "web",
    ),
    "outbox": ("starlette", "posts", "follows", "sharing", "forum", "networks", "inbox", "web"),
    "posts": ("starlette", "follows", "forum", "networks", "inbox", "web"),
    "follows": ("starlette", "posts", "sharing", "forum", "networks", "inbox", "web"),
    "sharing": ("starlette", "follows", "forum", "networks", "inbox", "web"),
    "forum": ("starlette", "sharing", "networks", "inbox", "web"),
    "networks": ("starlette", "posts", "sharing", "inbox", "web"),
    "inbox": ("starlette", "web"),
    "web": (),
}
MAX_LINES = 400


@dataclass(frozen=True)
class Import:
    """One imported module name, where it is imported, and whether inside a function."""

    module: str
    path: Path
    line: int
    in_function: bool

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def _sources() -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(), filename=str(path))
    in_function = {
        id(node)
        for func in ast.walk(tree)
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(func)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from pkg import mod`` imports the module ``pkg.mod`` when it is one.
            names = [
                f"{node.module}.{alias.name}"
                if _is_module(f"{node.module}.{alias.name}")
                else node.module
                for alias in node.names
            ]
        else:
            continue
        found += [Import(name, path, node.lineno, id(node) in in_function) for name in names]
    return found


def _is_module(name: str) -> bool:
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


ALL_IMPORTS = {path: _imports(path) for path in _sources()}


@pytest.mark.parametrize("package", PACKAGES)
def test_packages_import_only_what_they_may(package: str) -> None:
    forbidden = MUST_NOT_IMPORT[package]
    broken = [
        f"{imp.where} imports {imp.module}"
        for path, imports in ALL_IMPORTS.items()
        if path.relative_to(ROOT).parts[0] == package
        for imp in imports
        if imp.module.split(".")[0] in forbidden
    ]
    assert broken == []


def test_every_package_has_a_rule() -> None:
    on_disk = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "migrations"}
    assert on_disk - {"benchmarks"} == set(PACKAGES)


def test_no_import_inside_a_function() -> None:
    # An import inside a function hides a cycle: the layers would point the wrong way.
    inside = [imp.where for imports in ALL_IMPORTS.values() for imp in imports if imp.in_function]
    assert inside == []


def test_modules_import_each_other_without_cycles() -> None:
    graph = {
        _module_of(path): {i.module for i in imports if i.module.split(".")[0] in PACKAGES}
        for path, imports in ALL_IMPORTS.items()
    }
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> None:
        if module in trail:
            cycle = [*trail[trail.index(module) :], module]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        for target in sorted(graph.get(module, ())):
            visit(target, [*trail, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


def test_no_module_is_too_long() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in ALL_IMPORTS
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_readme_lists_every_package() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## How it is built", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([a-z_]+)/` \|", table, flags=re.M))
    assert set(PACKAGES) <= listed
