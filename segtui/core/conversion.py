"""Turning source columns into typed columns, with a table of the rows that do not fit.

Every column gets a fast parser (a cast, exact for clean cells) and, when cells can fail, a full
parser (cleaning first). The fast one runs over all rows; only rows where it left a non-blank
cell empty get the full one, and what the full one cannot read either makes the row a reject.
``coltypes.plan_columns`` uses the same engine to count failures on the whole file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from segtui.core.dates import EXCEL, describe_format, excel_serial_to, parse_date
from segtui.core.model import ColumnPlan
from segtui.core.numbers import (
    is_null_token,
    parse_bool,
    parse_number,
    parse_number_fast,
)

LINE = "__line"
TYPE_DTYPES: dict[str, pl.DataType] = {
    "integer": pl.Int64(),
    "decimal": pl.Float64(),
    "boolean": pl.Boolean(),
    "date": pl.Date(),
    "datetime": pl.Datetime("us"),
    "text": pl.String(),
}
FullParser = Callable[[pl.Series], pl.Series]
REJECT_SCHEMA = {"line": pl.Int64, "column": pl.String, "reason": pl.String, "raw": pl.String}
_SHOWN_CHARS = 40


@dataclass
class ParseResult:
    values: pl.DataFrame  # one typed column per plan (plan names), every row of the source
    failures: dict[str, pl.Series]  # per plan name: rows whose non-blank cell did not convert
    null_tokens: dict[str, int]  # per plan name: cells like "N/A" read as missing


def as_text(col: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Any column as text; whole floats (Excel ids, 123.0) without the ".0"."""
    if dtype == pl.String:
        return col
    if dtype.is_float():
        whole = col.is_finite() & (col == col.round(0)) & (col.abs() < 2**53)
        as_int = col.cast(pl.Int64).cast(pl.String)
        return pl.when(whole).then(as_int).otherwise(col.cast(pl.String))
    if isinstance(dtype, (pl.List, pl.Array, pl.Struct)):
        # JSON of {"x": value}, without the 5-character {"x": and the closing brace
        encoded = pl.struct(col.alias("x")).struct.json_encode()
        return pl.when(col.is_not_null()).then(encoded.str.slice(5, encoded.str.len_chars() - 6))
    if dtype == pl.Binary:
        return col.cast(pl.String, strict=False)
    return col.cast(pl.String)


def _on(values: pl.Series, build: Callable[[pl.Expr], pl.Expr]) -> pl.Series:
    return values.to_frame("v").select(build(pl.col("v"))).to_series()


def _cells_as_text(values: pl.Series) -> pl.Series:
    dtype = values.dtype
    return _on(values, lambda c: as_text(c, dtype))


def _string_parsers(text: pl.Expr, plan: ColumnPlan) -> tuple[pl.Expr, FullParser | None]:
    comma = plan.decimal_comma
    kind = plan.type
    if kind in ("integer", "decimal"):
        integer = kind == "integer"
        fast = parse_number_fast(text, integer=integer, decimal_comma=comma)
        return fast, lambda s: parse_number(s, integer=integer, decimal_comma=comma)
    if kind == "boolean":
        return parse_bool(text), lambda s: _on(s, parse_bool)
    if kind in ("date", "datetime"):
        fmt = plan.date_format
        if fmt == EXCEL:
            fast = excel_serial_to(text.cast(pl.Float64, strict=False), kind)
            return fast, lambda s: _on(
                parse_number(s, integer=False, decimal_comma=comma),
                lambda c: excel_serial_to(c, kind),
            )
        if fmt:
            fast = parse_date(text, fmt, kind)
            return fast, lambda s: _on(s, lambda c: parse_date(c.str.strip_chars(), fmt, kind))

        def inferred(c: pl.Expr) -> pl.Expr:
            value = c.str.strip_chars().str.to_datetime(time_unit="us", strict=False)
            return value.dt.date() if kind == "date" else value

        return inferred(text), lambda s: _on(s, inferred)
    return text, None


def _native_parser(col: pl.Expr, dtype: pl.DataType, plan: ColumnPlan) -> pl.Expr | None:
    """A direct conversion of an already-typed column, or None to go through text."""
    kind = plan.type
    numeric = dtype.is_numeric()
    if kind == "text":
        return as_text(col, dtype)
    if kind == "decimal" and (numeric or dtype == pl.Boolean):
        return col.cast(pl.Float64, strict=False)
    if kind == "integer" and (dtype.is_integer() or dtype == pl.Boolean):
        return col.cast(pl.Int64, strict=False)
    if kind == "integer" and numeric:
        whole = col.cast(pl.Float64).is_finite() & (col == col.round(0))
        return pl.when(whole).then(col.cast(pl.Int64, strict=False))
    if kind == "boolean" and dtype == pl.Boolean:
        return col
    if kind == "boolean" and numeric:
        return pl.when(col == 0).then(pl.lit(False)).when(col == 1).then(pl.lit(True))
    if kind in ("date", "datetime") and numeric and plan.date_format in (None, EXCEL):
        return excel_serial_to(col.cast(pl.Float64, strict=False), kind)
    if isinstance(dtype, pl.Datetime):
        utc = col.dt.convert_time_zone("UTC").dt.replace_time_zone(None) if dtype.time_zone else col
        if kind == "datetime":
            return utc.cast(pl.Datetime("us"))
        if kind == "date":
            return utc.dt.date()
    if dtype == pl.Date and kind in ("date", "datetime"):
        return col.cast(TYPE_DTYPES[kind])
    return None


