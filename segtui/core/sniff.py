"""Guesses about a text file made from its head: encoding, line ending, separator, quote, header.

Everything here works on a few kilobytes of the file and is pure; ``readers`` decides what to do
with the answers. Whitespace-aligned text has its own module (``aligned_text``).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal

SEPARATORS: tuple[str, ...] = (",", "\t", ";", "|")
QUOTES: tuple[str, ...] = ('"', "'")
SAMPLE_RECORDS = 50

UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Bytes that cp1252 leaves undefined: a file holding them is latin-1 rather than Windows text.
_CP1252_HOLES = frozenset(b"\x81\x8d\x8f\x90\x9d")

_NUMBER = re.compile(r"^[-+(]?[$€£¥]?\s?\d[\d,.' ]*%?\)?$")
_DATE = re.compile(
    r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}.*)?$"
    r"|^\d{1,2}[- ][A-Za-z]{3,9}[- ,]+\d{2,4}$"
    r"|^[A-Za-z]{3,9} \d{1,2},? \d{4}$"
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def sniff_encoding(head: bytes) -> str:
    """The encoding of a text head: a BOM wins, then UTF-8 if it decodes, else cp1252/latin-1."""
    if head.startswith(UTF8_BOM):
        return "utf-8-sig"
    if head.startswith(UTF16_BOMS):
        return "utf-16"
    try:
        # Incremental so that a multi-byte character cut by the end of the head is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "latin-1" if _CP1252_HOLES.intersection(head) else "cp1252"
    return "utf-8"


def sniff_line_ending(text: str) -> Literal["LF", "CRLF", "CR"]:
    if "\r\n" in text:
        return "CRLF"
    if "\r" in text and "\n" not in text:
        return "CR"
    return "LF"


def is_blank_record(fields: list[str]) -> bool:
    """An empty line, or a line of spaces: not a data row."""
    return not fields or (len(fields) == 1 and not fields[0].strip())


@dataclass(frozen=True)
class Record:
    fields: list[str]
    first_line: int  # 1-based physical line where the record starts
    last_line: int  # and where it ends (later than first_line when a quoted cell holds newlines)


def read_records(
    text: str, sep: str, quote: str | None, limit: int | None = SAMPLE_RECORDS
) -> list[Record]:
    """The first ``limit`` non-blank records of ``text`` with the lines each one spans."""
    reader = csv.reader(
        io.StringIO(text, newline="\n"),
        delimiter=sep,
        quotechar=quote or '"',
        quoting=csv.QUOTE_MINIMAL if quote else csv.QUOTE_NONE,
        strict=False,
    )
    records: list[Record] = []
    consumed = 0
    try:
        for fields in reader:
            first, consumed = consumed + 1, reader.line_num
            if is_blank_record(fields):
                continue
            records.append(Record(fields, first, consumed))
            if limit is not None and len(records) >= limit:
                break
    except csv.Error:
        pass  # a field too large for the csv module: the sample ends there
    return records


def _field_count_score(records: list[Record]) -> tuple[float, int]:
    """(share of records with the most common field count, that count)."""
    if not records:
        return 0.0, 0
    count, freq = Counter(len(r.fields) for r in records).most_common(1)[0]
    return freq / len(records), count


def _drop_partial_tail(text: str, complete: bool) -> str:
    """Cut a head that stops mid-file back to its last full line."""
    if complete:
        return text
    cut = text.rfind("\n")
    return text[: cut + 1] if cut > 0 else text


def sniff_dialect(
    text: str, complete: bool, sep: str | None = None, quote: str | None = None
) -> tuple[str | None, str | None]:
    """The separator and quote char that split the head into the most consistent field counts.

    Returns ``(None, quote)`` when no separator gives at least two fields consistently; the caller
    then tries whitespace-aligned columns and finally reads a single column.
    """
    text = _drop_partial_tail(text, complete)
    seps = (sep,) if sep else SEPARATORS
    quotes = (quote,) if quote else QUOTES
    best: tuple[tuple[float, int, int, int], str, str] | None = None
    for s_rank, s in enumerate(seps):
        if s not in text:
            continue
        for q_rank, q in enumerate(quotes):
            records = read_records(text, s, q)
            consistency, count = _field_count_score(records)
            if count < 2:
                continue
            key = (round(consistency, 2), count, -q_rank, -s_rank)
            if best is None or key > best[0]:
                best = (key, s, q)
    if best is None or best[0][0] < 0.8:
        return None, quote or '"'
    chosen_sep, chosen_quote = best[1], best[2]
    if not quote and chosen_quote == '"' and '"' not in text and _wrapped_in(text, chosen_sep, "'"):
        chosen_quote = "'"
    return chosen_sep, chosen_quote


def _wrapped_in(text: str, sep: str, quote: str) -> bool:
    """Whether some fields of the head start and end with ``quote`` (a single-quoted export)."""
    records = read_records(text, sep, None)
    return any(len(f) >= 2 and f[0] == quote and f[-1] == quote for r in records for f in r.fields)


def sniff_separator_loosely(text: str, complete: bool) -> str | None:
    """The separator giving most fields when nothing is consistent (a ragged file)."""
    text = _drop_partial_tail(text, complete)
    scored = []
    for s in SEPARATORS:
        records = read_records(text, s, '"')
        consistency, count = _field_count_score(records)
        if count >= 2:
            scored.append((consistency, count, s))
    return max(scored)[2] if scored else None


def value_kind(value: str) -> Literal["number", "date", "email", "text"]:
    if _NUMBER.match(value):
        return "number"
    if _DATE.match(value):
        return "date"
    if _EMAIL.match(value):
        return "email"
    return "text"


def sniff_header(records: list[list[str]]) -> bool:
    """Whether the first record names the columns.

    A first row holding a number, date or email is data. Otherwise each column votes: typed values
    below a text cell say "header"; the first value recurring below says "data". With no votes
    (an all-text file) a header is assumed, as nearly every export has one.
    """
    if not records:
        return True
    first = [cell.strip() for cell in records[0]]
    if any(value_kind(cell) != "text" for cell in first if cell):
        return False
    votes = 0
    for j, name in enumerate(first):
        values = [r[j].strip() for r in records[1:] if j < len(r) and r[j].strip()]
        if not values:
            continue
        kind, n = Counter(value_kind(v) for v in values).most_common(1)[0]
        if kind != "text" and n >= 0.6 * len(values):
            votes += 1
        elif name and name in values:
            votes -= 1
    return votes >= 0


def unique_names(raw: list[str]) -> list[str]:
    """Source names kept as they are, except blank ones (``column_N``) and repeats (``name_2``)."""
    names: list[str] = []
    seen: set[str] = set()
    for position, name in enumerate(raw, start=1):
        base = name if name.strip() else f"column_{position}"
        candidate, n = base, 1
        while candidate in seen:
            n += 1
            candidate = f"{base}_{n}"
        seen.add(candidate)
        names.append(candidate)
    return names


def most_common_width(rows: list[list[str]]) -> int:
    """The usual field count of some records (0 for none)."""
    return Counter(len(r) for r in rows).most_common(1)[0][0] if rows else 0
