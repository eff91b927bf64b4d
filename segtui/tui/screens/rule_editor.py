"""The rule editor: a rule segmentation's segments on the left with their live sizes, the
highlighted segment's condition tree on the right (each condition in words with how many
customers it matches on its own), all edited from the keyboard.

Every edit is checked and written to the project file at once; the definition before it goes
on an undo stack (undo writes it back). Sizes are recomputed after every edit in a thread
worker (rules_run.preview: one pass over the customer features).

The edits that ask first in a dialog (add, edit, delete) are in rule_edit_dialogs.py (a mixin);
the segment list, the condition tree and the edit functions are in widgets/rule_tree.py.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.worker import Worker, WorkerState

from segtui.core.errors import SegtuiError
from segtui.core.rules import Path
from segtui.core.rules_run import RuleSegmentation
from segtui.core.segment_model import CriteriaError
from segtui.tui.errors import one_line
from segtui.tui.screens.base import Command, SegtuiScreenMixin
from segtui.tui.screens.rule_edit_dialogs import RuleEditDialogsMixin
from segtui.tui.widgets.footer import KeysFooter
from segtui.tui.widgets.rule_tree import (
    Edit,
    RulesView,
    RuleTree,
    SegmentList,
    header_text,
    move,
)
from segtui.tui.widgets.run_panel import RunPanel

if TYPE_CHECKING:
    from segtui.core.rules_run import Preview
    from segtui.core.segment_model import Features
    from segtui.core.segmentations import Segmentation

Loaded = tuple["Segmentation", "Features", list[tuple[str, list[str]]]]
Definition = dict[str, Any]
# Palette commands: (name after "rules: ", action, help).
PALETTE = (
    ("add segment", "add_segment", "s: a new segment, without conditions yet"),
    ("add condition", "add_condition", "a: to the highlighted group"),
    ("add group", "add_group", "g: all of, any of or none of"),
    ("edit", "edit", "e: the highlighted condition, group or segment"),
    ("delete", "delete", "x: the highlighted condition, group or segment (asks first)"),
    ("undo", "undo", "u: the last change"),
    ("run", "run", "r: run the segmentation and store the run"),
)


def _key(key: str, action: str, label: str, tip: str, show: bool = True) -> Binding:
    return Binding(key, action, label, show=show, id=f"rules.{label.lower()}", tooltip=tip)


class RuleEditorScreen(RuleEditDialogsMixin, SegtuiScreenMixin, Screen[None]):
    """Edit one rule segmentation; Escape goes back."""

    PURPOSE = (
        "A rule segmentation: each segment is a tree of conditions; s adds a segment, a a "
        "condition, g a group, e edits, x deletes, u undoes, r runs. Every change is saved at "
        "once and the sizes update live."
    )
    CSS_PATH = "rule_editor.tcss"
    BINDINGS: ClassVar = [
        _key("s", "add_segment", "Segment", "Add a segment (asks its name)."),
        _key("a", "add_condition", "Condition", "Add a condition to the highlighted group."),
        _key("g", "add_group", "Group", "Add a nested group: all of, any of or none of."),
        _key("e", "edit", "Edit", "Edit the highlighted line; in the segment list, rename."),
        _key("x,delete", "delete", "Delete", "Delete the highlighted line (asks first)."),
        _key("m", "toggle_mode", "Mode", "Switch between exclusive and overlapping."),
        _key("u,ctrl+z", "undo", "Undo", "Undo the last change (it is saved at once)."),
        _key("r", "run", "Run", "Run the segmentation and store the run."),
        _key("ctrl+up,K", "move(-1)", "Up", "Move the segment (or condition) up.", False),
        _key("ctrl+down,J", "move(1)", "Down", "Move the segment (or condition) down.", False),
        _key("tab,shift+tab", "switch_focus", "Switch", "Segments ↔ conditions.", False),
        _key("escape", "back", "Back", "Cancel a run, or go back to the list.", False),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.segmentation_name = name
        self.features: Features | None = None
        self.rules: RuleSegmentation | None = None
        self.definition: Definition = {}  # as stored now
        self.undo_stack: list[Definition] = []
        self.others: list[tuple[str, list[str]]] = []  # segmentations with a run
        self.preview: Preview | None = None
        self.preview_segment: int | None = None  # whose node counts the preview holds
        self.segment_index = 0
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Static("Loading customer features…", id="rules-header", markup=False)
        yield Static("", id="rules-error", classes="error", markup=False)
        yield RulesView(id="rules-body")
        yield RunPanel(self.segmentation_name, id="run-panel")
        yield KeysFooter(compact=True)  # every key of the editor fits in 80 columns

    def on_mount(self) -> None:
        self.query_one("#rules-error").display = False
        self.query_one(RunPanel).display = False  # until r
        self.load()

    # --- loading and the preview ----------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="load", name="load_rules")
    def load(self) -> Loaded:
        from segtui.core.features import customer_features

        project = self.project
        assert project is not None
        segmentation = project.segmentation(self.segmentation_name)
        features = customer_features(project)
        others = [
            (seg.name, [segment.name for segment in seg.last_run.segments])
            for seg in project.segmentations()
            if seg.last_run is not None and seg.id != segmentation.id
        ]
        return segmentation, features, others

    @work(thread=True, exclusive=True, exit_on_error=False, group="preview", name="preview")
    def compute_preview(
        self, generation: int, rules: RuleSegmentation, segment: int | None
    ) -> tuple[int, int | None, Preview]:
        from segtui.core.rules_run import preview

        assert self.features is not None and self.project is not None
        counts = preview(
            self.features, rules, self.project.segment_members, node_counts_for=segment
        )
        return generation, segment, counts

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state == WorkerState.ERROR and worker.name == "load_rules":
            header = "The rules cannot be edited: see the message below."
            self.query_one("#rules-header", Static).update(header)
        if event.state != WorkerState.SUCCESS:
            return
        if worker.name == "load_rules":
            self._adopt(*worker.result)  # type: ignore[misc]
        elif worker.name == "preview":
            generation, segment, counts = worker.result  # type: ignore[misc]
            if generation == self._generation:
                self.preview, self.preview_segment = counts, segment
                self.show_rules()

    def _adopt(self, segmentation: Segmentation, features: Features, others: Any) -> None:
        self.features, self.others = features, others
        if segmentation.method != "rules":
            self.show_error(f"{segmentation.name!r} is not a rule segmentation.")
            return
        try:
            self.rules = RuleSegmentation.from_json(
                segmentation.definition, features.by_name, allow_empty=True
            )
        except CriteriaError as error:
            self.show_error(f"The stored rules cannot be edited here: {error}")
            return
        self.definition = segmentation.definition
        self.show_rules()
        self.refresh_preview()
        self.query_one(SegmentList).focus()

    def refresh_preview(self, *, keep_sizes: bool = False) -> None:
        """Recompute the sizes (``keep_sizes``: only the node counts are out of date)."""
        if self.rules is None:
            return
        if not keep_sizes:
            self.preview = None
        self._generation += 1
        segment = self.current_segment()
        self.compute_preview(self._generation, self.rules, segment)

    # --- showing --------------------------------------------------------------------------

    def current_segment(self) -> int | None:
        """The index of the highlighted segment; None for the else row or no segments."""
        if self.rules is None or not 0 <= self.segment_index < len(self.rules.segments):
            return None
        return self.segment_index

    def show_rules(self, path: Path | None = None) -> None:
        """Show everything again; ``path`` is the tree line to highlight (None: the same)."""
        rules, features = self.rules, self.features
        if rules is None or features is None:
            return
        header = header_text(self.segmentation_name, rules, self.preview)
        self.query_one("#rules-header", Static).update(header)
        counted = self.preview_segment == self.current_segment()
        view = self.query_one(RulesView)
        view.show(
            rules, features.by_name, self.preview, self.segment_index, path, node_counts=counted
        )
        self.refresh_bindings()

    def show_error(self, message: str) -> None:
        error = self.query_one("#rules-error", Static)
        error.update(one_line(message))
        error.display = True

    def clear_error(self) -> None:
        self.query_one("#rules-error").display = False

    @on(OptionList.OptionHighlighted, "#segment-list")
    def segment_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        highlighted = event.option_list.highlighted
        if highlighted is not None and highlighted != self.segment_index:
            self.segment_index = highlighted
            self.show_rules(())
            self.refresh_preview(keep_sizes=True)

    @on(OptionList.OptionHighlighted, "#rule-tree")
    def node_highlighted(self) -> None:
        self.refresh_bindings()

    @on(OptionList.OptionSelected)
    def option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_edit()

    # --- saving ---------------------------------------------------------------------------

    def commit(self, edit: Edit | None) -> bool:
        """Check and store new rules; on success they are shown and measured."""
        if edit is None or self.features is None or self.project is None:
            return False
        definition = edit.rules.to_json()
        if not self._store(definition):
            return False
        self.undo_stack.append(self.definition)
        self._adopt_definition(definition, edit.segment, edit.path)
        return True

    def _store(self, definition: Definition) -> bool:
        assert self.features is not None and self.project is not None
        try:
            RuleSegmentation.from_json(definition, self.features.by_name, allow_empty=True)
            self.project.update_segmentation(self.segmentation_name, definition=definition)
        except SegtuiError as error:
            self.show_error(str(error))
            return False
        return True

    def _adopt_definition(self, definition: Definition, segment: int | None, path: Path) -> None:
        assert self.features is not None
        rules = RuleSegmentation.from_json(definition, self.features.by_name, allow_empty=True)
        self.rules, self.definition = rules, definition
        rows = len(rules.segments) + (rules.mode == "exclusive")
        wanted = self.segment_index if segment is None else segment
        self.segment_index = max(0, min(wanted, rows - 1))
        self.clear_error()
        self.preview = None
        self.show_rules(path)
        self.refresh_preview()

    def action_undo(self) -> None:
        if self.undo_stack and self._store(self.undo_stack[-1]):
            self._adopt_definition(self.undo_stack.pop(), None, self._tree_path())
            self.notify("Undone; the rules before the last change are saved.", timeout=3)

    # --- the keys -------------------------------------------------------------------------

    def _in_segment_list(self) -> bool:
        return isinstance(self.focused, SegmentList)

    def _tree_path(self) -> Path:
        return self.query_one(RuleTree).highlighted_path

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("back", "switch_focus"):
            return True
        if self.rules is None:
            return None if action != "run" else False
        has_segment = self.current_segment() is not None
        if action in ("add_condition", "add_group", "delete"):
            return True if has_segment else None
        if action == "move":
            return True if has_segment and (self._in_segment_list() or self._tree_path()) else None
        if action == "undo":
            return True if self.undo_stack else None
        if action == "run":
            return not self.query_one(RunPanel).running
        return True

    def action_switch_focus(self) -> None:
        self.query_one(RuleTree if self._in_segment_list() else SegmentList).focus()

    def action_back(self) -> None:
        if not self.query_one(RunPanel).cancel():
            self.app.pop_screen()

    def action_move(self, offset: int) -> None:
        rules, index = self.rules, self.current_segment()
        if rules is not None and index is not None:
            path = None if self._in_segment_list() else self._tree_path()
            self.commit(move(rules, index, path, offset))

    def action_toggle_mode(self) -> None:
        if self.rules is not None:
            mode = "overlapping" if self.rules.mode == "exclusive" else "exclusive"
            self.commit(Edit(replace(self.rules, mode=mode), path=self._tree_path()))

    # --- running --------------------------------------------------------------------------

    def action_run(self) -> None:
        if self.rules is None or self.features is None:
            return
        try:
            self.rules.check(self.features.by_name)
        except CriteriaError as error:
            self.show_error(str(error))
            return
        self.clear_error()
        panel = self.query_one(RunPanel)
        panel.display = True
        panel.start()
        self.refresh_bindings()

    def on_run_panel_finished(self) -> None:
        self.refresh_bindings()

    # --- the palette ----------------------------------------------------------------------

    def commands(self) -> list[Command]:
        """The editor's actions that apply now, as "rules: …" palette commands."""
        if self.rules is None:
            return []
        other = "overlapping" if self.rules.mode == "exclusive" else "exclusive"
        entries = [*PALETTE, (f"make it {other}", "toggle_mode", "m: switch the mode")]
        commands = [
            Command(f"rules: {name}", getattr(self, f"action_{action}"), help_text)
            for name, action, help_text in entries
            if self.check_action(action, ())
        ]
        commands += [
            Command(f"rules: move {way}", partial(self.action_move, step), f"{key}: {way}")
            for way, step, key in (("up", -1, "K"), ("down", 1, "J"))
            if self.check_action("move", (step,))
        ]
        return [*commands, Command("rules: jump to segment…", self._jump, "Pick by name")]

    def _jump(self) -> None:
        """A fuzzy picker of the segments (through the command palette)."""
        segments = self.query_one(SegmentList)
        names = [segment.name for segment in self.rules.segments] if self.rules else []
        jumps = [Command(name, partial(segments.jump_to, i)) for i, name in enumerate(names)]
        self.app.search_commands(jumps, placeholder="Segment…")
