"""Excel workbooks (.xlsx, also .xlsm/.xls) through fastexcel (calamine), imported on use.

Row numbers are the ones Excel shows: the sheet is read from its first row (``skip_rows`` counts
from row 1 when ``header_row`` is None), blank rows are skipped but keep their numbers, and a
cell that does not fit its column's guessed type turns that whole column into text rather than
being dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from segtui.core.delimited import clean_strings
from segtui.core.errors import IngestError
from segtui.core.model import RawTable, SourceInfo
from segtui.core.sniff import sniff_header, unique_names

if TYPE_CHECKING:
    import fastexcel

SNIFF_ROWS = 200


def _open(info: SourceInfo) -> fastexcel.ExcelReader:
    import fastexcel

    name = _name(info)
    try:
        return fastexcel.read_excel(info.path)
    except Exception as error:  # calamine raises several types for a broken zip or XML
        raise IngestError(
            f"{name}: not a readable Excel workbook ({_short(error)}); "
            "open it in Excel and save it again as .xlsx."
        ) from error


def _name(info: SourceInfo) -> str:
    return info.path.replace("\\", "/").rsplit("/", 1)[-1]


def _short(error: BaseException) -> str:
    return str(error).strip().splitlines()[0][:120] if str(error).strip() else type(error).__name__


def _grid(reader: fastexcel.ExcelReader, sheet: str, n_rows: int | None) -> pl.DataFrame:
    """The top of a sheet as text, from Excel row 1 (row i of the frame is Excel row i + 1)."""
    loaded = reader.load_sheet(sheet, header_row=None, skip_rows=0, n_rows=n_rows, dtypes="string")
    return loaded.to_polars()


def _first_filled_row(grid: pl.DataFrame) -> int | None:
    if grid.width == 0:
        return None
    filled = grid.select(pl.any_horizontal(pl.all().str.strip_chars().str.len_bytes() > 0))
    hits = filled.to_series().fill_null(False).arg_true()
    return int(hits[0]) if len(hits) else None


def _top(reader: fastexcel.ExcelReader, sheet: str) -> tuple[pl.DataFrame, int | None]:
    grid = _grid(reader, sheet, SNIFF_ROWS)
    first = _first_filled_row(grid)
    if first is None and grid.height >= SNIFF_ROWS:
        grid = _grid(reader, sheet, None)  # a long run of blank rows at the top
        first = _first_filled_row(grid)
    return grid, first


def _rows(grid: pl.DataFrame, start: int) -> list[list[str]]:
    return [[cell or "" for cell in row] for row in grid.slice(start).iter_rows()]


def detect_excel(info: SourceInfo, sheet: str | None, has_header: bool | None) -> None:
    """Fill ``sheets``, ``sheet`` and ``has_header`` of ``info`` (the first sheet with data unless
    one is named)."""
    reader = _open(info)
    name = _name(info)
    info.sheets = list(reader.sheet_names)
    grid, first = pl.DataFrame(), None
    try:
        if sheet is not None:
            info.sheet = _match_sheet(name, info.sheets, sheet)
            grid, first = _top(reader, info.sheet)
        else:
            for candidate in info.sheets:
                grid, first = _top(reader, candidate)
                if first is not None:
                    info.sheet = candidate
                    break
            else:
                raise IngestError(f"{name}: no sheet holds any data; check the workbook.")
    except IngestError:
        raise
    except Exception as error:
        raise IngestError(f"{name}: the workbook cannot be read ({_short(error)}).") from error
    if has_header is not None:
        info.has_header = has_header
    else:
        info.has_header = first is None or sniff_header(_rows(grid, first)[:50])
    info.encoding = info.sep = info.quote_char = info.line_ending = None


def _match_sheet(name: str, sheets: list[str], wanted: str) -> str:
    if wanted in sheets:
        return wanted
    folded = [s for s in sheets if s.casefold() == wanted.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    listed = ", ".join(f"'{s}'" for s in sheets)
    raise IngestError(f"{name}: there is no sheet '{wanted}'; the sheets are {listed}.")


def read_excel(info: SourceInfo, n_rows: int | None) -> RawTable:
    reader = _open(info)
    name = _name(info)
    sheet = _match_sheet(name, list(reader.sheet_names), info.sheet or reader.sheet_names[0])
    try:
        return _read_sheet(reader, sheet, info.has_header, n_rows)
    except IngestError:
        raise
    except Exception as error:
        raise IngestError(f"{name}: sheet '{sheet}' cannot be read ({_short(error)}).") from error


def _read_sheet(
    reader: fastexcel.ExcelReader, sheet: str, has_header: bool, n_rows: int | None
) -> RawTable:
    grid, first = _top(reader, sheet)
    if first is None:
        empty = pl.DataFrame()
        return RawTable(empty, pl.Series("line", [], dtype=pl.Int64))
    width = grid.width
    if has_header:
        header = [cell or "" for cell in grid.row(first)]
        skip = first + 1
    else:
        header = [""] * width
        skip = first
    names = unique_names(header)
    options: dict[str, Any] = {
        "header_row": None,
        "skip_rows": skip,
        "column_names": names,
        "n_rows": n_rows,
        "whitespace_as_null": True,
    }
    batch, errors = reader.load_sheet(sheet, **options).to_arrow_with_errors()
    if errors is not None and errors.errors:
        # A column with a stray value of another type would lose it: read that column as text.
        as_text = {error.position[1] for error in errors.errors}
        dtypes = {index: "string" for index in sorted(as_text)}
        batch = reader.load_sheet(sheet, **options, dtypes=dtypes).to_arrow()
    frame = clean_strings(pl.from_arrow(batch))  # type: ignore[arg-type]
    assert isinstance(frame, pl.DataFrame)
    lines = pl.int_range(skip + 1, skip + 1 + frame.height, dtype=pl.Int64, eager=True)
    keep = frame.select(pl.any_horizontal(pl.all().is_not_null())).to_series()
    if frame.width:
        frame, lines = frame.filter(keep), lines.filter(keep)
    unnamed = [n for n, h in zip(names, header, strict=True) if not h.strip()]
    empty = [c for c in unnamed if frame[c].null_count() == frame.height]
    return RawTable(frame.drop(empty), lines.rename("line"))
