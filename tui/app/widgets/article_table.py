"""ArticleTable: the library's rows, drawn with the line API so 10,000 rows cost nothing to add.

Textual's DataTable measures every cell of every new row (about 0.4 ms a row here), which made
the BBC library (2,225 articles) take most of a second to appear and every filter keystroke as
long again. This table only renders the rows on screen, from cells computed on demand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

if TYPE_CHECKING:
    from tui.library.articles import Article

CellsFunction = Callable[["Article"], Sequence[Text]]


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    width: int
    justify: Literal["left", "right"] = "left"


class ArticleTable(ScrollView, can_focus=True):
    """One row per article, a row cursor, a sticky header. Enter posts ``Selected``."""

    DEFAULT_CSS = """
    ArticleTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
    }
    ArticleTable > .article-table--header { text-style: bold; background: $panel; color: $text; }
    ArticleTable > .article-table--cursor { background: $block-cursor-blurred-background; }
    ArticleTable:focus > .article-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    ArticleTable > .article-table--even { background: $surface-lighten-1 30%; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-table--header",
        "article-table--cursor",
        "article-table--even",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open", id="table.open"),
        Binding("j,down", "cursor_down", "Down", show=False, id="table.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="table.up"),
        Binding("g,home", "first", "First", show=False, id="table.first"),
        Binding("G,end", "last", "Last", show=False, id="table.last"),
        Binding("pagedown,space", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("pageup,b", "page_up", "Page up", show=False, id="table.page_up"),
    ]

    class Selected(Message):
        def __init__(self, table: ArticleTable, article_id: str) -> None:
            super().__init__()
            self.table = table
            self.article_id = article_id

        @property
        def control(self) -> ArticleTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column],
        cells: CellsFunction,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.columns = list(columns)
        self.cells = cells
        self.articles: list[Article] = []
        self.cursor_row = 0
        self._row_cache: dict[int, list[Segment]] = {}
        self._styles: dict[str, Style] = {}

    # ------------------------------------------------------------------ data

    @property
    def row_count(self) -> int:
        return len(self.articles)

    def set_articles(self, articles: list[Article], *, keep: str | None = None) -> None:
        """Show ``articles``; the cursor stays on ``keep`` if it is still shown."""
        self.articles = articles
        self._row_cache.clear()
        row = 0
        if keep is not None:
            row = next((index for index, article in enumerate(articles) if article.id == keep), 0)
        self.cursor_row = row
        self._update_size()
        self._scroll_cursor_into_view()
        self.refresh()

    def set_columns(self, columns: Sequence[Column]) -> None:
        self.columns = list(columns)
        self.refresh_rows()
        self._update_size()

    def refresh_rows(self) -> None:
        """Cells changed (a note count, a similarity mark): draw them again."""
        self._row_cache.clear()
        self.refresh()

    def _update_size(self) -> None:
        width = 1 + sum(column.width + 1 for column in self.columns)
        self.virtual_size = Size(width, len(self.articles) + 1)

    @property
    def current_id(self) -> str | None:
        if not self.articles:
            return None
        return self.articles[min(self.cursor_row, len(self.articles) - 1)].id

    def row_text(self, row: int) -> list[str]:
        """The plain text of a row's cells, as drawn (the tests read it)."""
        return [cell.plain for cell in self.cells(self.articles[row])]

    # ------------------------------------------------------------------ rendering

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._row_cache.clear()

    def _style(self, component: str) -> Style:
        style = self._styles.get(component)
        if style is None:
            style = self.rich_style if not component else self.get_component_rich_style(component)
            self._styles[component] = style
        return style

    def _line(self, cells: Sequence[Text], style: Style) -> list[Segment]:
        # one space before each column: 80 columns leave the title what the others do not need
        line = Text(style=style, end="", no_wrap=True)
        for column, cell in zip(self.columns, cells, strict=False):
            cell = cell.copy()
            cell.truncate(column.width, overflow="ellipsis", pad=False)
            padding = " " * (column.width - cell.cell_len)
            line.append(" ")
            if column.justify == "right":
                line.append(padding)
                line.append_text(cell)
            else:
                line.append_text(cell)
                line.append(padding)
        line.append(" ")
        return [
            Segment(text, segment_style or style) for text, segment_style, _ in line.render(self.app.console)
        ]

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self._style("")
        if y == 0:
            header = self._style("article-table--header")
            labels = [Text(column.label, style=header) for column in self.columns]
            return Strip(self._line(labels, header)).crop_extend(scroll_x, scroll_x + width, header)
        row = scroll_y + y - 1
        if row >= len(self.articles):
            return Strip.blank(width, base)
        style = base
        if row == self.cursor_row:
            style = base + self._style("article-table--cursor")
        elif row % 2:
            style = base + self._style("article-table--even")
        segments = self._row_cache.get(row) if row != self.cursor_row else None
        if segments is None:
            segments = self._line(self.cells(self.articles[row]), style)
            if row != self.cursor_row:
                self._row_cache[row] = segments
        return Strip(segments).crop_extend(scroll_x, scroll_x + width, style)

    # ------------------------------------------------------------------ cursor

    @property
    def _page_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_cursor_into_view(self) -> None:
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + self._page_height:
            self.scroll_to(y=self.cursor_row - self._page_height + 1, animate=False, immediate=True)

    def move_cursor(self, row: int) -> None:
        if not self.articles:
            return
        old = self.cursor_row
        self.cursor_row = max(0, min(row, len(self.articles) - 1))
        self._row_cache.pop(old, None)
        self._scroll_cursor_into_view()
        top = int(self.scroll_y)
        width = self.scrollable_content_region.width
        for changed in (old, self.cursor_row):
            self.refresh(Region(0, changed - top + 1, width, 1))

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_row - 1)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self.articles) - 1)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor_row + self._page_height)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor_row - self._page_height)

    def action_select(self) -> None:
        if self.current_id is not None:
            self.post_message(self.Selected(self, self.current_id))

    def on_click(self, event: events.Click) -> None:
        row = int(self.scroll_y) + event.y - 1
        if event.y >= 1 and 0 <= row < len(self.articles):
            if row == self.cursor_row and event.chain >= 2:
                self.action_select()
            self.move_cursor(row)
