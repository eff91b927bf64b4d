"""Overlap between the segments of one run (pairwise counts and Jaccard, for overlapping rule
segmentations) and the cross-tab of two runs of the same customers (which segment of one run
the customers of each segment of the other are in).

Both count memberships: in an overlapping run a customer in two segments counts once in each,
so a cross-tab cell is the number of (row segment, column segment) membership pairs of the
customers present in both runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from segtui.core.run_data import SEGMENT
from segtui.core.segment_model import CUSTOMER_ID

if TYPE_CHECKING:
    import polars as pl

    from segtui.core.run_data import RunData

TOTAL = "Total"


@dataclass(frozen=True)
class Overlap:
    segments: list[str]  # run order
    sizes: list[int]  # customers per segment
    counts: list[list[int]]  # customers in both segments i and j (the diagonal: sizes)
    jaccard: list[list[float]]  # counts ÷ customers in either; 0 when both are empty


@dataclass(frozen=True)
class CrossTab:
    row_title: str  # e.g. "RFM · run 3"
    col_title: str
    rows: list[str]  # segments of the first run, in its order
    cols: list[str]  # segments of the second run
    counts: list[list[int]]  # membership pairs of the customers in both runs
    row_totals: list[int]
    col_totals: list[int]
    common: int  # distinct customers in both runs
    only_rows: int  # distinct customers only in the first run
    only_cols: int  # distinct customers only in the second run

    @property
    def total(self) -> int:
        return sum(self.row_totals)


def _jaccard(both: int, a: int, b: int) -> float:
    either = a + b - both
    return both / either if either else 0.0


def overlap(data: RunData) -> Overlap:
    """Pairwise overlap of a run's segments (an exclusive run: zero off the diagonal)."""
    import polars as pl

    segments = data.segments
    index = {name: i for i, name in enumerate(segments)}
    rows = data.assignments.select(CUSTOMER_ID, SEGMENT).filter(pl.col(SEGMENT).is_in(segments))
    sizes = [0] * len(segments)
    for name, n in rows.group_by(SEGMENT).len().iter_rows():
        sizes[index[name]] = int(n)
    counts = [[0] * len(segments) for _ in segments]
    for i, n in enumerate(sizes):
        counts[i][i] = n
    if data.overlapping:
        # Only customers in several segments add pairs; the self-join sees just those rows.
        several = rows.filter(pl.len().over(CUSTOMER_ID) > 1)
        pairs = (
            several.join(several, on=CUSTOMER_ID, suffix="_other")
            .filter(pl.col(SEGMENT) != pl.col(f"{SEGMENT}_other"))
            .group_by(SEGMENT, f"{SEGMENT}_other")
            .len()
        )
        for a, b, n in pairs.iter_rows():
            counts[index[a]][index[b]] = int(n)
    jaccard = [
        [_jaccard(counts[i][j], sizes[i], sizes[j]) for j in range(len(segments))]
        for i in range(len(segments))
    ]
    return Overlap(segments, sizes, counts, jaccard)


def _title(data: RunData) -> str:
    return f"{data.run.segmentation} · run {data.run.id}"


def crosstab(a: RunData, b: RunData) -> CrossTab:
    """Customers of each segment of run ``a`` (rows) by segment of run ``b`` (columns),
    over the customers present in both runs."""
    import polars as pl

    left = a.assignments.select(CUSTOMER_ID, pl.col(SEGMENT).alias("__row"))
    right = b.assignments.select(CUSTOMER_ID, pl.col(SEGMENT).alias("__col"))
    rows, cols = a.segments, b.segments
    row_index = {name: i for i, name in enumerate(rows)}
    col_index = {name: j for j, name in enumerate(cols)}
    counts = [[0] * len(cols) for _ in rows]
    pairs = left.join(right, on=CUSTOMER_ID, how="inner").group_by("__row", "__col").len()
    for row, col, n in pairs.iter_rows():
        if row in row_index and col in col_index:
            counts[row_index[row]][col_index[col]] = int(n)
    ids_a = left.get_column(CUSTOMER_ID).unique()
    ids_b = right.get_column(CUSTOMER_ID).unique()
    common = int(ids_a.is_in(ids_b.implode()).sum())
    return CrossTab(
        row_title=_title(a),
        col_title=_title(b),
        rows=rows,
        cols=cols,
        counts=counts,
        row_totals=[sum(line) for line in counts],
        col_totals=[sum(line[j] for line in counts) for j in range(len(cols))],
        common=common,
        only_rows=ids_a.len() - common,
        only_cols=ids_b.len() - common,
    )


def overlap_frame(o: Overlap) -> pl.DataFrame:
    """One row per pair of segments (each pair once, in run order): segment_a, segment_b,
    customers_a, customers_b, both, jaccard (four decimals). Long rather than a matrix so
    the two measures and any segment names fit plain columns."""
    import polars as pl

    records = [
        {
            "segment_a": o.segments[i],
            "segment_b": o.segments[j],
            "customers_a": o.sizes[i],
            "customers_b": o.sizes[j],
            "both": o.counts[i][j],
            "jaccard": round(o.jaccard[i][j], 4),
        }
        for i in range(len(o.segments))
        for j in range(i + 1, len(o.segments))
    ]
    schema = {
        "segment_a": pl.String,
        "segment_b": pl.String,
        "customers_a": pl.Int64,
        "customers_b": pl.Int64,
        "both": pl.Int64,
        "jaccard": pl.Float64,
    }
    return pl.DataFrame(records, schema=schema)


def _unique(names: list[str]) -> list[str]:
    """Column names made distinct ("Total" as a segment name would clash with the totals)."""
    seen: set[str] = set()
    out = []
    for name in names:
        candidate, n = name, 2
        while candidate in seen:
            candidate, n = f"{name} ({n})", n + 1
        seen.add(candidate)
        out.append(candidate)
    return out


def crosstab_frame(c: CrossTab) -> pl.DataFrame:
    """The cross-tab as a table: the first column (named by the row title) holds the first
    run's segments and "Total"; one column per segment of the second run, then "Total"."""
    import polars as pl

    header = _unique([c.row_title, *c.cols, TOTAL])
    lines = [
        [name, *line, total]
        for name, line, total in zip(c.rows, c.counts, c.row_totals, strict=True)
    ]
    lines.append([TOTAL, *c.col_totals, c.total])
    columns = list(zip(*lines, strict=True))
    data = {
        name: pl.Series(name, list(values), dtype=pl.String if k == 0 else pl.Int64)
        for k, (name, values) in enumerate(zip(header, columns, strict=True))
    }
    return pl.DataFrame(data)
