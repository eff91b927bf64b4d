"""Numbers and yes/no flags written as text: currency symbols, thousands separators, decimal
commas, accounting negatives "(12)", percent signs, and the usual spellings of a missing value.

Parsers come in two flavours. The *fast* one is a plain cast: right for clean values, null for
anything else, and never wrong. The *full* one cleans the text first. Conversion runs the fast
one over every row and the full one only over the rows the fast one could not read, so a clean
million-row column costs one cast.
"""

from __future__ import annotations

import polars as pl

# Cells that mean "no value" in exports; they become null in typed columns (never a reject).
NULL_TOKENS = ("", "na", "n/a", "nan", "null", "none", "nil", "-", "--", "#n/a", "(blank)")

_SPACES = " \u00a0\u202f"  # space, no-break space, narrow no-break space (fr/ch/de grouping)
_CURRENCY_SYMBOLS = "€£¥₹₽₩₺₪₫฿"
_DOLLAR_PREFIXES = ("US", "AU", "NZ", "CA", "HK", "SG", "R", "A", "C")
_CURRENCY_CODES = (
    "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN", "CZK",
    "HUF", "INR", "CNY", "RMB", "HKD", "SGD", "ZAR", "BRL", "MXN", "RUB", "TRY", "KRW", "RON",
    "ILS", "AED", "SAR", "THB",
)  # fmt: skip
CURRENCY_RE = (
    rf"(?i)(?:{'|'.join(_DOLLAR_PREFIXES)})?\$|[{_CURRENCY_SYMBOLS}]|{'|'.join(_CURRENCY_CODES)}"
)
# What the full number parser strips, as literal strings for a fast multi-string replace
# (matched case-insensitively; "US$" is listed before "$" so it goes as a whole).
_STRIPPED = dict.fromkeys(
    [
        *(f"{prefix}$" for prefix in _DOLLAR_PREFIXES),
        "$",
        *_CURRENCY_SYMBOLS,
        "%",
        *_CURRENCY_CODES,
    ],
    "",
)

_GROUP_SPACED = rf"\d{{1,3}}(?:[{_SPACES}']\d{{3}})+"
_INT = {
    False: rf"(?:\d{{1,3}}(?:,\d{{3}})+|{_GROUP_SPACED}|\d+)",
    True: rf"(?:\d{{1,3}}(?:\.\d{{3}})+|{_GROUP_SPACED}|\d+)",
}
_EXP = r"(?:[eE][+-]?\d+)?"
_NUMBER_RE = {
    False: rf"^[+-]?(?:{_INT[False]}(?:\.\d*)?|\.\d+){_EXP}$",
    True: rf"^[+-]?(?:{_INT[True]}(?:,\d*)?|,\d+){_EXP}$",
}
_INTEGER_RE = {comma: rf"^[+-]?{_INT[comma]}$" for comma in (False, True)}
_GROUPING = {
    comma: dict.fromkeys([sep, *_SPACES, "'"], "") for comma, sep in ((False, ","), (True, "."))
}
_GROUPED_RE = {False: rf"\d[,{_SPACES}']\d{{3}}", True: rf"\d[.{_SPACES}']\d{{3}}"}

# Values that settle the decimal convention: "12.50", "1,234.56", "0.5" vs "12,5", "1.234,56".
_DECISIVE = {
    False: r"^[+-]?(?:\d{1,3}(?:,\d{3})+\.\d+|\d*\.\d{1,2}|\d*\.\d{4,}|\d{4,}\.\d+|0\.\d+"
    r"|\d{1,3}(?:,\d{3}){2,})$",
    True: r"^[+-]?(?:\d{1,3}(?:\.\d{3})+,\d+|\d*,\d{1,2}|\d*,\d{4,}|\d{4,},\d+|0,\d+"
    r"|\d{1,3}(?:\.\d{3}){2,})$",
}

TRUE_WORDS = ("yes", "y", "true", "t")
FALSE_WORDS = ("no", "n", "false", "f")
_BOOL_MAP = {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS, False)}
_BOOL_MAP_01 = {**_BOOL_MAP, "1": True, "0": False}


def is_null_token(text: pl.Expr) -> pl.Expr:
    return text.str.strip_chars().str.to_lowercase().is_in(NULL_TOKENS)


