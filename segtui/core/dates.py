"""Dates and date-times written as text, and Excel serial day numbers.

Finds the strftime format a column is written in (the one that reads the most values as
plausible dates, day-first when day and month cannot be told apart), parses with it, and says
the format to a person ("dd/mm/yyyy").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

# Order matters on ties: earlier wins (ISO, then day-first before month-first).
DATE_FORMATS = (
    "%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d",
    "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%m-%d-%Y", "%d.%m.%Y",
    "%d/%m/%y", "%m/%d/%y", "%d-%m-%y", "%m-%d-%y", "%d.%m.%y",
    "%d-%b-%y", "%d-%b-%Y", "%d %b %Y", "%d %b %y", "%d/%b/%Y", "%b %d, %Y", "%b %d %Y",
    "%d-%B-%y", "%d-%B-%Y", "%d %B %Y", "%d %B %y", "%B %d, %Y", "%B %d %Y",
)  # fmt: skip
TIME_FORMATS = (
    "%H:%M", "%H:%M:%S", "%H:%M:%S%.f", "%H:%M%#z", "%H:%M:%S%#z", "%H:%M:%S%.f%#z",
    "%I:%M %p", "%I:%M:%S %p",
)  # fmt: skip
COMPACT_DATE = "%Y%m%d"
EXCEL = "excel"
# Excel counts days from 1899-12-30; 1970-01-01 is day 25569.
_EXCEL_EPOCH_OFFSET = 25569
EXCEL_SERIAL_RANGE = (20000, 60000)  # 1954-10-03 .. 2064-04-08
PLAUSIBLE_YEARS = (1900, 2100)

_MONTH_NAME_RE = r"(?i)jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_HUMAN = {
    "%Y": "yyyy", "%y": "yy", "%m": "mm", "%d": "dd", "%b": "Mon", "%B": "Month",
    "%H": "hh", "%I": "hh", "%M": "mm", "%S": "ss", "%.f": ".fff", "%#z": "±hh:mm",
    "%z": "±hhmm", "%p": "AM/PM",
}  # fmt: skip


@dataclass
class DateGuess:
    type: str  # "date" or "datetime"
    date_format: str
    parsed: int  # values read as plausible dates
    note: str = ""


def has_time(fmt: str) -> bool:
    return any(code in fmt for code in ("%H", "%I", "%M", "%S"))


def describe_format(fmt: str | None) -> str:
    """ "%d/%m/%Y" -> "dd/mm/yyyy"; "excel" -> "Excel serial numbers"."""
    if not fmt:
        return "any"
    if fmt == EXCEL:
        return "Excel serial numbers"
    return re.sub(r"%[.#]?[A-Za-z]", lambda m: _HUMAN.get(m.group(0), m.group(0)), fmt)


_HUMAN_TOKENS = re.compile(r"yyyy|yy|Month|Mon|mm|dd|hh|ss|\.fff|AM/PM", re.IGNORECASE)


def to_strftime(fmt: str) -> str:
    """Accept what ``describe_format`` shows: "dd/mm/yyyy hh:mm" -> "%d/%m/%Y %H:%M"."""
    if "%" in fmt or fmt == EXCEL:
        return fmt
    twelve_hour = "am/pm" in fmt.lower()

    def code(match: re.Match[str]) -> str:
        token = match.group(0)
        lower = token.lower()
        if lower == "mm":  # minutes right after an hour, months anywhere else
            return "%M" if fmt[: match.start()].rstrip().endswith(("hh:", "HH:")) else "%m"
        if lower == "hh":
            return "%I" if twelve_hour else "%H"
        table = {
            "yyyy": "%Y", "yy": "%y", "dd": "%d", "ss": "%S", ".fff": "%.f", "am/pm": "%p",
            "month": "%B", "mon": "%b",
        }  # fmt: skip
        return table.get(lower, token)

    return _HUMAN_TOKENS.sub(code, fmt)


def _swap_day_month(fmt: str) -> str:
    return fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")


def parse_date(text: pl.Expr, fmt: str, type_: str) -> pl.Expr:
    """Date (type "date") or Datetime("us") from text in ``fmt``; null where it does not fit."""
    if fmt == EXCEL:
        return excel_serial_to(text.cast(pl.Float64, strict=False), type_)
    if type_ == "date":
        return text.str.to_date(fmt, strict=False, cache=False)
    if not has_time(fmt):
        return text.str.to_date(fmt, strict=False, cache=False).cast(pl.Datetime("us"))
    value = text.str.to_datetime(fmt, time_unit="us", strict=False, cache=False)
    if "z" in fmt:
        value = value.dt.replace_time_zone(None)  # parsed as UTC; stored naive UTC
    return value


def excel_serial_to(serial: pl.Expr, type_: str) -> pl.Expr:
    """Excel day numbers (1899-12-30 = 0) as Date, or Datetime("us") keeping the day fraction."""
    if type_ == "date":
        return (serial.floor() - _EXCEL_EPOCH_OFFSET).cast(pl.Int32, strict=False).cast(pl.Date)
    micros = ((serial - _EXCEL_EPOCH_OFFSET) * 86_400_000_000).round(0)
    return micros.cast(pl.Int64, strict=False).cast(pl.Datetime("us"))


def in_excel_range(values: pl.Expr) -> pl.Expr:
    low, high = EXCEL_SERIAL_RANGE
    return values.is_between(low, high)


def _plausible(parsed: pl.Expr) -> pl.Expr:
    return parsed.dt.year().is_between(*PLAUSIBLE_YEARS)


def _candidates(values: pl.Series) -> list[str]:
    """The formats worth trying, from which separators and words the values contain."""
    shape = (
        pl.DataFrame({"v": values})
        .select(
            time=pl.col("v").str.contains(":", literal=True).mean(),
            iso_t=pl.col("v").str.contains(r"\dT\d").any(),
            months=pl.col("v").str.contains(_MONTH_NAME_RE).any(),
            ampm=pl.col("v").str.contains(r"(?i)\d\s*[AP]M$").any(),
            zone=pl.col("v").str.contains(r"(?:Z|[+-]\d\d:?\d\d)$").any(),
            chars=pl.col("v").str.replace_all(r"[0-9A-Za-z]", "").str.join(""),
        )
        .row(0, named=True)
    )
    seps = set(shape["chars"] or "")
    dates = [
        fmt
        for fmt in DATE_FORMATS
        if (("%b" not in fmt and "%B" not in fmt) or shape["months"])
        and all(ch in seps for ch in re.sub(r"%[A-Za-z]", "", fmt))
    ]
    if (shape["time"] or 0) < 0.5:
        return dates
    times = [
        fmt
        for fmt in TIME_FORMATS
        if ("%p" in fmt) == bool(shape["ampm"]) and ("z" in fmt) == bool(shape["zone"])
    ]
    out = [f"{d} {t}" for d in dates for t in times]
    if shape["iso_t"]:
        out = [f"%Y-%m-%dT{t}" for t in times] + out
    return out


def guess_date_format(values: pl.Series) -> DateGuess | None:
    """The format that reads the most values (non-null text) as dates in 1900-2100."""
    candidates = _candidates(values)
    if not candidates or values.len() == 0:
        return None
    frame = pl.DataFrame({"v": values.str.strip_chars()})
    counts = frame.select(
        _plausible(parse_date(pl.col("v"), fmt, "datetime" if has_time(fmt) else "date"))
        .sum()
        .alias(str(i))
        for i, fmt in enumerate(candidates)
    ).row(0)
    best = max(range(len(candidates)), key=lambda i: (counts[i] or 0, -i))
    fmt, parsed = candidates[best], int(counts[best] or 0)
    if parsed == 0:
        return None
    note = ""
    swapped = _swap_day_month(fmt)
    tied = swapped != fmt and swapped in candidates
    if tied and int(counts[candidates.index(swapped)] or 0) == parsed:
        note = f"could also be {describe_format(swapped)}"
    if not has_time(fmt):
        return DateGuess("date", fmt, parsed, note)
    midnight = frame.select(
        (parse_date(pl.col("v"), fmt, "datetime").dt.time() == pl.time(0)).all()
    ).item()
    if midnight:
        midnight_note = "times are all 00:00, read as dates"
        return DateGuess("date", fmt, parsed, f"{note}; {midnight_note}" if note else midnight_note)
    return DateGuess("datetime", fmt, parsed, note)


def count_compact_dates(values: pl.Series) -> int:
    """How many values are 8-digit YYYYMMDD dates in 1900-2100."""
    frame = pl.DataFrame({"v": values.str.strip_chars()})
    parsed = pl.col("v").str.to_date(COMPACT_DATE, strict=False)
    return int(
        frame.select((pl.col("v").str.contains(r"^\d{8}$") & _plausible(parsed)).sum()).item()
    )
