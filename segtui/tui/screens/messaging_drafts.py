"""The Messaging screen's shown draft: which segment and which of its drafts is shown, the
editor and the preview that follow it, and saving as the user types (see messaging.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Static

from segtui.tui.formatting import fmt_int
from segtui.tui.screens.messaging_state import MessagingState
from segtui.tui.widgets.draft_editor import SUBJECT_LABELS, DraftEditor
from segtui.tui.widgets.draft_preview import DraftPreview

if TYPE_CHECKING:
    from textual.timer import Timer

    from segtui.core.messaging_model import Draft

SAVE_AFTER = 0.4  # seconds of quiet typing before a change is written


class DraftKeeping(MessagingState):
    """Mixed into MessagingScreen."""

    if TYPE_CHECKING:
        pending: tuple[str, str, int, Draft] | None
        save_timer: Timer | None
        versioned: set[tuple[str, str, int]]
        is_mounted: bool

        def set_timer(self, delay: float, callback: Any) -> Timer: ...
        def load_members(self, data: Any, segment: str) -> Any: ...

    # --- the shown segment -------------------------------------------------------------------

    @property
    def draft(self) -> Draft | None:
        if self.loaded is None or self.segment is None:
            return None
        found = self.loaded.drafts.get(self.segment) or []
        return found[self.position] if self.position < len(found) else None

    def show_segment(self, name: str, position: int = 0) -> None:
        """Show ``name``'s draft at ``position`` in the editor and preview it."""
        assert self.loaded is not None
        if (name, position) != (self.segment, self.position):
            self.end_visit()
        if name != self.segment:
            self.member = 0
        self.segment, self.position = name, position
        self.clear_error()
        self.show_draft()
        if name not in self.loaded.members:
            self.query_one(DraftPreview).show_message("Finding members to preview on…")
            self.load_members(self.loaded.data, name)
        self.refresh_bindings()

    def show_draft(self, variant: int | None = None) -> None:
        """The editor (or the "no draft" line) for the shown segment and position."""
        assert self.loaded is not None and self.segment is not None
        draft = self.draft
        count = len(self.loaded.drafts.get(self.segment) or [])
        editor = self.query_one(DraftEditor)
        editor.display = draft is not None
        size = next(s.customers for s in self.loaded.data.run.segments if s.name == self.segment)
        line = f"{self.segment} · {fmt_int(size)} customers"
        no_draft = self.query_one("#msg-no-draft", Static)
        no_draft.display = draft is None
        if draft is None:
            line += " · no draft yet"
            no_draft.update(
                "s suggests a first draft from the playbook (from the segment's name and "
                "profile); Enter starts a blank one."
            )
        else:
            if count > 1:
                line += f" · draft {self.position + 1} of {count} (< > switch)"
            editor.show(draft, self.loaded.data.currency, variant)
        self.query_one("#msg-draft-line", Static).update(line)
        self.show_preview()

    def show_preview(self) -> None:
        from segtui.core.messaging_preview import preview

        panel = self.query_one(DraftPreview)
        loaded, draft = self.loaded, self.draft
        if loaded is None or self.segment is None:
            return
        rows = loaded.members.get(self.segment)
        if draft is None:
            panel.show_message("The preview shows the draft written for real members.")
            return
        if rows is None:
            return  # still loading: shown when they come
        if not rows:
            panel.show_message(f"{self.segment} has no members in this run to preview on.")
            return
        self.member %= len(rows)
        editor = self.query_one(DraftEditor)
        index = min(editor.variant, len(draft.variants) - 1)
        rendered = preview(loaded.data, draft, index, rows[self.member])
        panel.show(
            rendered,
            rows[self.member],
            self.member,
            len(rows),
            variant=draft.variants[index].name,
            subject_label=SUBJECT_LABELS.get(draft.channel, "Subject"),
            gaps_member=self.member == 1,
        )

    def on_draft_editor_edited(self, event: DraftEditor.Edited) -> None:
        event.stop()
        if self.draft is None or event.draft.segment != self.segment:
            return  # typed as the editor was being hidden or refilled: not this draft's
        self.store(event.draft)
        self.show_preview()

    def on_draft_editor_variant_shown(self, event: DraftEditor.VariantShown) -> None:
        event.stop()
        self.show_preview()

    # --- saving ------------------------------------------------------------------------------

    def store(self, draft: Draft, *, now: bool = False, version: bool = False) -> None:
        """Hold ``draft`` as the shown one and write it (after a pause, or ``now``).
        ``version`` (with ``now``: suggestions, restores, removed variants) keeps the previous
        text in the history, and this one too once it is edited."""
        if self.loaded is None or self.segment is None or self.segmentation_name is None:
            return  # nothing is shown (loading): the editor is hidden, nothing to keep
        found = self.loaded.drafts.setdefault(self.segment, [])
        if self.position < len(found):
            found[self.position] = draft
        else:
            found.append(draft)
        key = (self.segmentation_name, self.segment, self.position)
        if version:
            self.versioned.discard(key)
        self.pending = (*key, draft)
        if self.save_timer is not None:
            self.save_timer.stop()
        if now:
            self.flush()
        else:
            self.save_timer = self.set_timer(SAVE_AFTER, self.flush)
        if version:  # a suggestion or a restore: the next edit keeps this text in the history
            self.versioned.discard(key)

    def end_visit(self) -> None:
        """Leaving the shown draft (another segment, draft, segmentation or screen): write
        what waits, and the next visit's first change keeps a version again."""
        self.flush()
        self.versioned.clear()

    def save_pending(self) -> bool:
        """Before quitting: what the fields hold now (keys typed a moment ago may not have
        reached the editor's messages yet), written at once; False if it could not be."""
        editor = self.query_one(DraftEditor)
        draft = editor.sync() if editor.display else None
        if draft is not None:
            self.store(draft, now=True)
        return self.flush()

    def flush(self, *, refresh: bool = True) -> bool:
        """Write the change waiting to be saved, if any (on the UI thread: one small row).
        A failure is said on screen and the change stays waiting, so leaving the segment,
        the next change or quitting tries again; False when it failed."""
        if self.save_timer is not None:
            self.save_timer.stop()
            self.save_timer = None
        pending, self.pending = self.pending, None
        if pending is None or self.project is None:
            return True
        from segtui.core.messaging_store import save_draft
        from segtui.tui.errors import failure_message

        segmentation, segment, position, draft = pending
        key = (segmentation, segment, position)
        try:
            save_draft(
                self.project, segmentation, draft, position, keep_history=key not in self.versioned
            )
        except Exception as exc:  # e.g. the file is locked by another program: say so, keep it
            if self.pending is None:
                self.pending = pending
            why = failure_message(exc, "saving failed")
            message = f"The draft for {segment} is not saved yet: {why}"
            if refresh:
                self.show_error(message + " It is tried again with the next change.")
            self.app.notify(message, severity="error", markup=False)
            return False
        self.versioned.add(key)
        if refresh:
            self.refresh_mark(segment)
        return True
