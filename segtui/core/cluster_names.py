"""Descriptive cluster names from profiles: where each cluster differs most from the population,
in words ("High spend · Frequent · Recent").

A difference is a z score on one scale for every kind of feature:

- numbers and dates: (cluster mean − population mean) / population sd of the feature as it
  was clustered, i.e. after log1p where the preprocessing applied it (before standardising).
  On the raw scale a handful of very large spenders set the sd, so most clusters would look
  "typical" and one tiny cluster extreme; the logged scale is also the one the clusters were
  found in, so the name describes what separated them;
- category levels and yes/no values: the share of customers with that value, (cluster share −
  population share) / sqrt(p (1 − p)), the same z of the 0/1 indicator.

A number counts when |z| >= 0.3; a level counts when its share in the cluster is at least 40%
and at least 1.5 times its population share. The two strongest give the name, a third when its
|z| >= 0.5 (three weak words make a long name that says little).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from segtui.core.cluster_prep import MISSING, OTHER, PrepPlan, raw_expr
from segtui.core.segment_model import FieldType

MIN_Z = 0.3
THIRD_TERM_Z = 0.5
MIN_SHARE = 0.4
MIN_LIFT = 1.5
SEPARATOR = " · "
TYPICAL = "Typical"

# Words for a high / low value of known fields (dates count days back from the analysis date,
# so "high" is long ago).
VOCABULARY: dict[str, tuple[str, str]] = {
    "total_spend": ("High spend", "Low spend"),
    "orders": ("Frequent", "Infrequent"),
    "orders_per_month": ("Frequent", "Infrequent"),
    "recency_days": ("Lapsed", "Recent"),
    "last_order_date": ("Lapsed", "Recent"),
    "avg_order_value": ("Big baskets", "Small baskets"),
    "distinct_categories": ("Broad", "Narrow"),
    "discount_share": ("Discount-driven", "Full price"),
    "tenure_days": ("Long-standing", "New"),
    "first_order_date": ("Long-standing", "New"),
    "returns_count": ("Returns often", "Rarely returns"),
    "returns_value": ("High returns", "Low returns"),
    "age": ("Older", "Young"),
    "signup_date": ("Early sign-up", "Recent sign-up"),
    "marketing_opt_in": ("Opted in", "Opted out"),
}


@dataclass(frozen=True)
class Difference:
    """How one cluster differs from the population on one feature (or one of its levels)."""

    field: str
    label: str
    type: FieldType
    z: float
    cluster_value: float  # mean in the feature's units, or a share for levels
    population_value: float
    value: str | None = None  # the level (categories) or "yes"/"no" (booleans)

    @property
    def strength(self) -> float:
        return abs(self.z)

    @property
    def qualifies(self) -> bool:
        if self.value is None:
            return self.strength >= MIN_Z
        if self.value in (MISSING, OTHER) and self.type != "boolean":
            return False
        return (
            self.z > 0
            and self.cluster_value >= MIN_SHARE
            and self.cluster_value >= MIN_LIFT * self.population_value
        )

    @property
    def term(self) -> str:
        """The word(s) for this difference: "High spend", "Recent", "Urban"."""
        if self.type == "boolean":
            yes, no = VOCABULARY.get(self.field, (f"{self.label}: yes", f"{self.label}: no"))
            return yes if self.value == "yes" else no
        if self.value is not None:
            return _title(self.value)
        if self.field in VOCABULARY:
            high, low = VOCABULARY[self.field]
        elif self.type == "date":
            high, low = f"Early {_lower(self.label)}", f"Recent {_lower(self.label)}"
        else:
            high, low = f"High {_lower(self.label)}", f"Low {_lower(self.label)}"
        return high if self.z > 0 else low

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "field": self.field,
            "label": self.label,
            "term": self.term,
            "z": round(self.z, 3),
        }
        if self.value is None:
            data["cluster_mean"] = _round(self.cluster_value)
            data["population_mean"] = _round(self.population_value)
        else:
            data["value"] = self.value
            data["cluster_share"] = round(self.cluster_value, 4)
            data["population_share"] = round(self.population_value, 4)
        return data


def name_clusters(
    profiles: Sequence[Sequence[Difference]], overrides: Mapping[str, str] | None = None
) -> list[str]:
    """One unique name per cluster (cluster ``i`` has key ``str(i + 1)``).

    ``profiles[i]`` holds cluster i's differences in any order; only qualifying ones are used,
    strongest first. Duplicate names take their next term, then a number ("Typical 2").
    ``overrides`` (cluster key -> name) wins over the generated name.
    """
    ranked = [_terms(differences) for differences in profiles]
    terms = [[term for term, _ in r] for r in ranked]
    used = [_base_count(r) for r in ranked]
    names = [_join(t[:n]) for t, n in zip(terms, used, strict=True)]
    changed = True
    while changed:  # lengthen duplicates while any of them has a term left
        changed = False
        for name in dict.fromkeys(n for n in names if names.count(n) > 1):  # stable order
            for i in (i for i, n in enumerate(names) if n == name):
                if used[i] < len(terms[i]):
                    used[i] += 1
                    names[i] = _join(terms[i][: used[i]])
                    changed = True
    wanted = {key: name.strip() for key, name in (overrides or {}).items() if name.strip()}
    final: list[str | None] = [wanted.get(str(i + 1)) for i in range(len(names))]
    taken = {name for name in final if name is not None}
    for i, name in enumerate(names):
        if final[i] is not None:
            continue
        unique, number = name, 2
        while unique in taken:
            unique, number = f"{name} {number}", number + 1
        final[i] = unique
        taken.add(unique)
    return [name for name in final if name is not None]


def cluster_differences(
    plan: PrepPlan, frame: pl.DataFrame, scaled: np.ndarray, labels: np.ndarray, k: int
) -> list[list[Difference]]:
    """Every difference of every cluster (0..k-1 in ``labels``), strongest first.

    ``scaled`` is ``matrix(plan, frame)``; raw means come from ``frame``.
    """
    sizes = np.bincount(labels, minlength=k).astype(np.float64)
    safe = np.maximum(sizes, 1.0)
    result: list[list[Difference]] = [[] for _ in range(k)]
    start = 0
    for prep in plan.features:
        width = len(prep.columns)
        block = scaled[:, start : start + width]
        start += width
        if prep.kind == "numeric":
            raw = frame.select(raw_expr(prep)).to_series().to_numpy().astype(np.float64)
            column = block[:, 0].astype(np.float64)
            sd = float(column.std()) or 1.0
            means = np.bincount(labels, weights=column, minlength=k) / safe
            raw_means = np.bincount(labels, weights=raw, minlength=k) / safe
            for c in range(k):
                z = float((means[c] - column.mean()) / sd)
                diff = Difference(
                    prep.name, prep.label, prep.type, z, float(raw_means[c]), float(raw.mean())
                )
                result[c].append(diff)
            continue
        if prep.kind == "binary":
            values, indicators = ["yes", "no"], np.column_stack([block[:, 0], 1 - block[:, 0]])
        else:
            values, indicators = prep.levels, block
        for value, indicator in zip(values, indicators.T, strict=True):
            population = float(indicator.mean())
            spread = float(np.sqrt(population * (1 - population))) or 1.0
            shares = np.bincount(labels, weights=indicator, minlength=k) / safe
            for c in range(k):
                z = float((shares[c] - population) / spread)
                diff = Difference(
                    prep.name, prep.label, prep.type, z, float(shares[c]), population, value
                )
                result[c].append(diff)
    return [sorted(diffs, key=lambda d: -d.strength) for diffs in result]


def _terms(differences: Sequence[Difference]) -> list[tuple[str, float]]:
    """Distinct terms of the qualifying differences with their strength, strongest first."""
    terms: list[tuple[str, float]] = []
    for diff in sorted((d for d in differences if d.qualifies), key=lambda d: -d.strength):
        if all(diff.term != term for term, _ in terms):
            terms.append((diff.term, diff.strength))
    return terms


def _base_count(terms: list[tuple[str, float]]) -> int:
    """Two terms, and a third when it is clearly different too."""
    if len(terms) >= 3 and terms[2][1] >= THIRD_TERM_Z:
        return 3
    return min(len(terms), 2)


def _join(terms: Sequence[str]) -> str:
    return SEPARATOR.join(terms) if terms else TYPICAL


def _title(value: str) -> str:
    """Title case that leaves codes and numbers alone: "north east" -> "North East",
    "UK" -> "UK", "50k-75k" -> "50k-75k"."""
    words = value.strip().split()
    return " ".join(w[:1].upper() + w[1:] if w.islower() else w for w in words) or value


def _lower(label: str) -> str:
    """A label inside a phrase: "Income" -> "income", but "NPS score" stays."""
    if len(label) > 1 and label[:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def _round(value: float) -> float:
    return round(float(value), 2)
