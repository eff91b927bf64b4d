"""The settings of an RFM segmentation: bins, monetary measure, custom cut points and the segment
map, with their JSON form (stored with the segmentation and every run).

Every problem is a one-line :class:`CriteriaError` naming the setting and what to give instead.
Pure Python (no polars).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from segtui.core.rfm_map import (
    BIN_CHOICES,
    Grid,
    RangeRule,
    default_grid,
    standard_ranges,
    validate_grid,
    validate_ranges,
)
from segtui.core.segment_model import CriteriaError

Monetary = Literal["total", "aov"]
MONETARY_CHOICES: tuple[Monetary, ...] = get_args(Monetary)
Template = Literal["grid", "ranges"]
TEMPLATE_CHOICES: tuple[Template, ...] = get_args(Template)
Dimension = Literal["r", "f", "m"]
DIMENSIONS: tuple[Dimension, ...] = get_args(Dimension)

DIMENSION_NAMES: dict[str, str] = {"r": "recency", "f": "frequency", "m": "monetary"}

# Shown in the "bad cut points" message: sensible cuts per dimension and number of bins.
_CUT_EXAMPLES: dict[str, dict[int, str]] = {
    "r": {5: "30, 90, 180, 365", 4: "30, 90, 365", 3: "90, 365"},
    "f": {5: "2, 3, 5, 10", 4: "2, 3, 5", 3: "2, 5"},
    "m": {5: "50, 100, 250, 500", 4: "50, 100, 500", 3: "100, 500"},
}

_KEYS = ("bins", "monetary", "cuts", "template", "grid", "ranges")


def _clean_cuts(dimension: str, cuts: object, bins: int) -> list[float]:
    """Exactly ``bins - 1`` strictly ascending finite numbers."""
    name = DIMENSION_NAMES[dimension]
    error = CriteriaError(
        f"RFM {name} cut points: give {bins - 1} ascending numbers for {bins} bins, "
        f"e.g. {_CUT_EXAMPLES[dimension][bins]}"
    )
    if not isinstance(cuts, list | tuple) or len(cuts) != bins - 1:
        raise error
    values: list[float] = []
    for value in cuts:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise error
        number = float(value)
        if not math.isfinite(number) or (values and number <= values[-1]):
            raise error
        values.append(number)
    return values


@dataclass
class RfmSettings:
    """How customers are scored and which segment each score cell belongs to.

    ``cuts`` maps "r", "f" or "m" to custom cut points (a dimension left out is scored by
    quantiles). ``grid`` is the R × F map (rows R = bins..1, columns F = 1..bins; None = the
    default for ``bins``); ``ranges`` is the range table used when ``template == "ranges"``
    (None = the standard template). Settings are validated and normalised on creation.
    """

    bins: int = 5
    monetary: Monetary = "total"
    cuts: dict[str, list[float]] = field(default_factory=dict)
    template: Template = "grid"
    grid: Grid | None = None
    ranges: list[RangeRule] | None = None

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Check every setting (and normalise cuts, names); CriteriaError on the first problem."""
        if isinstance(self.bins, bool) or self.bins not in BIN_CHOICES:
            raise CriteriaError(
                f"RFM bins: use 3, 4 or 5 (quintiles, quartiles or tertiles), got {self.bins!r}."
            )
        if self.monetary not in MONETARY_CHOICES:
            raise CriteriaError(
                f'RFM monetary: use "total" (total spend) or "aov" (average order value), '
                f"got {self.monetary!r}."
            )
        if self.template not in TEMPLATE_CHOICES:
            raise CriteriaError(
                f'RFM template: use "grid" (the R × F map) or "ranges" (the R/F/M range '
                f"table), got {self.template!r}."
            )
        if not isinstance(self.cuts, dict):
            raise CriteriaError('RFM cut points: give them per dimension, e.g. {"r": [30, 90]}.')
        for key in self.cuts:
            if key not in DIMENSIONS:
                raise CriteriaError(f"RFM cut points: unknown dimension {key!r}; use r, f or m.")
        self.cuts = {
            key: _clean_cuts(key, self.cuts[key], self.bins)
            for key in DIMENSIONS
            if key in self.cuts
        }
        if self.grid is not None:
            self.grid = validate_grid(self.grid, self.bins)
        if self.ranges is not None:
            self.ranges = validate_ranges(self.ranges, self.bins)

    def effective_grid(self) -> Grid:
        """The R × F map in use (a copy): the user's or the default for ``bins``."""
        if self.grid is None:
            return default_grid(self.bins)
        return [list(row) for row in self.grid]

    def effective_ranges(self) -> list[RangeRule]:
        """The range table in use: the user's or the standard template for ``bins``."""
        return list(self.ranges) if self.ranges is not None else standard_ranges(self.bins)

    def to_json(self) -> dict[str, Any]:
        return {
            "bins": self.bins,
            "monetary": self.monetary,
            "cuts": {key: list(values) for key, values in self.cuts.items()},
            "template": self.template,
            "grid": None if self.grid is None else [list(row) for row in self.grid],
            "ranges": None if self.ranges is None else [rule.to_json() for rule in self.ranges],
        }

    @classmethod
    def from_json(cls, data: object) -> RfmSettings:
        """Settings from their JSON form; missing keys take their defaults."""
        if not isinstance(data, dict):
            raise CriteriaError("RFM settings: expected an object with bins, monetary, cuts...")
        unknown = [key for key in data if key not in _KEYS]
        if unknown:
            raise CriteriaError(
                f"RFM settings: unknown setting {unknown[0]!r}; use " + ", ".join(_KEYS) + "."
            )
        cuts = data.get("cuts") or {}
        if not isinstance(cuts, dict):
            raise CriteriaError('RFM cut points: give them per dimension, e.g. {"r": [30, 90]}.')
        return cls(
            bins=data.get("bins", 5),
            monetary=data.get("monetary", "total"),
            cuts=dict(cuts),
            template=data.get("template", "grid"),
            grid=data.get("grid"),
            ranges=data.get("ranges"),
        )
