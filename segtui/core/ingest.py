"""Files -> a typed polars frame + rejects + an import report, and into the project.

The steps: ``readers`` sniffs and reads the file, ``coltypes`` types the columns, ``roles``
guesses what each column means and whether the file holds customers or transactions; this
module ties them together, applies the rules every dataset must meet (a customer id on every
row, no duplicate customers, returns flagged) and accounts for every source row: each one is
either imported or in the rejects with its line number and reason.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from segtui.core.coltypes import convert_columns, plan_columns
from segtui.core.datasets import check_dataset_name, dataset_name_from
from segtui.core.errors import ImportCancelled, IngestError, ProjectError
from segtui.core.model import (
    ROLE_LABELS,
    ColumnPlan,
    DatasetInfo,
    ImportPlan,
    ImportReport,
    Kind,
    LoadedDataset,
    ReadOptions,
    RejectedRow,
    SourceInfo,
)
from segtui.core.readers import detect_source, read_source
from segtui.core.roles import guess_kind, guess_roles

if TYPE_CHECKING:
    from segtui.core.project import Project

Progress = Callable[[float, str], None]
Cancelled = Callable[[], bool]

PLAN_SAMPLE_ROWS = 5_000
PREVIEW_ROWS = 50
REJECT_SAMPLES = 5
RETURN_FLAG = "is_return"
REJECT_SCHEMA = {"line": pl.Int64, "column": pl.String, "reason": pl.String, "raw": pl.String}


def default_dataset_name(path: str | Path) -> str:
    return dataset_name_from(str(path))


# --- planning ----------------------------------------------------------------------------


def _apply_roles(columns: list[ColumnPlan], frame: pl.DataFrame, options: ReadOptions) -> None:
    """The user's role choices first (role -> column, "" to unset), then guesses for the rest."""
    by_name = {c.name: c for c in columns} | {c.source_name: c for c in columns}
    for role, column in options.roles.items():
        if role not in ROLE_LABELS:
            known = ", ".join(ROLE_LABELS)
            raise IngestError(f"role {role!r} is not known; use one of: {known}.")
        for col in columns:
            if col.role == role:
                col.role = None
        if column:
            if column not in by_name:
                names = ", ".join(c.name for c in columns)
                raise IngestError(
                    f"role {role}: there is no column {column!r}; the columns are: {names}."
                )
            by_name[column].role = role  # type: ignore[assignment]
    unset = {role for role, column in options.roles.items() if not column}
    guess_roles(columns, frame)
    for col in columns:
        if col.role in unset:
            col.role = None


def _plan_columns(
    path: str | Path, frame: pl.DataFrame, lines: pl.Series, options: ReadOptions
) -> tuple[list[ColumnPlan], pl.DataFrame, pl.DataFrame]:
    """Columns with types and roles; the frame typed by them; the rows that did not convert."""
    if frame.width == 0:
        raise IngestError(
            f"{Path(path).name}: the file has no usable columns; check the delimiter and header."
        )
    columns = plan_columns(frame, options)
    typed, rejects = convert_columns(frame, lines, columns)
    _apply_roles(columns, typed, options)
    return columns, typed, rejects


def _kind(columns: list[ColumnPlan], typed: pl.DataFrame, options: ReadOptions) -> tuple[Kind, str]:
    if options.kind:
        return options.kind, "chosen by you"
    return guess_kind(columns, typed)


def _detect(path: str | Path, options: ReadOptions) -> SourceInfo:
    source = detect_source(path, options)
    if options.sheet and source.format != "xlsx":
        raise IngestError(
            f"{Path(path).name}: a sheet was asked for, but this is a {source.format.upper()} "
            "file, not an .xlsx workbook; leave the sheet out."
        )
    return source


def _can_derive_amount(columns: list[ColumnPlan], options: ReadOptions) -> bool:
    roles = {c.role for c in columns}
    return (
        options.derive_amount
        and "amount" not in roles
        and {"quantity", "unit_price"} <= roles
        and all(c.name != "amount" for c in columns)
    )


