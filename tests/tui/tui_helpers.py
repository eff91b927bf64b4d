"""Small helpers for Pilot tests."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from textual.pilot import Pilot
from textual.widgets import Static
from textual.worker import WorkerError

if TYPE_CHECKING:
    from segtui.core.segment_model import RunInfo


async def settle(pilot: Pilot) -> None:
    """Let workers finish and the UI catch up (twice: a result may start another worker)."""
    for _ in range(3):
        # A failed worker is routed by the app; tests assert on what the screen shows.
        # DirectoryTree's loader never completes: it waits for folders to load.
        workers = [w for w in pilot.app.workers if w.group != "_loader"]
        if workers:  # (an empty list would mean "all of them")
            with contextlib.suppress(WorkerError):
                await pilot.app.workers.wait_for_complete(workers)
        await pilot.pause()


def text_of(static: Static) -> str:
    return str(static.content)


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*text)


def rfm_run(path: Path, name: str = "Customer value") -> RunInfo:
    """Define and run the default RFM segmentation in the project at ``path``."""
    from segtui.core.project import Project
    from segtui.core.runner import default_definition, run_segmentation

    with Project.open(path) as project:
        project.create_segmentation(name, "rfm", default_definition("rfm"))
        return run_segmentation(project, name)