def column_parsers(plan: ColumnPlan, dtype: pl.DataType) -> tuple[pl.Expr, FullParser | None]:
    """(fast, full) parsers of one plan: fast is an expression over the source column, full a
    function of (a few of) its cells; full is None when a cell cannot fail."""
    col = pl.col(plan.source_name)
    target = TYPE_DTYPES[plan.type]
    full: FullParser | None
    if dtype == pl.String:
        fast, full = _string_parsers(col, plan)
    elif (native := _native_parser(col, dtype, plan)) is not None:
        fast, full = native, None
        if plan.type != "text" and not (plan.type == "decimal" and dtype.is_numeric()):
            full = lambda s: _on(s, lambda c: _native_parser(c, dtype, plan))  # noqa: E731
    else:
        fast, text_full = _string_parsers(as_text(col, dtype), plan)
        full = lambda s: (text_full or (lambda t: t))(_cells_as_text(s))  # noqa: E731
    if full is None:
        return fast.cast(target), None
    finish = full
    return fast.cast(target), lambda s: finish(s).cast(target)


def parse_columns(frame: pl.DataFrame, plans: list[ColumnPlan]) -> ParseResult:
    """Typed values of every plan, plus which cells could not be read (see module docstring)."""
    schema = frame.schema
    parsers = {p.name: column_parsers(p, schema[p.source_name]) for p in plans}
    values = frame.select(fast.alias(name) for name, (fast, _) in parsers.items())
    failures: dict[str, pl.Series] = {}
    null_tokens: dict[str, int] = {}
    updated: list[pl.Series] = []
    for plan in plans:
        full = parsers[plan.name][1]
        if full is None:
            continue
        raw = frame.get_column(plan.source_name)
        fast = values.get_column(plan.name)
        rows = (raw.is_not_null() & fast.is_null()).arg_true()
        if rows.len() == 0:
            continue
        cells = raw.gather(rows)
        parsed = full(cells).alias(plan.name)
        blank = parsed.is_null()
        if raw.dtype == pl.String and blank.any():
            token = blank & _on(cells, is_null_token)
            null_tokens[plan.name] = int(token.sum())
            blank = blank & ~token
        failures[plan.name] = rows.filter(blank)
        updated.append(fast.clone().scatter(rows, parsed))
    if updated:
        values = values.with_columns(updated)
    return ParseResult(values, failures, null_tokens)


def _shown(text: pl.Expr) -> pl.Expr:
    cut = pl.concat_str(text.str.slice(0, _SHOWN_CHARS - 1), pl.lit("…"))
    return pl.when(text.str.len_chars() > _SHOWN_CHARS).then(cut).otherwise(text)


def _reasons(plan: ColumnPlan, raw: pl.Series) -> pl.Series:
    """ "amount: 'abc' is not a number" for failing cells (as text) of one column."""
    if plan.type == "integer":
        fraction = parse_number(raw, integer=False, decimal_comma=plan.decimal_comma)
        what = pl.when(fraction.is_not_null()).then(pl.lit("a whole number"))
        what = what.otherwise(pl.lit("a number"))
    elif plan.type == "decimal":
        what = pl.lit("a number")
    elif plan.type == "boolean":
        what = pl.lit("yes/no, true/false or 1/0")
    elif plan.date_format == EXCEL:
        what = pl.lit("an Excel date number")
    else:
        noun = "a date" if plan.type == "date" else "a date-time"
        fmt = plan.date_format
        what = pl.lit(f"{noun} in format {describe_format(fmt)}" if fmt else noun)
    shown = _shown(pl.col("v"))
    return _on(
        raw, lambda _: pl.concat_str(pl.lit(f"{plan.name}: '"), shown, pl.lit("' is not "), what)
    )


def _raw_row(frame: pl.DataFrame) -> pl.Expr:
    parts = [
        pl.concat_str(pl.lit(f"{name}="), as_text(pl.col(name), dtype).fill_null(""))
        for name, dtype in frame.schema.items()
    ]
    return pl.concat_str(parts, separator="; ")


def convert_columns(
    frame: pl.DataFrame, lines: pl.Series, columns: list[ColumnPlan]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(typed, rejects): typed rows with a leading "__line", and one reject per failing row.

    A row is rejected for its first column (in plan order) with a non-blank cell that does not
    convert; blank cells become null. rows(typed) + rows(rejects) == rows(frame).
    """
    if lines.len() != frame.height:
        raise ValueError(f"lines has {lines.len()} entries for {frame.height} rows")
    plans = [p for p in columns if p.source_name in frame.columns]
    result = parse_columns(frame, plans)
    line_numbers = lines.cast(pl.Int64).rename(LINE)
    typed = result.values.insert_column(0, line_numbers)
    failing: list[pl.DataFrame] = []
    for order, plan in enumerate(plans):
        rows = result.failures.get(plan.name)
        if rows is None or rows.len() == 0:
            continue
        cells = _cells_as_text(frame.get_column(plan.source_name).gather(rows))
        failing.append(
            pl.DataFrame({"row": rows, "reason": _reasons(plan, cells)}).with_columns(
                order=pl.lit(order, dtype=pl.Int32), column=pl.lit(plan.name)
            )
        )
    if not failing:
        return typed, pl.DataFrame(schema=REJECT_SCHEMA)
    first = pl.concat(failing).sort("row", "order").unique("row", keep="first", maintain_order=True)
    reject_rows = first.get_column("row")
    keep = pl.repeat(True, frame.height, eager=True).scatter(reject_rows, False)
    rejects = frame[reject_rows].select(
        line=line_numbers.gather(reject_rows),
        column=first.get_column("column"),
        reason=first.get_column("reason"),
        raw=_raw_row(frame),
    )
    return typed.filter(keep), rejects
