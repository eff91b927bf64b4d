"""The App: the registry of main screens, global keys, palette commands, the project that is
open, and the one handler that routes worker failures. Screens do the rest.

Start-up stays light: nothing here imports polars, pyarrow or scikit-learn; workers import
what they need when they run.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.signal import Signal
from textual.worker import Worker, WorkerState

from segtui.core.errors import ImportCancelled, SegtuiError
from segtui.core.segment_model import RunCancelled
from segtui.tui.app_datasets import DatasetActions
from segtui.tui.commands import SegtuiCommands
from segtui.tui.errors import failure_message
from segtui.tui.screens.base import Command, SegtuiScreenMixin

if TYPE_CHECKING:
    from segtui.core.model import DatasetInfo
    from segtui.core.project import Project, ProjectSettings


def screen_factory(where: str) -> Callable[[], Screen[None]]:
    """ "module.Class" under segtui.tui.screens, imported when first shown (start-up stays
    light: only the first screen's module is loaded before it paints)."""

    def make() -> Screen[None]:
        module, _, name = where.rpartition(".")
        return getattr(importlib.import_module(f"segtui.tui.screens.{module}"), name)()

    return make


@dataclass(frozen=True)
class MainScreen:
    """One step of the workflow: its mode name, tab title, number key, screen class
    ("module.Class" under segtui.tui.screens) and what it is for."""

    mode: str
    title: str
    key: str
    where: str
    purpose: str

    @property
    def screen(self) -> Callable[[], Screen[None]]:
        return screen_factory(self.where)


# The main screens, in tab order. Adding a screen is one line here.
MAIN_SCREENS: tuple[MainScreen, ...] = (
    MainScreen("home", "Home", "1", "home.HomeScreen", "the project, its settings and datasets"),
    MainScreen(
        "import", "Import", "2", "import_screen.ImportScreen", "import a customers or orders file"
    ),
    MainScreen(
        "criteria", "Criteria", "3", "criteria.CriteriaScreen", "define and run segmentations"
    ),
    MainScreen(
        "segments",
        "Segments",
        "4",
        "segments.SegmentsScreen",
        "review a run: segments by value, profiles, charts, members and export",
    ),
    MainScreen(
        "messaging",
        "Messaging",
        "5",
        "messaging.MessagingScreen",
        "draft each segment's message, preview it on real members, export audiences",
    ),
)


def _go_binding(entry: MainScreen) -> Binding:
    return Binding(
        entry.key,
        f"go('{entry.mode}')",
        entry.title,
        show=False,
        id=f"go.{entry.mode}",
        tooltip=f"Go to the {entry.title} screen: {entry.purpose}.",
    )


class SegtuiApp(DatasetActions, App[None]):
    """segtui: customer segmentation in the terminal."""

    TITLE = "segtui"
    CSS_PATH = "app.tcss"
    COMMANDS: ClassVar = {SegtuiCommands}
    MODES: ClassVar = {
        "start": screen_factory("start.StartScreen"),
        **{s.mode: s.screen for s in MAIN_SCREENS},
    }
    NOTIFICATION_TIMEOUT = 8
    BINDINGS: ClassVar = [
        *(_go_binding(entry) for entry in MAIN_SCREENS),
        Binding(
            "f1,question_mark",
            "help",
            "Help",
            id="app.help",
            tooltip="Show what has focus, what it is for and every key that works there now.",
        ),
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Quit segtui (work is saved)."),
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            show=False,
            priority=True,
            id="app.quit_anywhere",
            tooltip="Quit segtui from anywhere, even while typing (work is saved).",
        ),
    ]

    def __init__(self, project_path: str | None = None, *, demo_path: str | None = None) -> None:
        super().__init__()
        self.main_screens = MAIN_SCREENS
        self.initial_path = project_path
        # Build the demo here first (in a worker, after the first paint), then open it.
        self.demo_path = demo_path
        self.project: Project | None = None
        self.settings: ProjectSettings | None = None
        self.datasets: list[DatasetInfo] = []
        # Published (on the UI thread) whenever settings or datasets were reloaded.
        self.project_changed: Signal[None] = Signal(self, "project_changed")
        self.quit_asked = False  # quitting was asked once and something was not saved
        # The segmentation the Segments screen shows next (set by "review" elsewhere).
        self.review_target: str | None = None

    # --- start-up and the open project --------------------------------------------------

    async def on_mount(self) -> None:
        if self.initial_path:
            self.open_project(self.initial_path)
            return
        await self.switch_mode("start")
        if self.demo_path:
            self.screen.start_demo_build(Path(self.demo_path))  # type: ignore[attr-defined]

    @work(thread=True, exclusive=True, exit_on_error=False, group="project", name="open_project")
    def open_project(
        self, path: str, create: bool = True
    ) -> tuple[Project, ProjectSettings, list[DatasetInfo]]:
        """Open (or create) a project file and read what Home shows; adopted on the UI thread."""
        from segtui.core.project import Project

        project = Project.open(path, create=create)
        return project, project.settings(), project.datasets()

    async def _adopt_project(
        self, opened: tuple[Project, ProjectSettings, list[DatasetInfo]]
    ) -> None:
        project = opened[0]
        old, self.project = self.project, project
        if old is not None and old is not project:
            old.close()
        self.settings, self.datasets = opened[1], opened[2]
        main_modes = [entry.mode for entry in self.main_screens]
        if self.current_mode in main_modes:
            await self.switch_mode("start")
        # Main screens are rebuilt for the new project (they are created lazily).
        for entry in self.main_screens:
            await self.remove_mode(entry.mode)
            self.add_mode(entry.mode, entry.screen)
        self.sub_title = project.path.name
        await self.switch_mode("home")

    @work(thread=True, exclusive=True, exit_on_error=False, group="info", name="load_info")
    def reload_project(self) -> tuple[ProjectSettings, list[DatasetInfo]]:
        """Re-read settings and datasets (after any change); screens follow project_changed."""
        project = self.project
        assert project is not None
        return project.settings(), project.datasets()

    # --- the one handler for workers ------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Route every worker's failure (screens forward theirs here) and adopt app results."""
        worker = event.worker
        if event.state == WorkerState.ERROR:
            self.report_failure(worker.error, worker)
        elif event.state == WorkerState.SUCCESS and worker.node is self:
            if worker.name == "open_project":
                self.call_later(self._adopt_project, worker.result)
            elif worker.name == "load_info":
                self.settings, self.datasets = worker.result
                self.project_changed.publish(None)

    def _handle_exception(self, error: Exception) -> None:
        """An exception outside a worker (a bug in a handler). Textual would print a traceback
        with locals on exit; ours goes to the log file and the terminal gets one sentence.
        The app still exits: the failed widget's message loop has already stopped."""
        from rich.text import Text

        message = failure_message(error, "unhandled error in the UI")
        self._return_code = 1
        if self._exception is None:  # Pilot re-raises it in tests
            self._exception = error
            self._exception_event.set()
        self._exit_renderables.append(
            Text(f"segtui stopped. {message} Everything saved before this is in the file.")
        )
        self._close_messages_no_wait()

    def report_failure(self, error: BaseException | None, worker: Worker | None = None) -> None:
        """One sentence on screen (a bug's traceback goes to the log file, never here)."""
        if error is None:
            return
        context = f"worker {worker.name!r} failed" if worker else "unexpected error"
        message = failure_message(error, context)
        cancelled = isinstance(error, (ImportCancelled, RunCancelled))
        known = isinstance(error, SegtuiError)
        self.notify(
            message,
            title="Cancelled" if cancelled else ("Cannot do that" if known else "Error"),
            severity="information" if cancelled else "error",
            markup=False,
        )
        node = worker.node if worker else None
        screen = node if isinstance(node, Screen) else getattr(node, "screen", None)
        if isinstance(screen, SegtuiScreenMixin):
            screen.show_error(message)
        if worker is not None and worker.name == "open_project" and self.project is None:
            self.call_later(self._back_to_start, message)

    async def _back_to_start(self, message: str) -> None:
        from segtui.tui.screens.start import StartScreen

        await self.switch_mode("start")
        start = self.screen
        if isinstance(start, StartScreen):
            start.show_error(message)

    # --- actions --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in ("go", "settings") and self.project is None)

    def go(self, mode: str) -> None:
        """Switch to a main screen (once a project is open)."""
        if self.project is not None and mode != self.current_mode:
            self.switch_mode(mode)

    def review(self, segmentation: str) -> None:
        """Show a segmentation's latest run on the Segments screen."""
        if self.project is None:
            return
        if self.current_mode == "segments":
            self.screen.show_segmentation(segmentation)  # type: ignore[attr-defined]
        else:
            self.review_target = segmentation
            self.switch_mode("segments")

    async def action_quit(self) -> None:
        """Quit, once every screen on show has written what it holds (text typed a moment
        ago on the Messaging screen is saved after a pause: quitting does not wait for it).
        When something could not be written (the file is busy, the playbook editor has
        unchecked changes), the first press says so and a second one quits anyway."""
        kept = [s.save_pending() for s in self.screen_stack if isinstance(s, SegtuiScreenMixin)]
        if all(kept) or self.quit_asked:
            self.exit()
            return
        self.quit_asked = True
        self.notify(
            "Something is not saved yet (see the message on screen, or ctrl+s in the playbook "
            "editor). Press q or ctrl+q again to quit without it.",
            title="Not saved",
            severity="warning",
        )

    async def action_go(self, mode: str) -> None:
        if self.project is not None and mode != self.current_mode:
            await self.switch_mode(mode)

    def action_help(self) -> None:
        from segtui.tui.screens.help import HelpScreen, help_for

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(*help_for(self.screen)))

    async def action_open_project(self) -> None:
        await self.switch_mode("start")
        self.screen.focus_path()  # type: ignore[attr-defined]

    async def action_build_demo(self) -> None:
        await self.switch_mode("start")
        self.screen.focus_demo()  # type: ignore[attr-defined]

    def action_settings(self) -> None:
        from segtui.tui.screens.settings_modal import SettingsModal

        if self.project is not None and self.settings is not None:
            self.push_screen(SettingsModal(self.settings))

    async def action_import_file(self) -> None:
        await self.action_go("import")
        if self.current_mode == "import":
            self.screen.focus_path()  # type: ignore[attr-defined]

    # --- the command palette --------------------------------------------------------------

    def palette_commands(self, screen: Screen[object]) -> list[Command]:
        """Every action that applies now, namespaced; the screen adds its own."""
        commands: list[Command] = []
        if self.project is not None:
            commands += [
                Command(
                    f"go: {entry.title}",
                    lambda mode=entry.mode: self.go(mode),  # type: ignore[misc]
                    f"Key {entry.key}: {entry.purpose}",
                )
                for entry in self.main_screens
            ]
            commands += [
                Command("project: settings…", self.action_settings, "Name, currency, date"),
                Command("import: file…", self.action_import_file, "Pick or type a file to import"),
            ]
            if self.datasets:
                commands += [
                    Command(
                        "import: dataset report…",
                        lambda: self.pick_dataset(self.show_dataset, "show"),
                        "The import report and first rejects of a dataset",
                    ),
                    Command(
                        "dataset: delete…",
                        lambda: self.pick_dataset(self.confirm_delete, "delete"),
                        "Remove a dataset from the project (asks first)",
                    ),
                ]
        commands += [
            Command("project: open or create…", self.action_open_project, "Type a project path"),
            Command("project: build the demo…", self.action_build_demo, "A ready-made project"),
            Command("help: keys", self.action_help, "What has focus and the keys that work"),
            Command("app: change theme…", self.search_themes, "Pick a colour theme"),
            Command("app: quit", self.action_quit, "Quit segtui (everything is saved)"),
        ]
        if isinstance(screen, SegtuiScreenMixin):
            commands += screen.commands()
        return commands


def build_app(
    project_path: str | Path | None = None, *, demo_path: str | Path | None = None
) -> SegtuiApp:
    """The app for the CLI (``segtui [PROJECT]``) and for tests."""
    return SegtuiApp(
        str(project_path) if project_path else None,
        demo_path=str(demo_path) if demo_path else None,
    )
