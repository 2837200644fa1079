"""The house: each layer imports only the layers below it.

web → schema → resolvers → services → db → access → settings, with `context` (the request context)
importable by every layer. `services` are what runs beside the requests (the change feed, the key cache,
key usage, live changes, the expiry job): they read and write through db, and resolvers use them. A
module's layer is its top-level package; an import runs back up when its target's layer ranks above the
importer's. Imports inside `if TYPE_CHECKING:` count too: they are a dependency
of the code's meaning even when not of its running.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["settings", "access", "db", "services", "resolvers", "schema", "web", "server"]
RANK = {name: rank for rank, name in enumerate(LAYERS)}
# The request context sits beside the layers: everyone may import it, and it imports only below schema.
SHARED = {"context": RANK["services"]}


def project_modules() -> list[Path]:
    files = [ROOT / "server.py", ROOT / "settings.py", ROOT / "context.py"]
    for package in ("access", "db", "services", "resolvers", "schema", "web"):
        files += sorted((ROOT / package).rglob("*.py"))
    return files


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found


def layer_of(path: Path) -> str:
    relative = path.relative_to(ROOT)
    return relative.parts[0].removesuffix(".py")


@pytest.mark.parametrize("path", project_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_import_runs_back_up_a_layer(path: Path) -> None:
    importer = layer_of(path)
    ceiling = SHARED[importer] if importer in SHARED else RANK[importer]
    upward = sorted(
        target
        for target in imported_packages(path)
        if target in RANK and target != importer and RANK[target] > ceiling
    )
    assert not upward, f"{path.relative_to(ROOT)} ({importer}) imports {upward}, which sit above it"


def test_every_layer_is_checked() -> None:
    layers = {layer_of(path) for path in project_modules()}
    assert layers == set(RANK) | set(SHARED)


PROJECT = {*RANK, *SHARED, "bench", "tests", "fastgraph"}


@pytest.mark.parametrize("path", sorted((ROOT / "fastgraph").rglob("*.py")), ids=lambda p: p.name)
def test_the_fast_executor_knows_nothing_of_the_domain(path: Path) -> None:
    """fastgraph is generic: graphql-core and itself, nothing of this project, not even Strawberry."""
    foreign = sorted(imported_packages(path) & (PROJECT - {"fastgraph"} | {"strawberry"}))
    assert not foreign, f"fastgraph/{path.name} imports {foreign}"
