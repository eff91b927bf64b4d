"""The RFM editor's segment map: showing it and editing it.

Showing: the highlighted cell of the R × F grid in the map's title (its segment and customers),
and for the R/F/M range table template the rules in order with the cells and customers each
wins, and the score cells that no rule or several rules match. Editing, each asked for in a
dialog: rename the highlighted cell's segment (every cell of it), move the cell into another or
a new segment (the grid template only), and reset the map (or the range table) to the default.

RfmSegmentMapMixin is mixed into RfmEditorScreen, which provides the saved settings, apply
(check, save and show new settings), the note line and the widgets the mixin queries.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import DataTable, Static

from segtui.core.rfm_map import clean_name, move_cell, rename_segment
from segtui.tui.formatting import fmt_int
from segtui.tui.screens.prompt import PromptModal
from segtui.tui.screens.rfm_move_modal import MoveCellModal
from segtui.tui.widgets.rfm_grid import RfmGrid
from segtui.tui.widgets.rfm_tables import problem_rows, rules_table

if TYPE_CHECKING:
    from rich.style import Style
    from textual.screen import Screen

    from segtui.core.rfm_map import RangeCheck
    from segtui.core.rfm_settings import RfmSettings
    from segtui.tui.widgets.rfm_tables import ScoreView

    _EditorBase = Screen[None]  # type checkers see the screen this is mixed into
else:
    _EditorBase = object


class RfmSegmentMapMixin(_EditorBase):
    """The segment-map part of RfmEditorScreen: n (or Enter on a cell), m and R."""

    settings: RfmSettings | None
    segmentation: str

    if TYPE_CHECKING:  # provided by RfmEditorScreen

        def apply(self, settings: RfmSettings, note: str = "") -> bool: ...
        def _note(self, text: str) -> None: ...

    # --- showing the map ------------------------------------------------------------------

    def _show_cell(self) -> None:
        grid = self.query_one(RfmGrid)
        if not grid.bins:
            return
        r, f = grid.cell
        row, col = grid.cursor
        count = "" if grid.counts is None else f", {fmt_int(grid.counts[row][col])} customers"
        self.query_one("#map-title", Static).update(
            f"Segment map (rows R, columns F) · cell R{r} F{f}: {grid.grid[row][col]}{count}"
        )

    def _show_ranges(
        self,
        settings: RfmSettings,
        check: RangeCheck,
        view: ScoreView | None,
        colours: dict[str, Style],
    ) -> None:
        others = sum(view.cells.get(c, 0) for c in check.uncovered) if view else 0
        text = (
            f"Range table (the first matching rule wins): {len(check.uncovered)} of "
            f"{check.cells} score cells match no rule and go to Others "
            f"({fmt_int(others)} customers); {len(check.overlaps)} match more than one rule"
        )
        if check.shadowed:
            text += "; never first: " + ", ".join(check.shadowed)
        self.query_one("#ranges-title", Static).update(text + ".")
        if view is None:
            return
        self.query_one("#rules", Static).update(rules_table(settings, check, view, colours))
        table = self.query_one("#problem-cells", DataTable)
        table.clear()
        for cell, customers, matches, goes in problem_rows(check, view):
            table.add_row(cell, Text(fmt_int(customers), justify="right"), matches, goes)

    def on_rfm_grid_highlighted(self, event: RfmGrid.Highlighted) -> None:
        self._show_cell()

    def on_rfm_grid_selected(self, event: RfmGrid.Selected) -> None:
        event.stop()
        self.action_rename()

    # --- editing the map ------------------------------------------------------------------

    def _editable(self) -> bool:
        return self.settings is not None and self.settings.template == "grid"

    def action_rename(self) -> None:
        if not self._editable():
            return
        grid = self.query_one(RfmGrid)
        r, f = grid.cell
        old = grid.grid[grid.cursor[0]][grid.cursor[1]]

        def done(new: str | None) -> None:
            if new and new != old and self.settings is not None:
                renamed = rename_segment(self.settings.effective_grid(), old, new)
                if self.apply(replace(self.settings, grid=renamed), f"Renamed {old!r} to {new!r}."):
                    self.project.move_segment_note(self.segmentation, old, new)  # type: ignore[union-attr]

        self.app.push_screen(
            PromptModal(
                f"Rename the segment {old!r} (cell R{r} F{f})",
                old,
                detail="Every cell of this segment gets the new name; a name already in the "
                "map merges the two segments.",
                check=clean_name,
            ),
            done,
        )

    def action_move(self) -> None:
        if not self._editable() or self.settings is None:
            return
        grid = self.query_one(RfmGrid)
        r, f = grid.cell
        current = grid.grid[grid.cursor[0]][grid.cursor[1]]
        names = list(dict.fromkeys(n for row in self.settings.effective_grid() for n in row))

        def done(name: str | None) -> None:
            if name and name != current and self.settings is not None:
                moved = move_cell(self.settings.effective_grid(), r, f, name)
                self.apply(replace(self.settings, grid=moved), f"Cell R{r} F{f} is now {name}.")

        title = f"Move cell R{r} F{f} (now {current}) to the segment:"
        self.app.push_screen(MoveCellModal(title, names, current), done)

    def action_reset(self) -> None:
        settings = self.settings
        if settings is None:
            return
        if settings.template == "ranges":
            self.apply(replace(settings, ranges=None), "The range table is the standard one.")
            return
        if settings.grid is None:
            self._note(f"The map already is the default {settings.bins}×{settings.bins} map.")
            return
        from segtui.tui.screens.confirm import ConfirmModal

        def done(yes: bool | None) -> None:
            if yes and self.settings is not None:
                self.apply(replace(self.settings, grid=None), "The map is the default again.")

        self.app.push_screen(
            ConfirmModal(
                "Reset the segment map to the default?",
                "Your renamed segments and moved cells are replaced by the default map.",
                confirm_label="Reset",
            ),
            done,
        )
