"""The segments table of a run: per segment its customers, share, revenue, revenue share,
orders, average order value, median recency and value index, and a totals row.

Revenue is the sum of the customers' ``total_spend``, orders the sum of ``orders`` and recency
the median ``recency_days`` — the computed behaviour, so a project without transactions (and so
without those columns) has None for all of them. Shares are of the population: every customer
of the features frame, whether or not the run assigned them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from segtui.core.run_data import SEGMENT
from segtui.core.segment_model import CUSTOMER_ID

if TYPE_CHECKING:
    import polars as pl

    from segtui.core.run_data import RunData

REVENUE, ORDERS, RECENCY = "total_spend", "orders", "recency_days"
TOTAL = "Total"


@dataclass(frozen=True)
class SegmentRow:
    """One line of the segments table."""

    position: int  # the segment's place in the run (the total: after the last segment)
    name: str
    customers: int
    share: float  # of the population (0..1)
    revenue: float | None  # sum of total_spend; None when there are no transactions
    revenue_share: float | None  # of the population's revenue (0..1); None when that is ≤ 0
    orders: int | None
    aov: float | None  # revenue ÷ orders
    median_recency: float | None  # days
    value_index: float | None  # revenue_share ÷ share; None when undefined
    description: str


@dataclass(frozen=True)
class RunSummary:
    rows: list[SegmentRow]  # run order
    total: SegmentRow  # name "Total": distinct customers assigned (overlapping: counted once)
    population: int
    population_revenue: float | None
    overlapping: bool

    def row(self, name: str) -> SegmentRow:
        """The row of one segment (KeyError when the run has no such segment)."""
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(name)


def _measures(frame: pl.DataFrame) -> list[str]:
    """The behaviour columns the table can use (numeric ones only)."""
    schema = frame.schema
    return [c for c in (REVENUE, ORDERS, RECENCY) if c in schema and schema[c].is_numeric()]


def _aggs(measures: list[str]) -> list[pl.Expr]:
    import polars as pl

    aggs = [pl.len().alias("__n")]
    if REVENUE in measures:
        aggs.append(pl.col(REVENUE).cast(pl.Float64).sum().alias("__revenue"))
    if ORDERS in measures:
        aggs.append(pl.col(ORDERS).sum().alias("__orders"))
    if RECENCY in measures:
        aggs.append(pl.col(RECENCY).median().alias("__recency"))
    return aggs


def _row(
    position: int,
    name: str,
    description: str,
    agg: dict[str, Any],
    population: int,
    population_revenue: float | None,
) -> SegmentRow:
    customers = int(agg.get("__n") or 0)
    share = customers / population if population else 0.0
    revenue = None if "__revenue" not in agg else float(agg["__revenue"] or 0.0)
    orders = None if "__orders" not in agg else int(agg["__orders"] or 0)
    revenue_share = None
    if revenue is not None and population_revenue is not None and population_revenue > 0:
        revenue_share = revenue / population_revenue
    recency = agg.get("__recency")
    return SegmentRow(
        position=position,
        name=name,
        customers=customers,
        share=share,
        revenue=revenue,
        revenue_share=revenue_share,
        orders=orders,
        aov=revenue / orders if revenue is not None and orders else None,
        median_recency=None if recency is None else float(recency),
        value_index=revenue_share / share if revenue_share is not None and share else None,
        description=description,
    )


def summarise(data: RunData) -> RunSummary:
    """The segments table of a run, in run order, with its totals."""
    import polars as pl

    frame = data.features.frame
    measures = _measures(frame)
    members = data.assignments.select(CUSTOMER_ID, SEGMENT).join(
        frame.select(CUSTOMER_ID, *measures), on=CUSTOMER_ID, how="left"
    )
    aggs = _aggs(measures)
    per_segment = {row[SEGMENT]: row for row in members.group_by(SEGMENT).agg(aggs).to_dicts()}
    overlapping = data.overlapping
    assigned = members.unique(CUSTOMER_ID) if overlapping else members
    population = frame.height
    population_revenue = None
    if REVENUE in measures:
        population_revenue = float(frame.get_column(REVENUE).cast(pl.Float64).sum() or 0.0)
    empty: dict[str, Any] = {"__n": 0}  # a segment nobody is in: zero revenue and orders
    if REVENUE in measures:
        empty["__revenue"] = 0.0
    if ORDERS in measures:
        empty["__orders"] = 0
    rows = [
        _row(
            s.position,
            s.name,
            s.description,
            per_segment.get(s.name, empty),
            population,
            population_revenue,
        )
        for s in data.run.segments
    ]
    total = _row(
        len(rows),
        TOTAL,
        "",
        assigned.select(aggs).row(0, named=True),
        population,
        population_revenue,
    )
    return RunSummary(rows, total, population, population_revenue, overlapping)


def summary_frame(summary: RunSummary) -> pl.DataFrame:
    """The table for export: one row per segment and the total last. Percentages with one
    decimal, money and the value index with two, recency with one (as the screen shows
    them), so a spreadsheet reads like the table."""
    import polars as pl

    def rounded(value: float | None, digits: int) -> float | None:
        return None if value is None else round(value, digits)

    records = [
        {
            "segment": row.name,
            "customers": row.customers,
            "share_pct": round(100 * row.share, 1),
            "revenue": rounded(row.revenue, 2),
            "revenue_share_pct": rounded(
                None if row.revenue_share is None else 100 * row.revenue_share, 1
            ),
            "orders": row.orders,
            "aov": rounded(row.aov, 2),
            "median_recency_days": rounded(row.median_recency, 1),
            "value_index": rounded(row.value_index, 2),
            "description": row.description,
        }
        for row in [*summary.rows, summary.total]
    ]
    schema = {
        "segment": pl.String,
        "customers": pl.Int64,
        "share_pct": pl.Float64,
        "revenue": pl.Float64,
        "revenue_share_pct": pl.Float64,
        "orders": pl.Int64,
        "aov": pl.Float64,
        "median_recency_days": pl.Float64,
        "value_index": pl.Float64,
        "description": pl.String,
    }
    return pl.DataFrame(records, schema=schema)
