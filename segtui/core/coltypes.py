"""Column types: what each column of a source holds, and turning it into typed columns.

``plan_columns`` looks at a frame (a sample for previews, the whole file at import time) and
proposes one ``ColumnPlan`` per column: cleaned name, type, date format, decimal convention and a
short note a person can check. Only text columns are inferred; typed sources (xlsx, parquet,
json) keep their types except for a few rules (identifiers stay text, Excel serial dates, 1/0
flags). The choice is made on a sample of each column and then checked on every row with the
same parser ``convert_columns`` uses, so the counts in the notes are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from segtui.core.colnames import (
    clean_column_names,
    is_dateish_name,
    is_flag_name,
    is_identifier_name,
    is_measure_name,
)
from segtui.core.conversion import convert_columns, parse_columns
from segtui.core.dates import (
    COMPACT_DATE,
    EXCEL,
    count_compact_dates,
    describe_format,
    guess_date_format,
    has_time,
    in_excel_range,
    to_strftime,
)
from segtui.core.errors import IngestError
from segtui.core.model import COLUMN_TYPES, ColumnPlan, ColumnType, ReadOptions
from segtui.core.numbers import (
    FALSE_WORDS,
    TRUE_WORDS,
    decimal_comma_votes,
    is_null_token,
    number_notes,
    parse_bool,
    parse_number,
)

__all__ = ["clean_column_names", "convert_columns", "plan_columns"]

SAMPLE_SIZE = 2000  # values per column used to choose a type; the choice is checked on all rows
MIN_SHARE = 0.98  # of non-blank values that must parse for a column to get a type
# A column whose name promises numbers or dates ("amount", "order_date") keeps its type with
# fewer clean values: its few bad cells are rejected rows to look at, not a reason for text.
MIN_SHARE_NAMED = 0.8
_PHONE_RE = (
    r"^(?:\+|00)\d[\d ()./-]{6,}\d$"  # +44 20 7946 0958, 0049 30 1234567
    r"|^\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}$"  # (555) 123-4567, 555.123.4567
    r"|^0\d{1,4}[ /-]\d{3,}(?:[ -]\d+)*$"  # 020 7946 0958, 030/1234567
)
_NOUNS = {  # (one, many)
    "integer": ("a whole number", "whole numbers"),
    "decimal": ("a number", "numbers"),
    "boolean": ("yes/no", "yes/no values"),
    "date": ("a date", "dates"),
    "datetime": ("a date-time", "date-times"),
}


@dataclass
class _Guess:
    type: ColumnType = "text"
    date_format: str | None = None
    decimal_comma: bool = False  # the column's decimal convention, whatever its type
    notes: list[str] = field(default_factory=list)


def plan_columns(frame: pl.DataFrame, options: ReadOptions) -> list[ColumnPlan]:
    """One plan per column of ``frame``, detected, then overridden by ``options``."""
    names = clean_column_names(list(frame.columns))
    schema = frame.schema
    samples = {src: _sample(frame.get_column(src)) for src in schema if schema[src] == pl.String}
    votes = {src: decimal_comma_votes(values) for src, values in samples.items()}
    comma_total = sum(v[0] for v in votes.values())
    dot_total = sum(v[1] for v in votes.values())
    file_comma = comma_total > dot_total
    plans: list[ColumnPlan] = []
    notes: dict[str, list[str]] = {}
    forced: set[str] = set()
    for src, name in zip(frame.columns, names, strict=True):
        series = frame.get_column(src)
        if src in samples:
            comma, dot = votes[src]
            decimal_comma = options.decimal_comma
            if decimal_comma is None:
                decimal_comma = comma > dot if comma != dot else file_comma
            guess = _guess_text(name, samples[src], decimal_comma)
        else:
            guess = _guess_native(name, series)
        plan = ColumnPlan(
            name=name,
            source_name=src,
            type=guess.type,
            date_format=guess.date_format,
            decimal_comma=guess.decimal_comma,
            missing=series.null_count(),
        )
        if _apply_overrides(plan, options, samples.get(src), series.dtype):
            forced.add(name)
            guess.notes = ["set by you"]
            if plan.type in ("date", "datetime") and plan.date_format:
                guess.notes.append(f"format {describe_format(plan.date_format)}")
        if plan.type in ("integer", "decimal") and src in samples:
            guess.notes.extend(
                number_notes(samples[src], plan.decimal_comma, integer=plan.type == "integer")
            )
        else:
            plan.decimal_comma = False
        plans.append(plan)
        notes[name] = guess.notes
    _check_all_rows(frame, plans, notes, forced)
    for plan in plans:
        plan.detail = "; ".join(dict.fromkeys(n for n in notes[plan.name] if n))
    return plans


def _sample(series: pl.Series) -> pl.Series:
    """Up to SAMPLE_SIZE non-blank values spread over the column, stripped."""
    values = series.drop_nulls()
    if values.len() > SAMPLE_SIZE:
        values = values.gather_every(values.len() // SAMPLE_SIZE).head(SAMPLE_SIZE)
    values = values.str.strip_chars()
    return values.filter(values != "")


def _share(count: int, total: int, minimum: float = MIN_SHARE) -> bool:
    return total > 0 and count >= 1 and count >= minimum * total


def _min_share(name: str, type_: str) -> float:
    if type_ in ("integer", "decimal") and is_measure_name(name):
        return MIN_SHARE_NAMED
    if type_ in ("date", "datetime") and is_dateish_name(name):
        return MIN_SHARE_NAMED
    return MIN_SHARE


def _guess_text(name: str, values: pl.Series, decimal_comma: bool) -> _Guess:
    """The type of a text column, from its name and a sample of its values."""
    values = values.to_frame("v").filter(~is_null_token(pl.col("v"))).to_series()
    total = values.len()
    if total == 0:
        return _Guess(notes=["no values"], decimal_comma=decimal_comma)
    v = pl.col("v")
    flags = (
        values.to_frame("v")
        .select(
            bools=parse_bool(v, allow_01=False).is_not_null().sum(),
            zero_one=v.is_in(["0", "1"]).sum(),
        )
        .row(0, named=True)
    )
    if _share(flags["bools"], total) and _looks_boolean(name, values):
        words = sorted(set(values.str.to_lowercase().unique().to_list()))
        return _Guess("boolean", notes=[f"read from {'/'.join(words[:4])}"])
    if flags["zero_one"] == total and is_flag_name(name):
        return _Guess("boolean", notes=["1/0 read as yes/no"])
    guess = _Guess(decimal_comma=decimal_comma)
    if is_identifier_name(name):
        guess.notes = ["identifier: kept as text"]
        return guess
    number = parse_number(values, integer=False, decimal_comma=decimal_comma)
    stats = (
        pl.DataFrame({"v": values, "number": number})
        .select(
            ints=(
                parse_number(values, integer=True, decimal_comma=decimal_comma).is_not_null().sum()
            ),
            numbers=pl.col("number").is_not_null().sum(),
            serials=in_excel_range(pl.col("number")).sum(),
            digits=v.str.contains(r"^\d+$").sum(),
            leading_zero=v.str.contains(r"^0\d+$").sum(),
            eight_digits=v.str.contains(r"^\d{8}$").sum(),
            phones=v.str.contains(_PHONE_RE).sum(),
        )
        .row(0, named=True)
    )
    if stats["phones"] >= 0.9 * total:
        return _Guess(notes=["phone numbers: kept as text"], decimal_comma=decimal_comma)
    if stats["leading_zero"] and _share(stats["digits"], total):
        return _Guess(notes=["leading zeros: kept as text"], decimal_comma=decimal_comma)
    if _share(stats["eight_digits"], total):
        compact = count_compact_dates(values)
        if _share(compact, total) and (is_dateish_name(name) or compact == total):
            return _Guess("date", COMPACT_DATE, notes=["dates as yyyymmdd"])
    if _share(stats["numbers"], total, _min_share(name, "decimal")):
        whole = stats["ints"] == stats["numbers"]
        if is_dateish_name(name) and _share(stats["serials"], total):
            kind: ColumnType = "date" if whole else "datetime"
            return _Guess(kind, EXCEL, notes=["Excel serial numbers read as dates"])
        guess.type = "integer" if whole else "decimal"
        return guess
    dated = guess_date_format(values)
    if dated is not None and _share(dated.parsed, total, _min_share(name, dated.type)):
        noun = "dates" if dated.type == "date" else "date-times"
        notes = [f"{noun} as {describe_format(dated.date_format)}", dated.note]
        return _Guess(dated.type, dated.date_format, notes=notes)  # type: ignore[arg-type]
    best = max(stats["numbers"], dated.parsed if dated else 0)
    if best >= 0.5 * total:
        what = "numbers" if best == stats["numbers"] else "dates"
        guess.notes = [f"{best / total:.0%} look like {what}: kept as text"]
    return guess


def _looks_boolean(name: str, values: pl.Series) -> bool:
    """Yes/no words; single letters (y/n, t/f) only with both answers or a flag-like name."""
    words = set(values.str.strip_chars().str.to_lowercase().unique().to_list())
    if any(len(w) > 1 for w in words if w in TRUE_WORDS + FALSE_WORDS):
        return True
    has_both = bool(words & set(TRUE_WORDS)) and bool(words & set(FALSE_WORDS))
    return has_both or is_flag_name(name)


def _guess_native(name: str, series: pl.Series) -> _Guess:
    """The type of an already-typed column (xlsx, parquet, json)."""
    dtype = series.dtype
    if dtype == pl.Boolean:
        return _Guess("boolean")
    if dtype == pl.Date:
        return _Guess("date")
    if isinstance(dtype, pl.Datetime):
        notes = ["converted to UTC"] if dtype.time_zone else []
        stamps = series.drop_nulls()
        if (
            not dtype.time_zone
            and stamps.len()
            and bool((stamps.dt.truncate("1d") == stamps).all())
        ):
            return _Guess("date", notes=["times are all 00:00, read as dates"])
        return _Guess("datetime", notes=notes)
    if not dtype.is_numeric():
        return _Guess(notes=[] if dtype in (pl.Categorical, pl.Null) else ["stored as text"])
    values = series.drop_nulls()
    if dtype.is_float():
        values = values.filter(values.is_finite())
    whole = dtype.is_integer() or bool((values == values.round(0)).all())
    if values.len() and is_dateish_name(name) and not is_identifier_name(name):
        if dtype.is_integer():
            digits = values.cast(pl.String)
            if _share(count_compact_dates(digits), values.len()):
                return _Guess("date", COMPACT_DATE, notes=["dates as yyyymmdd"])
        serials = int(values.to_frame("v").select(in_excel_range(pl.col("v")).sum()).item())
        if _share(serials, values.len()):
            kind: ColumnType = "date" if whole else "datetime"
            return _Guess(kind, EXCEL, notes=["Excel serial numbers read as dates"])
    if is_identifier_name(name):
        return _Guess(notes=["identifier: kept as text"])
    if values.len() and is_flag_name(name) and bool(values.is_in([0, 1]).all()):
        return _Guess("boolean", notes=["1/0 read as yes/no"])
    return _Guess("integer" if dtype.is_integer() else "decimal")


def _override(mapping: dict[str, str], plan: ColumnPlan) -> str | None:
    for key in (plan.name, plan.source_name):
        if key in mapping:
            return mapping[key]
    return None


def _apply_overrides(
    plan: ColumnPlan, options: ReadOptions, sample: pl.Series | None, dtype: pl.DataType
) -> bool:
    """Apply the user's type and date format for this column; True if either was given."""
    forced_type = _override(options.types, plan)  # type: ignore[arg-type]
    forced_format = _override(options.date_formats, plan)
    if forced_type is None and forced_format is None:
        return False
    if forced_type is not None and forced_type not in COLUMN_TYPES:
        known = ", ".join(COLUMN_TYPES)
        raise IngestError(
            f"column {plan.name}: type {forced_type!r} is not known; use one of: {known}."
        )
    if forced_format is not None:
        forced_format = to_strftime(forced_format)
    if forced_type is not None:
        was_dated = plan.type in ("date", "datetime")
        plan.type = forced_type  # type: ignore[assignment]
        if plan.type not in ("date", "datetime"):
            plan.date_format = None
        elif not was_dated:
            plan.date_format = _default_date_format(sample, dtype)
    if forced_format is not None:
        plan.date_format = forced_format
        if forced_type is None:
            timed = has_time(forced_format) or (forced_format == EXCEL and plan.type == "datetime")
            plan.type = "datetime" if timed else "date"
    return True


