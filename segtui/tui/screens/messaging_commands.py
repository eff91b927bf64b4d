"""Suggestions, the segmentation shown, the playbook editor, the audience export and the palette
commands of the Messaging screen. A suggestion replacing text someone wrote asks first, and
the text it replaces stays in the draft's history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work

from segtui.core.segment_model import METHOD_LABELS
from segtui.tui.screens.base import Command
from segtui.tui.screens.messaging_state import MessagingState, has_text
from segtui.tui.widgets.draft_editor import DraftEditor

if TYPE_CHECKING:
    from segtui.core.messaging_model import Draft


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
        if self.loaded is None or segment is None:
            return
        self.flush()
        if draft is not None and has_text(draft):
            self._confirm(
                f"Replace the draft for {segment} with the playbook's suggestion?",
                "Your text is kept in the draft's history: h restores it.",
                "Replace",
                lambda: self.suggest(segment, position),
            )
        else:
            self.suggest(segment, position)

    def suggest(self, segment: str, position: int) -> None:
        self.query_one(DraftEditor).status(f"Suggesting a draft for {segment} from the playbook…")
        self.query_one("#msg-no-draft").update(
            f"Suggesting a draft for {segment} from the playbook and its profile…"
        )
        self._suggest(segment, position)

    @work(thread=True, exclusive=True, exit_on_error=False, group="suggest", name="suggest")
    def _suggest(self, segment: str, position: int) -> tuple[str, int, Draft]:
        from segtui.core.playbook import suggest

        assert self.loaded is not None
        loaded = self.loaded
        draft = suggest(loaded.data, segment, loaded.playbook, roles=loaded.roles)
        return segment, position, draft

    def action_suggest_missing(self) -> None:
        if self.loaded is None or self.segmentation_name is None:
            return
        self.flush()
        self.app.notify("Suggesting drafts for the segments without one…")
        self.suggest_missing(self.segmentation_name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="suggest", name="suggest-all")
    def suggest_missing(self, segmentation: str) -> dict[str, Draft]:
        from segtui.core.messaging_store import save_draft
        from segtui.core.playbook import suggest_all

        assert self.loaded is not None
        loaded = self.loaded
        made = suggest_all(loaded.data, loaded.drafts, loaded.playbook, roles=loaded.roles)
        return {name: save_draft(self.project, segmentation, d) for name, d in made.items()}

    def worker_done(self, name: str | None, result: Any) -> None:
        """A worker of these actions succeeded (the screen routes its result here)."""
        if self.loaded is None:
            return
        if name == "suggest":
            segment, position, draft = result
            if (segment, position) == (self.segment, self.position):
                self.store(draft, now=True, version=True)
                self.show_draft(variant=0)
            else:  # the user moved on while it was made: file it where it belongs
                from segtui.core.messaging_store import save_draft

                assert self.segmentation_name is not None
                saved = save_draft(self.project, self.segmentation_name, draft, position)
                found = self.loaded.drafts.setdefault(segment, [])
                found[position : position + 1] = [saved]
                self.refresh_mark(segment)
            self.app.notify(f"{segment}: suggested from {draft.source}.", markup=False)
        elif name == "suggest-all":
            for segment, draft in result.items():
                self.loaded.drafts.setdefault(segment, []).append(draft)
                self.refresh_mark(segment)
            if self.segment in result:
                self.show_draft(variant=0)
            count = len(result)
            self.app.notify(
                f"Suggested drafts for {count} segment{'s' if count != 1 else ''} without one."
                if count
                else "Every segment already has a draft."
            )

    # --- elsewhere ---------------------------------------------------------------------------

    def action_pick(self) -> None:
        runs = [s for s in self.segmentations if s.last_run is not None]
        if not runs:
            self.app.notify("No segmentation has been run yet: run one on the Criteria screen.")
            return
        self.app.search_commands(
            [
                Command(
                    s.name,
                    lambda name=s.name: self.show_segmentation(name),  # type: ignore[misc]
                    f"{METHOD_LABELS.get(s.method, s.method)} · "
                    f"{len(s.last_run.segments)} segments",  # type: ignore[union-attr]
                )
                for s in runs
            ],
            placeholder="Segmentation to draft messages for…",
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
        if action in ("add_variant", "remove_variant", "variant", "history", "delete_draft"):
            return self.draft is not None
        if action == "other_draft":
            found = (self.loaded.drafts.get(self.segment or "") or []) if self.loaded else []
            return len(found) > 1
        if action in ("edit", "suggest", "member", "new_draft", "suggest_missing", "export"):
            return self.loaded is not None and self.segment is not None
        return True
