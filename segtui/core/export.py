"""Files out of a run: the members of some segments (CSV, XLSX or Parquet), the segment
summary table (CSV or XLSX) and a chart as plain text. Used by the export dialog and by
`segtui export`.

Every export writes a hidden temporary file next to the target and renames it into place, so a
failed or cancelled export leaves no half-written file, and an existing file is only replaced
when the caller says so (``force``). Data files hold plain values: numbers stay numbers (no
currency symbols or separators), dates are ISO.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from segtui.core.errors import SegtuiError
from segtui.core.segment_model import Cancelled, Progress, stop_if_cancelled

if TYPE_CHECKING:
    import polars as pl

    from segtui.core.profile import RunSummary
    from segtui.core.run_data import RunData

ExportFormat = Literal["csv", "xlsx", "parquet"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)
SUMMARY_FORMATS: tuple[ExportFormat, ...] = ("csv", "xlsx")
SUFFIXES: dict[str, ExportFormat] = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}
FORMAT_LABELS: dict[str, str] = {"csv": "CSV", "xlsx": "XLSX", "parquet": "Parquet"}
# ISO 4217's largest number of minor units (e.g. the Chilean UF); see _rounded_money.
MONEY_DECIMALS = 4
# A worksheet holds 1,048,576 rows, one of which is the header.
XLSX_MAX_ROWS = 1_048_575
# Rows per write: small enough that progress moves and a cancel is prompt on 1M rows, large
# enough that the per-chunk cost is noise (100k rows of CSV take a few tens of milliseconds).
CHUNK_ROWS = 100_000
# xlsxwriter is pure Python (tens of microseconds a cell), so Excel rows go out in smaller
# chunks for the same responsiveness.
XLSX_CHUNK_ROWS = 5_000


class ExportError(SegtuiError):
    """A file cannot be exported (the message names the file or folder and what to do)."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    columns: list[str]
    seconds: float


def format_for(out: Path | str, fmt: str | None) -> ExportFormat:
    """The format to write: ``fmt`` when given, else the file's suffix; the two must agree."""
    out = Path(out)
    by_suffix = SUFFIXES.get(out.suffix.lower())
    if fmt is not None:
        chosen = fmt.strip().lower()
        if chosen not in EXPORT_FORMATS:
            raise ExportError(f"format {fmt!r} is not known; use csv, xlsx or parquet.")
        if by_suffix is not None and by_suffix != chosen:
            raise ExportError(
                f"{out.name} ends in {out.suffix} but the format asked for is {chosen}; "
                f"name the file .{chosen} or ask for {by_suffix}."
            )
        return chosen  # type: ignore[return-value]
    if by_suffix is None:
        raise ExportError(
            f"{out.name}: cannot tell the format from the name; end it in .csv, .xlsx or "
            ".parquet, or give the format."
        )
    return by_suffix


def slug(text: str) -> str:
    """A file-name part from a name: "Can't Lose Them" -> "cant-lose-them"."""
    text = text.casefold().replace("'", "").replace("’", "")
    return re.sub(r"[^\w]+", "-", text).strip("-_")


def default_name(segmentation: str, segments: list[str] | None, fmt: ExportFormat) -> str:
    """A file name for a members export: ``rfm-champions.csv``, ``rfm-all.parquet``, or
    ``rfm-5-segments.xlsx`` when more than three segments are picked."""
    base = slug(segmentation) or "segmentation"
    return f"{base}-{_segments_part(segments) or 'all'}.{fmt}"


def output_name(segmentation: str, segments: list[str] | None, what: str, suffix: str) -> str:
    """A file name for an audience or the drafts: ``rfm-esp.csv`` (every segment),
    ``rfm-champions-esp.csv``, ``rfm-5-segments-drafts.md``."""
    parts = [slug(segmentation) or "segmentation", _segments_part(segments), slug(what)]
    return f"{'-'.join(p for p in parts if p)}.{suffix}"


def _segments_part(segments: list[str] | None) -> str:
    """The segments' part of a file name ("" for every segment)."""
    if not segments:
        return ""
    if len(segments) <= 3:
        return "-".join(s for s in map(slug, segments) if s) or "segments"
    return f"{len(segments)}-segments"


def summary_name(segmentation: str, fmt: ExportFormat) -> str:
    """A file name for the segment summary table: ``rfm-summary.csv``."""
    return f"{slug(segmentation) or 'segmentation'}-summary.{fmt}"


def chart_name(segmentation: str, title: str) -> str:
    """A file name for a chart as text: ``rfm-segment-sizes.txt``."""
    return f"{slug(segmentation) or 'segmentation'}-{slug(title) or 'chart'}.txt"


def resolve_segments(data: RunData, names: Sequence[str]) -> list[str]:
    """The run's segment names for names typed in any case and spacing (duplicates dropped)."""
    known = {_key(s): s for s in data.segments}
    out: list[str] = []
    for name in names:
        match = known.get(_key(name))
        if match is None:
            raise ExportError(
                f"{data.run.segmentation!r} has no segment {name!r}; its segments are "
                f"{', '.join(data.segments)}."
            )
        out.append(match)
    return list(dict.fromkeys(out))


