"""The Messaging screen's state shared by its parts: what the loading worker hands the screen
(the run, its drafts, the playbook, the merge fields and the contact roles) and the base of
its mixins (messaging_drafts.py keeps and saves the shown draft, messaging_actions.py edits it,
messaging_commands.py suggests, exports and lists the palette commands)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from segtui.tui.widgets.draft_editor import DraftEditor

if TYPE_CHECKING:
    from segtui.core.messaging_model import Draft
    from segtui.core.playbook_model import Playbook
    from segtui.core.run_data import RunData
    from segtui.core.segmentations import Segmentation
    from segtui.tui.app import SegtuiApp


@dataclass
class MessagingData:
    """What the loading worker hands the screen."""

    data: RunData
    drafts: dict[str, list[Draft]]
    playbook: Playbook
    fields: list[str]  # the merge fields templates may name
    roles: dict[str, str]  # role -> column of the customers file (which contacts it holds)
    members: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # previewed, by segment


def load_messaging(project: Any, name: str) -> MessagingData:
    """The run, its drafts, the playbook and the merge fields (off the UI thread)."""
    from segtui.core.contacts import stored_roles
    from segtui.core.messaging_preview import merge_fields
    from segtui.core.messaging_store import drafts
    from segtui.core.playbook import load_playbook
    from segtui.core.run_data import latest_run

    data = latest_run(project, name)
    fields = merge_fields(data, data.segments[0]) if data.segments else []
    return MessagingData(
        data, drafts(project, name), load_playbook(project), fields, stored_roles(project, data)
    )


MIN_VARIANTS = 2  # a draft is A/B tested: it keeps at least two variants


def has_text(draft: Draft) -> bool:
    """Whether the draft holds anything someone wrote (a suggestion replacing it asks)."""
    return any(v.subject.strip() or v.body.strip() for v in draft.variants) or any(
        s.strip() for s in (draft.offer.text, draft.cta, draft.notes, draft.send_note)
    )


class MessagingState:
    """What the Messaging screen's mixins share: the screen's attributes (declared for the
    type checker), the editor and a confirmation helper."""

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
        def flush(self, *, refresh: bool = True) -> bool: ...
        def refresh_mark(self, name: str) -> None: ...
        def select_segment(self, name: str | None, position: int = 0) -> None: ...
        def end_visit(self) -> None: ...
        def show_error(self, message: str) -> None: ...
        def clear_error(self) -> None: ...
        def refresh_bindings(self) -> None: ...

    @property
    def editor(self) -> DraftEditor:
        return self.query_one(DraftEditor)  # type: ignore[no-any-return]

    def attempt(self, what: str, action: Any, *args: Any) -> tuple[bool, Any]:
        """Run a small project-file read or write on the UI thread; a failure (the file is
        busy, say) is one line on screen rather than a stopped app. (ok, result)."""
        try:
            return True, action(*args)
        except Exception as exc:
            from segtui.tui.errors import failure_message

            self.show_error(f"{what}: {failure_message(exc, what)}")
            return False, None

    def _confirm(self, question: str, detail: str, label: str, then: Any) -> None:
        from segtui.tui.screens.confirm import ConfirmModal

        def done(yes: bool | None) -> None:
            if yes:
                then()

        self.app.push_screen(ConfirmModal(question, detail, confirm_label=label), done)
