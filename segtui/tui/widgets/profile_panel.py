"""The profile of the focused segment: its size and value in one line, the user's description,
then what makes it different from everyone else (the most distinguishing features first, in
plain words with their lifts) and its top categories."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

if TYPE_CHECKING:
    from segtui.core.profile import SegmentProfile, SegmentRow

SHOWN = 8  # distinguishing features listed


def lift_mark(lift: float | None) -> tuple[str, str]:
    """An arrow and a style for a lift: up for more than average, down for less. The same
    colour both ways: more is not always better (fewer days since the last order is good)."""
    if lift is None:
        return "•", "dim"
    if lift >= 1.1:
        return "▲", "bold"
    if lift <= 0.9:
        return "▼", "bold"
    return "•", "dim"


def profile_renderable(
    row: SegmentRow | None, profile: SegmentProfile | None, currency: str
) -> Group | Text:
    if row is None or profile is None:
        return Text("Highlight a segment to see what sets it apart.", style="dim")
    parts: list[Text] = []
    head = Text(row.name, style="bold")
    head.append(f"  {row.customers:,} customers ({100 * row.share:.1f}%)", style="")
    parts.append(head)
    if row.revenue is not None and row.revenue_share is not None:
        value = f"{currency}{row.revenue:,.0f} revenue ({100 * row.revenue_share:.1f}%)"
        if row.value_index is not None:
            value += f" · value index {row.value_index:.2f}"
        parts.append(Text(value, style="dim"))
    if row.description:
        parts.append(Text(row.description, style="italic"))
    if not profile.customers:
        parts.append(Text("\nNo customers: nothing to profile.", style="dim"))
        return Group(*parts)
    parts.append(Text("\nWhat sets it apart", style="bold underline"))
    if not profile.ranked:
        parts.append(Text("Nothing stands out: it looks like everyone else.", style="dim"))
    for item in profile.ranked[:SHOWN]:
        mark, style = lift_mark(item.lift)
        line = Text(f"{mark} ", style=style)
        line.append(item.text)
        parts.append(line)
    if len(profile.ranked) > SHOWN:
        parts.append(Text(f"… and {len(profile.ranked) - SHOWN} more (c compares)", style="dim"))
    return Group(*parts)


class ProfilePanel(VerticalScroll, can_focus=True):
    """Scrollable; focus it (tab) to scroll a long profile."""

    DEFAULT_CSS = """
    ProfilePanel { height: 1fr; padding: 0 1; }
    ProfilePanel > Static { width: 1fr; }
    """

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("", markup=False)

    def show(self, row: SegmentRow | None, profile: SegmentProfile | None, currency: str) -> None:
        self.query_one(Static).update(profile_renderable(row, profile, currency))
        self.scroll_home(animate=False)
