"""The rule editor's edits that ask first, each in a dialog: add a condition (the condition
dialog), a nested group (the group dialog: all / any / none of) or a segment (its name); edit
the highlighted line (a condition, a group's kind, or in the segment list a segment's name);
delete it (after a confirmation). The answer is committed like any other edit.

RuleEditDialogsMixin is mixed into RuleEditorScreen, which provides the rules, the customer
features, the run segmentations, the highlighted segment and line, and commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from segtui.core.rules import Group, Node, node_at, with_replaced
from segtui.tui.screens.condition_modal import ConditionModal
from segtui.tui.screens.confirm import ConfirmModal
from segtui.tui.screens.group_kind_modal import GroupKindModal
from segtui.tui.screens.prompt import PromptModal
from segtui.tui.widgets.rule_tree import (
    Edit,
    RuleTree,
    add_node,
    add_segment,
    name_check,
    removal,
    rename,
    with_rule,
)

if TYPE_CHECKING:
    from textual.screen import Screen

    from segtui.core.rules import Path
    from segtui.core.rules_run import RuleSegmentation
    from segtui.core.segment_model import Features
    from segtui.tui.screens.condition_modal import RunSegments

    _EditorBase = Screen[None]  # type checkers see the screen this is mixed into
else:
    _EditorBase = object


class RuleEditDialogsMixin(_EditorBase):
    """The a, g, s, e and x actions of RuleEditorScreen (and Enter on a line: edit)."""

    rules: RuleSegmentation | None
    features: Features | None
    others: RunSegments
    segmentation_name: str

    if TYPE_CHECKING:  # provided by RuleEditorScreen

        def current_segment(self) -> int | None: ...
        def commit(self, edit: Edit | None) -> bool: ...
        def _in_segment_list(self) -> bool: ...
        def _tree_path(self) -> Path: ...

    def _add(self, node: Node | None) -> None:
        index = self.current_segment()
        if node is not None and index is not None and self.rules is not None:
            self.commit(add_node(self.rules, index, self._tree_path(), node))

    def action_add_condition(self) -> None:
        if self.current_segment() is not None and self.features is not None:
            self.app.push_screen(ConditionModal(self.features, self.others), self._add)

    def action_add_group(self) -> None:
        if self.current_segment() is not None:
            modal = GroupKindModal("Add a group of conditions")
            self.app.push_screen(modal, lambda kind: self._add(kind and Group(kind, ())))

    def action_add_segment(self) -> None:
        def add(name: str | None) -> None:
            if name and self.rules is not None and self.commit(add_segment(self.rules, name)):
                self.query_one(RuleTree).focus()

        self._ask_name("Name of the new segment", "", add)

    def _ask_name(self, title: str, current: str, then: Callable[[str | None], None]) -> None:
        if self.rules is not None:
            check = name_check(self.rules, current)
            prompt = PromptModal(title, current, placeholder="e.g. Young repeaters", check=check)
            self.app.push_screen(prompt, then)

    def action_edit(self) -> None:
        rules, index = self.rules, self.current_segment()
        if rules is None or self.features is None:
            return
        if self._in_segment_list() or index is None:
            if index is not None or rules.mode == "exclusive":
                current = rules.else_name if index is None else rules.segments[index].name
                title = f"Rename the segment {current!r} to"

                def renamed(name: str | None) -> None:
                    if name and self.commit(rename(rules, index, name)) and name != current:
                        self.project.move_segment_note(self.segmentation_name, current, name)  # type: ignore[union-attr]

                self._ask_name(title, current, renamed)
            return
        path, rule = self._tree_path(), rules.segments[index].rule
        node = node_at(rule, path)

        def replaced(new: Node | None) -> None:
            if new is not None:
                self.commit(
                    Edit(with_rule(rules, index, with_replaced(rule, path, new)), path=path)
                )

        if isinstance(node, Group):
            modal = GroupKindModal("Combine the conditions with", node.kind)
            self.app.push_screen(modal, lambda kind: replaced(kind and Group(kind, node.children)))
        else:
            self.app.push_screen(ConditionModal(self.features, self.others, node), replaced)

    def action_delete(self) -> None:
        rules, index = self.rules, self.current_segment()
        if rules is None or index is None:
            return
        in_list = self._in_segment_list()
        question, edit = removal(rules, index, () if in_list else self._tree_path(), in_list)

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.commit(edit)

        detail = "It is saved at once; u undoes it."
        self.app.push_screen(ConfirmModal(question, detail, confirm_label="Delete"), done)
