"""Edit the project's name, currency and analysis date; saved at once when valid."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static
from textual.worker import Worker, WorkerState

from segtui.tui.screens.base import SegtuiModal
from segtui.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from segtui.core.project import ProjectSettings


def check_settings(name: str, currency: str, date_text: str) -> dict[str, str]:
    """Problems by field ("name", "currency", "date"); empty when all is well."""
    problems: dict[str, str] = {}
    if not name.strip():
        problems["name"] = "Give the project a name (it cannot be blank)."
    if len(currency.strip()) > 5:
        problems["currency"] = "Use a symbol or code of at most 5 characters (£, €, USD)."
    if date_text.strip():
        try:
            dt.date.fromisoformat(date_text.strip())
        except ValueError:
            problems["date"] = "Write the date as YYYY-MM-DD, or leave it blank for automatic."
    return problems


class SettingsModal(SegtuiModal[None]):
    PURPOSE = "Project settings: saved as soon as you press Enter or ctrl+s."
    BINDINGS: ClassVar = [
        Binding(
            "ctrl+s",
            "save",
            "Save",
            id="settings.save",
            tooltip="Check the values and save them to the project file at once.",
        ),
    ]

    def __init__(self, settings: ProjectSettings) -> None:
        super().__init__()
        self.settings = settings

    def compose(self) -> ComposeResult:
        s = self.settings
        override = s.analysis_date_override.isoformat() if s.analysis_date_override else ""
        with Vertical(classes="dialog settings-dialog"):
            yield Static("Project settings", classes="dialog-title")
            yield Label("Name")
            yield Input(
                s.name, id="name", compact=True, tooltip="The project's name, on every screen."
            )
            yield Static("", id="name-problem", classes="problem")
            yield Label("Currency symbol")
            yield Input(
                s.currency, id="currency", compact=True, tooltip="Shown before money (£, €, $)."
            )
            yield Static("", id="currency-problem", classes="problem")
            yield Label("Analysis date (YYYY-MM-DD; blank = automatic)")
            yield Input(
                override,
                id="date",
                compact=True,
                placeholder="automatic: the day after the last order",
                tooltip="The 'today' of the analysis: recency is counted back from it. Leave "
                "blank for the day after the last order.",
            )
            yield Static("", id="date-problem", classes="problem")
            yield Static("", id="settings-error", classes="problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")
        yield KeysFooter()

    def on_mount(self) -> None:
        for problem in self.query(".problem"):
            problem.display = False
        self.query_one("#name", Input).focus()

    def _problem(self, where: str, text: str) -> None:
        problem = self.query_one(f"#{where}", Static)
        problem.update(text)
        problem.display = bool(text)

    def show_error(self, message: str) -> None:
        self._problem("settings-error", message)

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        values = {f: self.query_one(f"#{f}", Input).value for f in ("name", "currency", "date")}
        problems = check_settings(values["name"], values["currency"], values["date"])
        for field in ("name", "currency", "date"):
            self._problem(f"{field}-problem", problems.get(field, ""))
        if problems:
            self.query_one(f"#{next(iter(problems))}", Input).focus()
            return
        date_text = values["date"].strip()
        self.save(values["name"], values["currency"], date_text or None)

    @work(thread=True, exclusive=True, exit_on_error=False, name="save_settings")
    def save(self, name: str, currency: str, analysis_date: str | None) -> None:
        project = self.project
        assert project is not None
        project.update_settings(name=name, currency=currency, analysis_date=analysis_date)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name == "save_settings" and event.state == WorkerState.SUCCESS:
            self.segtui.reload_project()
            self.app.notify("Settings saved.")
            self.dismiss(None)
