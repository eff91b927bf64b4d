"""The RFM segment map as a recency × frequency grid with a cell cursor, and the colours that
tell its segments apart.

Rows are R from ``bins`` (top) down to 1, columns F from 1 to ``bins`` (rfm_map.py's
orientation). Each cell shows its segment's name (wrapped) and its customer count on the
segment's colour, so a segment reads as one coloured region; the name is always written in the
cell, so nothing depends on colour alone. Colours are the 16 ANSI colours (safe in 16- and
256-colour terminals); a segment keeps its colour wherever it is shown (rfm_tables.py's
tables use the same colours).
"""

from __future__ import annotations

import textwrap
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from segtui.core.rfm_map import NO_PURCHASES, OTHERS, SEGMENT_ORDER
from segtui.tui.formatting import fmt_int

# Background colours from the xterm 256-colour cube (the same in every 256-colour and
# truecolor terminal, unlike the 16 ANSI colours, which follow the terminal's theme); text on
# them is black. One per standard segment (SEGMENT_ORDER), then spares for names the user adds
# (in first-appearance order, then again from the start).
STANDARD_COLOURS: tuple[str, ...] = (
    "color(41)",  # Champions: green
    "color(72)",  # Loyal: sea green
    "color(80)",  # Potential Loyalists: teal
    "color(111)",  # New Customers: light blue
    "color(68)",  # Promising: blue
    "color(185)",  # Need Attention: yellow
    "color(215)",  # About to Sleep: orange
    "color(167)",  # At Risk: red
    "color(169)",  # Can't Lose Them: magenta
    "color(103)",  # Hibernating: grey violet
)
SPARE_COLOURS: tuple[str, ...] = ("color(137)", "color(218)", "color(148)", "color(147)")
FIXED_COLOURS: dict[str, str | None] = {OTHERS: "color(250)", NO_PURCHASES: None}
# Names of the range-table template that stand for a standard segment.
ALIASES: dict[str, str] = {
    "loyal customers": "Loyal",
    "potential loyalist": "Potential Loyalists",
    "about to sleep": "About to Sleep",
}


def segment_colours(names: list[str]) -> dict[str, Style]:
    """A style per segment name: the standard names always get their own colour."""
    standard = {name.casefold(): index for index, name in enumerate(SEGMENT_ORDER)}
    standard |= {alias: standard[name.casefold()] for alias, name in ALIASES.items()}
    styles: dict[str, Style] = {}
    spare = 0
    for name in names:
        if name in FIXED_COLOURS:
            colour = FIXED_COLOURS[name]
        elif name.casefold() in standard:
            colour = STANDARD_COLOURS[standard[name.casefold()]]
        else:
            colour = SPARE_COLOURS[spare % len(SPARE_COLOURS)]
            spare += 1
        styles[name] = Style(bgcolor=colour, color="black") if colour else Style()
    return styles


def swatch(name: str, colours: dict[str, Style]) -> Text:
    """A two-character colour sample of a segment (for tables that list segments)."""
    style = colours.get(name)
    if style is None or style.bgcolor is None:
        return Text("  ")
    return Text("  ", style=Style(bgcolor=style.bgcolor))


LABEL_WIDTH = 4  # "R5" and a gap
MAX_CELL = 22
MAX_NAME_LINES = 2
WIDE_CELL = 16  # from this width on, cell text has a one-space margin on the left


