"""The rule editor's two lists: the segments of a rule segmentation with their live sizes, and
one segment's condition tree, one line per node (indented with guides like a file tree), each
with its plain-English text and how many customers it matches on its own. Also the texts
around them (header, the highlighted segment in words) and the pure edits behind the
editor's keys (each gives the new rules and what to highlight after).

Both are OptionLists whose prompts are two- or three-column grids, so the counts stay
right-aligned and a long condition wraps inside its own column at 80 columns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from segtui.core.rules import (
    GROUP_LABELS,
    Group,
    Node,
    Path,
    is_empty_rule,
    iter_nodes,
    node_at,
    with_added,
    with_moved,
    with_removed,
)
from segtui.core.rules_run import Preview, RuleSegment, RuleSegmentation
from segtui.core.rules_text import describe
from segtui.core.segment_model import CriteriaError, FieldInfo
from segtui.tui.formatting import fmt_int, fmt_pct

PENDING = "…"  # a count not computed yet


def count_text(count: int | None, total: int) -> str:
    """ "1,234 (24.7%)"; "—" for nothing to count, "…" before the first preview."""
    if count is None:
        return "—"
    return f"{fmt_int(count)} ({fmt_pct(count, total)})"


def _grid(*cells: tuple[Text | str, dict[str, object]]) -> Table:
    grid = Table.grid(expand=True, padding=(0, 1, 0, 0))
    for _text, options in cells:
        grid.add_column(**options)  # type: ignore[arg-type]
    grid.add_row(*(text for text, _options in cells))
    return grid


def _guides(root: Node, path: Path) -> str:
    """ "│  ├─ " for a node: a bar for every ancestor with siblings still to come."""
    parts = []
    for depth in range(1, len(path) + 1):
        parent = node_at(root, path[: depth - 1])
        assert isinstance(parent, Group)
        last = path[depth - 1] == len(parent.children) - 1
        if depth == len(path):
            parts.append("└─ " if last else "├─ ")
        else:
            parts.append("   " if last else "│  ")
    return "".join(parts)


def node_text(node: Node, fields: Mapping[str, FieldInfo], *, root: bool = False) -> Text:
    """A group's kind ("All of", with a hint when empty) or a condition in words."""
    if isinstance(node, Group):
        label = GROUP_LABELS[node.kind]
        label = label[:1].upper() + label[1:]
        text = Text(label, style="bold")
        if not node.children:
            hint = "no conditions yet: press a" if root else "empty: press a to add one"
            text.append(f"  ({hint})", style="italic dim")
        return text
    return Text(describe(node, fields))


class SegmentList(OptionList):
    """The segments in order, with the customers each gets (and the else segment last)."""

    def show(self, rules: RuleSegmentation, preview: Preview | None, highlight: int) -> None:
        """Rebuild the list and highlight the row at ``highlight``."""
        by_name = {s.name: s for s in preview.segments} if preview else {}
        total = preview.total if preview else 0
        options: list[Option] = []
        for index, segment in enumerate(rules.segments):
            counted = by_name.get(segment.name)
            options.append(
                self._row(
                    f"{index + 1}. {segment.name}",
                    counted.assigned if counted else None,
                    total,
                    preview is not None,
                )
            )
        if rules.mode == "exclusive":
            rest = preview.everyone_else if preview else None
            options.append(self._row(rules.else_name, rest, total, preview is not None, True))
        self.set_options(options)
        if options:
            self.highlighted = max(0, min(highlight, len(options) - 1))

    def jump_to(self, index: int) -> None:
        self.highlighted = index
        self.focus()

    @staticmethod
    def _row(name: str, count: int | None, total: int, counted: bool, rest: bool = False) -> Option:
        size = fmt_int(count) if counted else PENDING
        share = fmt_pct(count, total) if counted and count is not None else ""
        label = Text(name, style="italic" if rest else "", overflow="ellipsis", no_wrap=True)
        return Option(
            _grid(
                (label, {"ratio": 1, "no_wrap": True, "overflow": "ellipsis"}),
                (Text(size), {"justify": "right", "no_wrap": True}),
                (Text(share, style="dim"), {"justify": "right", "no_wrap": True, "width": 6}),
            )
        )


