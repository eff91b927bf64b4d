"""Delimited text to an all-string polars frame, with a source line for every row and the rows
of the wrong width set aside.

Three paths, fastest first; each later one runs only when the earlier cannot prove its answer:

1. polars parses everything and cheap checks prove that every row has the expected width: a
   longer row makes polars raise; a shorter one or a blank line leaves the last cell null, and
   then the separators in the data must equal (width - 1) per row plus those inside quoted
   cells. Physical lines must equal the rows plus the newlines inside quoted cells.
2. polars parses again, tolerating ragged rows, and also reads the file as plain lines. A
   record spans 1 + (newlines inside its cells) lines; its field count is 1 + the separators on
   those lines - the separators inside its cells. Rows of another width are set aside.
3. Python's csv module, for quoting polars refuses (a quote inside an unquoted field) or when
   the line arithmetic of path 2 does not add up.

Polars emits one row per record, blank lines included, which is what lets the counts and the
parsed rows line up. Everything but path 3 is vectorised.
"""

from __future__ import annotations

import _csv
import csv
import io
from dataclasses import dataclass

import polars as pl

# Spare columns of a tolerant read: a row up to this many fields too long is still counted exactly
# (beyond, its extra cells are cut and the line arithmetic may fall back to the csv module).
_SPARE = 2


class NotUtf8Error(Exception):
    """The bytes handed over are not valid UTF-8 (the caller picks another encoding)."""


@dataclass
class Dialect:
    sep: str
    quote: str | None
    names: list[str]  # unique output names; their count is the expected width
    header_lines: int  # physical lines before the first data record (blank lines + header)


@dataclass
class Parsed:
    frame: pl.DataFrame
    lines: pl.Series
    malformed: list[tuple[int, str, str]]


def _skip_offset(body: bytes, lines: int) -> int:
    """The byte offset just after the first ``lines`` physical lines."""
    offset = 0
    for _ in range(lines):
        found = body.find(b"\n", offset)
        if found < 0:
            return len(body)
        offset = found + 1
    return offset


def _read_csv(body: bytes, skip: int, **options: object) -> pl.DataFrame:
    try:
        return pl.read_csv(
            body,
            has_header=False,
            skip_lines=skip,
            infer_schema=False,
            missing_columns="insert",
            raise_if_empty=False,
            **options,  # type: ignore[arg-type]
        )
    except pl.exceptions.ComputeError as error:
        if "utf-8" in str(error).lower() or "utf8" in str(error).lower():
            raise NotUtf8Error(str(error)) from error
        raise


def _polars(body: bytes, dialect: Dialect, *, ragged: bool) -> pl.DataFrame | None:
    """The records as strings; None when polars refuses them (a longer row when not ``ragged``,
    or quoting it cannot follow). A ``ragged`` read keeps a few spare columns so that the cells
    of a longer row still count (see ``_scanned``)."""
    names = dialect.names + ([f"\x00spare{i}" for i in range(_SPARE)] if ragged else [])
    try:
        return _read_csv(
            body,
            dialect.header_lines,
            separator=dialect.sep,
            quote_char=dialect.quote,
            schema=dict.fromkeys(names, pl.String),
            extra_columns="ignore" if ragged else None,
            truncate_ragged_lines=ragged,
        )
    except (pl.exceptions.PolarsError, ValueError):
        return None


def _physical_lines(body: bytes, skip: int) -> pl.Series | None:
    """Every physical line after the first ``skip``, blank ones included (None in the unlikely
    case that every candidate field separator byte occurs in the file)."""
    unused = next((c for c in "\x00\x01\x02\x03\x04\x05\x06" if c.encode() not in body), None)
    if unused is None:
        return None
    lines = _read_csv(
        body,
        skip,
        separator=unused,
        quote_char=None,
        schema={"raw": pl.String},
        empty_string_is_null=False,
    )
    return lines.to_series().fill_null("")


def _cell_count(frame: pl.DataFrame, needle: str) -> pl.Series:
    """Per row, how often ``needle`` occurs inside the parsed cells."""
    if frame.width == 0 or frame.height == 0:
        return pl.Series(values=[0] * frame.height, dtype=pl.Int64)
    counts = [pl.col(c).str.count_matches(needle, literal=True) for c in frame.columns]
    return frame.select(pl.sum_horizontal(counts).cast(pl.Int64)).to_series()


def _is_quoted(body: bytes, dialect: Dialect, start: int) -> bool:
    return dialect.quote is not None and body.find(dialect.quote.encode(), start) >= 0


def _fast(body: bytes, dialect: Dialect, start: int) -> tuple[pl.DataFrame, pl.Series] | None:
    """Path 1: the frame and each row's start line, or None when the checks do not prove it."""
    frame = _polars(body, dialect, ragged=False)
    if frame is None:
        return None
    rows, width = frame.height, len(dialect.names)
    quoted = _is_quoted(body, dialect, start)
    # No row is longer (polars raised otherwise). A shorter row or a blank line leaves the last
    # cell null, so only then do the separators need counting.
    if width > 1 and frame.to_series(width - 1).null_count():
        expected_seps = (width - 1) * rows
        if quoted:
            expected_seps += int(_cell_count(frame, dialect.sep).sum())
        if body.count(dialect.sep.encode(), start) != expected_seps:
            return None
    offsets = pl.int_range(rows, dtype=pl.Int64, eager=True)
    if quoted:
        tail = 1 if len(body) > start and body[-1:] != b"\n" else 0
        physical = body.count(b"\n", start) + tail
        if physical != rows:
            span = _cell_count(frame, "\n") + 1
            if int(span.sum()) != physical:
                return None
            offsets = span.cum_sum() - span
    return frame, offsets + dialect.header_lines + 1


