"""The members of one or more segments of a run (or of the whole run), with their scores,
attributes and features, in an Arrow-backed table that stays fast at millions of rows.

/ searches (any case, in the ids and every text and category column), s sorts by the column
under the cursor (again: the other way), g and G go to the top and the bottom, ctrl+e exports,
Escape clears the search and then goes back. Searching and sorting are done in polars, in a
thread worker when the list is large; each result replaces the table's data (the table itself,
its formats and column widths are in widgets/members_table.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from segtui.core.segment_model import CUSTOMER_ID
from segtui.tui.errors import one_line
from segtui.tui.screens.base import Command, SegtuiScreenMixin
from segtui.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    import polars as pl

    from segtui.core.run_data import RunData
    from segtui.tui.widgets.members_table import MemberColumn, MembersTable, Sort, View


@dataclass(frozen=True)
class Loaded:
    """A member list as first loaded: every member, how its columns show, the first view."""

    frame: pl.DataFrame
    columns: list[MemberColumn]
    widths: list[int]
    customers: int  # distinct customers (fewer than rows when segments overlap)
    view: View


def _key(key: str, action: str, label: str, tip: str, show: bool = True) -> Binding:
    return Binding(key, action, label, show=show, id=f"members.{action}", tooltip=tip)


class MembersScreen(SegtuiScreenMixin, Screen[None]):
    """The members of some segments of a run; Escape goes back."""

    PURPOSE = (
        "The customers of a segment with their scores, attributes and features: / searches "
        "ids, names and categories, s sorts by the column under the cursor (again: reversed), "
        "g and G go to the top and the bottom, ctrl+e exports, Escape goes back."
    )
    CSS_PATH = "members.tcss"
    BINDINGS: ClassVar = [
        _key("slash", "search", "Search", "Quick search: the ids, text and category columns."),
        _key("s", "sort", "Sort", "Sort by the column under the cursor; again to reverse it."),
        _key("g,home", "top", "Top", "Go to the first member.", False),
        _key("G,end", "bottom", "Bottom", "Go to the last member.", False),
        _key("ctrl+e", "export", "Export", "Export these segments' members to a file."),
        _key("escape", "back", "Back", "Clear the search, or go back to the segments."),
    ]

    def __init__(self, data: RunData, segments: list[str] | None) -> None:
        super().__init__()
        self.data = data
        self.segments = segments
        self.loaded: Loaded | None = None
        self.view: View | None = None
        self.query_text = ""  # the search the table shows (or is being computed)
        self.sort: Sort | None = None
        self.busy = ""  # "searching" / "sorting" while a worker computes the next view
        self._generation = 0

    @property
    def title_text(self) -> str:
        if self.segments is None:
            return f"{self.data.run.segmentation}: all segments"
        return " + ".join(self.segments) or "no segment"

    def compose(self) -> ComposeResult:
        from segtui.tui.widgets.members_table import MembersTable

        # The search shares the header's line: showing it does not resize the table (a
        # resize repaints every visible cell).
        with Horizontal(id="members-top"):
            yield Static(f"{self.title_text} · loading…", id="members-header", markup=False)
            yield Input(placeholder="Search ids, names, categories…", id="members-search",
                        compact=True)  # fmt: skip
        yield Static("", id="members-error", classes="error", markup=False)
        yield MembersTable(id="members-table")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#members-error").display = False
        self.load()

    # --- loading --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="members", name="load_members")
    def load(self) -> Loaded:
        from segtui.core.run_data import SEGMENT
        from segtui.tui.widgets.members_table import build_view, column_widths, member_columns

        frame = self.data.members(self.segments)
        if self.segments is not None and len(self.segments) == 1:
            frame = frame.drop(SEGMENT)  # the header names it
        columns = member_columns(self.data, frame)
        customers = self._customers(frame)
        view = build_view(frame, columns, "", None)
        return Loaded(frame, columns, column_widths(frame, columns), customers, view)

    def _customers(self, frame: pl.DataFrame) -> int:
        """Distinct customers in ``frame``: fewer than its rows only when several segments of
        an overlapping run are listed (the run stores its distinct count)."""
        data, segments = self.data, self.segments
        if segments is None:
            return data.run.customers
        if len(segments) == 1 or data.assignments.height == data.run.customers:
            return frame.height
        return frame.get_column(CUSTOMER_ID).n_unique()

    @work(thread=True, exclusive=True, exit_on_error=False, group="members", name="members_view")
    def compute_view(
        self, generation: int, frame: pl.DataFrame, columns: list[MemberColumn], query: str,
        sort: Sort | None,
    ) -> tuple[int, View]:  # fmt: skip
        from segtui.tui.widgets.members_table import build_view

        return generation, build_view(frame, columns, query, sort)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state == WorkerState.ERROR:
            self.busy = ""
            self.show_header()
        if event.state != WorkerState.SUCCESS:
            return
        if worker.name == "load_members":
            loaded: Loaded = worker.result  # type: ignore[assignment]
            self.loaded = loaded
            self._show(self._generation, loaded.view)
        elif worker.name == "members_view":
            generation, view = worker.result  # type: ignore[misc]
            self._show(generation, view)

    # --- showing --------------------------------------------------------------------------

    def table(self) -> MembersTable | None:
        from segtui.tui.widgets.members_table import MembersTable

        tables = self.query(MembersTable)
        return tables.first() if tables else None  # None once the screen is closing

    def _show(self, generation: int, view: View) -> None:
        """Show ``view`` in the table (unless a newer one was asked for)."""
        loaded, table = self.loaded, self.table()
        if generation != self._generation or loaded is None or table is None:
            return
        first = table.view is None
        table.show(view, loaded.columns, loaded.widths)
        if first and not self._searching():
            table.focus()
        self.view, self.busy = view, ""
        self.show_header()
        self.refresh_bindings()

    def show_header(self) -> None:
        loaded, view = self.loaded, self.view
        header = self.query_one("#members-header", Static)
        if loaded is None or view is None:
            return
        rows = loaded.frame.height
        if loaded.customers != rows:
            count = f"{rows:,} rows ({loaded.customers:,} customers, some in several segments)"
        else:
            count = f"{rows:,} customers"
        if view.query:
            count = f"{view.frame.height:,} of {rows:,} match '{view.query}'"
        parts = [self.title_text, count]
        if view.sort is not None:
            label = next(c.label for c in loaded.columns if c.name == view.sort.column)
            parts.append(f"sorted by {label} {view.sort.arrow}")
        if self.busy:
            parts.append(f"{self.busy}…")
        header.update(" · ".join(parts))

    def show_error(self, message: str) -> None:
        error = self.query_one("#members-error", Static)
        error.update(one_line(message))
        error.display = True
        if self.loaded is None:
            self.query_one("#members-header", Static).update(
                f"{self.title_text} · the members cannot be listed: see the message below."
            )

    def clear_error(self) -> None:
        self.query_one("#members-error").display = False

    def update_view(self, query: str, sort: Sort | None) -> None:
        """Search and sort again: at once for a small list, in a worker for a large one."""
        from segtui.tui.widgets.members_table import LARGE, build_view

        loaded = self.loaded
        if loaded is None or (query, sort) == (self.query_text, self.sort):
            return
        busy = "sorting" if sort != self.sort else "searching"
        self.query_text, self.sort = query, sort
        self._generation += 1
        self.clear_error()
        if loaded.frame.height >= LARGE:
            self.busy = busy
            self.show_header()
            self.compute_view(self._generation, loaded.frame, loaded.columns, query, sort)
            return
        try:
            view = build_view(loaded.frame, loaded.columns, query, sort)
        except Exception as error:  # a bug: one line on screen, the traceback in the log
            self.segtui.report_failure(error)
            return
        self._show(self._generation, view)

    # --- the search -----------------------------------------------------------------------

    def _searching(self) -> bool:
        search = self.query_one("#members-search", Input)
        return search.display and search.has_focus

    def action_search(self) -> None:
        search = self.query_one("#members-search", Input)
        search.display = True
        search.focus()

    @on(Input.Changed, "#members-search")
    def search_changed(self, event: Input.Changed) -> None:
        self.update_view(event.value.strip(), self.sort)

    @on(Input.Submitted, "#members-search")
    def search_submitted(self) -> None:
        self.query_one("#members-search").display = False
        table = self.table()
        if table is not None:
            table.focus()

    def clear_search(self) -> None:
        search = self.query_one("#members-search", Input)
        search.value = ""  # its Changed finds the query already cleared
        search.display = False
        self.update_view("", self.sort)
        table = self.table()
        if table is not None:
            table.focus()

    # --- the keys -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return True
        return True if self.view is not None else None

    def action_back(self) -> None:
        if self._searching() or self.query_text:
            self.clear_search()
        else:
            self.app.pop_screen()

    def action_sort(self) -> None:
        table, loaded = self.table(), self.loaded
        if table is None or loaded is None or not loaded.columns:
            return
        self.sort_by(loaded.columns[table.cursor_column].name)

    def sort_by(self, name: str) -> None:
        """Sort by a column: largest (or A) first on the first press, reversed on the next."""
        from segtui.tui.widgets.members_table import Sort

        assert self.loaded is not None
        column = next(c for c in self.loaded.columns if c.name == name)
        if self.sort is not None and self.sort.column == name:
            sort = Sort(name, not self.sort.descending)
        else:
            sort = Sort(name, column.numeric)
        self.update_view(self.query_text, sort)

    def action_top(self) -> None:
        table = self.table()
        if table is not None:
            table.move_cursor(row=0)

    def action_bottom(self) -> None:
        table = self.table()
        if table is not None:
            table.move_cursor(row=max(table.row_count - 1, 0))

    def action_export(self) -> None:
        from segtui.tui.screens.export_modal import ExportModal

        self.app.push_screen(ExportModal(self.data, segments=self.segments))

    # --- the palette ----------------------------------------------------------------------

    def commands(self) -> list[Command]:
        """The member list's actions, as "members: …" palette commands."""
        loaded, table = self.loaded, self.table()
        if loaded is None or table is None or self.view is None:
            return []
        here = loaded.columns[table.cursor_column].label if loaded.columns else ""
        commands = [
            Command("members: search…", self.action_search, "/: ids, names and categories"),
            Command(f"members: sort by {here}", self.action_sort, "s"),
            Command("members: sort by column…", self._pick_sort, "Pick the column by name"),
            Command("members: go to column…", self._pick_column, "Move the cursor to it"),
            Command("members: top", self.action_top, "g: the first member"),
            Command("members: bottom", self.action_bottom, "G: the last member"),
            Command("members: export…", self.action_export, "ctrl+e: to CSV, Excel or Parquet"),
        ]
        if self.sort is not None:
            reverse = partial(self.sort_by, self.sort.column)
            commands.insert(2, Command("members: reverse the sort", reverse, "s again"))
        if self.query_text:
            commands.insert(1, Command("members: clear the search", self.clear_search, "Esc"))
        return commands

    def _pick_sort(self) -> None:
        self._pick("Sort by…", self.sort_by)

    def _pick_column(self) -> None:
        def go(name: str) -> None:
            table, loaded = self.table(), self.loaded
            if table is not None and loaded is not None:
                names = [c.name for c in loaded.columns]
                table.move_cursor(column=names.index(name))
                table.focus()

        self._pick("Column…", go)

    def _pick(self, placeholder: str, then: Callable[[str], None]) -> None:
        """A fuzzy picker of the columns (through the command palette)."""
        assert self.loaded is not None
        self.app.search_commands(
            [Command(c.label, partial(then, c.name)) for c in self.loaded.columns],
            placeholder=placeholder,
        )