class RuleTree(OptionList):
    """One segment's condition tree: the root group first, then every node in order."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.paths: list[Path] = []

    def show(
        self,
        rule: Node | None,
        fields: Mapping[str, FieldInfo],
        counts: Mapping[Path, int] | None,
        total: int,
        highlight: Path = (),
    ) -> None:
        """Rebuild the tree; ``counts`` None means "not computed yet"."""
        self.paths = []
        options: list[Option] = []
        if rule is not None:
            for path, node, _depth in iter_nodes(rule):
                self.paths.append(path)
                number = ".".join(str(index + 1) for index in path)
                guides = Text(_guides(rule, path), style="dim")
                if number:
                    guides.append(f"{number} ", style="dim")
                if counts is None:
                    count = PENDING
                elif isinstance(node, Group) and not node.children:
                    count = "—"
                else:
                    count = count_text(counts.get(path), total)
                options.append(
                    Option(
                        _grid(
                            (guides, {"no_wrap": True}),
                            (node_text(node, fields, root=not path), {"ratio": 1}),
                            (Text(count), {"justify": "right", "no_wrap": True}),
                        )
                    )
                )
        self.set_options(options)
        if options:
            self.highlighted = self.paths.index(self._nearest(highlight))

    def _nearest(self, path: Path) -> Path:
        """``path`` if the tree has it, else its previous sibling, else the nearest parent."""
        while path and path not in self.paths:
            path = (*path[:-1], path[-1] - 1) if path[-1] > 0 else path[:-1]
        return path

    @property
    def highlighted_path(self) -> Path:
        """The path of the highlighted node (the root when nothing is highlighted)."""
        if self.highlighted is None or not 0 <= self.highlighted < len(self.paths):
            return ()
        return self.paths[self.highlighted]


class RulesView(Horizontal):
    """The segments on the left; the highlighted one in words and its conditions on the right."""

    def compose(self) -> ComposeResult:
        with Vertical(id="segments-pane"):
            yield Static("Segments", classes="pane-title")
            segments = SegmentList(id="segment-list")
            segments.tooltip = "The segments in order: Enter or e renames, x deletes."
            yield segments
        with Vertical(id="tree-pane"):
            yield Static("", id="segment-description")
            tree = RuleTree(id="rule-tree")
            tree.tooltip = "The segment's conditions: Enter or e edits, a adds, x deletes."
            yield tree

    def show(
        self,
        rules: RuleSegmentation,
        fields: Mapping[str, FieldInfo],
        preview: Preview | None,
        index: int,
        path: Path | None,
        *,
        node_counts: bool,
    ) -> None:
        """Show the rules with segment row ``index`` and tree line ``path`` highlighted (None:
        the same line as before); ``node_counts``: the preview counted this segment's nodes."""
        tree = self.query_one(RuleTree)
        path = tree.highlighted_path if path is None else path
        self.query_one(SegmentList).show(rules, preview, index)
        rule = rules.segments[index].rule if index < len(rules.segments) else None
        counts = preview.node_counts if preview and node_counts else None
        tree.show(rule, fields, counts, preview.total if preview else 0, path)
        description = describe_selected(rules, index, preview, fields)
        self.query_one("#segment-description", Static).update(description)


MODE_TEXT = {
    "exclusive": "exclusive: first match wins",
    "overlapping": "overlapping: a customer is in every segment it matches",
}


def header_text(name: str, rules: RuleSegmentation, preview: Preview | None) -> Text:
    """Two lines: the segmentation and its mode; the totals."""
    text = Text.assemble((name, "bold"), f" · rules, {MODE_TEXT[rules.mode]}\n")
    if preview is None:
        text.append("counting customers…", style="dim")
        return text
    total, rest = preview.total, preview.everyone_else
    text.append(f"{fmt_int(total)} customers · ")
    if rules.mode == "exclusive":
        text.append(f"{count_text(total - rest, total)} matched · ")
        text.append(f"{count_text(rest, total)} to {rules.else_name}")
    else:
        text.append(f"{count_text(total - rest, total)} in one or more · ")
        text.append(f"{count_text(rest, total)} in none")
    return text


def describe_selected(
    rules: RuleSegmentation,
    index: int,
    preview: Preview | None,
    fields: Mapping[str, FieldInfo],
) -> Text:
    """The highlighted segment in words, with what it matches and what it gets."""
    if (not rules.segments and rules.mode == "overlapping") or index > len(rules.segments):
        return Text("No segments yet: press s to add one.", style="italic")
    if index == len(rules.segments):
        text = Text.assemble((rules.else_name, "bold"), ": every customer no segment matches.")
        if not rules.segments:
            text.append(" Press s to add a segment.")
        if preview is not None:
            text.append(f"\nGets {count_text(preview.everyone_else, preview.total)}.", "dim")
        return text
    segment = rules.segments[index]
    text = Text.assemble((f"{index + 1}. {segment.name}", "bold"), ": ")
    if is_empty_rule(segment.rule):
        text.append("no conditions yet, so it matches nobody. Press a to add one.", "italic")
        return text
    text.append(describe(segment.rule, fields))
    counted = preview.segments[index] if preview and index < len(preview.segments) else None
    if counted is not None:
        total = preview.total if preview else 0
        text.append(f"\nMatches {count_text(counted.matched, total)}", "dim")
        if rules.mode == "exclusive" and counted.assigned != counted.matched:
            text.append(
                f"; gets {count_text(counted.assigned, total)} after the segments above", "dim"
            )
        text.append(".", "dim")
    return text