def resolve_columns(data: RunData, names: Sequence[str]) -> list[str]:
    """The member columns for names typed in any case, in the order given."""
    available = data.member_columns()
    known = {c.casefold(): c for c in available}
    out: list[str] = []
    for name in names:
        match = known.get(name.strip().casefold())
        if match is None:
            raise ExportError(
                f"column {name.strip()!r} is not a member column; choose from "
                f"{', '.join(available)}."
            )
        out.append(match)
    return list(dict.fromkeys(out))


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def export_members(
    data: RunData,
    out: Path | str,
    *,
    segments: Sequence[str] | None = None,
    columns: Sequence[str] | None = None,
    fmt: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ExportResult:
    """Write the members of some segments (all when None) with the chosen columns (all when
    None; customer_id and segment always come first) as RunData.members gives them, money
    rounded to MONEY_DECIMALS places. ``progress`` hears 0 to 1 by chunk; ``cancelled`` is
    checked between chunks (RunCancelled, and no file is left)."""
    started = time.perf_counter()
    out = Path(out).expanduser()
    kind = format_for(out, fmt)
    _check_target(out, force)
    frame = _rounded_money(data, data.members(segments, columns))
    if kind == "xlsx" and frame.height > XLSX_MAX_ROWS:
        raise ExportError(
            f"{frame.height:,} rows do not fit in an Excel sheet (at most {XLSX_MAX_ROWS:,}); "
            "export as CSV or Parquet instead."
        )
    stopped = f"export to {out.name} cancelled; no file was written."
    writers: dict[str, Callable[[pl.DataFrame, Path, Callable[[float], None]], None]] = {
        "csv": _write_csv,
        "parquet": _write_parquet,
        "xlsx": _write_members_xlsx,
    }

    def step(done: float) -> None:
        stop_if_cancelled(cancelled, stopped)
        if progress is not None:
            progress(done, f"Writing {out.name}")

    with _atomic(out, private=True) as part:
        step(0.0)
        writers[kind](frame, part, step)  # each chunk reports its progress, 1.0 last
        if frame.height == 0:
            step(1.0)
    return ExportResult(out, frame.height, frame.columns, time.perf_counter() - started)


def _rounded_money(data: RunData, frame: pl.DataFrame) -> pl.DataFrame:
    """Money to MONEY_DECIMALS places: sums of prices carry float noise (584.1700000000001)
    that a client should not see in a file, and no currency has more minor units than that."""
    import polars as pl

    money = {f.name for f in data.features.fields if f.unit == "money"} | {"monetary"}
    names = [c for c, dtype in frame.schema.items() if c in money and dtype.is_float()]
    return frame.with_columns(pl.col(names).round(MONEY_DECIMALS)) if names else frame


def export_summary(
    summary: RunSummary, out: Path | str, *, fmt: str | None = None, force: bool = False
) -> ExportResult:
    """Write the segment summary table (the total as the last row) as CSV or XLSX."""
    from segtui.core.profile import summary_frame

    return export_table(summary_frame(summary), out, "segment summary", fmt=fmt, force=force)


def export_table(
    frame: pl.DataFrame,
    out: Path | str,
    what: str,
    *,
    fmt: str | None = None,
    force: bool = False,
) -> ExportResult:
    """Write a small table (the summary, an overlap matrix, a cross-tab) as CSV or XLSX;
    ``what`` names it in messages and is the XLSX sheet's name."""
    started = time.perf_counter()
    out = Path(out).expanduser()
    kind = format_for(out, fmt)
    if kind not in SUMMARY_FORMATS:
        raise ExportError(
            f"{out.name}: the {what} is written as CSV or XLSX, not "
            f"{FORMAT_LABELS[kind]}; choose .csv or .xlsx."
        )
    _check_target(out, force)
    with _atomic(out) as part:
        if kind == "csv":
            _write_csv(frame, part, lambda _done: None)
        else:
            _write_xlsx(frame, part, what.capitalize()[:31])
    return ExportResult(out, frame.height, frame.columns, time.perf_counter() - started)


def export_text(text: str, out: Path | str, *, force: bool = False) -> ExportResult:
    """Write text (a chart drawn as text) as a UTF-8 file ending in a newline; ``rows`` is its
    number of lines."""
    started = time.perf_counter()
    out = Path(out).expanduser()
    _check_target(out, force)
    body = text if text.endswith("\n") or not text else text + "\n"
    with _atomic(out) as part:
        part.write_text(body, encoding="utf-8", newline="\n")
    return ExportResult(out, body.count("\n"), [], time.perf_counter() - started)


def _check_target(out: Path, force: bool) -> None:
    folder = out.parent
    if not folder.is_dir():
        raise ExportError(f"folder {folder} does not exist; create it or choose another folder.")
    if out.is_dir():
        raise ExportError(f"{out} is a folder; give a file name, e.g. {out / 'members.csv'}.")
    if out.exists() and not force:
        raise ExportError(
            f"{out} already exists; choose another name or confirm overwriting it (--force)."
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"folder {folder} cannot be written to; choose another folder.")


@contextmanager
def _atomic(out: Path, *, private: bool = False) -> Iterator[Path]:
    """A hidden temporary path in the target's folder, renamed onto the target when the body
    finishes and deleted when it fails or is cancelled (the target is then untouched)."""
    part = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        # Created before the writers open it (they truncate and keep the mode): member lists
        # hold personal data, so they are readable by the owner only, like the project file.
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        os.close(os.open(part, flags, 0o600 if private else 0o666))
        yield part
        os.replace(part, out)
    except BaseException as exc:
        part.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            reason = exc.strerror or str(exc)
            raise ExportError(f"could not write {out} ({reason}); nothing was written.") from exc
        raise


def _write_csv(frame: pl.DataFrame, path: Path, step: Callable[[float], None]) -> None:
    # Polars writes dates and datetimes as ISO and floats in full; in chunks so a big export
    # reports progress and can be cancelled between them.
    with open(path, "wb") as file:
        if frame.height == 0:
            frame.write_csv(file)
        for start in range(0, frame.height, CHUNK_ROWS):
            chunk = frame.slice(start, CHUNK_ROWS)
            chunk.write_csv(file, include_header=start == 0)
            step(min(start + CHUNK_ROWS, frame.height) / frame.height)


def _write_parquet(frame: pl.DataFrame, path: Path, step: Callable[[float], None]) -> None:
    import pyarrow.parquet as pq

    table = frame.to_arrow()
    with pq.ParquetWriter(path, table.schema, compression="zstd") as writer:
        if frame.height == 0:
            writer.write_table(table)
        for start in range(0, frame.height, CHUNK_ROWS):
            writer.write_table(table.slice(start, CHUNK_ROWS), row_group_size=CHUNK_ROWS)
            step(min(start + CHUNK_ROWS, frame.height) / frame.height)


def _write_members_xlsx(frame: pl.DataFrame, path: Path, step: Callable[[float], None]) -> None:
    _write_xlsx(frame, path, "Members", step)


def _write_xlsx(
    frame: pl.DataFrame, path: Path, sheet: str, step: Callable[[float], None] | None = None
) -> None:
    """An .xlsx with one sheet: a bold, frozen header row with a filter, dates as Excel dates.

    xlsxwriter directly rather than polars' write_excel (which uses it too): constant-memory
    mode streams the rows (write_excel keeps every cell in memory, gigabytes at 1M rows) and
    rows go out in chunks, so a big export shows progress and can be cancelled.
    """
    import xlsxwriter  # only when an .xlsx is written: it is slow to import and rarely needed

    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "nan_inf_to_errors": True,
            # Cell text stays text: never a formula, link or number by accident.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "remove_timezone": True,
        },
    )
    try:
        sheet_ = book.add_worksheet(sheet)
        columns = _xlsx_columns(book, sheet_, frame)
        for index, (values, _write, _fmt) in enumerate(columns):
            sheet_.set_column(index, index, _xlsx_width(values))
        sheet_.freeze_panes(1, 0)
        sheet_.write_row(0, 0, frame.columns, book.add_format({"bold": True}))
        for start in range(0, frame.height, XLSX_CHUNK_ROWS):
            chunk = [values.slice(start, XLSX_CHUNK_ROWS).to_list() for values, _, _ in columns]
            for row, cells in enumerate(zip(*chunk, strict=True), start=start + 1):
                for index, value in enumerate(cells):
                    if value is not None:  # a missing value is an empty cell
                        _, write, fmt = columns[index]
                        write(row, index, value, fmt)
            if step is not None:
                step(min(start + XLSX_CHUNK_ROWS, frame.height) / frame.height)
        sheet_.autofilter(0, 0, frame.height, max(frame.width - 1, 0))
    finally:
        book.close()


