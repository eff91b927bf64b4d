"""What the RFM editor's settings controls offer and how their input is read: the choices of
bins, monetary measure and map template; the cut points as typed (shown and parsed, blank for
quantiles); and what changing the number of bins does to the map and the cut points.

Plain constants and functions of the settings: no widgets.
"""

from __future__ import annotations

import re
from dataclasses import replace

from segtui.core.rfm_map import derive_grid
from segtui.core.rfm_settings import DIMENSION_NAMES, RfmSettings
from segtui.core.segment_model import CriteriaError

BINS = {5: "5 quintiles", 4: "4 quartiles", 3: "3 tertiles"}
MONETARY = {"total": "total spend", "aov": "avg order value"}
TEMPLATES = {"grid": "R × F grid", "ranges": "R/F/M ranges"}
CUT_LABELS = {"r": "R days", "f": "F orders", "m": "M"}
CUT_EXAMPLES = {"r": "30, 90, 180, 365", "f": "2, 3, 5, 10", "m": "50, 100, 250, 500"}


def cuts_text(values: list[float] | None) -> str:
    """Cut points as typed: "30, 90, 180, 365" (blank for quantiles)."""
    return ", ".join(f"{v:g}" if float(v).is_integer() else f"{v:.2f}" for v in values or [])


def parse_cuts(text: str, dim: str) -> list[float] | None:
    """Numbers separated by commas, semicolons or blanks; None when blank (quantiles)."""
    values = []
    for token in (t for t in re.split(r"[,;\s]+", text.strip()) if t):
        try:
            values.append(float(token.lstrip("£$€¥")))
        except ValueError:
            raise CriteriaError(
                f"RFM {DIMENSION_NAMES[dim]} cut points: {token!r} is not a number; give "
                "ascending numbers separated by commas, or leave it blank for quantiles."
            ) from None
    return values or None


def with_bins(settings: RfmSettings, bins: int) -> tuple[RfmSettings, str]:
    """Settings for another number of bins, and what happened to the map and cut points."""
    notes = []
    grid = settings.grid
    if grid is not None and settings.bins == 5:
        grid = derive_grid(grid, bins)
        notes.append(f"the {bins}×{bins} map was derived from your 5×5 map")
    elif grid is not None:
        grid = None
        notes.append(f"the map is the default {bins}×{bins} one (only a 5×5 map can be derived)")
    else:
        notes.append(f"the map is the default {bins}×{bins} one")
    cuts = {dim: values for dim, values in settings.cuts.items() if len(values) == bins - 1}
    dropped = [DIMENSION_NAMES[dim] for dim in settings.cuts if dim not in cuts]
    if dropped:
        notes.append(f"{' and '.join(dropped)} cut points were cleared ({bins - 1} are needed)")
    if settings.ranges is not None:
        notes.append(f"the range table is the standard one for {bins} bins")
    new = replace(settings, bins=bins, cuts=cuts, grid=grid, ranges=None)
    return new, f"{BINS[bins]}: {'; '.join(notes)}."
