"""The preview of the Messaging screen: the shown variant rendered for one real member of the
segment, who they are and where they are in the list (the most complete member first, then the
one with most gaps, so the fallbacks show), the channel's limits on the rendered text, what
printed empty and any template problem."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.rule import Rule
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from segtui.core.channel_limits import Limit
    from segtui.core.messaging_preview import Rendered

NAME_COLUMNS = ("first_name", "last_name")


def member_label(row: Mapping[str, Any]) -> str:
    """ "Ada Lovelace (C001)", or the id alone when the member has no name."""
    name = " ".join(str(row[c]).strip() for c in NAME_COLUMNS if row.get(c) not in (None, ""))
    ident = str(row.get("customer_id", "?"))
    return f"{name} ({ident})" if name else ident


def limit_line(limit: Limit) -> Text:
    mark, style = ("✓", "green") if limit.ok else ("✗", "bold red")
    line = Text(f"{mark} ", style=style)
    if limit.limit is None:
        line.append(f"{limit.what}: {limit.length:,} characters")
    else:
        line.append(f"{limit.what}: {limit.length:,} of {limit.limit:,} characters")
    if limit.note:
        line.append(f" · {limit.note}", style="" if limit.ok else "red")
    return line


class DraftPreview(VerticalScroll, can_focus=False):
    """The rendered variant (see the module docstring)."""

    def compose(self) -> ComposeResult:
        yield Static("", id="preview-text")

    def show_message(self, text: str) -> None:
        self.border_title = "Preview"
        self.query_one("#preview-text", Static).update(Text(text, style="dim"))

    def show(
        self,
        rendered: Rendered,
        row: Mapping[str, Any],
        index: int,
        count: int,
        *,
        variant: str,
        subject_label: str,
        gaps_member: bool,
    ) -> None:
        which = ", the most complete" if index == 0 else ", with gaps" if gaps_member else ""
        self.border_title = f"Preview · variant {variant} · {member_label(row)}"
        self.border_subtitle = f"member {index + 1} of {count}{which} · ctrl+n/ctrl+b"
        # Problems first: a template that does not render leaves its text blank below.
        parts: list[Any] = [Text(f"✗ {problem}", style="bold red") for problem in rendered.problems]
        if rendered.subject or subject_label not in ("(no subject)",):
            heading = Text(f"{subject_label}: ", style="bold")
            heading.append(rendered.subject or "—", style="" if rendered.subject else "dim")
            parts.append(heading)
            parts.append(Rule(style="dim"))
        parts.append(Text(rendered.body) if rendered.body else Text("(no text)", style="dim"))
        parts.append(Rule(style="dim"))
        parts += [limit_line(limit) for limit in rendered.limits]
        if rendered.empty_fields:
            fields = ", ".join(rendered.empty_fields)
            example = rendered.empty_fields[0]
            parts.append(
                Text(
                    f"! printed empty for this member: {fields}; a fallback fills the gap, "
                    f'e.g. {{{{ {example} | default("…") }}}}',
                    style="yellow",
                )
            )
        self.query_one("#preview-text", Static).update(Group(*parts))
