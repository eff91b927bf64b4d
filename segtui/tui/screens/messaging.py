"""Messaging (act): the segments of a segmentation's latest run, each with its size and a mark
when it has a draft; the highlighted segment's draft in the editor (goal, channel, offer, A/B
variants of subject and body...); and a live preview of the shown variant rendered for real
members of the segment, the most complete first and then one with gaps so the fallbacks show,
with the channel's limits.

Every change is saved as it is typed (after a pause of SAVE_AFTER seconds in messaging_drafts.py,
and at once when the
segment or the screen changes): there is no Save key. The first save of a draft in a visit
keeps its previous text in the draft's history; later saves of the same visit replace it, so
the history holds one version per editing session rather than one per keystroke.

The actions (suggest, variants, drafts, history, export, playbook) are in messaging_actions.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from segtui.core.segment_model import METHOD_LABELS
from segtui.tui.formatting import fmt_int
from segtui.tui.screens.base import SegtuiScreen
from segtui.tui.screens.messaging_actions import MessagingActions
from segtui.tui.screens.messaging_commands import MessagingCommands
from segtui.tui.screens.messaging_drafts import DraftKeeping
from segtui.tui.screens.messaging_state import MessagingData, load_messaging
from segtui.tui.screens.run_choice import segmentation_to_show
from segtui.tui.widgets.draft_editor import DraftEditor
from segtui.tui.widgets.draft_preview import DraftPreview
from segtui.tui.widgets.footer import KeysFooter
from segtui.tui.widgets.tabbar import ScreenTabs

if TYPE_CHECKING:
    from segtui.core.messaging_model import Draft
    from segtui.core.run_data import RunData
    from segtui.core.segmentations import Segmentation

WIDE = 140  # columns from which the preview sits beside the editor rather than below it
NARROW = 110  # columns below which the segment list leaves out the sizes
SHORT = 30  # rows below which the preview is shorter, to leave the body room


class MessagingScreen(MessagingCommands, MessagingActions, DraftKeeping, SegtuiScreen):
    PURPOSE = (
        "Draft the message for each segment: goal, channel, offer and A/B variants with merge "
        "fields, previewed on real members. s suggests a draft from the playbook; every change "
        "is saved as you type."
    )
    CSS_PATH = "messaging.tcss"
    BINDINGS: ClassVar = [
        Binding("enter", "edit", "Edit", id="messaging.edit",
                tooltip="Edit the highlighted segment's draft (starts a blank one if none)."),
        Binding("escape", "list", "Segments", show=False, id="messaging.list",
                tooltip="Leave the editor for the list of segments (your text is saved)."),
        Binding("s", "suggest", "Suggest", id="messaging.suggest",
                tooltip="Fill the draft from the playbook (asks before replacing your text)."),
        Binding("ctrl+g", "suggest", "Suggest", show=False, id="messaging.suggest_in_editor",
                tooltip="Fill the draft from the playbook, from inside the editor."),
        Binding("S", "suggest_missing", "Suggest all", show=False,
                id="messaging.suggest_missing",
                tooltip="Suggest a draft for every segment that has none."),
        Binding("ctrl+n", "member(1)", "Next member", id="messaging.next_member",
                tooltip="Preview on the next member of the segment."),
        Binding("ctrl+b", "member(-1)", "Previous member", show=False,
                id="messaging.previous_member",
                tooltip="Preview on the previous member of the segment."),
        Binding("right_square_bracket", "variant(1)", "Next variant", show=False,
                id="messaging.next_variant", tooltip="Show the next A/B variant."),
        Binding("left_square_bracket", "variant(-1)", "Previous variant", show=False,
                id="messaging.previous_variant", tooltip="Show the previous A/B variant."),
        Binding("ctrl+f", "insert_field", "Field", id="messaging.insert_field",
                tooltip="Insert a merge field at the cursor (fuzzy search of every field)."),
        Binding("a", "add_variant", "Add variant", id="messaging.add_variant",
                tooltip="Add a variant, starting from the shown one's text."),
        Binding("X", "remove_variant", "Remove variant", show=False,
                id="messaging.remove_variant",
                tooltip="Remove the shown variant (a draft keeps at least two)."),
        Binding("plus", "new_draft", "New draft", show=False, id="messaging.new_draft",
                tooltip="Add another draft for the segment (another channel or goal)."),
        Binding("greater_than_sign", "other_draft(1)", "Next draft", show=False,
                id="messaging.next_draft", tooltip="Show the segment's next draft."),
        Binding("less_than_sign", "other_draft(-1)", "Previous draft", show=False,
                id="messaging.previous_draft", tooltip="Show the segment's previous draft."),
        Binding("delete", "delete_draft", "Delete draft", show=False,
                id="messaging.delete_draft", tooltip="Delete the shown draft (asks first)."),
        Binding("h", "history", "History", show=False, id="messaging.history",
                tooltip="Restore an earlier version of the draft."),
        Binding("p", "pick", "Segmentation", id="messaging.pick",
                tooltip="Pick the segmentation whose segments to draft for (fuzzy search)."),
        Binding("P", "playbook", "Playbook", show=False, id="messaging.playbook",
                tooltip="Edit this project's playbook of archetypes (TOML)."),
        Binding("ctrl+e", "export", "Export", id="messaging.export",
                tooltip="Export an audience (ESP list, Meta or Google file) or the drafts."),
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.segmentations: list[Segmentation] = []
        self.segmentation_name: str | None = None
        self.loaded: MessagingData | None = None
        self.segment: str | None = None  # the segment shown in the editor
        self.position = 0  # which of the segment's drafts
        self.member = 0  # which previewed member
        self.pending: tuple[str, str, int, Draft] | None = None  # not yet written
        self.save_timer: Timer | None = None
        self.versioned: set[tuple[str, str, int]] = set()  # drafts whose visit kept a version
        self.stale = False

    def compose(self) -> ComposeResult:
        yield ScreenTabs("messaging", [(s.mode, s.title, s.key) for s in self.segtui.main_screens])
        with Vertical(id="messaging"):
            yield Static("Loading…", id="msg-run-line", markup=False)
            yield Static("", id="msg-error", classes="error", markup=False)
            with Horizontal(id="msg-main"):
                table: DataTable[Any] = DataTable(id="msg-segments", cursor_type="row")
                table.tooltip = "Segments: Enter edits the draft, s suggests one, ctrl+e exports."
                yield table
                with Vertical(id="msg-work"):
                    with Vertical(id="msg-edit"):
                        yield Static("", id="msg-draft-line", markup=False)
                        yield Static("", id="msg-no-draft", markup=False)
                        yield DraftEditor(id="draft-editor")
                    yield DraftPreview(id="draft-preview")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.segtui.project_changed.subscribe(self, lambda _: self.on_project_changed())
        table = self.query_one("#msg-segments", DataTable)
        self.query_one(DraftEditor).display = False
        self._arrange()
        self.reload()
        table.focus()

    def on_screen_resume(self) -> None:
        self.reload()  # a new run, or renames made on another screen

    def on_screen_suspend(self) -> None:
        self.end_visit()

    def on_unmount(self) -> None:
        self.flush(refresh=False)  # the widgets are going: write, show nothing

    def on_resize(self) -> None:
        self._arrange()

    def _arrange(self) -> None:
        """The preview beside the editor when wide; the sizes column only when there is room
        (the line above the editor gives the shown segment's size anyway)."""
        width, height = self.size
        self.query_one("#msg-work").set_class(width >= WIDE, "wide")
        self.query_one("#msg-work").set_class(height < SHORT, "short")
        sizes = width >= NARROW
        table = self.query_one("#msg-segments", DataTable)
        if table.columns and (len(table.columns) == 3) == sizes:
            return
        table.clear(columns=True)
        table.add_column("", key="mark", width=1)
        table.add_column("Segment", key="name")
        if sizes:
            table.add_column("Customers", key="customers")
        if self.loaded is not None:
            self.fill_table()

    # --- loading -----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="list", name="segmentations")
    def reload(self) -> list[Segmentation]:
        assert self.project is not None
        return self.project.segmentations()

    def show_segmentation(self, name: str) -> None:
        self.end_visit()
        self.segmentation_name = name
        self.segment = None
        self.hide_editor()
        self.load(name)

    def hide_editor(self) -> None:
        """Nothing to edit while a run loads or after it failed to."""
        editor = self.query_one(DraftEditor)
        if editor.has_focus_within:
            self.query_one("#msg-segments").focus()
        editor.display = False
        editor.draft = None

    def load(self, name: str) -> None:
        self.query_one("#msg-run-line", Static).update(f"Loading {name}: its run and drafts…")
        self._load(name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="run", name="load-messaging")
    def _load(self, name: str) -> MessagingData:
        return load_messaging(self.project, name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="members", name="members")
    def load_members(self, data: RunData, segment: str) -> tuple[str, list[dict[str, Any]]]:
        from segtui.core.messaging_preview import preview_members

        return segment, preview_members(data, segment)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state == WorkerState.SUCCESS:
            result: Any = worker.result
            if worker.name == "segmentations":
                self.show_segmentations(result)
            elif worker.name == "load-messaging":
                self.show_loaded(result)
            elif worker.name == "members" and self.loaded is not None:
                segment, rows = result
                self.loaded.members[segment] = rows
                if segment == self.segment:
                    self.show_preview()
            else:
                self.worker_done(worker.name, result)  # messaging_actions.py
        elif event.state == WorkerState.ERROR:
            from segtui.tui.errors import failure_message

            why = failure_message(worker.error) if worker.error else "it failed"
            if worker.name == "load-messaging":
                self.end_visit()
                self.loaded = None
                self.segment = None
                self.hide_editor()
                self.query_one("#msg-run-line", Static).update(
                    f"{self.segmentation_name}: could not be loaded: {why}"
                )
                self.refresh_bindings()
            else:
                self.show_error(why)

    def show_segmentations(self, segmentations: list[Segmentation]) -> None:
        self.segmentations = segmentations
        shown = self.loaded.data.run.id if self.loaded is not None else None
        seg = segmentation_to_show(segmentations, self.segmentation_name, shown)
        if seg is None or seg.last_run is None:
            self.show_nothing()
            return
        target, last_run = seg.name, seg.last_run
        current = self.loaded
        if (
            current is None
            or target != self.segmentation_name
            or current.data.run.id != last_run.id
            or [s.name for s in current.data.run.segments] != [s.name for s in last_run.segments]
            or self.stale
        ):
            self.flush()
            self.stale = False
            self.segmentation_name = target
            self.load(target)
        self.refresh_bindings()

    def show_nothing(self) -> None:
        self.end_visit()
        self.loaded = None
        self.segmentation_name = None
        self.segment = None
        self.hide_editor()
        self.query_one("#msg-segments", DataTable).clear()
        self.query_one("#msg-run-line", Static).update(
            "No segmentation has been run yet: define and run one on the Criteria screen (3), "
            "then draft its messages here."
        )
        self.query_one("#msg-no-draft", Static).update("")
        self.query_one("#msg-draft-line", Static).update("")
        self.query_one(DraftPreview).show_message("")
        self.refresh_bindings()

    def show_loaded(self, loaded: MessagingData) -> None:
        shown = self._on_screen(loaded)
        self.loaded = loaded
        self.clear_error()
        self.show_run_line()
        self.fill_table()
        if shown is not None:  # what is typed on screen wins over what the worker read
            segment, position, draft = shown
            found = loaded.drafts.setdefault(segment, [])
            found[position : position + 1] = [draft]
        target = self.segment if self.segment in loaded.data.segments else None
        position = self.position if target is not None else 0
        self.segment = None
        self.select_segment(target or (loaded.data.segments or [None])[0], position)
        self.refresh_bindings()

    def _on_screen(self, loaded: MessagingData) -> tuple[str, int, Draft] | None:
        """The draft in the editor, when the run loaded again is the one it belongs to."""
        editor = self.query_one(DraftEditor)
        if self.loaded is None or self.segment is None or not editor.display:
            return None
        if loaded.data.run.segmentation != self.loaded.data.run.segmentation:
            return None
        editor.sync()
        draft = editor.draft
        if draft is None or self.segment not in loaded.data.segments:
            return None
        if self.position > len(loaded.drafts.get(self.segment) or []):
            return None
        return self.segment, self.position, draft

    def show_run_line(self) -> None:
        """The run, how many of its segments have a draft, and drafts the run left behind."""
        assert self.loaded is not None
        loaded = self.loaded
        run = loaded.data.run
        method = METHOD_LABELS.get(run.method, run.method)
        drafted = sum(1 for name in loaded.data.segments if loaded.drafts.get(name))
        line = (
            f"{run.segmentation} ({method}) · run {run.id} of {run.ran_at[:16]} · "
            f"{len(run.segments)} segments, {drafted} with a draft"
        ).replace("T", " ")
        orphans = [name for name, found in loaded.drafts.items() if found and
                   name not in loaded.data.segments]  # fmt: skip
        if orphans:
            line += (
                f"\nDrafts kept for segments not in this run: {', '.join(orphans)} "
                "(they come back if a run has them again)."
            )
        self.query_one("#msg-run-line", Static).update(line)

    def fill_table(self) -> None:
        assert self.loaded is not None
        table = self.query_one("#msg-segments", DataTable)
        table.clear()
        for seg in self.loaded.data.run.segments:
            cells = self._cells(seg.name, seg.customers)
            table.add_row(*cells[: len(table.columns)], key=seg.name)
        if self.segment in self.loaded.data.segments:  # the cursor stays on the shown one
            table.move_cursor(row=self.loaded.data.segments.index(self.segment))

    def _cells(self, name: str, customers: int) -> tuple[Text, str, Text]:
        return self._mark(name), name, Text(fmt_int(customers), justify="right")

    def _mark(self, name: str) -> Text:
        """● when the segment has a draft."""
        assert self.loaded is not None
        return Text("●", style="green") if self.loaded.drafts.get(name) else Text(" ")

    def refresh_mark(self, name: str) -> None:
        if self.loaded is None:
            return
        self.query_one("#msg-segments", DataTable).update_cell(name, "mark", self._mark(name))
        self.show_run_line()

    def select_segment(self, name: str | None, position: int = 0) -> None:
        if name is None or self.loaded is None:
            return
        table = self.query_one("#msg-segments", DataTable)
        index = self.loaded.data.segments.index(name)
        if table.cursor_row != index:
            table.move_cursor(row=index)
        self.show_segment(name, position)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if event.cursor_row != event.data_table.cursor_row:
            return  # the cursor has moved on (the table was refilled): a later event follows
        if event.row_key.value is not None and event.row_key.value != self.segment:
            self.show_segment(str(event.row_key.value))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    # --- the rest ----------------------------------------------------------------------------

    def show_error(self, message: str) -> None:
        line = self.query_one("#msg-error", Static)
        line.update(message)
        line.display = True

    def clear_error(self) -> None:
        line = self.query_one("#msg-error", Static)
        line.update("")
        line.display = False

    def on_project_changed(self) -> None:
        self.stale = True
        self.reload()