def _xlsx_columns(book: Any, sheet: Any, frame: pl.DataFrame) -> list[tuple[pl.Series, Any, Any]]:
    """Per column: its values as xlsxwriter takes them, the write method and the cell format,
    picked once per column so the per-cell work is the write itself."""
    import polars as pl

    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    times = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    out: list[tuple[pl.Series, Any, Any]] = []
    for values in frame.iter_columns():
        dtype = values.dtype
        if dtype == pl.Date:
            out.append((values, sheet.write_datetime, dates))
        elif dtype == pl.Datetime:
            out.append((values, sheet.write_datetime, times))
        elif dtype == pl.Boolean:
            out.append((values, sheet.write_boolean, None))
        elif dtype == pl.Decimal:
            out.append((values.cast(pl.Float64), sheet.write_number, None))
        elif dtype.is_numeric():
            out.append((values, sheet.write_number, None))
        else:  # text, categories, and anything else as its text
            out.append((values.cast(pl.String), sheet.write_string, None))
    return out


def _xlsx_width(values: pl.Series) -> int:
    """A column width that fits the header and the first values, within reason."""
    import polars as pl

    sample = values.head(1000).cast(pl.String, strict=False).drop_nulls().str.len_chars()
    longest = max(len(values.name), int(sample.max() or 0)) if sample.len() else len(values.name)
    return min(longest + 2, 50)
