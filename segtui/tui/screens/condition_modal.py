"""The rule editor's condition dialog: one condition (field, operator, value).

A condition is built in three steps: the field, found by typing part of its name (fuzzy
search over the fields, listed by group: demographic, geographic, psychographic, behavioural);
the operator, offered by the field's type; the value, typed and checked as you type (with the
expected format shown), or picked from the field's actual values with their counts for a
category field, or a segment of another segmentation that has been run.

The field list's entries and a stored value's text come from widgets/condition_inputs.py; the
group dialog (all / any / none of) is in group_kind_modal.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, OptionList, Select, SelectionList, Static

from segtui.core.rules import (
    NO_VALUE_OPS,
    OPERATORS,
    SEGMENT_OPERATORS,
    Condition,
    Node,
    SegmentRef,
    node_from_json,
    node_to_json,
)
from segtui.core.rules_run import field_values
from segtui.core.rules_text import describe
from segtui.core.rules_values import parse_value, value_hint
from segtui.core.segment_model import CriteriaError, Features
from segtui.tui.formatting import fmt_int
from segtui.tui.screens.base import SegtuiModal
from segtui.tui.widgets.condition_inputs import SEGMENT_FIELD, field_options, value_text
from segtui.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from textual.widgets.selection_list import Selection

PICK_OPS = frozenset({"is", "is_not", "in", "not_in"})  # a category field picks its values
SINGLE_PICK_OPS = frozenset({"is", "is_not"})
# Segmentations that have been run: (name, the segment names of its latest run).
RunSegments = list[tuple[str, list[str]]]


class ConditionModal(SegtuiModal[Node | None]):
    """Add or edit one condition; returns the new node, or None on Escape."""

    PURPOSE = (
        "One condition: type to find the field, pick the operator, then type or pick the "
        "value; ctrl+s (or Enter in the value box) saves it."
    )
    CSS_PATH = "condition_modal.tcss"
    BINDINGS: ClassVar = [
        Binding("ctrl+s", "save", "Save", id="condition.save", tooltip="Save the condition."),
        Binding("down", "field_cursor(1)", show=False, id="condition.down", tooltip="Next field."),
        Binding("up", "field_cursor(-1)", show=False, id="condition.up", tooltip="Previous field."),
    ]

    def __init__(
        self, features: Features, others: RunSegments, node: Condition | SegmentRef | None = None
    ) -> None:
        super().__init__()
        self.features = features
        self.fields = features.by_name
        self.others = dict(others)
        self.node = node
        self.field: str | None = None  # a field name or SEGMENT_FIELD
        self._picks_field: str | None = None  # whose values the pick list holds
        if isinstance(node, SegmentRef):
            self.others.setdefault(node.segmentation, [node.segment])
            self.field = SEGMENT_FIELD
        elif isinstance(node, Condition):
            self.field = node.field

    def compose(self) -> ComposeResult:
        title = "Edit the condition" if self.node else "Add a condition"
        with Vertical(classes="dialog condition-dialog"):
            yield Static(title, classes="dialog-title", markup=False)
            with Horizontal(classes="row", id="field-row"):
                yield Label("Field")
                yield Input(
                    placeholder="type to search; ↑ ↓ pick, Enter goes on",
                    id="field-search",
                    compact=True,
                    tooltip="Type part of a field's name to narrow the list below.",
                )
            yield OptionList(id="field-list", compact=True)
            with Horizontal(classes="row"):
                yield Label("Operator")
                yield Select[str]([], id="operator", compact=True, prompt="pick a field first")
            with Horizontal(classes="row", id="value-row"):
                yield Label("Value")
                yield Input(id="value-input", compact=True, tooltip="The value to compare with.")
            yield SelectionList[str](id="value-picks", compact=True)
            with Horizontal(classes="row ref-row"):
                yield Label("Of")
                yield Select[str](
                    [(name, name) for name in self.others],
                    id="ref-segmentation",
                    compact=True,
                    allow_blank=not self.others,
                )
            with Horizontal(classes="row ref-row"):
                yield Label("Segment")
                yield Select[str]([], id="ref-segment", compact=True, prompt="pick one")
            yield Static("", id="value-hint", classes="muted", markup=False)
            yield Static("", id="value-problem", classes="problem", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self._fill_fields("")
        if self.field is None:
            self.query_one("#field-search", Input).focus()
            self._show_value_widgets()
            return
        self._field_changed(keep_op=self._stored_op())
        self._prefill_value()
        self._focus_value()  # an edit most often changes the value

    def _focus_value(self) -> None:
        """Focus the value's widget (the operator when the operator takes no value)."""
        target = {"input": "#value-input", "picks": "#value-picks", "segment": "#ref-segmentation"}
        self.query_one(target.get(self._value_kind(), "#operator")).focus()

    # --- the field ------------------------------------------------------------------------

    def _fill_fields(self, query: str) -> None:
        options = self.query_one("#field-list", OptionList)
        options.set_options(field_options(self.features.fields, query, bool(self.others)))
        ids = [option.id for option in options.options]
        if self.field in ids and not query.strip():
            options.highlighted = ids.index(self.field)
        elif query.strip() and ids:
            options.highlighted = 0

    @on(Input.Changed, "#field-search")
    def search_changed(self, event: Input.Changed) -> None:
        self._fill_fields(event.value)

    @on(Input.Submitted, "#field-search")
    @on(OptionList.OptionSelected, "#field-list")
    def field_chosen(self, event: Input.Submitted | OptionList.OptionSelected) -> None:
        event.stop()
        if self.field is None:
            self.query_one("#value-problem", Static).update("No field matches; type less.")
            return
        self.query_one("#operator", Select).focus()

    @on(OptionList.OptionHighlighted, "#field-list")
    def field_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.field:
            self.field = event.option.id
            self._field_changed(keep_op=self._current_op())

    def action_field_cursor(self, step: int) -> None:
        """↑ ↓ in the search box move the highlight in the field list."""
        if self.focused is self.query_one("#field-search", Input):
            options = self.query_one("#field-list", OptionList)
            options.action_cursor_down() if step > 0 else options.action_cursor_up()

    def _field_changed(self, keep_op: str | None) -> None:
        operators = self._operators()
        select = self.query_one("#operator", Select)
        select.set_options([(label, key) for key, label in operators])
        select.value = keep_op if keep_op in dict(operators) else operators[0][0]
        self._show_value_widgets()

    def _operators(self) -> list[tuple[str, str]]:
        if self.field == SEGMENT_FIELD:
            return SEGMENT_OPERATORS
        return OPERATORS[self.fields[self.field].type] if self.field else []

    def _stored_op(self) -> str | None:
        if isinstance(self.node, SegmentRef):
            return "not_in_segment" if self.node.negate else "in_segment"
        return self.node.op if self.node else None

    def _current_op(self) -> str | None:
        value = self.query_one("#operator", Select).value
        return value if isinstance(value, str) else None

    # --- the operator and the value -------------------------------------------------------

    @on(Select.Changed, "#operator")
    def operator_changed(self, event: Select.Changed) -> None:
        self._show_value_widgets()
        if event.select.has_focus_within:  # not set by the dialog itself for a new field
            self._focus_value()

    def _value_kind(self) -> str:
        """none, input, picks or segment: what the value part of the dialog shows."""
        op = self._current_op()
        if self.field is None or op is None or op in NO_VALUE_OPS:
            return "none"
        if self.field == SEGMENT_FIELD:
            return "segment"
        return "picks" if self.fields[self.field].type == "category" and op in PICK_OPS else "input"

    def _show_value_widgets(self) -> None:
        kind, op = self._value_kind(), self._current_op()
        self.query_one("#value-row").display = kind == "input"
        self.query_one("#value-picks").display = kind == "picks"
        for row in self.query(".ref-row"):
            row.display = kind == "segment"
        hint = {"none": "No value needed.", "segment": "", "picks": ""}.get(kind)
        if self.field is None:
            hint = "Type part of a field's name; ↑ ↓ move in the list, Enter picks."
        if kind == "input" and self.field and op:
            placeholder = value_hint(self.fields[self.field], op)
            self.query_one("#value-input", Input).placeholder = placeholder
            hint = f"Expected: {placeholder}. Enter saves."
        if kind == "picks":
            self._fill_picks()
            single = op in SINGLE_PICK_OPS
            hint = f"Space picks {'one value' if single else 'values'}; ctrl+s saves."
        if kind == "segment" and not self.others:
            hint = "No other segmentation has been run yet; run one first."
        elif kind == "segment":
            segmentation = self.query_one("#ref-segmentation", Select).value
            self._fill_segments(segmentation if isinstance(segmentation, str) else None)
        self.query_one("#value-hint", Static).update(hint or "")
        self._check(quiet=True)

    def _fill_picks(self) -> None:
        picks = self.query_one("#value-picks", SelectionList)
        if picks.option_count and self._picks_field == self.field:
            return
        items: list[Selection[str] | tuple[Text, str]] = []
        for value, count in field_values(self.features, self.field or ""):
            items.append((Text.assemble(value, (f"  {fmt_int(count)}", "dim")), value))
        picks.clear_options()
        picks.add_options(items)
        picks.highlighted = 0 if items else None
        self._picks_field = self.field

    def _prefill_value(self) -> None:
        node = self.node
        if isinstance(node, SegmentRef):
            self.query_one("#ref-segmentation", Select).value = node.segmentation
            self._fill_segments(node.segmentation)
            if node.segment in self.others.get(node.segmentation, []):
                self.query_one("#ref-segment", Select).value = node.segment
        elif isinstance(node, Condition) and node.field in self.fields:
            kind = self._value_kind()
            if kind == "picks":
                picks = self.query_one("#value-picks", SelectionList)
                values = node.value if isinstance(node.value, list) else [node.value]
                offered = {picks.get_option_at_index(i).value for i in range(picks.option_count)}
                for value in set(map(str, values)) & offered:
                    picks.select(value)
            elif kind == "input":
                text = value_text(self.fields[node.field], node.op, node.value)
                self.query_one("#value-input", Input).value = text

    @on(SelectionList.SelectionToggled, "#value-picks")
    def pick_toggled(self, event: SelectionList.SelectionToggled) -> None:
        """For "is" and "is not" a pick replaces the previous one (like radio buttons)."""
        picks = self.query_one("#value-picks", SelectionList)
        value = event.selection.value
        if self._current_op() in SINGLE_PICK_OPS and value in picks.selected:
            for other in list(picks.selected):
                if other != value:
                    picks.deselect(other)

    @on(SelectionList.SelectedChanged, "#value-picks")
    @on(Input.Changed, "#value-input")
    @on(Select.Changed, "#ref-segment")
    def value_changed(self) -> None:
        self._check(quiet=True)

    @on(Select.Changed, "#ref-segmentation")
    def segmentation_changed(self, event: Select.Changed) -> None:
        self._fill_segments(event.value if isinstance(event.value, str) else None)
        self._check(quiet=True)

    def _fill_segments(self, segmentation: str | None) -> None:
        """The segments of the chosen segmentation's latest run (the choice kept if it is one
        of them, else the first)."""
        names = self.others.get(segmentation or "", [])
        select = self.query_one("#ref-segment", Select)
        current = select.value
        select.set_options([(name, name) for name in names])
        if names:
            select.value = current if current in names else names[0]

    # --- checking and saving --------------------------------------------------------------

    def build(self) -> Node:
        """The condition as chosen so far, checked; CriteriaError says what is missing."""
        op, kind = self._current_op(), self._value_kind()
        if self.field is None or op is None:
            raise CriteriaError("Pick a field and an operator first.")
        if kind == "segment":
            segmentation = self.query_one("#ref-segmentation", Select).value
            segment = self.query_one("#ref-segment", Select).value
            if not isinstance(segmentation, str) or not isinstance(segment, str):
                raise CriteriaError("Pick the segmentation and one of its segments.")
            return SegmentRef(segmentation, segment, negate=op == "not_in_segment")
        info = self.fields[self.field]
        value: Any = None
        if kind == "picks":
            picked = list(self.query_one("#value-picks", SelectionList).selected)
            if not picked:
                raise CriteriaError("Pick a value: Space picks the highlighted one.")
            if op in SINGLE_PICK_OPS and len(picked) > 1:
                raise CriteriaError("Pick one value (is any of takes several).")
            value = picked[0] if op in SINGLE_PICK_OPS else picked
        elif kind == "input":
            text = self.query_one("#value-input", Input).value
            if not text.strip():
                raise CriteriaError(f"Type a value: {value_hint(info, op)}.")
            value = parse_value(info, op, text)
        condition = Condition(info.name, op, value)
        return node_from_json(node_to_json(condition), self.fields)

    def _check(self, *, quiet: bool) -> Node | None:
        """Show what is wrong (not for an empty value while ``quiet``) or the condition."""
        problem = self.query_one("#value-problem", Static)
        try:
            node = self.build()
        except CriteriaError as error:
            text = str(error)
            empty = text.startswith(("Type a value", "Pick"))
            problem.set_class(False, "ok")
            problem.update("" if quiet and empty else text[:1].upper() + text[1:])
            return None
        problem.set_class(True, "ok")
        problem.update(f"✓ {describe(node, self.fields)}")
        return node

    @on(Input.Submitted, "#value-input")
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        node = self._check(quiet=False)
        if node is not None:
            self.dismiss(node)

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self.dismiss(None)
