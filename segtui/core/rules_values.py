"""Values of rule conditions: checking and normalising the JSON ones, reading the ones people
type in the editor ("25-34", "90 days", "France, Spain"), and the calendar arithmetic of
relative dates.

Normal forms: numbers are int when whole, else float; dates are ISO text; between is
``[low, high]``; in/not_in is a list of distinct trimmed texts; relative dates are
``{"n": 90, "unit": "days"}`` with unit days, weeks, months or years; operators without a
value have None. Shares (unit "share") are fractions: typed "30%" or "30" both mean 0.3.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

from segtui.core.segment_model import CriteriaError, FieldInfo

PERIOD_UNITS = ("days", "weeks", "months", "years")
_UNIT_WORDS = {
    "d": "days", "day": "days", "days": "days",
    "w": "weeks", "wk": "weeks", "wks": "weeks", "week": "weeks", "weeks": "weeks",
    "m": "months", "mo": "months", "mon": "months", "mth": "months", "mths": "months",
    "month": "months", "months": "months",
    "y": "years", "yr": "years", "yrs": "years", "year": "years", "years": "years",
}  # fmt: skip
_DATE_FORMATS = (
    "%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y",
    "%b %d, %Y", "%B %d, %Y",
)  # fmt: skip
_NO_VALUE_OPS = frozenset({"is_empty", "is_not_empty", "is_true", "is_false"})
_TWO_VALUE_SEPARATORS = (
    r"\s+to\s+", r"\s+and\s+", r"\s*[–—]\s*", r"\s*\.\.\s*", r"\s+-\s+", r"\s*;\s*", r"\s*,\s+",
)  # fmt: skip
_CURRENCY = "£$€¥₹"


def shift_back(day: dt.date, n: int, unit: str) -> dt.date:
    """``day`` minus ``n`` units. Months and years are calendar ones and clamp the day of the
    month: 31 March minus one month is 28 (or 29) February."""
    if unit == "days":
        return day - dt.timedelta(days=n)
    if unit == "weeks":
        return day - dt.timedelta(weeks=n)
    months = n * 12 if unit == "years" else n
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_date_text(text: str) -> dt.date | None:
    """ISO dates (also with / or .), "31 Jan 2025", "Jan 31, 2025"; None if none of those."""
    text = " ".join(text.strip().split())
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        return None


def _number_from_text(text: str, *, share: bool) -> int | float | None:
    cleaned = re.sub(r"[\s_\u00a0\u202f]", "", text)
    percent = cleaned.endswith("%")
    cleaned = cleaned.rstrip("%")
    sign = "-" if cleaned.startswith("-") else ""
    cleaned = cleaned.lstrip("+-").lstrip(_CURRENCY)
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", cleaned):
        cleaned = cleaned.replace(",", "")  # thousands separators
    elif cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # a decimal comma
    try:
        number = float(sign + cleaned)
    except ValueError:
        return None
    if share and (percent or abs(number) > 1):
        number /= 100
    return _tidy_number(number)


def _tidy_number(number: float) -> int | float | None:
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else number


def _as_number(value: Any, label: str) -> int | float:
    number: int | float | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float):
        number = _tidy_number(value)
    elif isinstance(value, str):
        number = _number_from_text(value, share=False)
    if number is None:
        raise CriteriaError(f"value {value!r} for {label} is not a number")
    return number


def _as_date(value: Any, label: str) -> str:
    day: dt.date | None = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        day = parse_date_text(value)
    if day is None:
        raise CriteriaError(f"value {value!r} for {label} is not a date; write it as yyyy-mm-dd")
    return day.isoformat()


def _as_period(value: Any, label: str) -> dict[str, Any]:
    if isinstance(value, str):
        return _period_from_text(value, label)
    if isinstance(value, int) and not isinstance(value, bool):
        value = {"n": value, "unit": "days"}
    problem = (
        f"value {value!r} for {label} is not a period; write a whole number n and a unit of "
        'days, weeks, months or years, e.g. {"n": 90, "unit": "days"}'
    )
    if not isinstance(value, Mapping):
        raise CriteriaError(problem)
    n, unit = value.get("n"), value.get("unit", "days")
    if isinstance(n, float) and n.is_integer():
        n = int(n)
    if not isinstance(n, int) or isinstance(n, bool) or unit not in PERIOD_UNITS:
        raise CriteriaError(problem)
    if n < 1:
        raise CriteriaError(f"the period for {label} must be at least 1 {unit[:-1]}")
    return {"n": n, "unit": unit}


def _period_from_text(text: str, label: str) -> dict[str, Any]:
    match = re.fullmatch(r"\s*(\d+)\s*([a-z]*)\s*(ago)?\s*", text.lower())
    unit = _UNIT_WORDS.get(match.group(2) or "days") if match else None
    if match is None or unit is None:
        raise CriteriaError(
            f"{text.strip()!r} for {label} is not a period; write a number and a unit, "
            "e.g. 90 days, 12 weeks or 3 months"
        )
    return _as_period({"n": int(match.group(1)), "unit": unit}, label)


def _as_text(value: Any, label: str, what: str) -> str:
    if (
        isinstance(value, bool)
        or not isinstance(value, str | int | float)
        or not str(value).strip()
    ):
        raise CriteriaError(f"{label} {what} needs a value; type one")
    return str(value).strip()


def _as_text_list(value: Any, label: str, what: str) -> list[str]:
    items = value if isinstance(value, list | tuple) else [value]
    texts = [
        str(item).strip()
        for item in items
        if isinstance(item, str | int | float) and not isinstance(item, bool)
    ]
    unique = list(dict.fromkeys(text for text in texts if text))
    if not unique:
        raise CriteriaError(f"{label} {what} needs at least one value; pick or type some")
    return unique


def _low_high(value: Any, label: str, convert: Any) -> list[Any]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise CriteriaError(f"between needs two values for {label}, low then high")
    low, high = convert(value[0], label), convert(value[1], label)
    if low > high:
        raise CriteriaError(
            f"between needs two values for {label}, low then high (not {value[0]} then {value[1]})"
        )
    return [low, high]


def normalise_value(field: FieldInfo, op: str, value: Any) -> Any:
    """The checked, normal form of a condition's value (see the module docstring); raises
    CriteriaError naming the field's label when the value does not fit the operator."""
    label = field.label
    if op in _NO_VALUE_OPS:
        return None
    if field.type == "number":
        if op == "between":
            return _low_high(value, label, _as_number)
        return _as_number(value, label)
    if field.type == "date":
        if op == "between":
            return _low_high(value, label, _as_date)
        if op in ("in_last", "more_than_ago"):
            return _as_period(value, label)
        return _as_date(value, label)
    if op in ("in", "not_in"):
        return _as_text_list(value, label, "is any of" if op == "in" else "is none of")
    return _as_text(value, label, op.replace("_", " "))


