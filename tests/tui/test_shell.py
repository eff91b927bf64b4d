"""The app shell: start screen, screen switching, help from live bindings, the palette's
namespaced commands, settings, and failures shown as one sentence."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.widgets import Input, Static
from tui_helpers import settle, text_of

import segtui.tui.app as app_module
from segtui.core.project import Project
from segtui.tui.app import SegtuiApp, build_app
from segtui.tui.screens.help import HelpScreen
from segtui.tui.screens.home import HomeScreen
from segtui.tui.screens.import_screen import ImportScreen
from segtui.tui.screens.settings_modal import SettingsModal
from segtui.tui.screens.start import StartScreen


def _all_binding_classes() -> list[type]:
    import segtui.tui.screens.column_modal
    import segtui.tui.screens.confirm
    import segtui.tui.screens.dataset_modal
    import segtui.tui.screens.help
    import segtui.tui.screens.home
    import segtui.tui.screens.import_screen
    import segtui.tui.screens.settings_modal
    import segtui.tui.screens.start

    modules = [
        app_module,
        segtui.tui.screens.column_modal,
        segtui.tui.screens.confirm,
        segtui.tui.screens.dataset_modal,
        segtui.tui.screens.help,
        segtui.tui.screens.home,
        segtui.tui.screens.import_screen,
        segtui.tui.screens.settings_modal,
        segtui.tui.screens.start,
        segtui.tui.screens.base,
    ]
    return [
        cls
        for module in modules
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if cls.__module__.startswith("segtui.") and "BINDINGS" in cls.__dict__
    ]


def test_every_binding_has_an_id_and_a_tooltip() -> None:
    classes = _all_binding_classes()
    assert SegtuiApp in classes and ImportScreen in classes
    for cls in classes:
        for binding in cls.__dict__["BINDINGS"]:
            assert isinstance(binding, Binding), cls
            assert binding.id, f"{cls.__name__}: {binding.key} has no id"
            assert binding.tooltip, f"{cls.__name__}: {binding.key} has no tooltip"


async def test_start_screen_creates_a_project(tui_workdir: Path) -> None:
    app = build_app(None)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, StartScreen)
        assert isinstance(app.focused, Input) and app.focused.id == "project-path"
        await pilot.press(*"acme.db", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.project is not None
        assert text_of(app.screen.query_one("#project-file", Static)) == "File: acme.db"
        assert "Import a customers or orders file: press 2 or i." in text_of(
            app.screen.query_one("#next-steps", Static)
        )
        await pilot.press("2")
        assert isinstance(app.screen, ImportScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
    assert (tui_workdir / "acme.db").stat().st_mode & 0o777 == 0o600


async def test_segtui_demo_paints_first_then_builds_the_demo(
    tui_workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`segtui demo NEW.db`: the app is up at once and builds the demo in a worker."""
    import threading

    import segtui.core.demo as demo_module

    real_build = demo_module.build_demo
    screen_seen = threading.Event()

    def build_after_first_look(path: Path, **kwargs: object) -> Path:
        screen_seen.wait(timeout=30)  # the real build, once the test has seen the screen
        return real_build(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(demo_module, "build_demo", build_after_first_look)
    app = build_app(None, demo_path=tui_workdir / "demo.db")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert "Building the demo project" in text_of(app.screen.query_one("#start-status", Static))
        screen_seen.set()
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert [d.name for d in app.datasets] == ["customers", "orders"]
    with Project.open(tui_workdir / "demo.db") as project:
        assert project.dataset("orders").rows == 60_000
        assert project.settings().name == "Demo retailer"


async def test_a_file_that_is_not_a_project_is_refused_in_one_line(tui_workdir: Path) -> None:
    bad = tui_workdir / "notes.db"
    bad.write_text("just some text\n")
    app = build_app(str(bad))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, StartScreen)
        message = text_of(app.screen.query_one("#start-status", Static))
        assert "notes.db is not a SQLite file" in message
        assert "\n" not in message and "Traceback" not in message
    assert bad.read_text() == "just some text\n"


