"""A stored run loaded for review: its counts, its per-customer rows and the customer features
they are profiled and listed with. The Segments screen, the profiles, the charts and the
exports all start from a RunData.

Assignments are read through ADBC (Arrow, no Python row objects: 1M rows in well under a
second); the features come from the per-process cache, so a screen that already has them pays
nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from segtui.core.run_rows import SCORE_COLUMNS, read_run_rows
from segtui.core.segment_model import CUSTOMER_ID, CriteriaError, Features, RunInfo

if TYPE_CHECKING:
    import polars as pl

    from segtui.core.project import Project

SEGMENT = "segment"


@dataclass
class RunData:
    """One run with everything needed to review it."""

    run: RunInfo
    assignments: pl.DataFrame  # customer_id, segment, and the score columns the run filled
    features: Features
    currency: str
    notes: list[str] = field(default_factory=list)  # e.g. features newer than the run

    @property
    def segments(self) -> list[str]:
        return [s.name for s in self.run.segments]

    @property
    def overlapping(self) -> bool:
        """True for an overlapping rule segmentation (a customer may be in several segments),
        as it was run, even when nobody happens to be in two."""
        return self.run.method == "rules" and self.run.parameters.get("mode") == "overlapping"

    @functools.cached_property
    def aligned(self) -> bool:
        """True when the assignments hold the features' customers in the same order (an
        exclusive run of the current data): members are then a mask, not a join."""
        ids = self.features.frame.get_column(CUSTOMER_ID)
        return self.assignments.height == ids.len() and self.assignments.get_column(
            CUSTOMER_ID
        ).equals(ids)

    @property
    def score_columns(self) -> list[str]:
        return [c for c in self.assignments.columns if c in SCORE_COLUMNS]

    def segment_ids(self, segment: str) -> pl.Series:
        """The customer ids in one segment."""
        import polars as pl

        self.check_segment(segment)
        return self.assignments.filter(pl.col(SEGMENT) == segment).get_column(CUSTOMER_ID)

    def check_segment(self, segment: str) -> None:
        if segment not in self.segments:
            raise CriteriaError(
                f"run {self.run.id} of {self.run.segmentation!r} has no segment {segment!r}; "
                f"its segments are {', '.join(self.segments)}."
            )

    def member_columns(self) -> list[str]:
        """Every column a member list can show, in display order."""
        return [
            CUSTOMER_ID,
            SEGMENT,
            *self.score_columns,
            *(f.name for f in self.features.fields if f.name not in SCORE_COLUMNS),
        ]

    def members(
        self, segments: Sequence[str] | None = None, columns: Sequence[str] | None = None
    ) -> pl.DataFrame:
        """The customers of some segments (all when None) with their scores, attributes and
        features, in the run's order. ``columns`` picks and orders the columns (customer_id
        and segment are always first)."""
        import polars as pl

        rows = self.assignments
        mask = None
        if segments is not None:
            for name in segments:
                self.check_segment(name)
            mask = pl.col(SEGMENT).is_in(list(segments))
        available = self.member_columns()
        wanted = available if columns is None else _checked_columns(columns, available)
        from_features = [
            c for c in wanted if c not in rows.columns and c in self.features.frame.columns
        ]
        keep = [c for c in wanted if c in rows.columns]
        if self.aligned:  # same customers in the same order: side by side, no join
            both = pl.concat(
                [rows.select(keep), self.features.frame.select(from_features)], how="horizontal"
            )
            return (both.filter(mask) if mask is not None else both).select(wanted)
        frame = (rows.filter(mask) if mask is not None else rows).select(keep)
        if from_features:
            frame = frame.join(
                self.features.frame.select(CUSTOMER_ID, *from_features),
                on=CUSTOMER_ID,
                how="left",
                maintain_order="left",
            )
        return frame.select(wanted)


def _checked_columns(columns: Sequence[str], available: list[str]) -> list[str]:
    unknown = [c for c in columns if c not in available]
    if unknown:
        raise CriteriaError(
            f"column {unknown[0]!r} is not a member column; choose from {', '.join(available)}."
        )
    rest = [c for c in columns if c not in (CUSTOMER_ID, SEGMENT)]
    return [CUSTOMER_ID, SEGMENT, *dict.fromkeys(rest)]


# The score columns each method fills (reading columns that are all NULL costs as much as
# reading real values: at 1M rows, 2.9 s for all eight against 0.8 s for none).
METHOD_SCORES: dict[str, tuple[str, ...]] = {
    "rules": (),
    "rfm": ("r_score", "f_score", "m_score", "recency", "frequency", "monetary"),
    "kmeans": ("distance",),
    "gmm": ("probability",),
}


def read_assignments(project: Project, run_id: int, method: str | None = None) -> pl.DataFrame:
    """A run's per-customer rows: customer_id, segment and the score columns its method fills
    (all of them when the method is not given; columns left empty are dropped)."""
    scores = list(METHOD_SCORES.get(method or "", tuple(SCORE_COLUMNS)))
    frame = read_run_rows(project.path, run_id, scores)
    empty = [c for c in scores if frame.get_column(c).null_count() == frame.height]
    return frame.drop(empty) if frame.height else frame.drop(scores)


def load_run(project: Project, run_id: int, features: Features | None = None) -> RunData:
    """Load a stored run with the project's current customer features."""
    from segtui.core.features import customer_features

    run = project.run(run_id)
    assignments = read_assignments(project, run_id, run.method)
    features = features or customer_features(project)
    notes = []
    date = features.analysis_date.isoformat() if features.analysis_date else None
    if date != run.analysis_date:
        notes.append(
            f"This run used the analysis date {run.analysis_date or 'none'}; the features shown "
            f"are as of {date or 'no date'}. Run the segmentation again to bring them in line."
        )
    elif features.frame.height != run.population:
        notes.append(
            f"The data changed since this run ({run.population:,} customers then, "
            f"{features.frame.height:,} now); run the segmentation again to include everyone."
        )
    return RunData(run, assignments, features, project.settings().currency, notes)


def latest_run(project: Project, segmentation: str) -> RunData:
    """The latest run of a segmentation, loaded."""
    seg = project.segmentation(segmentation)
    if seg.last_run is None:
        raise CriteriaError(
            f"segmentation {seg.name!r} has not been run yet; run it on the Criteria screen "
            f"or with `segtui segment PROJECT --name {seg.name!r}`."
        )
    return load_run(project, seg.last_run.id)
