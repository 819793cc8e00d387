"""The shape of the house, read from the code: no import circles, and a core without Textual or Rich.

Every import counts, at module level, inside a function or under TYPE_CHECKING: a lazy import or a
type hint that closes a circle still ties the two modules together for whoever changes one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "tui"

# The shell is one folder, tui/app/: the app, its session, screens, widgets, messages and commands.
# Everything else in tui/ is the core, which runs and is tested without a screen; `tui.app.factory` is
# the one door from the core (the CLI) into the shell.
SHELL = "tui.app"
UI_LIBRARIES = ("textual", "rich")
APP_DOOR = "tui.app.factory"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_ui(name: str) -> bool:
    return name == SHELL or name.startswith(SHELL + ".")


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path, known: set[str]) -> Iterator[tuple[str, bool]]:
    """(imported name, at module level?) for every import in the file, relative ones resolved.

    `from tui.annotations import annotations` names the submodule when one is called so, else the package.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = module_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    top_level: set[int] = {id(node) for node in tree.body}
    # An import under `if TYPE_CHECKING:` at the top is module level too.
    for statement in tree.body:
        if isinstance(statement, ast.If):
            top_level.update(id(child) for child in ast.walk(statement))
    for node in ast.walk(tree):
        at_top = id(node) in top_level
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, at_top
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                yield (submodule if submodule in known else source), at_top


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    edges: dict[str, set[str]] = {}
    for name, path in found.items():
        targets = set()
        for imported, _ in imports(path, known):
            if imported in known and imported != name and not name.startswith(imported + "."):
                # A submodule importing its own package's face is how packages work, not a circle.
                targets.add(imported)
        edges[name] = targets
    return edges


def circles(edges: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read() -> None:
    edges = graph()
    assert {"tui.cli", "tui.annotations", "tui.annotations.store", "tui.app.tui_app"} <= set(edges)
    assert "tui.durable" in edges["tui.annotations.storage"]
    assert "tui.app.factory" in edges["tui.cli"]  # a function-level import counts
    assert (
        "tui.annotations.annotation" in edges["tui.annotations.anchoring"]
    )  # so does one under TYPE_CHECKING


def test_circles_are_found() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_the_core_is_in_no_circle() -> None:
    tangled = [sorted(circle) for circle in circles(graph()) if any(not is_ui(name) for name in circle)]
    assert tangled == []


def test_no_import_circles_at_all() -> None:
    """Screens see the app through `tui.app.session`, never `tui.app.tui_app`; messages import no widget."""
    assert circles(graph()) == []


def test_the_core_imports_neither_textual_nor_rich() -> None:
    found = modules()
    known = set(found)
    wrong = []
    for name, path in found.items():
        if is_ui(name):
            continue
        for imported, at_top in imports(path, known):
            if imported.split(".")[0] in UI_LIBRARIES:
                wrong.append(f"{name} imports {imported}")
            elif is_ui(imported) and (imported != APP_DOOR or at_top):
                wrong.append(f"{name} imports the app side's {imported}")
    assert wrong == []


def test_only_the_store_imports_tinydb() -> None:
    """One door to TinyDB: the store package; exports, state and intake write through tui.durable."""
    found = modules()
    known = set(found)
    users = sorted(
        name
        for name, path in found.items()
        if any(imported.split(".")[0] == "tinydb" for imported, _ in imports(path, known))
    )
    assert users and all(name.startswith("tui.annotations.") for name in users), users


def test_every_module_that_imports_textual_or_rich_is_in_the_shell_folder() -> None:
    found = modules()
    known = set(found)
    users = {
        name
        for name, path in found.items()
        if any(imported.split(".")[0] in UI_LIBRARIES for imported, _ in imports(path, known))
    }
    assert users, "the graph reader found no Textual import at all"
    assert sorted(name for name in users if not is_ui(name)) == []
    assert (PACKAGE / "app" / "app.tcss").is_file()
