"""What the Messaging screen does besides showing and saving a draft: suggestions from the
playbook (asking before replacing text you wrote), A/B variants, more drafts per segment, a
draft's history, the member the preview is written for, the segmentation shown, the playbook
editor, the audience export and the palette commands."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import work

from segtui.core.segment_model import METHOD_LABELS
from segtui.tui.screens.base import Command
from segtui.tui.widgets.draft_editor import DraftEditor

if TYPE_CHECKING:
    from segtui.core.messaging_model import Draft
    from segtui.core.segmentations import Segmentation
    from segtui.tui.app import SegtuiApp
    from segtui.tui.screens.messaging import MessagingData

MIN_VARIANTS = 2  # a draft is A/B tested: it keeps at least two variants


def has_text(draft: Draft) -> bool:
    """Whether the draft holds anything someone wrote (a suggestion replacing it asks)."""
    return any(v.subject.strip() or v.body.strip() for v in draft.variants) or any(
        s.strip() for s in (draft.offer.text, draft.cta, draft.notes, draft.send_note)
    )


class MessagingActions:
    """Mixed into MessagingScreen (the attributes below are the screen's)."""

    if TYPE_CHECKING:
        loaded: MessagingData | None
        segmentations: list[Segmentation]
        segmentation_name: str | None
        segment: str | None
        position: int
        member: int
        app: Any

        @property
        def segtui(self) -> SegtuiApp: ...
        @property
        def project(self) -> Any: ...
        @property
        def draft(self) -> Draft | None: ...
        def query_one(self, selector: Any, expect_type: Any = None) -> Any: ...
        def show_segmentation(self, name: str) -> None: ...
        def show_segment(self, name: str, position: int = 0) -> None: ...
        def show_draft(self, variant: int | None = None) -> None: ...
        def show_preview(self) -> None: ...
        def store(self, draft: Draft, *, now: bool = False, version: bool = False) -> None: ...
        def flush(self) -> None: ...
        def refresh_mark(self, name: str) -> None: ...
        def select_segment(self, name: str | None) -> None: ...
        def show_error(self, message: str) -> None: ...
        def clear_error(self) -> None: ...
        def refresh_bindings(self) -> None: ...

    @property
    def editor(self) -> DraftEditor:
        return self.query_one(DraftEditor)  # type: ignore[no-any-return]

    def _confirm(self, question: str, detail: str, label: str, then: Any) -> None:
        from segtui.tui.screens.confirm import ConfirmModal

        def done(yes: bool | None) -> None:
            if yes:
                then()

        self.app.push_screen(ConfirmModal(question, detail, confirm_label=label), done)

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
            self.flush()
            delete_draft(self.project, segmentation, segment, position)
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
        history = draft_history(self.project, self.segmentation_name, segment, position)
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