def _scanned(body: bytes, dialect: Dialect, start: int, limit: int | None) -> Parsed | None:
    """Path 2: count each record's fields from its lines; None when the arithmetic fails."""
    frame = _polars(body, dialect, ragged=True)
    raw = _physical_lines(body, dialect.header_lines) if frame is not None else None
    if frame is None or raw is None:
        return None
    line_seps = raw.str.count_matches(dialect.sep, literal=True).cast(pl.Int64)
    if _is_quoted(body, dialect, start):
        span = _cell_count(frame, "\n") + 1
        if int(span.sum()) != len(raw):
            return None
        first = span.cum_sum() - span
        running = pl.concat([pl.Series([0], dtype=pl.Int64), line_seps.cum_sum()])
        record_seps = running.gather(first + span) - running.gather(first)
        fields = record_seps - _cell_count(frame, dialect.sep) + 1
    else:
        if frame.height != len(raw):
            return None
        span = pl.Series(values=[1] * frame.height, dtype=pl.Int64)
        first = pl.int_range(frame.height, dtype=pl.Int64, eager=True)
        fields = line_seps + 1
    width = len(dialect.names)
    blank = (fields == 1) & (frame.to_series(0).str.strip_chars().fill_null("") == "")
    keep = ~blank
    if limit is not None:
        keep = keep & (keep.cast(pl.Int64).cum_sum() <= limit)
    valid = keep & (fields == width)
    lines = first + dialect.header_lines + 1
    frame = frame.select(dialect.names)
    bad = (keep & (fields != width)).arg_true()
    malformed = []
    for line, begin, lines_spanned, counted in zip(
        lines.gather(bad).to_list(),
        first.gather(bad).to_list(),
        span.gather(bad).to_list(),
        fields.gather(bad).to_list(),
        strict=True,
    ):
        text = "\n".join(raw.slice(begin, lines_spanned).to_list()).rstrip("\r")
        if counted > width + _SPARE:  # cells beyond the spare columns were cut: count again
            counted = len(next(_csv_reader(text, dialect), []))
        malformed.append((line, _reason(width, counted), text))
    return Parsed(frame.filter(valid), lines.filter(valid), malformed)


def _reason(width: int, found: int) -> str:
    return f"expected {width} fields, found {found}"


def _csv_reader(text: str, dialect: Dialect) -> _csv.Reader:
    return csv.reader(
        io.StringIO(text, newline="\n"),
        delimiter=dialect.sep,
        quotechar=dialect.quote or '"',
        quoting=csv.QUOTE_MINIMAL if dialect.quote else csv.QUOTE_NONE,
        strict=False,
    )


def _python(body: bytes, dialect: Dialect, start: int, limit: int | None) -> Parsed:
    """Path 3: the csv module, record by record."""
    try:
        text = body[start:].decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotUtf8Error(str(error)) from error
    physical = text.split("\n")
    reader = _csv_reader(text, dialect)
    width = len(dialect.names)
    rows: list[list[str]] = []
    lines: list[int] = []
    malformed: list[tuple[int, str, str]] = []
    consumed = 0
    for fields in reader:
        first, consumed = consumed + 1, reader.line_num
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        if limit is not None and len(rows) + len(malformed) >= limit:
            break
        line = first + dialect.header_lines
        if len(fields) == width:
            rows.append(fields)
            lines.append(line)
        else:
            raw = "\n".join(physical[first - 1 : consumed]).rstrip("\r")
            malformed.append((line, _reason(width, len(fields)), raw))
    columns = list(zip(*rows, strict=True)) if rows else [()] * width
    frame = pl.DataFrame(
        {name: list(values) for name, values in zip(dialect.names, columns, strict=True)},
        schema=dict.fromkeys(dialect.names, pl.String),
    )
    return Parsed(frame, pl.Series(lines, dtype=pl.Int64), malformed)


def parse_delimited(body: bytes, dialect: Dialect, limit: int | None = None) -> Parsed:
    """Parse UTF-8 ``body`` (LF or CRLF lines) after its ``header_lines``.

    ``limit`` keeps only the first that many data records (valid or malformed). Raises
    NotUtf8Error when the bytes are not UTF-8.
    """
    start = _skip_offset(body, dialect.header_lines)
    fast = _fast(body, dialect, start)
    if fast is not None:
        frame, lines = fast
        if len(dialect.names) == 1:
            # A one-column file has no separator to tell a blank line from an empty cell.
            filled = frame.to_series(0).str.strip_chars().fill_null("") != ""
            frame, lines = frame.filter(filled), lines.filter(filled)
        if limit is not None:
            frame, lines = frame.head(limit), lines.head(limit)
        parsed = Parsed(frame, lines, [])
    else:
        parsed = _scanned(body, dialect, start, limit) or _python(body, dialect, start, limit)
    parsed.frame = clean_strings(parsed.frame)
    parsed.lines = parsed.lines.cast(pl.Int64).rename("line")
    return parsed


def clean_strings(frame: pl.DataFrame) -> pl.DataFrame:
    """Strip surrounding whitespace from every string cell; blank cells become null."""
    text = [c for c, dtype in frame.schema.items() if dtype == pl.String]
    if not text:
        return frame
    # Two plain passes measure faster than one when/then over stripped values.
    stripped = frame.with_columns(pl.col(text).str.strip_chars())
    return stripped.with_columns(pl.when(pl.col(text).str.len_bytes() > 0).then(pl.col(text)))
