"""A stored run's rows: the assignment columns and their SQL types, reading a run's
per-customer rows as Arrow, and what save_run writes (the Arrow assignments and the
per-segment counts)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from segtui.core.segment_model import CUSTOMER_ID, Features, MethodResult, RunSegment
from segtui.core.storage import run_adbc

if TYPE_CHECKING:
    import polars as pl

# Assignment columns besides run_id, customer_id and segment, with their SQL types.
SCORE_COLUMNS = {
    "r_score": "INTEGER",
    "f_score": "INTEGER",
    "m_score": "INTEGER",
    "recency": "REAL",
    "frequency": "REAL",
    "monetary": "REAL",
    "distance": "REAL",
    "probability": "REAL",
}


def read_run_rows(path: Path, run_id: int, scores: Sequence[str]) -> pl.DataFrame:
    """customer_id, segment and the ``scores`` columns of a run's assignments, typed, in the
    order they were stored (read through ADBC: 1M rows in well under a second)."""
    import polars as pl

    kinds = {c: SCORE_COLUMNS[c] for c in scores}
    # A typed first row fixes ADBC's per-column type guess (a column that starts with NULLs
    # would otherwise be guessed wrongly); it is dropped again below.
    sentinel = ", ".join(
        ["'' AS customer_id", "'' AS segment"]
        + [f"{0 if kind == 'INTEGER' else 0.5} AS {c}" for c, kind in kinds.items()]
    )
    query = (
        f"SELECT {sentinel} UNION ALL SELECT * FROM (SELECT "
        f"{', '.join(['customer_id', 'segment', *kinds])} FROM segtui_assignments "
        f"WHERE run_id = {int(run_id)} ORDER BY rowid)"
    )

    def work(conn: Any) -> Any:
        with conn.cursor() as cursor:
            cursor.execute(query)
            return cursor.fetch_arrow_table()

    frame = pl.from_arrow(run_adbc(path, work, "read the run's customers"))
    assert isinstance(frame, pl.DataFrame)
    return frame.slice(1).with_columns(
        pl.col(c).cast(pl.Int64 if kind == "INTEGER" else pl.Float64) for c, kind in kinds.items()
    )


def assignment_rows(assignments: pl.DataFrame) -> Any:
    """A run's assignments as the Arrow table written to segtui_assignments."""
    import polars as pl

    columns = [pl.col(CUSTOMER_ID).cast(pl.String), pl.col("segment").cast(pl.String)]
    for name, kind in SCORE_COLUMNS.items():
        if name in assignments.columns:
            columns.append(pl.col(name).cast(pl.Int64 if kind == "INTEGER" else pl.Float64))
    return assignments.select(columns).to_arrow()


def segment_counts(result: MethodResult, features: Features) -> list[RunSegment]:
    """Customers, share of the population and revenue (total spend) of every segment."""
    import polars as pl

    population = max(features.frame.height, 1)
    rows = result.assignments.select(CUSTOMER_ID, "segment")
    revenue: dict[str, float | None] = {}
    if "total_spend" in features.frame.columns:
        spend = features.frame.select(CUSTOMER_ID, "total_spend")
        revenue = dict(
            rows.join(spend, on=CUSTOMER_ID, how="left")
            .group_by("segment")
            .agg(pl.col("total_spend").sum())
            .iter_rows()
        )
    counts = dict(rows.group_by("segment").len().iter_rows())
    descriptions = result.details.get("descriptions", {})
    return [
        RunSegment(
            position=position,
            name=name,
            customers=int(counts.get(name, 0)),
            share=counts.get(name, 0) / population,
            revenue=(float(revenue.get(name) or 0.0) if revenue else None),
            description=str(descriptions.get(name, "")),
        )
        for position, name in enumerate(result.segments)
    ]
