"""Suggestions, the segmentation shown, the playbook editor, the audience export and the palette
commands of the Messaging screen. A suggestion replacing text someone wrote asks first, and
the text it replaces stays in the draft's history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work

from segtui.tui.screens.base import Command
from segtui.tui.screens.messaging_state import MessagingState, has_text
from segtui.tui.widgets.draft_editor import DraftEditor

if TYPE_CHECKING:
    from segtui.core.messaging_model import Draft


FIELD_NOTES = {
    "segment_name": "the segment's name",
    "segment_size": "customers in the segment",
    "segment_avg_spend": "the segment's average spend per customer",
    "currency": "the project's currency symbol",
    "offer": "the draft's offer, in words",
    "offer_code": "the draft's discount code",
    "discount": "the draft's discount, e.g. 20% or £5",
    "cta": "the draft's call to action",
}


class MessagingCommands(MessagingState):
    """Mixed into MessagingScreen."""

    if TYPE_CHECKING:

        def action_add_variant(self) -> None: ...
        def action_remove_variant(self) -> None: ...
        def action_member(self, step: int) -> None: ...
        def action_new_draft(self) -> None: ...
        def action_history(self) -> None: ...
        def action_delete_draft(self) -> None: ...

    # --- suggestions -------------------------------------------------------------------------

    def action_suggest(self) -> None:
        segment, position, draft = self.segment, self.position, self.draft
        segmentation = self.segmentation_name
        if self.loaded is None or segment is None or segmentation is None:
            return
        self.flush()
        if draft is not None and has_text(draft):
            self._confirm(
                f"Replace the draft for {segment} with the playbook's suggestion?",
                "Your text is kept in the draft's history: h restores it.",
                "Replace",
                lambda: self.suggest(segmentation, segment, position),
            )
        else:
            self.suggest(segmentation, segment, position)

    def suggest(self, segmentation: str, segment: str, position: int) -> None:
        self.query_one(DraftEditor).status(f"Suggesting a draft for {segment} from the playbook…")
        self.query_one("#msg-no-draft").update(
            f"Suggesting a draft for {segment} from the playbook and its profile…"
        )
        self._suggest(segmentation, segment, position)

    @work(thread=True, exclusive=True, exit_on_error=False, group="suggest", name="suggest")
    def _suggest(self, segmentation: str, segment: str, position: int) -> tuple[Any, ...]:
        from segtui.core.playbook import suggest

        assert self.loaded is not None
        loaded = self.loaded
        draft = suggest(loaded.data, segment, loaded.playbook, roles=loaded.roles)
        return segmentation, segment, position, draft

    def action_suggest_missing(self) -> None:
        if self.loaded is None or self.segmentation_name is None:
            return
        self.flush()
        self.app.notify("Suggesting drafts for the segments without one…")
        self.suggest_missing(self.segmentation_name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="suggest-all",
          name="suggest-all")  # fmt: skip
    def suggest_missing(self, segmentation: str) -> tuple[str, dict[str, tuple[int, Draft]]]:
        """Drafts for the segments without one, or with only blank ones (the first blank one
        is replaced), stored as they are made."""
        from segtui.core.messaging_store import save_draft
        from segtui.core.playbook import suggest_all

        assert self.loaded is not None
        loaded = self.loaded
        written = {name: [d for d in found if has_text(d)] for name, found in loaded.drafts.items()}
        made = suggest_all(loaded.data, written, loaded.playbook, roles=loaded.roles)
        stored = {}
        for name, draft in made.items():
            stored[name] = (0, save_draft(self.project, segmentation, draft, 0))
        return segmentation, stored

    def worker_done(self, name: str | None, result: Any) -> None:
        """A worker of these actions succeeded (the screen routes its result here)."""
        if self.loaded is None:
            return
        if name == "suggest":
            segmentation, segment, position, draft = result
            shown = segmentation == self.segmentation_name
            if shown and (segment, position) == (self.segment, self.position):
                self.store(draft, now=True, version=True)
                self.show_draft(variant=0)
            else:  # the user moved on while it was made: file it where it belongs
                from segtui.core.messaging_store import save_draft

                ok, saved = self.attempt(
                    f"The suggestion for {segment} was not saved",
                    save_draft, self.project, segmentation, draft, position,
                )  # fmt: skip
                if not ok:
                    return
                if shown:
                    found = self.loaded.drafts.setdefault(segment, [])
                    found[position : position + 1] = [saved]
                    self.refresh_mark(segment)
            self.app.notify(f"{segment}: suggested from {draft.source}.", markup=False)
        elif name == "suggest-all":
            segmentation, stored = result
            if segmentation == self.segmentation_name:
                for segment, (position, draft) in stored.items():
                    found = self.loaded.drafts.setdefault(segment, [])
                    found[position : position + 1] = [draft]
                    self.refresh_mark(segment)
                if self.segment in stored and self.position == stored[self.segment][0]:
                    self.show_draft(variant=0)
            count = len(stored)
            self.app.notify(
                f"Suggested drafts for {count} segment{'s' if count != 1 else ''} of "
                f"{segmentation} that had none."
                if count
                else "Every segment already has a draft."
            )

    # --- elsewhere ---------------------------------------------------------------------------

    def action_pick(self) -> None:
        from segtui.tui.screens.run_choice import pick_segmentation

        pick_segmentation(
            self.app,
            self.segmentations,
            self.show_segmentation,
            "Segmentation to draft messages for…",
        )

    def action_insert_field(self) -> None:
        """A fuzzy picker of the merge fields; the chosen one goes in at the cursor of the
        subject or body being edited (the body when the list has focus)."""
        from textual.widgets import Input, TextArea

        if self.loaded is None or self.draft is None:
            return
        editor = self.query_one(DraftEditor)
        focused = self.app.focused
        target = focused if isinstance(focused, Input | TextArea) and focused in editor.query(
            "Input, TextArea"
        ) else editor.query_one("#body", TextArea)  # fmt: skip
        by_name = self.loaded.data.features.by_name

        def insert(name: str) -> None:
            text = "{{ " + name + " }}"
            if isinstance(target, TextArea):
                target.insert(text)
            else:
                target.insert_text_at_cursor(text)
            target.focus()

        def about(name: str) -> str:
            info = by_name.get(name)
            if info is not None:
                return f"{info.label} · {info.group} · {info.type}"
            return FIELD_NOTES.get(name, "a score or value of the run")

        self.app.search_commands(
            [
                Command(name, lambda name=name: insert(name), about(name))  # type: ignore[misc]
                for name in self.loaded.fields
            ],
            placeholder='Merge field to insert (add | default("…") for a fallback)…',
        )

    def jump_to_segment(self) -> None:
        if self.loaded is None:
            return
        self.app.search_commands(
            [
                Command(
                    s.name,
                    lambda name=s.name: self.select_segment(name),  # type: ignore[misc]
                    f"{s.customers:,} customers"
                    + (" · has a draft" if self.loaded.drafts.get(s.name) else ""),
                )
                for s in self.loaded.data.run.segments
            ],
            placeholder="Jump to segment…",
        )

    def action_playbook(self) -> None:
        from segtui.tui.screens.playbook_modal import PlaybookModal

        def done(saved: bool | None) -> None:
            if saved and self.loaded is not None:
                from segtui.core.playbook import load_playbook

                self.loaded.playbook = load_playbook(self.project)
                self.app.notify("Playbook saved: suggestions use it from now on.")

        self.app.push_screen(PlaybookModal(), done)

    def action_export(self) -> None:
        if self.loaded is None:
            return
        from segtui.tui.screens.audience_modal import AudienceModal

        self.flush()
        draft = self.draft
        self.app.push_screen(
            AudienceModal(
                self.loaded.data,
                segments=[self.segment] if self.segment else None,
                holdout_pct=draft.holdout_pct if draft else None,
            )
        )

    def commands(self) -> list[Command]:
        commands = [
            Command("messaging: drafts for segmentation…", self.action_pick, "p · fuzzy picker"),
            Command("messaging: edit the project's playbook", self.action_playbook, "P · TOML"),
        ]
        if self.loaded is None or self.segment is None:
            return commands
        segment = self.segment
        commands += [
            Command(f"messaging: suggest draft for {segment}", self.action_suggest, "s"),
            Command(
                "messaging: suggest drafts for every segment without one",
                self.action_suggest_missing,
                "S",
            ),
            Command("messaging: jump to segment…", self.jump_to_segment, "fuzzy picker"),
            Command("messaging: insert merge field…", self.action_insert_field, "ctrl+f"),
            Command(
                "messaging: next member", lambda: self.action_member(1), "ctrl+n (ctrl+b back)"
            ),
            Command("messaging: new draft for " + segment, self.action_new_draft, "+"),
            Command("export: audience…", self.action_export, "ESP, Meta, Google, drafts · ctrl+e"),
        ]
        if self.draft is not None:
            commands += [
                Command("messaging: add variant", self.action_add_variant, "a"),
                Command("messaging: remove shown variant", self.action_remove_variant, "X"),
                Command("messaging: draft history…", self.action_history, "h · restore"),
                Command("messaging: delete draft", self.action_delete_draft, "delete"),
            ]
        return commands

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("pick", "playbook"):
            return True
        if action in (
            "add_variant", "remove_variant", "variant", "history", "delete_draft", "insert_field"
        ):  # fmt: skip
            return self.draft is not None
        if action == "other_draft":
            found = (self.loaded.drafts.get(self.segment or "") or []) if self.loaded else []
            return len(found) > 1
        if action == "edit" and self.query_one(DraftEditor).has_focus_within:
            return False  # already editing (Enter is the fields' own there)
        if action in ("edit", "suggest", "member", "new_draft", "suggest_missing", "export"):
            return self.loaded is not None and self.segment is not None
        return True
