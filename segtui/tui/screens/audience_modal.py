"""The audience dialog (ctrl+e on the Messaging screen): an ESP list, a Meta or Google
customer-match file, or the drafts as Markdown or CSV, of the focused segment(s), the segments
ticked or the whole run.

Before anything is written it says which member columns hold the contact data (or why this
file cannot be made from them) and which other files go beside the list (the holdout and the
customers who could not be used). The holdout % and seed are checked as they are typed. The
export runs in a worker with a progress bar (Escape cancels it and leaves no file); existing
files are replaced only after asking."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, ProgressBar, Select, SelectionList, Static
from textual.worker import Worker, WorkerState

from segtui.tui.screens.audience_job import (
    AUDIENCES,
    KINDS,
    AudienceJob,
    DraftsWritten,
    also_written,
    contacts_line,
    default_path,
    extra_columns,
    parse_holdout,
    parse_seed,
    run_job,
    sentence,
    success_message,
)
from segtui.tui.screens.writing_modal import WritingModal, writing_bindings
from segtui.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from segtui.core.audience import ContactColumns
    from segtui.core.audience_export import AudienceExport
    from segtui.core.run_data import RunData


class AudienceModal(WritingModal):
    PURPOSE = (
        "Export an audience (ESP list, Meta or Google customer match) or the drafts of the "
        "focused segment, ticked segments or the whole run. ctrl+s or Enter in the path writes."
    )
    DEFAULT_CSS = """
    AudienceModal .audience-row { height: auto; }
    AudienceModal .audience-row > Static { width: 10; }
    AudienceModal .audience-row > Select { width: 1fr; }
    AudienceModal #audience-holdout, AudienceModal #audience-seed { width: 10; }
    AudienceModal #audience-seed-label { width: auto; padding: 0 1 0 2; }
    AudienceModal #audience-path { width: 1fr; }
    AudienceModal #audience-contacts, AudienceModal #audience-also { height: auto; }
    AudienceModal #audience-lists { height: 1fr; min-height: 4; }
    AudienceModal SelectionList { width: 1fr; height: 1fr; }
    AudienceModal #audience-status { height: auto; }
    AudienceModal ProgressBar { height: 1; }
    """
    BINDINGS: ClassVar = writing_bindings(
        "audience", "Write the files (asks before replacing any)."
    )
    STATUS = "#audience-status"
    PROGRESS = "#audience-progress"
    WORKER = "audience-export"
    REPLACE_DETAIL = "They are replaced only once every new file is complete."
    CANCELLED = "The export was cancelled; no file was written."

    def __init__(
        self,
        data: RunData,
        *,
        segments: list[str] | None = None,
        holdout_pct: float | None = None,
    ) -> None:
        super().__init__()
        self.data = data
        self.segments = segments  # the focused segment(s); None: nothing is focused
        self.holdout_pct = holdout_pct  # the focused draft's; None: each file's default
        self.contacts: ContactColumns | None = None  # read in a worker when the dialog opens
        self.contacts_failed = False
        # The defaults last put in the path and holdout fields: a field still holding its
        # default follows the choices; one the user changed is left alone.
        self.defaults: dict[str, str] = {}

    # --- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        run = self.data.run
        scope = [("Every segment of the run", "all"), ("The segments I tick", "chosen")]
        if self.segments:
            scope.insert(0, (f"{', '.join(self.segments)} (focused)", "focused"))
        with Vertical(classes="dialog"):
            yield Static(f"Audience from {run.segmentation} (run {run.id})",
                         classes="dialog-title", markup=False)  # fmt: skip
            with Horizontal(classes="audience-row"):
                yield Static("What")
                yield Select(KINDS, value="esp", allow_blank=False, id="audience-kind",
                             compact=True, tooltip="Which file to write.")  # fmt: skip
            with Horizontal(classes="audience-row"):
                yield Static("Segments")
                yield Select(scope, value=scope[0][1], allow_blank=False, id="audience-scope",
                             compact=True, tooltip="Whose rows go in the file.")  # fmt: skip
            with Horizontal(classes="audience-row", id="audience-holdout-row"):
                yield Static("Holdout %")
                yield Input(id="audience-holdout", compact=True,
                            tooltip="The % of each segment kept out of the send as a control "
                            "group (0 to 100).")  # fmt: skip
                yield Static("Seed", id="audience-seed-label")
                yield Input("0", id="audience-seed", compact=True,
                            tooltip="The same seed holds out the same customers.")  # fmt: skip
            yield Static("Reading the contact columns…", id="audience-contacts", markup=False)
            with Horizontal(id="audience-lists"):
                segments: SelectionList[str] = SelectionList(
                    *((name, name, name in (self.segments or [])) for name in self.data.segments),
                    id="audience-segments",
                )
                segments.border_title = "Segments (space ticks)"
                yield segments
                columns: SelectionList[str] = SelectionList(id="audience-columns")
                columns.border_title = "Extra merge columns"
                yield columns
            with Horizontal(classes="audience-row"):
                yield Static("Path")
                yield Input(id="audience-path", compact=True,
                            tooltip="Where to write; Enter exports.")  # fmt: skip
            yield Static("", id="audience-also", classes="muted", markup=False)
            yield ProgressBar(total=1.0, show_eta=False, id="audience-progress")
            yield Static("", id="audience-status", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self._follow_choices()
        self.query_one("#audience-path", Input).focus()
        self.load_contacts()

    @work(thread=True, exclusive=True, exit_on_error=False, name="audience-contacts",
          group="audience-contacts")  # fmt: skip
    def load_contacts(self) -> ContactColumns:
        # The contact columns are checked for values: a worker keeps a big run from
        # freezing the dialog as it opens (the project's connection is per thread).
        from segtui.core.audience import contact_columns, stored_roles

        roles = stored_roles(self.project, self.data) if self.project is not None else {}
        return contact_columns(self.data, roles)

    @property
    def kind(self) -> str:
        return str(self.query_one("#audience-kind", Select).value)

    @property
    def scope(self) -> str:
        return str(self.query_one("#audience-scope", Select).value)

    def chosen_segments(self) -> list[str] | None:
        """The segments written (None: every segment of the run)."""
        if self.scope == "focused":
            return self.segments
        if self.scope == "chosen":
            return list(self.query_one("#audience-segments", SelectionList).selected)
        return None

    def _follow_choices(self) -> None:
        """Show what applies to the file chosen; defaults follow until the user edits them."""
        kind = self.kind
        audience = kind in AUDIENCES
        self.query_one("#audience-holdout-row").display = audience
        self.query_one("#audience-contacts").display = audience
        self.query_one("#audience-segments").display = self.scope == "chosen"
        self.query_one("#audience-columns").display = kind == "esp"
        self.query_one("#audience-lists").display = self.scope == "chosen" or kind == "esp"
        if audience:
            from segtui.core.audience import DEFAULT_HOLDOUT

            pct = DEFAULT_HOLDOUT[kind] if self.holdout_pct is None else self.holdout_pct
            self._follow_default("#audience-holdout", f"{pct:g}")
        path = default_path(self.data.run.segmentation, kind, self.chosen_segments())
        self._follow_default("#audience-path", path)
        self._show_contacts()
        self._check()

    def _follow_default(self, selector: str, value: str) -> None:
        field = self.query_one(selector, Input)
        if field.value in ("", self.defaults.get(selector)):
            with field.prevent(Input.Changed):
                field.value = value
            self.defaults[selector] = value

    def _show_contacts(self) -> None:
        contacts, kind = self.contacts, self.kind
        if contacts is None or kind not in AUDIENCES:
            return
        self.query_one("#audience-contacts", Static).update(contacts_line(kind, contacts))
        columns = self.query_one("#audience-columns", SelectionList)
        if columns.option_count == 0:  # filled once, when the contacts are known
            columns.add_options((c, c, False) for c in extra_columns(self.data, contacts))

    def _check(self) -> str | None:
        """The first thing that stops an export (shown in the status line), else None; also
        names the files written beside the list."""
        if self.running:
            return None
        problem = self._problem()
        self._status(problem or "", error=problem is not None)
        self._show_also()
        return problem

    def _problem(self) -> str | None:
        from segtui.core.audience import contact_problem

        kind = self.kind
        if self.scope == "chosen" and not self.chosen_segments():
            return "Tick at least one segment (space in the list)."
        if kind not in AUDIENCES:
            return None
        try:
            self._holdout()
            self._seed()
        except ValueError as exc:
            return str(exc)
        if self.contacts is None:
            return None
        problem = contact_problem(kind, self.contacts)
        return sentence(problem) if problem else None

    def _holdout(self) -> float:
        return parse_holdout(self.query_one("#audience-holdout", Input).value)

    def _seed(self) -> int:
        return parse_seed(self.query_one("#audience-seed", Input).value)

    def _show_also(self) -> None:
        """Beside the path: the other files an audience writes."""
        try:
            pct: float | None = self._holdout()
        except ValueError:
            pct = None
        path = self.query_one("#audience-path", Input).value
        self.query_one("#audience-also", Static).update(also_written(self.kind, path, pct))

    # --- events ----------------------------------------------------------------------------

    def on_select_changed(self, event: Select.Changed) -> None:
        self._follow_choices()

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        if event.selection_list.id == "audience-segments":
            self._follow_choices()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._check()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "audience-path":
            self.action_export()

    # --- writing ---------------------------------------------------------------------------

    def _job(self) -> AudienceJob | None:
        """The export asked for, or None with the reason in the status line."""
        text = self.query_one("#audience-path", Input).value.strip()
        if not text:
            self._status("Give a path to write to, e.g. champions-esp.csv.", error=True)
            return None
        if self.kind in AUDIENCES and self.contacts is None:
            if not self.contacts_failed:  # else the failure is in the status line already
                self._status("Still reading the contact columns; try again in a moment.")
            return None
        if self._check() is not None:
            return None
        audience = self.kind in AUDIENCES
        columns = self.query_one("#audience-columns", SelectionList)
        return AudienceJob(
            kind=self.kind,
            path=Path(text).expanduser(),
            segments=self.chosen_segments(),
            fields=list(columns.selected) if self.kind == "esp" else [],
            holdout_pct=self._holdout() if audience else 0.0,
            seed=self._seed() if audience else 0,
        )

    def export(self, force: bool) -> None:
        job = self._job()
        if job is not None and self.start_writing(job.path, job.targets, force):
            self.write(job, force)

    @work(thread=True, exclusive=True, exit_on_error=False, name="audience-export",
          group="audience-export")  # fmt: skip
    def write(self, job: AudienceJob, force: bool) -> AudienceExport | DraftsWritten:
        return run_job(
            self.project, self.data, job, self.contacts, force=force,
            progress=self._progress, cancelled=self.cancel_event.is_set,
        )  # fmt: skip

    def written(self, result: AudienceExport | DraftsWritten) -> str:
        return success_message(result)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Only the contacts worker: Textual also calls WritingModal's handler, which ends the
        # export worker.
        if event.worker.name != "audience-contacts":
            return
        if event.state == WorkerState.SUCCESS:
            self.contacts = event.worker.result
            self._show_contacts()
            self._check()
        elif event.state == WorkerState.ERROR:  # the why is in the status line (show_error)
            self.contacts_failed = True
            self.query_one("#audience-contacts", Static).update(
                "Contact columns: could not be read; the drafts can still be exported."
            )
