"""Editing on the Messaging screen: into and out of the editor, a blank draft, the previewed
member, A/B variants (add, switch, remove), more drafts per segment, deleting a draft and
restoring an earlier version from its history."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from segtui.tui.screens.base import Command
from segtui.tui.screens.messaging_state import MIN_VARIANTS, MessagingState

if TYPE_CHECKING:
    from segtui.core.messaging_model import Draft


class MessagingActions(MessagingState):
    """Mixed into MessagingScreen."""

    # --- editing -----------------------------------------------------------------------------

    def action_edit(self) -> None:
        """Into the editor; a segment without a draft gets a blank one to write."""
        if self.loaded is None or self.segment is None:
            return
        if self.draft is None:
            self.store(self.blank_draft(), now=True)
            self.show_draft(variant=0)
        self.editor.focus_first()

    def blank_draft(self) -> Draft:
        from segtui.core.messaging_model import Draft

        assert self.loaded is not None and self.segment is not None
        return Draft(self.segment, goal="nurture", channel=self._first_channel())

    def _first_channel(self) -> Any:
        """The first channel the data can reach (email when it has an email column)."""
        from segtui.core.playbook_facts import reachable_channels

        assert self.loaded is not None
        reachable = reachable_channels(self.loaded.data, self.loaded.roles)
        return next(iter(reachable), "email")

    def action_list(self) -> None:
        self.flush()
        self.query_one("#msg-segments").focus()

    def action_member(self, step: int) -> None:
        if self.loaded is None or self.segment is None:
            return
        rows = self.loaded.members.get(self.segment) or []
        if rows:
            self.member = (self.member + step) % len(rows)
            self.show_preview()

    def action_variant(self, step: int) -> None:
        draft = self.draft
        if draft is not None:
            self.editor.show_variant((self.editor.variant + step) % len(draft.variants))

    def action_add_variant(self) -> None:
        from segtui.core.messaging_model import MessagingError, Variant, next_variant_name

        draft = self.draft
        if draft is None:
            return
        try:
            name = next_variant_name(draft)
        except MessagingError as exc:
            self.show_error(str(exc))
            return
        shown = draft.variants[self.editor.variant]
        added = replace(draft, variants=[*draft.variants, Variant(name, shown.subject, shown.body)])
        self.store(added, now=True)
        self.show_draft(variant=len(added.variants) - 1)
        self.app.notify(f"Variant {name} added, starting from {shown.name}'s text.")

    def action_remove_variant(self) -> None:
        draft = self.draft
        if draft is None:
            return
        if len(draft.variants) <= MIN_VARIANTS:
            self.show_error(
                f"A draft keeps at least {MIN_VARIANTS} variants to compare; edit this one, or "
                "add another before removing it."
            )
            return
        shown = draft.variants[self.editor.variant]

        def remove() -> None:
            current = self.draft
            if current is None:
                return
            kept = [v for v in current.variants if v.name != shown.name]
            self.store(replace(current, variants=kept), now=True, version=True)
            self.show_draft(variant=0)

        self._confirm(
            f"Remove variant {shown.name}?",
            "Its text stays in the draft's history (h restores it).",
            "Remove",
            remove,
        )

    def action_new_draft(self) -> None:
        if self.loaded is None or self.segment is None:
            return
        self.flush()
        self.position = len(self.loaded.drafts.get(self.segment) or [])
        self.store(self.blank_draft(), now=True)
        self.show_draft(variant=0)
        self.editor.focus_first()

    def action_other_draft(self, step: int) -> None:
        if self.loaded is None or self.segment is None:
            return
        count = len(self.loaded.drafts.get(self.segment) or [])
        if count > 1:
            self.flush()
            self.show_segment(self.segment, (self.position + step) % count)

    def action_delete_draft(self) -> None:
        segment, position, draft = self.segment, self.position, self.draft
        if draft is None or segment is None or self.segmentation_name is None:
            return
        segmentation = self.segmentation_name

        def delete() -> None:
            from segtui.core.messaging_store import delete_draft

            assert self.loaded is not None
            self.end_visit()
            ok, _ = self.attempt(
                "The draft was not deleted",
                delete_draft, self.project, segmentation, segment, position,
            )  # fmt: skip
            if not ok or self.loaded is None or self.segmentation_name != segmentation:
                return
            self.loaded.drafts[segment].pop(position)
            self.refresh_mark(segment)
            self.show_segment(segment, max(0, position - 1))
            self.app.notify(f"Deleted the draft for {segment}.")

        self._confirm(
            f"Delete this draft for {segment}?",
            "The draft and its history leave the project file.",
            "Delete",
            delete,
        )

    def action_history(self) -> None:
        from segtui.core.messaging_store import draft_history

        segment, position = self.segment, self.position
        if self.draft is None or segment is None or self.segmentation_name is None:
            return
        self.flush()
        ok, history = self.attempt(
            "The history could not be read",
            draft_history, self.project, self.segmentation_name, segment, position,
        )  # fmt: skip
        if not ok:
            return
        if not history:
            self.app.notify("This draft has no earlier versions yet.")
            return

        def restore(old: Draft) -> None:
            if self.segment == segment and self.position == position:
                self.store(old, now=True, version=True)
                self.show_draft(variant=0)
                self.app.notify("Restored; the text it replaced is in the history too.")

        self.app.search_commands(
            [
                Command(
                    f"version {version} · {saved_at[:16].replace('T', ' ')}",
                    lambda old=old: restore(old),  # type: ignore[misc]
                    f"{old.goal} · {old.channel} · "
                    f"{old.variants[0].subject[:60] or '(no subject)'}",
                )
                for version, saved_at, old in reversed(history)
            ],
            placeholder="Restore which version of the draft…",
        )