def _default_date_format(sample: pl.Series | None, dtype: pl.DataType) -> str | None:
    if dtype.is_numeric():
        return EXCEL
    if sample is None:
        return None
    dated = guess_date_format(sample)
    return dated.date_format if dated else "%Y-%m-%d"


def _check_all_rows(
    frame: pl.DataFrame, plans: list[ColumnPlan], notes: dict[str, list[str]], forced: set[str]
) -> None:
    """Count the cells that do not convert on every row; a column with too many becomes text."""
    checked = [p for p in plans if p.type != "text"]
    if not checked or frame.height == 0:
        return
    _keep_leading_zeros(frame, checked, notes, forced)
    checked = [p for p in checked if p.type != "text"]
    result = parse_columns(frame, checked)
    for plan in checked:
        failing = result.failures.get(plan.name)
        failures = 0 if failing is None else failing.len()
        tokens = result.null_tokens.get(plan.name, 0)
        plan.missing += tokens
        if tokens:
            notes[plan.name].append(f"{tokens:,} cells like 'N/A' read as missing")
        if not failures:
            continue
        present = frame.height - plan.missing
        if plan.type == "integer" and plan.name not in forced:
            cells = frame.get_column(plan.source_name).gather(failing)
            if cells.dtype == pl.String:
                numbers = parse_number(cells, integer=False, decimal_comma=plan.decimal_comma)
                if numbers.is_not_null().any():
                    plan.type = "decimal"  # rows beyond the sample have fractions
                    if plan.decimal_comma:
                        notes[plan.name].append("decimal comma")
                    failures = int(numbers.is_null().sum())
                    if not failures:
                        continue
        one, many = _NOUNS[plan.type]
        minimum = _min_share(plan.name, plan.type)
        if failures > (1 - minimum) * present and plan.name not in forced:
            share = 1 - failures / present if present else 0
            notes[plan.name] = [f"only {share:.0%} are {many}: kept as text"]
            plan.type, plan.date_format, plan.decimal_comma = "text", None, False
            plan.missing -= tokens
            continue
        fmt = plan.date_format
        shown = f" in format {describe_format(fmt)}" if fmt and fmt != EXCEL else ""
        what = f"1 value is not {one}" if failures == 1 else f"{failures:,} values are not {many}"
        notes[plan.name].append(f"{what}{shown} (rows rejected)")


def _keep_leading_zeros(
    frame: pl.DataFrame, plans: list[ColumnPlan], notes: dict[str, list[str]], forced: set[str]
) -> None:
    """Integer text columns with "00123" anywhere are codes, not numbers: keep them as text."""
    for plan in plans:
        if plan.type != "integer" or plan.name in forced:
            continue
        column = frame.get_column(plan.source_name)
        if column.dtype != pl.String:
            continue
        zeros = column.filter(column.str.starts_with("0"))
        if zeros.len() and bool(zeros.str.contains(r"^0\d+$").any()):
            plan.type, plan.decimal_comma = "text", False
            notes[plan.name] = ["leading zeros: kept as text"]
