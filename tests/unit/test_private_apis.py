"""One test per private API of another library that we use (docs/private-apis.md).

Each fails by name when an upgrade of Textual, Rich or TinyDB removes or reshapes what we lean on,
instead of somewhere deep in a screen test.
"""

from __future__ import annotations

import inspect
from typing import Any

from rich.table import Table as RichTable
from textual.app import App, ComposeResult
from textual.visual import RichVisual
from textual.widgets import Static, TextArea
from tinydb import TinyDB
from tinydb.storages import MemoryStorage
from tinydb.table import Table

# -- TinyDB (tui/annotations/storage.py) ------------------------------------------------------------


def test_tinydb_routes_every_write_through_table_update_table() -> None:
    calls: list[str] = []

    class Recording(Table):
        def _update_table(self, updater: Any) -> None:
            calls.append("update")
            super()._update_table(updater)

    class Database(TinyDB):
        table_class = Recording

    database = Database(storage=MemoryStorage)
    table = database.table("t")
    document_id = table.insert({"a": 1})
    table.update({"a": 2}, doc_ids=[document_id])
    table.remove(doc_ids=[document_id])
    assert calls == ["update", "update", "update"]
    assert list(inspect.signature(Table._update_table).parameters) == ["self", "updater"]


def test_tinydb_table_keeps_its_storage_as_underscore_storage() -> None:
    database = TinyDB(storage=MemoryStorage)
    table = database.table("t")
    assert table._storage is database.storage


def test_tinydb_table_takes_a_document_id_class() -> None:
    assert Table.document_id_class is int  # the default we replace with str


def test_our_table_adapter_still_works_on_this_tinydb() -> None:
    from tui.annotations.storage import Database, TextIdTable

    database = Database(storage=MemoryStorage)
    table = database.table("annotations")
    assert isinstance(table, TextIdTable)
    table.put("0f0e", {"a": 1})
    # TinyDB's own types say a document id is an int; ours are str, and that is what this pins.
    assert table.get(doc_id="0f0e") == {"a": 1}  # type: ignore[call-overload]


# -- Rich ----------------------------------------------------------------------------------------


def test_rich_wrap_divide_line() -> None:
    from rich._wrap import divide_line

    assert divide_line("alpha beta gamma", 11, fold=True) == [11]


def test_rich_table_column_cells() -> None:
    table = RichTable("keys", "what")
    table.add_row("h", "Highlight")
    assert list(table.columns[0]._cells) == ["h"]


# -- Textual -------------------------------------------------------------------------------------


def test_textual_footer_key_lives_in_widgets_footer() -> None:
    from textual.widget import Widget
    from textual.widgets._footer import FooterKey

    assert issubclass(FooterKey, Widget)
    assert {"key_display", "description"} <= set(inspect.signature(FooterKey).parameters)


class Probe(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(RichTable("keys"), id="table")
        yield TextArea("# Heading", language="markdown", id="note")


async def test_textual_active_app_context() -> None:
    from textual._context import active_app

    app = Probe()
    async with app.run_test():
        assert active_app.get() is app


async def test_textual_app_notifications_list() -> None:
    app = Probe()
    async with app.run_test() as pilot:
        app.notify("saved", severity="warning")
        await pilot.pause()
        assert [(n.message, n.severity) for n in app._notifications] == [("saved", "warning")]


async def test_textual_screen_compositor_render_strips() -> None:
    app = Probe()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        strips = app.screen._compositor.render_strips()
        assert len(strips) == 10 and all(isinstance(strip.text, str) for strip in strips)


async def test_textual_driver_send_message() -> None:
    app = Probe()
    async with app.run_test():
        assert app._driver is not None
        assert callable(app._driver.send_message)


async def test_textual_static_visual_renderable() -> None:
    app = Probe()
    async with app.run_test() as pilot:
        await pilot.pause()
        static = app.query_one("#table", Static)
        visual = static.visual
        assert isinstance(visual, RichVisual)
        assert isinstance(visual._renderable, RichTable)


async def test_textual_text_area_highlights() -> None:
    app = Probe()
    async with app.run_test() as pilot:
        await pilot.pause()
        area = app.query_one("#note", TextArea)
        assert hasattr(area, "_highlight_query") and isinstance(area._highlights, dict)
