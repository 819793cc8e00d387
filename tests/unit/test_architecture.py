"""The shape of the house, read from the code: no import circles, a core without Textual or Rich, and
the shell in layers that import only downwards.

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

# The shell's layers, lowest first: a module may import from its own layer or one below, never from
# one above, not even lazily inside a function. The core (everything outside tui/app/) is below them
# all; its one way up is the CLI's lazy import of `tui.app.factory`. An entry names a module or a
# package (then every module in it); `tui.app` is the package's face alone.
# The rooms of the house, lowest first: a module may import from its own layer and those below,
# never from one above (lazy imports count). The core's folders, then the shell's.
LAYERS: list[tuple[str, ...]] = [
    # what every room may use: errors, paths, the durable writer, the paused collector, the cores,
    # text safety, wording, colours, state
    (
        "tui",
        "tui.errors",
        "tui.paths",
        "tui.durable",
        "tui.collector",
        "tui.cores",
        "tui.text_safety",
        "tui.wording",
        "tui.palette",
        "tui.state",
    ),
    ("tui.library", "tui.markdown_look"),  # the articles: model, parser, listing, texts, filter
    ("tui.annotations",),  # notes on passages, anchored in an article's text
    ("tui.similarity",),  # near-duplicates: pairs, alignment, verdicts, the index
    ("tui.stories",),  # versions of one story, their passages, notes that follow them
    ("tui.export",),  # notes out (Markdown, Web Annotations) and back in
    ("tui.intake",),  # pages and feeds in, duplicates caught at the door
    ("tui.cli", "tui.__main__"),  # the command line
    ("tui.app", "tui.app.messages", "tui.app.keys", "tui.app.export_format"),  # notions the shell shares
    ("tui.app.widgets",),  # reusable widgets: they ask by message, never act
    ("tui.app.session",),  # the app's state and its workers, as the screens see it
    ("tui.app.screens",),
    ("tui.app.commands",),  # the palette, which opens screens
    ("tui.app.tui_app",),
    (APP_DOOR,),
]


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


def layer_of(name: str) -> int | None:
    """The index of the layer holding ``name``: the longest entry of LAYERS that is it or holds it
    (None: in none)."""
    best: tuple[int, int] | None = None  # (length of the entry, layer)
    for index, layer in enumerate(LAYERS):
        for entry in layer:
            holds = name == entry or (entry != "tui" and name.startswith(entry + "."))
            if holds and (best is None or len(entry) > best[0]):
                best = (len(entry), index)
    return None if best is None else best[1]


def upward_imports(edges: dict[str, set[str]]) -> list[str]:
    """Every import of a module from a higher layer than its own, but the CLI's door into the app."""
    wrong = []
    for name, targets in sorted(edges.items()):
        here = layer_of(name)
        for target in sorted(targets):
            there = layer_of(target)
            if not is_ui(name) and target == APP_DOOR:
                continue  # kept lazy, as test_the_core_imports_neither_textual_nor_rich checks
            if here is not None and there is not None and there > here:
                wrong.append(f"{name} (layer {here}) imports {target} (layer {there})")
    return wrong


def test_every_module_has_a_layer() -> None:
    assert sorted(name for name in modules() if layer_of(name) is None) == []


def test_no_import_runs_up_the_layers() -> None:
    assert upward_imports(graph()) == []


def test_an_upward_import_is_found() -> None:
    edges = {
        "tui.app.session": {"tui.app.screens.help"},
        "tui.cli": {APP_DOOR},
        "tui.app.screens.x": {"tui.app.session"},
        "tui.similarity.index": {"tui.stories.grouping", "tui.library.articles"},
        "tui.intake.intake": {APP_DOOR},
    }
    assert upward_imports(edges) == [
        "tui.app.session (layer 10) imports tui.app.screens.help (layer 11)",
        "tui.similarity.index (layer 3) imports tui.stories.grouping (layer 4)",
    ]
