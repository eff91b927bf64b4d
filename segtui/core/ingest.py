"""Files -> a typed polars frame + rejects + an import report, and into the project.

The steps: ``readers`` sniffs and reads the file, ``coltypes`` types the columns, ``roles``
guesses what each column means and whether the file holds customers or transactions,
``validation`` applies the rules every dataset meets (a customer id on every row, no duplicate
customers). This module ties them together, flags returns, derives amounts, and accounts for
every source row: each one is either imported or in the rejects with its line number and reason.
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
from segtui.core.conversion import REJECT_SCHEMA
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
from segtui.core.validation import (
    reason_counts,
    require_customer_id,
    summarise,
    validate,
)

if TYPE_CHECKING:
    from segtui.core.project import Project

Progress = Callable[[float, str], None]
Cancelled = Callable[[], bool]

PLAN_SAMPLE_ROWS = 5_000
PREVIEW_ROWS = 50
REJECT_SAMPLES = 5
RETURN_FLAG = "is_return"


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
    require_customer_id(source.path, columns)
    step(0.5, "validating rows")
    derived = _can_derive_amount(columns, options)
    kind, kind_reason = _kind(columns, _finish_frame(typed, columns, derived), options)
    report = ImportReport(source_path=source.path, dataset=name, kind=kind)
    typed, rule_rejects = validate(typed, columns, kind, report)
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
    report.reject_reasons = reason_counts(rejects)
    summarise(data, columns, report)
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