def _strip_decorations(values: pl.Series) -> pl.DataFrame:
    """Columns "bare" (the number text alone) and "negative" (it was written "(12)").

    Built in steps on purpose: one nested expression would repeat each step in every branch.
    """
    stripped = pl.col("v").str.replace_many(_STRIPPED, ascii_case_insensitive=True)
    bare = values.to_frame("v").select(bare=stripped.str.strip_chars())
    text = pl.col("bare")
    bare = bare.with_columns(negative=text.str.starts_with("(") & text.str.ends_with(")"))
    inner = text.str.slice(1, text.str.len_chars() - 2).str.strip_chars()
    return bare.with_columns(bare=pl.when("negative").then(inner).otherwise(text))


def parse_number(values: pl.Series, *, integer: bool, decimal_comma: bool) -> pl.Series:
    """Full parse of number text: Int64 (integer) or Float64; null where it is not a number."""
    frame = _strip_decorations(values)
    text = pl.col("bare")
    pattern = _INTEGER_RE[decimal_comma] if integer else _NUMBER_RE[decimal_comma]
    digits = text.str.replace_many(_GROUPING[decimal_comma])
    if decimal_comma:
        digits = digits.str.replace(",", ".", literal=True)
    frame = frame.with_columns(
        value=pl.when(text.str.contains(pattern)).then(
            digits.cast(pl.Int64 if integer else pl.Float64, strict=False)
        )
    )
    value = pl.col("value")
    if not integer:
        frame = frame.with_columns(value=pl.when(value.is_finite()).then(value))
    return frame.select(pl.when("negative").then(-value).otherwise(value)).to_series()


def parse_number_fast(text: pl.Expr, *, integer: bool, decimal_comma: bool) -> pl.Expr:
    """A plain cast: the right value for clean cells, null for anything that needs cleaning."""
    if integer:
        return text.cast(pl.Int64, strict=False)
    if decimal_comma:
        swapped = text.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
        value = pl.when(text.str.contains(".", literal=True)).then(None).otherwise(swapped)
    else:
        value = text.cast(pl.Float64, strict=False)
    return pl.when(value.is_finite()).then(value)


def parse_bool(text: pl.Expr, *, allow_01: bool = True) -> pl.Expr:
    mapping = _BOOL_MAP_01 if allow_01 else _BOOL_MAP
    words = text.str.strip_chars().str.to_lowercase()
    return words.replace_strict(mapping, default=None, return_dtype=pl.Boolean)


def decimal_comma_votes(values: pl.Series) -> tuple[int, int]:
    """(values only a decimal comma explains, values only a decimal point explains)."""
    votes = (
        _strip_decorations(values)
        .select(
            comma=pl.col("bare").str.contains(_DECISIVE[True]).sum(),
            dot=pl.col("bare").str.contains(_DECISIVE[False]).sum(),
        )
        .row(0)
    )
    return int(votes[0] or 0), int(votes[1] or 0)


def number_notes(values: pl.Series, decimal_comma: bool, *, integer: bool = False) -> list[str]:
    """Short notes on what reading these numbers takes: "thousands separators and € stripped"."""
    frame = pl.DataFrame({"v": values})
    stats = frame.select(
        grouped=pl.col("v").str.contains(_GROUPED_RE[decimal_comma]).any(),
        percent=pl.col("v").str.contains("%", literal=True).any(),
        paren=pl.col("v").str.contains(r"^\s*\D*\(.*\)\s*\D*$").any(),
    )
    found = frame.select(pl.col("v").str.extract_all(CURRENCY_RE).explode().drop_nulls().unique())
    currencies = sorted({c.upper() for c in found.to_series().to_list() if c})
    first = stats.row(0, named=True)
    stripped = []
    if first["grouped"]:
        stripped.append("thousands separators")
    stripped.extend(currencies)
    if first["percent"]:
        stripped.append("%")
    notes = []
    if stripped:
        listed = stripped[0]
        if len(stripped) > 1:
            listed = ", ".join(stripped[:-1]) + " and " + stripped[-1]
        notes.append(f"{listed} stripped")
    if decimal_comma and not integer:
        notes.append("decimal comma")
    if first["paren"]:
        notes.append("(12) read as -12")
    return notes