# The edits behind the editor's keys: pure, each gives the new rules and what to highlight.


@dataclass(frozen=True)
class Edit:
    """A change to store: the new rules, the segment row and tree line to highlight after."""

    rules: RuleSegmentation
    segment: int | None = None  # None: the same row as before
    path: Path = ()


def with_rule(rules: RuleSegmentation, index: int, rule: Node) -> RuleSegmentation:
    segments = list(rules.segments)
    segments[index] = replace(segments[index], rule=rule)
    return replace(rules, segments=segments)


def target_group(rule: Node, path: Path) -> Path:
    """Where a new node goes: the highlighted group, or the group of the highlighted
    condition."""
    return path if isinstance(node_at(rule, path), Group) else path[:-1]


def add_node(rules: RuleSegmentation, index: int, path: Path, node: Node) -> Edit:
    rule = rules.segments[index].rule
    group_path = target_group(rule, path)
    group = node_at(rule, group_path)
    assert isinstance(group, Group)
    new_path = (*group_path, len(group.children))
    return Edit(with_rule(rules, index, with_added(rule, group_path, node)), path=new_path)


def add_segment(rules: RuleSegmentation, name: str) -> Edit:
    segments = [*rules.segments, RuleSegment(name, Group("all", ()))]
    return Edit(replace(rules, segments=segments), segment=len(segments) - 1)


def rename(rules: RuleSegmentation, index: int | None, name: str) -> Edit | None:
    """Rename a segment (``index`` None: the segment for everyone else); None: no change."""
    if name == (rules.else_name if index is None else rules.segments[index].name):
        return None
    if index is None:
        return Edit(replace(rules, else_name=name))
    segments = list(rules.segments)
    segments[index] = replace(segments[index], name=name)
    return Edit(replace(rules, segments=segments))


def removal(rules: RuleSegmentation, index: int, path: Path, segment: bool) -> tuple[str, Edit]:
    """The question to confirm and the edit: the whole segment, every condition (the root) or
    one node."""
    name, rule = rules.segments[index].name, rules.segments[index].rule
    if segment:
        segments = rules.segments[:index] + rules.segments[index + 1 :]
        return f"Delete the segment {name!r}?", Edit(replace(rules, segments=segments))
    if not path:
        assert isinstance(rule, Group)
        return f"Remove every condition of {name!r}?", Edit(
            with_rule(rules, index, Group(rule.kind, ()))
        )
    what = "group" if isinstance(node_at(rule, path), Group) else "condition"
    question = f"Delete {what} {'.'.join(str(i + 1) for i in path)} of {name!r}?"
    return question, Edit(with_rule(rules, index, with_removed(rule, path)), path=path[:-1])


def move(rules: RuleSegmentation, index: int, path: Path | None, offset: int) -> Edit | None:
    """Move the segment (``path`` None) or the node at ``path``; None when it cannot move."""
    if path is None:
        target = max(0, min(len(rules.segments) - 1, index + offset))
        if target == index:
            return None
        segments = list(rules.segments)
        segments.insert(target, segments.pop(index))
        return Edit(replace(rules, segments=segments), segment=target)
    rule, new_path = with_moved(rules.segments[index].rule, path, offset)
    return Edit(with_rule(rules, index, rule), path=new_path) if new_path != path else None


def name_check(rules: RuleSegmentation, current: str = "") -> Callable[[str], str]:
    """The check of a segment's new name: not blank, not another segment's (case aside)."""
    taken = {segment.name.casefold() for segment in rules.segments}
    if rules.mode == "exclusive":
        taken.add(rules.else_name.casefold())
    taken.discard(current.casefold())

    def check(text: str) -> str:
        name = " ".join(text.split())
        if not name:
            raise CriteriaError("Type a name; it cannot be blank.")
        if name.casefold() in taken:
            raise CriteriaError(f"There is already a segment named {name!r}; pick another.")
        return name

    return check