class RfmGrid(Widget, can_focus=True):
    """The bins × bins map; arrows move the cell cursor, Enter asks to rename its segment."""

    DEFAULT_CSS = """
    RfmGrid {
        height: auto;
        width: 1fr;
    }
    """
    BINDINGS: ClassVar = [
        Binding("up", "move(-1, 0)", "Up", show=False, id="rfm_grid.up",
                tooltip="The cell above (one recency score higher)."),
        Binding("down", "move(1, 0)", "Down", show=False, id="rfm_grid.down",
                tooltip="The cell below (one recency score lower)."),
        Binding("left", "move(0, -1)", "Left", show=False, id="rfm_grid.left",
                tooltip="The cell to the left (one frequency score lower)."),
        Binding("right", "move(0, 1)", "Right", show=False, id="rfm_grid.right",
                tooltip="The cell to the right (one frequency score higher)."),
        Binding("enter", "select", "Rename", show=False, id="rfm_grid.select",
                tooltip="Rename this cell's segment (every cell of it)."),
    ]  # fmt: skip

    cursor: reactive[tuple[int, int]] = reactive((0, 0), layout=False)

    class Highlighted(Message):
        """The cursor moved to cell (R = ``r``, F = ``f``)."""

        def __init__(self, r: int, f: int) -> None:
            super().__init__()
            self.r = r
            self.f = f

    class Selected(Highlighted):
        """Enter (or a second click) on cell (R = ``r``, F = ``f``)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.grid: list[list[str]] = []
        self.counts: list[list[int]] | None = None
        self.colours: dict[str, Style] = {}

    # --- data -----------------------------------------------------------------------------

    @property
    def bins(self) -> int:
        return len(self.grid)

    @property
    def cell(self) -> tuple[int, int]:
        """(r, f) scores of the cell under the cursor."""
        row, col = self.cursor
        return self.bins - row, col + 1

    def show(
        self,
        grid: list[list[str]],
        counts: list[list[int]] | None,
        colours: dict[str, Style],
    ) -> None:
        """Show a map (and the customers per cell, None while they are being counted)."""
        bins_changed = len(grid) != self.bins
        self.grid = [list(row) for row in grid]
        self.counts = counts if counts is not None and len(counts) == len(grid) else None
        self.colours = colours
        if bins_changed:
            row, col = self.cursor
            last = max(len(grid) - 1, 0)
            self.set_reactive(RfmGrid.cursor, (min(row, last), min(col, last)))
        self.refresh(layout=bins_changed)

    def move_to(self, r: int, f: int) -> None:
        """Put the cursor on cell (R = ``r``, F = ``f``)."""
        if 1 <= r <= self.bins and 1 <= f <= self.bins:
            self.cursor = (self.bins - r, f - 1)

    # --- geometry and drawing -------------------------------------------------------------

    def _cell_width(self, width: int) -> int:
        if not self.bins:
            return 0
        return max(min((width - LABEL_WIDTH) // self.bins, MAX_CELL), 4)

    def _count_text(self, row: int, col: int) -> str:
        return "…" if self.counts is None else fmt_int(self.counts[row][col])

    def _name_parts(self, name: str, inner: int) -> list[str]:
        """The name wrapped to the cell (at most MAX_NAME_LINES lines, cut with …)."""
        parts = textwrap.wrap(name, inner) or [""]
        if len(parts) > MAX_NAME_LINES:
            rest = " ".join(parts[MAX_NAME_LINES - 1 :])
            parts = [*parts[: MAX_NAME_LINES - 1], rest[: inner - 1] + "…"]
        return parts

    def _lines(self, cell_width: int) -> int:
        """Lines per row: the longest wrapped name, plus one when a count does not fit at the
        end of its cell's last name line (every row gets the same height)."""
        inner = self._inner(cell_width)
        lines = 1
        for row, names in enumerate(self.grid):
            for col, name in enumerate(names):
                parts = self._name_parts(name, inner)
                fits = len(parts[-1]) + 1 + len(self._count_text(row, col)) <= inner
                lines = max(lines, len(parts) + (0 if fits else 1))
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not self.bins:
            return 1
        return 1 + self.bins * self._lines(self._cell_width(width))

    @staticmethod
    def _inner(cell_width: int) -> int:
        """Text width of a cell: a gap after each cell, and a margin inside when it is wide."""
        return max(cell_width - (2 if cell_width >= WIDE_CELL else 1), 1)

    def _cell_line(self, parts: list[str], line: int, lines: int, count: str, width: int) -> str:
        inner = self._inner(width)
        text = parts[line] if line < len(parts) else ""
        if line == lines - 1:  # the count sits at the bottom right of the cell
            text = text.ljust(inner - len(count)) + count
        return text.ljust(inner).rjust(width - 1)[: width - 1]

    def render(self) -> Text:
        if not self.bins:
            return Text("Loading the map…", style="italic")
        width = self._cell_width(self.content_size.width)
        inner = self._inner(width)
        lines = self._lines(width)
        cursor_style = Style(reverse=True, bold=True) if self.has_focus else Style(underline=True)
        out = Text(no_wrap=True, overflow="crop")
        out.append(" " * LABEL_WIDTH)
        for f in range(1, self.bins + 1):
            out.append(f"F{f}".rjust(width - inner + 1).ljust(width), style="bold")
        for row, names in enumerate(self.grid):
            parts = [self._name_parts(name, inner) for name in names]
            for line in range(lines):
                out.append("\n")
                label = f"R{self.bins - row}" if line == 0 else ""
                out.append(label.ljust(LABEL_WIDTH), style="bold")
                for col, name in enumerate(names):
                    text = self._cell_line(
                        parts[col], line, lines, self._count_text(row, col), width
                    )
                    style = self.colours.get(name, Style())
                    if (row, col) == self.cursor:
                        style += cursor_style
                    out.append(text, style=style)
                    out.append(" ")
        return out

    # --- keys and mouse -------------------------------------------------------------------

    def watch_cursor(self, cursor: tuple[int, int]) -> None:
        self.refresh()
        if self.bins:
            r, f = self.cell
            self.post_message(self.Highlighted(r, f))

    def action_move(self, rows: int, cols: int) -> None:
        if self.bins:
            row, col = self.cursor
            last = self.bins - 1
            self.cursor = (min(max(row + rows, 0), last), min(max(col + cols, 0), last))

    def action_select(self) -> None:
        if self.bins:
            r, f = self.cell
            self.post_message(self.Selected(r, f))

    def on_click(self, event: events.Click) -> None:
        width = self._cell_width(self.content_size.width)
        if not self.bins or not width:
            return
        lines = self._lines(width)
        row = (event.y - 1) // lines
        col = (event.x - LABEL_WIDTH) // width
        if event.y >= 1 and event.x >= LABEL_WIDTH and 0 <= row < self.bins and col < self.bins:
            if (row, col) == self.cursor and event.chain > 1:
                self.action_select()
            self.cursor = (row, col)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