def plan_import(path: str | Path, options: ReadOptions | None = None) -> ImportPlan:
    """Detect how to read a file and what it holds, from its first rows (fast)."""
    options = options or ReadOptions()
    source = _detect(path, options)
    raw = read_source(source, n_rows=PLAN_SAMPLE_ROWS)
    columns, typed, _ = _plan_columns(path, raw.frame, raw.lines, options)
    derived = _can_derive_amount(columns, options)
    sample = _finish_frame(typed.drop("__line", strict=False), columns, derived)
    kind, reason = _kind(columns, sample, options)
    return ImportPlan(
        source=source,
        columns=columns,
        kind=kind,
        kind_reason=reason,
        preview=sample.head(PREVIEW_ROWS),
        preview_raw=raw.frame.head(PREVIEW_ROWS),
        options=options,
        derived_amount=derived,
        sample_rows=raw.frame.height,
    )


def _finish_frame(typed: pl.DataFrame, columns: list[ColumnPlan], derived: bool) -> pl.DataFrame:
    """Derived columns: amount = quantity × unit price where asked for."""
    if derived:
        quantity = next(c.name for c in columns if c.role == "quantity")
        price = next(c.name for c in columns if c.role == "unit_price")
        typed = typed.with_columns(
            (pl.col(quantity).cast(pl.Float64) * pl.col(price).cast(pl.Float64))
            .round(2)
            .alias("amount")
        )
    return typed


# --- loading -----------------------------------------------------------------------------


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _raw_text(frame: pl.DataFrame) -> pl.Expr:
    """A row as "col=value; col=value" text, for the rejects table."""
    return pl.concat_str(
        [pl.lit(f"{c}=") + pl.col(c).cast(pl.String).fill_null("") for c in frame.columns],
        separator="; ",
    )


def _reject(rows: pl.DataFrame, column: str | None, reason: pl.Expr) -> pl.DataFrame:
    data_columns = [c for c in rows.columns if not c.startswith("__")]
    return rows.select(
        pl.col("__line").cast(pl.Int64).alias("line"),
        pl.lit(column, dtype=pl.String).alias("column"),
        reason.cast(pl.String).alias("reason"),
        _raw_text(rows.select(data_columns)).alias("raw")
        if data_columns
        else pl.lit("", dtype=pl.String).alias("raw"),
    )


def _require_customer_id(path: str, columns: list[ColumnPlan]) -> str:
    id_col = next((c.name for c in columns if c.role == "customer_id"), None)
    if id_col is None:
        names = ", ".join(c.name for c in columns)
        raise IngestError(
            f"{Path(path).name}: no column is marked as the customer id (columns: {names}); "
            "choose one (CLI: --role customer_id=COLUMN)."
        )
    return id_col


