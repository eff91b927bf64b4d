"""Segmentations and their runs in the project file.

A segmentation (segtui_segmentations) is a name, a method and a definition stored as readable
JSON: the rule segments, or the RFM or clustering settings. Every change is written at once.
Each run (segtui_runs) keeps the definition as it was run, what the method worked out (details),
the analysis date, the per-segment counts (segtui_run_segments) and the per-customer
assignment (segtui_assignments); earlier runs are kept. A run is written in one ADBC
transaction, so it lands whole or not at all.

Mixed into Project; relies on its ``path``, ``reading()``, ``transaction()`` and ``_touch()``.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from segtui.core.datasets import now_iso
from segtui.core.run_rows import SCORE_COLUMNS, assignment_rows, read_run_rows, segment_counts
from segtui.core.segment_model import (
    CUSTOMER_ID,
    METHODS,
    CriteriaError,
    Features,
    Method,
    MethodResult,
    RunInfo,
    RunSegment,
    Segmentation,
)
from segtui.core.storage import run_adbc

if TYPE_CHECKING:
    import polars as pl

NAME_MAX = 60


def check_segmentation_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise CriteriaError("segmentation name: give a name (it cannot be blank).")
    if len(name) > NAME_MAX:
        raise CriteriaError(f"segmentation name: use at most {NAME_MAX} characters.")
    return name


def segment_in_latest_run(seg: Segmentation, segment: str) -> str:
    """The name of ``segment`` (any case) in the segmentation's latest run; CriteriaError
    when it has not been run or has no such segment."""
    if seg.last_run is None:
        raise CriteriaError(
            f"segmentation {seg.name!r} has not been run yet; run it to use its segments."
        )
    names = {s.name.casefold(): s.name for s in seg.last_run.segments}
    if segment.casefold() not in names:
        raise CriteriaError(
            f"segmentation {seg.name!r} has no segment {segment!r}; its segments are "
            f"{', '.join(s.name for s in seg.last_run.segments)}."
        )
    return names[segment.casefold()]


def _name_key(name: str) -> str:
    """What two names must share to be the same segmentation: case and spacing do not count
    (casefold, unlike SQLite's NOCASE, folds "É" and "é" too)."""
    return " ".join(name.split()).casefold()


def _check_method(method: str) -> Method:
    if method not in METHODS:
        raise CriteriaError(f"method {method!r} is not known; use one of {', '.join(METHODS)}.")
    return method  # type: ignore[return-value]


class SegmentationStore:
    """The segmentation half of Project."""

    path: Path

    if TYPE_CHECKING:

        def reading(self) -> contextlib.AbstractContextManager[sqlite3.Connection]: ...
        def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]: ...
        def _touch(self) -> None: ...

    # --- definitions ---------------------------------------------------------------------

    def segmentations(self) -> list[Segmentation]:
        with self.reading() as conn:
            rows = conn.execute(
                "SELECT id, name, method, definition, created_at, updated_at "
                "FROM segtui_segmentations ORDER BY id"
            ).fetchall()
            latest = {
                r[0]: r[1]
                for r in conn.execute(
                    "SELECT segmentation_id, max(id) FROM segtui_runs GROUP BY segmentation_id"
                )
            }
        found = [Segmentation(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5]) for r in rows]
        for seg in found:
            if seg.id in latest:
                seg.last_run = self.run(latest[seg.id])
        return found

    def segmentation(self, name: str) -> Segmentation:
        key = _name_key(name)
        for seg in self.segmentations():
            if _name_key(seg.name) == key:
                return seg
        raise CriteriaError(
            f"there is no segmentation named {name!r}; `segtui segments PROJECT` lists them."
        )

    def has_segmentation(self, name: str) -> bool:
        key = _name_key(name)
        with self.reading() as conn:
            names = [r[0] for r in conn.execute("SELECT name FROM segtui_segmentations")]
        return any(_name_key(known) == key for known in names)

    def create_segmentation(
        self, name: str, method: str, definition: dict[str, Any]
    ) -> Segmentation:
        name = check_segmentation_name(name)
        method = _check_method(method)
        if self.has_segmentation(name):
            raise CriteriaError(
                f"a segmentation named {name!r} already exists; choose another name."
            )
        now = now_iso()
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO segtui_segmentations (name, method, definition, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?)",
                (name, method, json.dumps(definition, indent=1), now, now),
            )
            self._touch()
        return self.segmentation(name)

    def update_segmentation(
        self,
        name: str,
        *,
        definition: dict[str, Any] | None = None,
        method: str | None = None,
        new_name: str | None = None,
    ) -> Segmentation:
        """Change a segmentation's definition, method or name in one transaction."""
        seg = self.segmentation(name)
        values: dict[str, Any] = {"updated_at": now_iso()}
        if definition is not None:
            values["definition"] = json.dumps(definition, indent=1)
        if method is not None:
            values["method"] = _check_method(method)
        if new_name is not None:
            new_name = check_segmentation_name(new_name)
            if _name_key(new_name) != _name_key(seg.name) and self.has_segmentation(new_name):
                raise CriteriaError(
                    f"a segmentation named {new_name!r} already exists; choose another name."
                )
            values["name"] = new_name
        assignments = ", ".join(f"{key} = ?" for key in values)
        with self.transaction() as conn:
            conn.execute(
                f"UPDATE segtui_segmentations SET {assignments} WHERE id = ?",
                (*values.values(), seg.id),
            )
            self._touch()
        return self.segmentation(new_name or seg.name)

    def delete_segmentation(self, name: str) -> None:
        """Delete a segmentation with all its runs."""
        seg = self.segmentation(name)
        with self.transaction() as conn:
            conn.execute("DELETE FROM segtui_segmentations WHERE id = ?", (seg.id,))
            self._touch()

    # --- runs ----------------------------------------------------------------------------

    def run(self, run_id: int) -> RunInfo:
        with self.reading() as conn:
            row = conn.execute(
                "SELECT r.id, s.name, r.method, r.parameters, r.details, r.analysis_date, "
                "r.ran_at, r.population, r.customers, r.seconds FROM segtui_runs r "
                "JOIN segtui_segmentations s ON s.id = r.segmentation_id WHERE r.id = ?",
                (run_id,),
            ).fetchone()
            if row is None:
                raise CriteriaError(f"there is no run {run_id} in {self.path.name}.")
            segments = [
                RunSegment(*r)
                for r in conn.execute(
                    "SELECT position, name, customers, share, revenue, description "
                    "FROM segtui_run_segments WHERE run_id = ? ORDER BY position",
                    (run_id,),
                )
            ]
        return RunInfo(
            row[0], row[1], row[2], json.loads(row[3]), json.loads(row[4]), *row[5:], segments
        )

    def runs(self, name: str) -> list[RunInfo]:
        """Every run of a segmentation, newest first."""
        seg = self.segmentation(name)
        with self.reading() as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM segtui_runs WHERE segmentation_id = ? ORDER BY id DESC",
                    (seg.id,),
                )
            ]
        return [self.run(run_id) for run_id in ids]

    def rename_run_segment(self, run_id: int, old: str, new: str) -> RunInfo:
        """Rename a segment in a stored run (its counts row and its customers' rows), in one
        transaction; used when a generated cluster name is renamed after the run."""
        new = " ".join(new.split())
        if not new:
            raise CriteriaError("segment name: give a name (it cannot be blank).")
        run = self.run(run_id)
        names = [s.name for s in run.segments]
        if old not in names:
            raise CriteriaError(f"run {run_id} has no segment {old!r}.")
        if new != old and new.casefold() in {n.casefold() for n in names if n != old}:
            raise CriteriaError(f"run {run_id} already has a segment {new!r}; choose another.")
        with self.transaction() as conn:
            rename_in_run(conn, run_id, old, new)
            owner = conn.execute(
                "SELECT segmentation_id FROM segtui_runs WHERE id = ?", (run_id,)
            ).fetchone()[0]
            follow_rename(conn, owner, old, new)
            self._touch()
        return self.run(run_id)

    def move_segment_note(self, segmentation: str, old: str, new: str) -> None:
        """After an editor renamed a segment in the definition: its description and drafts
        follow."""
        seg = self.segmentation(segmentation)
        if old != new:
            with self.transaction() as conn:
                follow_rename(conn, seg.id, old, new)

    def segment_members(self, segmentation: str, segment: str) -> list[str]:
        """The customer ids in a segment of a segmentation's latest run."""
        seg = self.segmentation(segmentation)
        name = segment_in_latest_run(seg, segment)
        assert seg.last_run is not None
        with self.reading() as conn:
            return [
                r[0]
                for r in conn.execute(
                    "SELECT customer_id FROM segtui_assignments WHERE run_id = ? AND segment = ?",
                    (seg.last_run.id, name),
                )
            ]

    def assignments(self, run_id: int) -> pl.DataFrame:
        """A run's per-customer rows as a polars frame, every score column included."""
        return read_run_rows(self.path, run_id, list(SCORE_COLUMNS))

    def save_run(
        self,
        segmentation: Segmentation,
        result: MethodResult,
        features: Features,
        seconds: float,
    ) -> RunInfo:
        """Store a run: its row, per-segment counts and assignments, in one transaction."""
        segments = segment_counts(result, features)
        with self.reading() as conn:  # the user's own descriptions outlive the run
            notes = dict(
                conn.execute(
                    "SELECT segment, description FROM segtui_segment_notes "
                    "WHERE segmentation_id = ?",
                    (segmentation.id,),
                ).fetchall()
            )
        notes = {name.casefold(): text for name, text in notes.items()}
        for s in segments:
            s.description = notes.get(s.name.casefold(), s.description)
        assigned = result.assignments.get_column(CUSTOMER_ID).n_unique()
        arrow = assignment_rows(result.assignments)
        run_row = (
            segmentation.id,
            segmentation.method,
            json.dumps(segmentation.definition, indent=1),
            json.dumps(result.details | {"warnings": result.warnings}, indent=1, default=str),
            features.analysis_date.isoformat() if features.analysis_date else None,
            now_iso(),
            features.frame.height,
            assigned,
            seconds,
        )

        def work(conn: Any) -> int:
            with conn.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO segtui_runs (segmentation_id, method, parameters, details, "
                    "analysis_date, ran_at, population, customers, seconds) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    run_row,
                )
                cursor.execute("SELECT last_insert_rowid()")
                run_id = int(cursor.fetchone()[0])
                for s in segments:
                    cursor.execute(
                        "INSERT INTO segtui_run_segments (run_id, position, name, customers, "
                        "share, revenue, description) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (run_id, s.position, s.name, s.customers, s.share, s.revenue,
                         s.description),
                    )  # fmt: skip
                import pyarrow as pa

                table = arrow.append_column(
                    "run_id", pa.array([run_id] * arrow.num_rows, type=pa.int64())
                )
                if table.num_rows:
                    cursor.adbc_ingest("segtui_assignments", table, mode="append")
                cursor.execute(
                    "UPDATE segtui_settings SET value = ? WHERE key = 'updated_at'",
                    (json.dumps(run_row[5]),),
                )
            conn.commit()
            return run_id

        run_id = run_adbc(self.path, work, "store the run")  # type: ignore[arg-type]
        return self.run(int(run_id))  # type: ignore[arg-type]


def rename_in_run(conn: sqlite3.Connection, run_id: int, old: str, new: str) -> None:
    """A segment's new name in a stored run: its counts row and its customers' rows (the
    caller holds the transaction)."""
    conn.execute(
        "UPDATE segtui_run_segments SET name = ? WHERE run_id = ? AND name = ?",
        (new, run_id, old),
    )
    conn.execute(
        "UPDATE segtui_assignments SET segment = ? WHERE run_id = ? AND segment = ?",
        (new, run_id, old),
    )


def follow_rename(conn: sqlite3.Connection, segmentation_id: int, old: str, new: str) -> None:
    """What hangs off a segment's name follows its rename: the user's description (one the
    new name had is replaced) and its message drafts (the caller holds the transaction)."""
    from segtui.core.messaging_store import move_drafts

    conn.execute(
        "DELETE FROM segtui_segment_notes WHERE segmentation_id = ? AND segment = ? "
        "AND segment <> ?",
        (segmentation_id, new, old),
    )
    conn.execute(
        "UPDATE segtui_segment_notes SET segment = ? WHERE segmentation_id = ? AND segment = ?",
        (new, segmentation_id, old),
    )
    move_drafts(conn, segmentation_id, old, new)