async def test_help_shows_the_live_bindings_of_what_has_focus(tui_workdir: Path) -> None:
    app = build_app(str(tui_workdir / "acme.db"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = {(keys, action) for keys, action, _details, _where in help_screen.rows}
        assert ("e", "Settings") in rows
        assert ("q", "Quit") in rows
        assert ("^q", "Quit") in rows
        assert ("^p", "palette") in rows
        assert ("f1 / ?", "Help") in rows
        # No dataset yet: deleting one is not offered, so help does not list it.
        assert not any(action == "Delete" for _, action in rows)
        assert "datasets" in help_screen.title_text
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)

        await pilot.press("2")
        await pilot.press("f1")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert help_screen.title_text == "Help: import-path"
        assert "→ accepts the grey completion" in help_screen.purpose
        where = {action: w for _, action, _, w in help_screen.rows}
        assert where["Choose file"] == "this screen"
        assert where["Quit"] == "everywhere"
        # "q" types a q into the focused field, so help does not claim it quits.
        assert not any(keys == "q" for keys, *_ in help_screen.rows)
        await pilot.press("question_mark")
        assert isinstance(app.screen, ImportScreen)


async def test_palette_lists_namespaced_commands_and_runs_them(tui_workdir: Path) -> None:
    app = build_app(str(tui_workdir / "acme.db"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        names = [c.name for c in app.palette_commands(app.screen)]
        for expected in (
            "project: open or create…",
            "project: settings…",
            "import: file…",
            "help: keys",
            "go: Import",
        ):
            assert expected in names
        assert all(": " in name for name in names)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"import: file")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ImportScreen)
        assert app.focused is app.screen.query_one("#import-path", Input)


async def test_settings_are_checked_and_saved_at_once(tui_workdir: Path) -> None:
    path = tui_workdir / "acme.db"
    app = build_app(str(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, SettingsModal)
        modal.query_one("#name", Input).value = "Acme retail"
        modal.query_one("#currency", Input).value = "EURO€"
        modal.query_one("#date", Input).value = "2024-13-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal
        assert "YYYY-MM-DD" in text_of(modal.query_one("#date-problem", Static))
        modal.query_one("#currency", Input).value = "€"
        modal.query_one("#date", Input).value = "2024-06-30"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        shown = text_of(app.screen.query_one("#project-settings", Static))
        assert "2024-06-30 (set by you)" in shown
        assert text_of(app.screen.query_one("#project-title", Static)) == "Acme retail"
    with Project.open(path) as project:
        settings = project.settings()
    assert settings.name == "Acme retail"
    assert settings.currency == "€"
    assert str(settings.analysis_date_override) == "2024-06-30"


async def test_the_tab_bar_switches_screens(tui_workdir: Path) -> None:
    app = build_app(str(tui_workdir / "acme.db"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.click("#tab-import")
        await settle(pilot)
        assert isinstance(app.screen, ImportScreen)
        await pilot.click("#tab-home")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_typed_paths_complete_from_disk(tui_workdir: Path) -> None:
    from segtui.tui.widgets.paths import IMPORTABLE_SUFFIXES, PathSuggester

    (tui_workdir / "exports").mkdir()
    (tui_workdir / "exports" / "orders_2024.csv").write_text("a\n1\n")
    (tui_workdir / "exports" / "notes.docx").write_text("x")
    suggester = PathSuggester(IMPORTABLE_SUFFIXES)
    assert await suggester.get_suggestion("exp") == "exports/"
    assert await suggester.get_suggestion("exports/") == "exports/orders_2024.csv"
    assert await suggester.get_suggestion("exports/o") == "exports/orders_2024.csv"
    assert await suggester.get_suggestion("exports/n") is None  # not importable

    Project.open(tui_workdir / "acme.db").close()
    app = build_app(None)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press(*"ac")
        await settle(pilot)
        await pilot.press("right", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.project is not None and app.project.path.name == "acme.db"


async def test_a_bug_in_a_handler_exits_with_one_sentence_and_logs_the_traceback(
    tui_workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(self: SegtuiApp) -> None:
        raise RuntimeError("handler exploded")

    monkeypatch.setattr(SegtuiApp, "action_settings", broken)
    Project.open(tui_workdir / "p.db").close()
    app = build_app(tui_workdir / "p.db")
    with pytest.raises(RuntimeError, match="handler exploded"):
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
    assert app.return_code == 1
    shown = capsys.readouterr().err
    assert shown.startswith("segtui stopped. Something went wrong: handler exploded")
    assert "Traceback" not in shown and "raise RuntimeError" not in shown
    log = (tui_workdir.parent / "state" / "segtui" / "segtui.log").read_text()
    assert "Traceback" in log and "handler exploded" in log