def _validate(
    typed: pl.DataFrame, columns: list[ColumnPlan], kind: str, report: ImportReport
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Rules every dataset meets; returns the rows kept and the rows rejected (with reasons)."""
    rejects: list[pl.DataFrame] = []
    id_col = _require_customer_id(report.source_path, columns)
    missing = pl.col(id_col).is_null() | (pl.col(id_col).cast(pl.String).str.strip_chars() == "")
    blank = typed.filter(missing)
    report.missing_customer_ids = blank.height
    if blank.height:
        rejects.append(_reject(blank, id_col, pl.lit(f"{id_col}: blank customer id")))
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
            rejects.append(_reject(dup, id_col, reason))
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
                rejects.append(_reject(dup, None, reason))
                typed = typed.filter(pl.col("__line") == first_line)
            else:
                report.warnings.append(
                    f"{dup.height:,} rows are exact copies of earlier rows; they were kept "
                    "because the file has no order id to tell repeat purchases apart."
                )
    return typed, rejects


def _summarise(data: pl.DataFrame, columns: list[ColumnPlan], report: ImportReport) -> None:
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


def load_file(
    path: str | Path,
    options: ReadOptions | None = None,
    *,
    name: str,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> LoadedDataset:
    """Read, type and validate the whole file in one pass. Nothing is written anywhere.

    Types, roles and kind are worked out on all rows (a preview's plan saw only the first
    ones); what the user chose in ``options`` wins as always.
    """
    started = time.perf_counter()
    options = options or ReadOptions()

    def step(fraction: float, label: str) -> None:
        if cancelled and cancelled():
            raise ImportCancelled("import cancelled; nothing was saved.")
        if progress:
            progress(fraction, label)

    source = _detect(path, options)
    step(0.0, f"reading {Path(source.path).name}")
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(_sha256, source.path)
        raw = read_source(source)
        step(0.3, "checking types")
        columns, typed, type_rejects = _plan_columns(path, raw.frame, raw.lines, options)
        sha = digest.result()
    _require_customer_id(source.path, columns)
    step(0.5, "validating rows")
    derived = _can_derive_amount(columns, options)
    kind, kind_reason = _kind(columns, _finish_frame(typed, columns, derived), options)
    report = ImportReport(source_path=source.path, dataset=name, kind=kind)
    typed, rule_rejects = _validate(typed, columns, kind, report)
    report.derived_amount = derived
    data = _finish_frame(typed, columns, derived)
    amount = next((c.name for c in columns if c.role == "amount"), "amount" if derived else None)
    if amount and kind == "transactions" and amount in data.columns:
        data = data.with_columns((pl.col(amount) < 0).fill_null(False).alias(RETURN_FLAG))
        report.negative_amounts = int(data.get_column(RETURN_FLAG).sum())
    malformed = pl.DataFrame(
        [(line, None, reason, text) for line, reason, text in raw.malformed],
        schema=REJECT_SCHEMA,
        orient="row",
    )
    rejects = pl.concat([malformed, type_rejects.cast(REJECT_SCHEMA), *rule_rejects]).sort("line")  # type: ignore[arg-type]
    report.rows_imported = data.height
    report.rows_rejected = rejects.height
    report.rows_read = data.height + rejects.height
    report.reject_samples = [
        RejectedRow(line=line, reason=reason, column=column, raw=raw_text)
        for line, column, reason, raw_text in rejects.head(REJECT_SAMPLES).iter_rows()
    ]
    report.reject_reasons = _reason_counts(rejects)
    _summarise(data, columns, report)
    report.seconds = time.perf_counter() - started
    plan = ImportPlan(
        source=source,
        columns=_with_derived(columns, derived, data),
        kind=kind,
        kind_reason=kind_reason,
        preview=data.drop("__line", strict=False).head(PREVIEW_ROWS),
        preview_raw=raw.frame.head(PREVIEW_ROWS),
        options=options,
        derived_amount=derived,
        sample_rows=raw.frame.height,
    )
    return LoadedDataset(plan=plan, data=data, rejects=rejects, report=report, source_sha256=sha)


def _reason_counts(rejects: pl.DataFrame) -> dict[str, int]:
    """Rejects grouped by the kind of reason ("amount: not a number" -> count)."""
    if rejects.height == 0:
        return {}
    kinds = rejects.select(
        pl.col("reason").str.replace_all(r"'[^']*'", "…").str.replace_all(r"\d+", "N")
    ).to_series()
    counts = kinds.value_counts(sort=True)
    return {str(k): int(n) for k, n in counts.iter_rows()}


def _with_derived(columns: list[ColumnPlan], derived: bool, data: pl.DataFrame) -> list[ColumnPlan]:
    out = list(columns)
    if derived:
        out.append(
            ColumnPlan(
                name="amount",
                source_name="",
                type="decimal",
                role="amount",
                detail="derived: quantity × unit price",
            )
        )
    if RETURN_FLAG in data.columns and all(c.name != RETURN_FLAG for c in columns):
        out.append(
            ColumnPlan(
                name=RETURN_FLAG,
                source_name="",
                type="boolean",
                detail="derived: amount is negative (return or cancellation)",
            )
        )
    return out


# --- into the project ----------------------------------------------------------------------


def import_file(
    project: Project,
    path: str | Path,
    options: ReadOptions | None = None,
    *,
    name: str | None = None,
    replace: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> tuple[DatasetInfo, ImportReport]:
    """Load and save a file as a dataset, in one go. The project changes only at the end,
    in one transaction; a failure or a cancel leaves it as it was."""
    name = check_dataset_name(name or default_dataset_name(path))
    if project.has_dataset(name) and not replace:
        raise ProjectError(
            f"a dataset named {name!r} already exists in {project.path.name}; replace it "
            "(CLI: --replace) or choose another name (CLI: --name)."
        )
    loaded = load_file(path, options, name=name, progress=progress, cancelled=cancelled)
    if cancelled and cancelled():
        raise ImportCancelled("import cancelled; nothing was saved.")
    if progress:
        progress(0.7, f"writing {loaded.data.height:,} rows")
    info = project.save_dataset(loaded, name, replace=replace)
    if progress:
        progress(1.0, "done")
    return info, loaded.report
