"""The rules every imported dataset meets, and the rows that break them.

A customer id on every row; no customer twice in a customers file; no exact repeat of an
order (when there is an order id to tell repeats apart). Rows that break a rule become rejects
with their source line and a reason; nothing is dropped silently. Also the report's summary
figures (customers, date range) and the grouping of reject reasons.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from segtui.core.errors import IngestError
from segtui.core.model import ColumnPlan, ImportReport


def raw_text(frame: pl.DataFrame) -> pl.Expr:
    """A row as "col=value; col=value" text, for the rejects table."""
    return pl.concat_str(
        [pl.lit(f"{c}=") + pl.col(c).cast(pl.String).fill_null("") for c in frame.columns],
        separator="; ",
    )


def reject_rows(rows: pl.DataFrame, column: str | None, reason: pl.Expr) -> pl.DataFrame:
    data_columns = [c for c in rows.columns if not c.startswith("__")]
    return rows.select(
        pl.col("__line").cast(pl.Int64).alias("line"),
        pl.lit(column, dtype=pl.String).alias("column"),
        reason.cast(pl.String).alias("reason"),
        raw_text(rows.select(data_columns)).alias("raw")
        if data_columns
        else pl.lit("", dtype=pl.String).alias("raw"),
    )


def require_customer_id(path: str, columns: list[ColumnPlan]) -> str:
    id_col = next((c.name for c in columns if c.role == "customer_id"), None)
    if id_col is None:
        names = ", ".join(c.name for c in columns)
        raise IngestError(
            f"{Path(path).name}: no column is marked as the customer id (columns: {names}); "
            "choose one (CLI: --role customer_id=COLUMN)."
        )
    return id_col


def validate(
    typed: pl.DataFrame, columns: list[ColumnPlan], kind: str, report: ImportReport
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Rules every dataset meets; returns the rows kept and the rows rejected (with reasons)."""
    rejects: list[pl.DataFrame] = []
    id_col = require_customer_id(report.source_path, columns)
    missing = pl.col(id_col).is_null() | (pl.col(id_col).cast(pl.String).str.strip_chars() == "")
    blank = typed.filter(missing)
    report.missing_customer_ids = blank.height
    if blank.height:
        rejects.append(reject_rows(blank, id_col, pl.lit(f"{id_col}: blank customer id")))
        typed = typed.filter(~missing)

    if kind == "customers":
        first_line = pl.col("__line").min().over(id_col)
        dup = typed.with_columns(first_line.alias("__first")).filter(
            pl.col("__line") != pl.col("__first")
        )
        if dup.height:
            report.duplicates = dup.height
            reason = pl.format(
                "{}: duplicate customer id '{}' (first on line {})",
                pl.lit(id_col),
                pl.col(id_col).cast(pl.String),
                pl.col("__first"),
            )
            rejects.append(reject_rows(dup, id_col, reason))
            typed = typed.filter(pl.col("__line") == first_line)
    else:
        data_columns = [c for c in typed.columns if c != "__line"]
        has_order_id = any(c.role == "order_id" for c in columns)
        first_line = pl.col("__line").min().over(data_columns)
        dup = typed.with_columns(first_line.alias("__first")).filter(
            pl.col("__line") != pl.col("__first")
        )
        if dup.height:
            report.duplicates = dup.height
            if has_order_id:
                reason = pl.format("exact duplicate of line {}", pl.col("__first"))
                rejects.append(reject_rows(dup, None, reason))
                typed = typed.filter(pl.col("__line") == first_line)
            else:
                report.warnings.append(
                    f"{dup.height:,} rows are exact copies of earlier rows; they were kept "
                    "because the file has no order id to tell repeat purchases apart."
                )
    return typed, rejects


def summarise(data: pl.DataFrame, columns: list[ColumnPlan], report: ImportReport) -> None:
    id_col = next((c.name for c in columns if c.role == "customer_id"), None)
    if id_col:
        report.distinct_customers = data.get_column(id_col).n_unique()
    date_role = "order_date" if report.kind == "transactions" else "signup_date"
    date_col = next(
        (
            c.name
            for c in columns
            if c.role == date_role and c.type in ("date", "datetime") and c.name in data.columns
        ),
        None,
    )
    if date_col and data.height:
        bounds = data.select(pl.col(date_col).min().alias("lo"), pl.col(date_col).max().alias("hi"))
        lo, hi = bounds.row(0)
        report.date_column = date_col
        report.date_min = str(lo)[:10] if lo is not None else None
        report.date_max = str(hi)[:10] if hi is not None else None


def reason_counts(rejects: pl.DataFrame) -> dict[str, int]:
    """Rejects grouped by the kind of reason ("amount: not a number" -> count)."""
    if rejects.height == 0:
        return {}
    kinds = rejects.select(
        pl.col("reason").str.replace_all(r"'[^']*'", "…").str.replace_all(r"\d+", "N")
    ).to_series()
    counts = kinds.value_counts(sort=True)
    return {str(k): int(n) for k, n in counts.iter_rows()}
