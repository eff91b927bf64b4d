"""The start screen: open or create a project by typing its path (with completion), or build
the demo project. Shown when segtui starts without a project and by "project: open…"."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, Input, Static
from textual.worker import Worker, WorkerState

from segtui.tui.formatting import display_path
from segtui.tui.screens.base import SegtuiScreen
from segtui.tui.screens.confirm import ConfirmModal
from segtui.tui.widgets.footer import KeysFooter
from segtui.tui.widgets.paths import PROJECT_SUFFIXES, PathSuggester

DEFAULT_DEMO_PATH = "./segtui-demo.db"


class StartScreen(SegtuiScreen):
    PURPOSE = "Open or create a project file, or build the demo project."
    CSS_PATH = "start.tcss"
    BINDINGS: ClassVar = [
        Binding(
            "escape",
            "back",
            "Back",
            id="start.back",
            tooltip="Back to the open project (when one is open).",
        ),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="start"):
            with Vertical(classes="card"):
                yield Static("segtui", id="start-title")
                yield Static(
                    "Customer segmentation in the terminal: everything of one engagement "
                    "lives in one project file (SQLite).",
                    classes="muted",
                )
            with Vertical(classes="card"):
                yield Static("Open or create a project", classes="section-title")
                yield Input(
                    placeholder="project file, e.g. acme.db",
                    id="project-path",
                    suggester=PathSuggester(PROJECT_SUFFIXES),
                    tooltip="Type a project file path and press Enter: an existing file opens, "
                    "a new name creates the project. → accepts the grey completion.",
                )
                yield Static(
                    "Enter opens it; a new name creates it.", classes="muted", id="open-hint"
                )
            with Vertical(classes="card"):
                yield Static("Or try the demo", classes="section-title")
                yield Static(
                    "A synthetic retailer: about 5,000 customers and 60,000 orders, imported "
                    "into a project file at the path below.",
                    classes="muted",
                )
                yield Input(
                    value=DEFAULT_DEMO_PATH,
                    id="demo-path",
                    suggester=PathSuggester(PROJECT_SUFFIXES),
                    tooltip="Where to write the demo project; Enter builds it and opens it.",
                )
                yield Button("Build and open the demo", id="build-demo", variant="primary")
            yield Static("", id="start-status", classes="status")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.focus_path()

    def on_screen_resume(self) -> None:
        self.query_one("#start-status", Static).update("")

    def focus_path(self) -> None:
        self.query_one("#project-path", Input).focus()

    def focus_demo(self) -> None:
        self.query_one("#demo-path", Input).focus()

    def show_error(self, message: str) -> None:
        status = self.query_one("#start-status", Static)
        status.set_class(True, "error")
        status.update(message)

    def _status(self, message: str) -> None:
        status = self.query_one("#start-status", Static)
        status.set_class(False, "error")
        status.update(message)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.project is not None if action == "back" else True

    def action_back(self) -> None:
        if self.project is not None:
            self.segtui.go("home")

    @on(Input.Submitted, "#project-path")
    def open_typed_path(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.show_error("Type a project file name first, e.g. acme.db.")
            return
        path = Path(text).expanduser()
        if path.is_dir():
            self.show_error(f"{display_path(path)} is a folder; type a file name inside it.")
            return
        verb = "Opening" if path.exists() else "Creating"
        self._status(f"{verb} {display_path(path)}…")
        self.segtui.open_project(str(path))

    @on(Input.Submitted, "#demo-path")
    @on(Button.Pressed, "#build-demo")
    def build_demo_asked(self) -> None:
        text = self.query_one("#demo-path", Input).value.strip() or DEFAULT_DEMO_PATH
        path = Path(text).expanduser()
        if path.exists():

            def answered(open_it: bool | None) -> None:
                if open_it:
                    self._status(f"Opening {display_path(path)}…")
                    self.segtui.open_project(str(path))

            self.app.push_screen(
                ConfirmModal(
                    f"{display_path(path)} already exists. Open it?",
                    "To build a fresh demo, type another file name instead.",
                    confirm_label="Open",
                ),
                answered,
            )
            return
        self.start_demo_build(path)

    def start_demo_build(self, path: Path) -> None:
        """Build the demo project at path in a worker, then open it."""
        self.query_one("#demo-path", Input).value = str(path)
        self._status(f"Building the demo project in {display_path(path)}… (a few seconds)")
        self.query_one("#build-demo", Button).disabled = True
        self.build_demo(path)

    @work(thread=True, exclusive=True, exit_on_error=False, name="build_demo")
    def build_demo(self, path: Path) -> Path:
        from segtui.core.demo import build_demo

        return Path(build_demo(path))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "build_demo" or not event.worker.is_finished:
            return
        self.query_one("#build-demo", Button).disabled = False
        if event.state == WorkerState.SUCCESS:
            self._status(f"Opening {display_path(event.worker.result)}…")
            self.segtui.open_project(str(event.worker.result))