def _split_two(text: str, *, numbers: bool) -> list[str]:
    text = re.sub(r"(?i)^\s*between\s+", "", text.strip())
    for separator in _TWO_VALUE_SEPARATORS:
        parts = re.split(separator, text, flags=re.IGNORECASE)
        if len(parts) == 2:
            return parts
    if len(text.split()) == 2:
        return text.split()
    if numbers:
        match = re.fullmatch(r"(-?[^\s-]+)\s*-\s*(-?[^\s-]+)", text)
        if match:
            return [match.group(1), match.group(2)]
    return [text]


def parse_value(field: FieldInfo, op: str, text: str) -> Any:
    """Read what was typed in the editor's value box for ``field op`` into the normal form.

    between: "25-34", "25 34", "25 to 34", "2025-01-01 to 2025-03-31"; in/not_in: "a, b, c";
    relative dates: "90 days", "12w", "3 months", "1 year" (a bare number is days); numbers
    may have thousands separators, a currency sign or a decimal comma.
    """
    label = field.label
    if op in _NO_VALUE_OPS:
        return None
    share = field.unit == "share"
    if field.type == "number":

        def number(part: str, label: str) -> int | float:
            parsed = _number_from_text(part, share=share)
            if parsed is None:
                raise CriteriaError(f"value {part.strip()!r} for {label} is not a number")
            return parsed

        if op == "between":
            return _low_high(_split_two(text, numbers=True), label, number)
        return number(text, label)
    if field.type == "date" and op == "between":
        return normalise_value(field, op, _split_two(text, numbers=False))
    if op in ("in", "not_in"):
        return normalise_value(field, op, text.split(","))
    return normalise_value(field, op, text)


def value_hint(field: FieldInfo, op: str) -> str:
    """A placeholder for the editor's value box."""
    if op in _NO_VALUE_OPS:
        return ""
    if field.type == "number":
        example = "0.2 or 20%" if field.unit == "share" else "100"
        return "low-high, e.g. 25-34" if op == "between" else f"a number, e.g. {example}"
    if field.type == "date":
        if op in ("in_last", "more_than_ago"):
            return "e.g. 90 days, 12 weeks, 3 months"
        return "yyyy-mm-dd to yyyy-mm-dd" if op == "between" else "yyyy-mm-dd"
    return "values separated by commas" if op in ("in", "not_in") else "text"
