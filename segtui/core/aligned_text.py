"""Whitespace-aligned text (report-style exports): columns separated by runs of spaces.

Three layouts, tried in this order on the head of the file:

* fixed width: positions where every sampled line has a space, in runs of two or more, mark the
  column boundaries (this keeps blank cells and values with single spaces such as "New York");
* runs: fields separated by two or more spaces or a tab;
* spaces: fields separated by any whitespace, only when every sampled line gives the same count.

Quotes have no meaning here. This path is plain Python: aligned reports are small.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from segtui.core.sniff import value_kind

_RUNS = re.compile(r" {2,}|\t+")
SAMPLE_LINES = 200


@dataclass(frozen=True)
class Layout:
    starts: tuple[int, ...] | None  # fixed-width column starts, else split on whitespace
    min_gap: int = 2  # "runs" (2) or "spaces" (1) when ``starts`` is None


def _split_runs(line: str) -> list[str]:
    return _RUNS.split(line.strip())


def _fixed_starts(sample: list[str]) -> tuple[int, ...] | None:
    width = max(len(line) for line in sample)
    gap = [True] * width
    for line in sample:
        for position, char in enumerate(line):
            if char != " ":
                gap[position] = False
    first = next((p for p in range(width) if not gap[p]), None)
    if first is None:
        return None
    starts = [first]
    starts += [p for p in range(first + 2, width) if not gap[p] and gap[p - 1] and gap[p - 2]]
    return tuple(starts) if len(starts) >= 2 else None


def infer_layout(lines: list[str]) -> Layout | None:
    """The layout of aligned columns in the head, or None when it does not look aligned."""
    sample = [line.expandtabs(8).rstrip() for line in lines if line.strip()][:SAMPLE_LINES]
    if not sample:
        return None
    starts = _fixed_starts(sample) if len(sample) > 1 else None
    if starts and not any("  " in cell for line in sample for cell in _cut(line, starts)):
        # (a cell holding a run of spaces means two columns touched somewhere: not fixed)
        return Layout(starts)
    counts = Counter(len(_split_runs(line)) for line in sample)
    count, freq = counts.most_common(1)[0]
    if count >= 2 and freq >= 0.8 * len(sample):
        return Layout(None, 2)
    counts = Counter(len(line.split()) for line in sample)
    count, freq = counts.most_common(1)[0]
    if count >= 2 and freq == len(sample) and _has_typed_column([x.split() for x in sample[1:]]):
        return Layout(None, 1)
    return None


def _has_typed_column(rows: list[list[str]]) -> bool:
    """Whether some column holds numbers or dates: single spaces alone also separate the words
    of a name, so a one-column list of full names must not be split."""
    columns = zip(*rows, strict=False) if rows else iter(())
    return any(all(value_kind(v) in ("number", "date") for v in column) for column in columns)


def split_aligned(line: str, layout: Layout) -> list[str]:
    """The fields of one line (stripped); a fixed-width line whose text crosses a column boundary
    is split on runs of spaces instead, which the caller checks against the field count."""
    line = line.expandtabs(8).rstrip()
    if layout.starts is None:
        return line.split() if layout.min_gap == 1 else _split_runs(line)
    starts = layout.starts
    if any(s - 1 < len(line) and line[s - 1] != " " for s in starts[1:]):
        return _split_runs(line)
    return _cut(line, starts)


def _cut(line: str, starts: tuple[int, ...]) -> list[str]:
    bounds = [*starts[1:], max(len(line), starts[-1])]
    fields = [line[: bounds[0]].strip()]
    fields += [line[a:b].strip() for a, b in zip(starts[1:], bounds[1:], strict=True)]
    return fields


@dataclass
class AlignedRows:
    names: list[str] | None  # header fields as in the file, None without a header
    rows: list[list[str]]
    lines: list[int]
    malformed: list[tuple[int, str, str]]


def read_aligned(
    text: str, layout: Layout, has_header: bool, n_fields: int, limit: int | None = None
) -> AlignedRows:
    """Split every non-blank line; lines with another field count go to ``malformed``.

    ``n_fields`` is the expected width (the header's, or the usual count without a header);
    ``limit`` stops after that many data rows (valid or malformed).
    """
    names: list[str] | None = None
    rows: list[list[str]] = []
    line_numbers: list[int] = []
    malformed: list[tuple[int, str, str]] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        fields = split_aligned(line, layout)
        if has_header and names is None:
            names = fields + [""] * (n_fields - len(fields))
            continue
        if limit is not None and len(rows) + len(malformed) >= limit:
            break
        if len(fields) == n_fields:
            rows.append(fields)
            line_numbers.append(number)
        else:
            reason = f"expected {n_fields} fields, found {len(fields)}"
            malformed.append((number, reason, line))
    return AlignedRows(names, rows, line_numbers, malformed)


def aligned_width(text: str, layout: Layout, has_header: bool) -> int:
    """The expected field count: the header's (or more, when data rows are wider), else the mode."""
    counts: Counter[int] = Counter()
    header_count = 0
    for line in [line for line in text.split("\n") if line.strip()][:SAMPLE_LINES]:
        n = len(split_aligned(line.rstrip("\r"), layout))
        if has_header and not header_count:
            header_count = n
            continue
        counts[n] += 1
    usual = counts.most_common(1)[0][0] if counts else 0
    return max(header_count, usual)
