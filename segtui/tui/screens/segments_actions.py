"""What the Segments screen does besides showing a run: pick a segmentation or a feature (fuzzy
pickers through the command palette), open members, compare two segments, show the overlap
matrix or a cross-tab with another segmentation, rename or describe a segment, sort the
table, export, and the screen's palette commands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work

from segtui.core.segment_model import METHOD_LABELS
from segtui.tui.screens.base import Command

if TYPE_CHECKING:
    from segtui.core.segmentations import Segmentation
    from segtui.tui.app import SegtuiApp
    from segtui.tui.screens.segments import Loaded
    from segtui.tui.widgets.segment_table import SegmentTable


class SegmentActions:
    """Mixed into SegmentsScreen (see there for the state it keeps)."""

    if TYPE_CHECKING:
        app: SegtuiApp
        loaded: Loaded | None
        segmentations: list[Segmentation]
        segmentation_name: str | None
        feature: str | None

        @property
        def segtui(self) -> SegtuiApp: ...
        @property
        def project(self) -> Any: ...
        @property
        def focused_segment(self) -> str | None: ...
        def query_one(self, selector: Any, expect_type: Any = None) -> Any: ...
        def show_segmentation(self, name: str) -> None: ...
        def reload(self) -> Any: ...
        def load_run(self, name: str) -> Any: ...
        def _show_focus(self) -> None: ...
        def run_worker(self, *args: Any, **kwargs: Any) -> Any: ...

    # --- pickers ---------------------------------------------------------------------------

    def action_pick(self) -> None:
        from segtui.tui.screens.run_choice import pick_segmentation

        pick_segmentation(
            self.app, self.segmentations, self.show_segmentation, "Segmentation to review…"
        )

    def action_feature(self) -> None:
        if self.loaded is None:
            return
        fields = [f for f in self.loaded.data.features.fields if f.type != "text"]

        def choose(name: str) -> None:
            self.feature = name
            self.query_one("#charts").active = "pane-distribution"
            self._show_focus()

        self.app.search_commands(
            [
                Command(
                    f.label,
                    lambda name=f.name: choose(name),  # type: ignore[misc]
                    f"{f.group} · {f.type} · {f.name}",
                )
                for f in fields
            ],
            placeholder="Feature whose distribution to draw…",
        )

    def pick_segment(self, then: Any, placeholder: str, *, skip: str | None = None) -> None:
        assert self.loaded is not None
        self.app.search_commands(
            [
                Command(
                    row.name,
                    lambda name=row.name: then(name),  # type: ignore[misc]
                    f"{row.customers:,} customers ({100 * row.share:.1f}%)",
                )
                for row in self.loaded.summary.rows
                if row.name != skip
            ],
            placeholder=placeholder,
        )

    # --- members, comparison, overlap ------------------------------------------------------

    def action_members(self) -> None:
        segment = self.focused_segment
        if self.loaded is not None and segment is not None:
            from segtui.tui.screens.members import MembersScreen

            self.app.push_screen(MembersScreen(self.loaded.data, [segment]))

    def action_all_members(self) -> None:
        if self.loaded is not None:
            from segtui.tui.screens.members import MembersScreen

            self.app.push_screen(MembersScreen(self.loaded.data, None))

    def action_compare(self) -> None:
        first = self.focused_segment
        if self.loaded is None or first is None:
            return
        if len(self.loaded.summary.rows) < 2:
            self.app.notify("This run has one segment: there is nothing to compare it with.")
            return

        def open_with(second: str) -> None:
            from segtui.tui.screens.compare import CompareScreen

            assert self.loaded is not None
            self.app.push_screen(
                CompareScreen(self.loaded.data, first, second, self.loaded.summary)
            )

        self.pick_segment(open_with, f"Compare {first} with…", skip=first)

    def action_overlap(self) -> None:
        if self.loaded is None:
            return
        from segtui.tui.screens.overlap import OverlapScreen

        self.app.push_screen(OverlapScreen(self.loaded.data))

    def action_crosstab(self) -> None:
        if self.loaded is None:
            return
        here = self.loaded.data.run.segmentation
        others = [s for s in self.segmentations if s.last_run is not None and s.name != here]
        if not others:
            self.app.notify(
                "A cross-tab needs a second segmentation that has been run: define and run "
                "another on the Criteria screen."
            )
            return

        def open_with(other: str) -> None:
            from segtui.tui.screens.overlap import OverlapScreen

            assert self.loaded is not None
            self.app.push_screen(OverlapScreen(self.loaded.data, other))

        self.app.search_commands(
            [
                Command(
                    s.name,
                    lambda name=s.name: open_with(name),  # type: ignore[misc]
                    f"{METHOD_LABELS.get(s.method, s.method)} segmentation",
                )
                for s in others
            ],
            placeholder=f"Cross-tab {here} with…",
        )

    # --- table order -----------------------------------------------------------------------

    def action_sort(self) -> None:
        self._table().sort_segments()

    def action_reverse(self) -> None:
        self._table().sort_segments(reverse=True)

    def _table(self) -> SegmentTable:
        from segtui.tui.widgets.segment_table import SegmentTable

        return self.query_one(SegmentTable)  # type: ignore[no-any-return]

    # --- rename and describe ---------------------------------------------------------------

    def action_rename(self) -> None:
        from segtui.tui.screens.prompt import PromptModal

        segment = self.focused_segment
        if self.loaded is None or segment is None:
            return
        taken = {n.casefold() for n in self.loaded.data.segments if n != segment}

        def check(value: str) -> str:
            from segtui.core.segment_model import CriteriaError

            value = " ".join(value.split())
            if not value:
                raise CriteriaError("Give a name (it cannot be blank).")
            if value.casefold() in taken:
                raise CriteriaError(f"There is already a segment {value!r}; choose another.")
            return value

        run = self.loaded.data.run  # the run on screen, whatever loads meanwhile

        def done(new: str | None) -> None:
            if new and new != segment:
                self.rename_segment(run.segmentation, run.id, segment, new)

        self.app.push_screen(
            PromptModal(
                f"Rename {segment!r} to:",
                segment,
                detail="The definition, the latest run and rules that refer to it follow.",
                check=check,
            ),
            done,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="edit", name="rename")
    def rename_segment(self, segmentation: str, run_id: int, old: str, new: str) -> None:
        from segtui.core.segment_edit import rename_segment

        rename_segment(self.project, segmentation, old, new, run_id=run_id)
        self.app.call_from_thread(self.app.notify, f"Renamed {old!r} to {new!r}.", markup=False)
        self.app.call_from_thread(self._select_after_reload, new)

    def _select_after_reload(self, segment: str) -> None:
        self.pending_select = segment
        self.reload()

    def action_describe(self) -> None:
        from segtui.tui.screens.prompt import PromptModal

        segment = self.focused_segment
        if self.loaded is None or segment is None:
            return
        row = next(r for r in self.loaded.summary.rows if r.name == segment)
        run = self.loaded.data.run

        def done(text: str | None) -> None:
            if text is not None:
                self.describe_segment(run.segmentation, run.id, segment, text)

        self.app.push_screen(
            PromptModal(
                f"Describe {segment!r}:",
                row.description,
                detail="In your words, for the brief (blank restores the generated one).",
                placeholder="e.g. Our best customers: recent, frequent, high spend",
                check=lambda value: " ".join(value.split()),
            ),
            done,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="edit", name="describe")
    def describe_segment(self, segmentation: str, run_id: int, segment: str, text: str) -> None:
        from segtui.core.segment_edit import describe_segment

        describe_segment(self.project, segmentation, segment, text, run_id=run_id)
        self.app.call_from_thread(self.app.notify, f"Description of {segment!r} saved.")
        self.app.call_from_thread(self._select_after_reload, segment)

    # --- k scan of a clustering run whose k was set by hand --------------------------------

    def action_scan_k(self) -> None:
        loaded = self.loaded
        if loaded is None or loaded.data.run.method not in ("kmeans", "gmm"):
            return
        from segtui.tui.widgets.segment_charts import ChartView

        self.query_one("#charts").active = "pane-k"
        self.query_one("#chart-k1", ChartView).show(None, "Scanning k… (this takes a moment)")
        self.scan_k(loaded.data.run.id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="scan", name="scan-k")
    def scan_k(self, run_id: int) -> None:
        from textual.worker import get_current_worker

        from segtui.core.segment_edit import scan_run

        worker = get_current_worker()
        scan_run(self.project, run_id, cancelled=lambda: worker.is_cancelled)
        self.app.call_from_thread(self.reload_run)

    def reload_run(self) -> None:
        if self.segmentation_name is not None:
            self.load_run(self.segmentation_name)

    # --- export ----------------------------------------------------------------------------

    def action_export(self) -> None:
        if self.loaded is None:
            return
        from segtui.tui.screens.export_modal import ExportModal

        segment = self.focused_segment
        self.app.push_screen(
            ExportModal(
                self.loaded.data,
                segments=[segment] if segment else None,
                summary=self.loaded.summary,
                chart=self.current_chart(),
            )
        )

    def current_chart(self) -> Any:
        """The chart of the active tab (for export as text), if it shows one."""
        from segtui.tui.widgets.segment_charts import ChartView, HeatView

        pane = self.query_one("#charts").active
        if pane == "pane-rf":
            return self.query_one("#heat-rf", HeatView).grid
        views = {
            "pane-distribution": "#chart-distribution",
            "pane-projection": "#chart-projection",
        }
        if pane == "pane-sizes":
            return self.loaded.sizes if self.loaded else None  # both series in one
        if pane == "pane-k":
            return (self.loaded.k_curves or None) if self.loaded else None  # both curves
        if pane in views:
            return self.query_one(views[pane], ChartView).chart
        return None

    # --- palette ---------------------------------------------------------------------------

    def commands(self) -> list[Command]:
        commands = [Command("segment: review segmentation…", self.action_pick, "Fuzzy picker")]
        if self.loaded is None:
            return commands
        segment = self.focused_segment
        commands += [
            Command(
                f"segment: review {s.name}",
                lambda name=s.name: self.show_segmentation(name),  # type: ignore[misc]
                f"{METHOD_LABELS.get(s.method, s.method)} segmentation",
            )
            for s in self.segmentations
            if s.last_run is not None and s.name != self.segmentation_name
        ]
        if segment is not None:
            commands += [
                Command(f"segment: members of {segment}", self.action_members, "Enter"),
                Command(f"segment: compare {segment} with…", self.action_compare, "c"),
                Command(f"segment: rename {segment}…", self.action_rename, "n · saved at once"),
                Command(f"segment: describe {segment}…", self.action_describe, "e"),
                Command(
                    "segment: jump to segment…",
                    lambda: self.pick_segment(self._table().select, "Jump to segment…"),
                    "Fuzzy picker",
                ),
            ]
        commands += [
            Command("segment: all members of the run", self.action_all_members, "M"),
            Command("segment: overlap matrix", self.action_overlap, "o"),
            Command("segment: cross-tab with another segmentation…", self.action_crosstab, "x"),
            Command("segment: distribution of feature…", self.action_feature, "f"),
            Command("segment: sort by next column", self.action_sort, "s (S reverses)"),
            Command("export: members, summary or chart…", self.action_export, "ctrl+e"),
        ]
        return commands
