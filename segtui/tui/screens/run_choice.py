"""Which segmentation a review screen (Segments, Messaging) shows, and the fuzzy picker of the
segmentations that have been run: both screens follow the same rules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from segtui.core.segment_model import METHOD_LABELS
from segtui.tui.screens.base import Command

if TYPE_CHECKING:
    from textual.app import App

    from segtui.core.segmentations import Segmentation


def segmentation_to_show(
    segmentations: Sequence[Segmentation], wanted: str | None, shown_run_id: int | None
) -> Segmentation | None:
    """``wanted`` when it has been run; else the one whose latest run is on show (it was
    renamed elsewhere); else the most recently run one; None when nothing has been run."""
    run = {s.name: s for s in segmentations if s.last_run is not None}
    if wanted in run:
        return run[wanted]
    for seg in run.values():
        if shown_run_id is not None and seg.last_run.id == shown_run_id:  # type: ignore[union-attr]
            return seg
    return max(run.values(), key=lambda s: s.last_run.id, default=None)  # type: ignore[union-attr]


def pick_segmentation(
    app: App[Any],
    segmentations: Sequence[Segmentation],
    then: Callable[[str], object],
    placeholder: str,
) -> None:
    """A fuzzy picker of the segmentations that have a run (a note when none has)."""
    runs = [s for s in segmentations if s.last_run is not None]
    if not runs:
        app.notify("No segmentation has been run yet: run one on the Criteria screen.")
        return
    app.search_commands(
        [
            Command(
                s.name,
                lambda name=s.name: then(name),  # type: ignore[misc]
                f"{METHOD_LABELS.get(s.method, s.method)} · {len(s.last_run.segments)} "  # type: ignore[union-attr]
                f"segments · run {s.last_run.ran_at[:16].replace('T', ' ')}",  # type: ignore[union-attr]
            )
            for s in runs
        ],
        placeholder=placeholder,
    )
