"""RFM segment maps: which segment each score cell belongs to.

Two kinds of map:

* the *grid* (the default): a complete recency × frequency partition. Rows are R from high
  (``bins``) to low (1), columns are F from 1 to ``bins``; ``grid[bins - r][f - 1]`` is the
  segment of customers scored (r, f). Every cell names exactly one segment, so there is no
  "others" and no overlap. The 5×5 default is the one in DESIGN.md; the 4×4 and 3×3 defaults are
  derived from it by sending score ``s`` of ``b`` bins to row/column
  ``round(1 + (s - 1) · 4 / (b - 1))`` of the 5×5 grid (4 bins: 1, 2, 4, 5; 3 bins: 1, 3, 5).
* the widely copied R/F/M *range table*: ordered rules with a score range per dimension, first
  match wins. It is only offered as a template because it leaves cells uncovered (they go to
  "Others") and matches others more than once; :func:`check_ranges` makes both visible.

Everything here is pure Python (no polars) so the UI can edit maps without loading anything.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from segtui.core.segment_model import CriteriaError

BIN_CHOICES: tuple[int, ...] = (3, 4, 5)

NO_PURCHASES = "No purchases yet"  # customers without orders: not scored, still segmented
OTHERS = "Others"  # range-table cells no rule covers

# The order segments are shown in; names a user adds follow in first-appearance order.
SEGMENT_ORDER: tuple[str, ...] = (
    "Champions",
    "Loyal",
    "Potential Loyalists",
    "New Customers",
    "Promising",
    "Need Attention",
    "About to Sleep",
    "At Risk",
    "Can't Lose Them",
    "Hibernating",
)

# DESIGN.md "Default RFM segment map": rows R = 5..1, columns F = 1..5.
DEFAULT_GRID_5: tuple[tuple[str, ...], ...] = (
    ("New Customers", "Potential Loyalists", "Potential Loyalists", "Champions", "Champions"),
    ("Promising", "Potential Loyalists", "Potential Loyalists", "Loyal", "Loyal"),
    ("About to Sleep", "About to Sleep", "Need Attention", "Loyal", "Loyal"),
    ("Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"),
    ("Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"),
)

Grid = list[list[str]]
Cell = tuple[int, int, int]  # (r, f, m) scores


def _check_bins(bins: int) -> None:
    if bins not in BIN_CHOICES:
        raise CriteriaError(f"RFM bins: use 3, 4 or 5 score bins (got {bins!r}).")


def to_five(score: int, bins: int) -> int:
    """The 5-bin score that score ``score`` of ``bins`` bins stands for (round half up)."""
    return int(1 + (score - 1) * 4 / (bins - 1) + 0.5)


def derive_grid(grid5: Grid | tuple[tuple[str, ...], ...], bins: int) -> Grid:
    """The ``bins`` × ``bins`` grid taken from a 5×5 grid (see the module docstring)."""
    _check_bins(bins)
    rows = [list(row) for row in grid5]
    if len(rows) != 5 or any(len(row) != 5 for row in rows):
        raise CriteriaError("RFM segment map: deriving a smaller grid needs a 5×5 grid.")
    return [
        [rows[5 - to_five(r, bins)][to_five(f, bins) - 1] for f in range(1, bins + 1)]
        for r in range(bins, 0, -1)
    ]


def default_grid(bins: int = 5) -> Grid:
    """A fresh copy of the default map for ``bins`` bins."""
    return derive_grid(DEFAULT_GRID_5, bins)


def clean_name(name: object, what: str = "RFM segment name") -> str:
    """A segment name without surrounding blanks; CriteriaError when blank or reserved."""
    if not isinstance(name, str) or not name.strip():
        raise CriteriaError(f"{what}: give a non-blank name.")
    text = " ".join(name.split())
    if text.casefold() == NO_PURCHASES.casefold():
        raise CriteriaError(
            f"{what}: {NO_PURCHASES!r} is kept for customers without orders; pick another name."
        )
    return text


def validate_grid(grid: object, bins: int) -> Grid:
    """A clean copy of ``grid``: ``bins`` rows of ``bins`` non-blank names."""
    _check_bins(bins)
    shape_error = CriteriaError(
        f"RFM segment map: give {bins} rows (R {bins} down to 1) of {bins} segment names "
        f"(F 1 to {bins}) for {bins} bins, or reset it to the default."
    )
    if not isinstance(grid, list | tuple) or len(grid) != bins:
        raise shape_error
    clean: Grid = []
    for row in grid:
        if not isinstance(row, list | tuple) or len(row) != bins:
            raise shape_error
        clean.append([clean_name(name, "RFM segment map") for name in row])
    return clean


def grid_segments(grid: Grid) -> list[str]:
    """The names in ``grid`` in display order: the standard names first, in their order, then
    any other name in first-appearance order (rows top to bottom, cells left to right)."""
    present = [name for row in grid for name in row]
    known = [name for name in SEGMENT_ORDER if name in present]
    added = [name for name in dict.fromkeys(present) if name not in SEGMENT_ORDER]
    return known + added


def rename_segment(grid: Grid, old: str, new: str) -> Grid:
    """A copy of ``grid`` with every cell of segment ``old`` renamed ``new`` (renaming to a name
    already in the map merges the two)."""
    target = clean_name(new)
    if not any(name == old for row in grid for name in row):
        raise CriteriaError(f"RFM segment map: there is no segment {old!r} to rename.")
    return [[target if name == old else name for name in row] for row in grid]


def move_cell(grid: Grid, r: int, f: int, name: str) -> Grid:
    """A copy of ``grid`` with cell (R = ``r``, F = ``f``) in segment ``name`` (existing or new)."""
    bins = len(grid)
    for label, value in (("R", r), ("F", f)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= bins:
            raise CriteriaError(
                f"RFM segment map: {label} score must be 1 to {bins} (got {value})."
            )
    target = clean_name(name)
    moved = [list(row) for row in grid]
    moved[bins - r][f - 1] = target
    return moved


# --- the R/F/M range table -------------------------------------------------------------------


@dataclass(frozen=True)
class RangeRule:
    """One row of a range table: customers whose scores fall in all three ranges (inclusive).
    An empty range (``lo > hi``, after deriving a 5-bin rule for fewer bins) matches nobody."""

    name: str
    r: tuple[int, int]
    f: tuple[int, int]
    m: tuple[int, int]

    def matches(self, cell: Cell) -> bool:
        return all(
            lo <= v <= hi for v, (lo, hi) in zip(cell, (self.r, self.f, self.m), strict=True)
        )

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "r": list(self.r), "f": list(self.f), "m": list(self.m)}


# The widely copied template (5 bins), in its usual order.
STANDARD_RANGES: tuple[RangeRule, ...] = (
    RangeRule("Champions", (4, 5), (4, 5), (4, 5)),
    RangeRule("Loyal Customers", (2, 5), (3, 5), (3, 5)),
    RangeRule("Potential Loyalist", (3, 5), (1, 3), (1, 3)),
    RangeRule("New Customers", (4, 5), (1, 1), (1, 1)),
    RangeRule("Promising", (3, 4), (1, 1), (1, 1)),
    RangeRule("Need Attention", (2, 3), (2, 3), (2, 3)),
    RangeRule("About To Sleep", (2, 3), (1, 2), (1, 2)),
    RangeRule("At Risk", (1, 2), (2, 5), (2, 5)),
    RangeRule("Can't Lose Them", (1, 1), (4, 5), (4, 5)),
    RangeRule("Hibernating", (1, 2), (1, 2), (1, 2)),
    RangeRule("Lost", (1, 1), (1, 1), (1, 1)),
)


def standard_ranges(bins: int = 5) -> list[RangeRule]:
    """The standard template for ``bins`` bins: score ``s`` is in a rule's range when the 5-bin
    score it stands for (:func:`to_five`) is."""
    _check_bins(bins)

    def derive(lo: int, hi: int) -> tuple[int, int]:
        inside = [s for s in range(1, bins + 1) if lo <= to_five(s, bins) <= hi]
        return (inside[0], inside[-1]) if inside else (bins, 1)

    return [
        RangeRule(rule.name, derive(*rule.r), derive(*rule.f), derive(*rule.m))
        for rule in STANDARD_RANGES
    ]


def validate_ranges(ranges: object, bins: int) -> list[RangeRule]:
    """Clean rules from ``RangeRule`` objects or their JSON form; CriteriaError names the rule."""
    _check_bins(bins)
    if not isinstance(ranges, list | tuple) or not ranges:
        raise CriteriaError("RFM range table: give at least one rule (name, r, f, m ranges).")
    clean: list[RangeRule] = []
    for number, rule in enumerate(ranges, start=1):
        if isinstance(rule, RangeRule):
            rule = rule.to_json()
        if not isinstance(rule, dict) or set(rule) != {"name", "r", "f", "m"}:
            raise CriteriaError(
                f"RFM range table rule {number}: give exactly name, r, f and m "
                '(e.g. {"name": "Champions", "r": [4, 5], "f": [4, 5], "m": [4, 5]}).'
            )
        name = clean_name(rule["name"], f"RFM range table rule {number}")
        spans = []
        for key in ("r", "f", "m"):
            span = rule[key]
            ok = (
                isinstance(span, list | tuple)
                and len(span) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) for v in span)
                and 1 <= span[0] <= span[1] <= bins
            )
            if not ok:
                raise CriteriaError(
                    f"RFM range table rule {name!r}: {key} must be two scores low, high "
                    f"from 1 to {bins} (got {span!r})."
                )
            spans.append((span[0], span[1]))
        clean.append(RangeRule(name, spans[0], spans[1], spans[2]))
    return clean


@dataclass
class RangeCheck:
    """What a range table does to the ``bins``³ score cells."""

    bins: int
    uncovered: list[Cell] = field(default_factory=list)  # no rule: these go to "Others"
    overlaps: list[tuple[Cell, list[str]]] = field(default_factory=list)  # rules in order
    winners: dict[Cell, str] = field(default_factory=dict)  # every cell's segment
    shadowed: list[str] = field(default_factory=list)  # rules that never match first

    @property
    def cells(self) -> int:
        return self.bins**3

    def summary(self) -> str:
        text = (
            f"RFM range table: {len(self.uncovered)} of {self.cells} score cells match no rule "
            f"(they go to {OTHERS!r}) and {len(self.overlaps)} match more than one "
            "(the first rule in the list wins)"
        )
        if self.shadowed:
            text += "; never reached: " + ", ".join(self.shadowed)
        return text + "."

    def to_json(self) -> dict[str, object]:
        return {
            "uncovered": [list(cell) for cell in self.uncovered],
            "overlaps": [{"cell": list(cell), "rules": names} for cell, names in self.overlaps],
            "shadowed": list(self.shadowed),
            "summary": self.summary(),
        }


def check_ranges(ranges: list[RangeRule], bins: int) -> RangeCheck:
    """Every cell's matching rules, in rule order: which are uncovered, which overlap, which
    rule wins each cell, and which rules never win any."""
    _check_bins(bins)
    check = RangeCheck(bins)
    for cell in itertools.product(range(1, bins + 1), repeat=3):
        names = [rule.name for rule in ranges if rule.matches(cell)]
        if not names:
            check.uncovered.append(cell)
            check.winners[cell] = OTHERS
            continue
        if len(names) > 1:
            check.overlaps.append((cell, names))
        check.winners[cell] = names[0]
    winning = set(check.winners.values())
    check.shadowed = [name for name in dict.fromkeys(r.name for r in ranges) if name not in winning]
    return check


def ranges_segments(ranges: list[RangeRule], check: RangeCheck) -> list[str]:
    """Segment names of a range table in display order: rule order, then "Others" when some
    cell is uncovered."""
    names = list(dict.fromkeys(rule.name for rule in ranges))
    if check.uncovered and OTHERS not in names:
        names.append(OTHERS)
    return names
