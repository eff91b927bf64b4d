"""The app's dataset actions, shared by every screen and the palette: a dataset's import
report, a fuzzy picker of the datasets, and deleting one (after asking)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work

from segtui.tui.screens.base import Command

if TYPE_CHECKING:
    from segtui.core.model import DatasetInfo
    from segtui.core.project import Project


class DatasetActions:
    """Mixed into SegtuiApp."""

    if TYPE_CHECKING:
        project: Project | None
        datasets: list[DatasetInfo]

        def push_screen(self, screen: Any, callback: Any = None) -> Any: ...
        def search_commands(self, commands: Any, placeholder: str = "") -> Any: ...
        def call_from_thread(self, callback: Any, *args: Any, **kwargs: Any) -> Any: ...
        def notify(self, message: str, **kwargs: Any) -> None: ...
        def reload_project(self) -> Any: ...

    def show_dataset(self, name: str) -> None:
        from segtui.tui.screens.dataset_modal import DatasetModal

        self.push_screen(DatasetModal(name))

    def pick_dataset(self, then: Callable[[str], object], verb: str) -> None:
        """A fuzzy picker of the project's datasets (through the command palette)."""
        self.search_commands(
            [
                Command(
                    f"{d.name} ({d.kind}, {d.rows:,} rows)",
                    lambda name=d.name: then(name),  # type: ignore[misc]
                    f"{verb} {d.name}",
                )
                for d in self.datasets
            ],
            placeholder=f"Dataset to {verb}…",
        )

    def confirm_delete(self, name: str) -> None:
        from segtui.tui.screens.confirm import ConfirmModal

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.delete_dataset(name)

        self.push_screen(
            ConfirmModal(
                f"Delete the dataset {name!r}?",
                "Its rows and rejects are removed from the project file. This cannot be undone.",
                confirm_label="Delete",
            ),
            done,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="delete", name="delete")
    def delete_dataset(self, name: str) -> None:
        assert self.project is not None
        self.project.delete_dataset(name)
        self.call_from_thread(self.notify, f"Dataset {name!r} deleted.", markup=False)
        self.call_from_thread(self.reload_project)
