"""Plain data shared by the segmentation methods (rules, RFM, clustering), the runner, the CLI
and the UI: the customer fields criteria can use, what a method hands back for a run, and a
stored segmentation and run as segmentations.py reads them from the project file.

No polars at module level (see model.py for why).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

from segtui.core.errors import SegtuiError

if TYPE_CHECKING:
    import datetime as dt

    import polars as pl

# How criteria see a field. "category" is text with few distinct values (a pick list makes
# sense); "text" is free text (names, emails, interest lists).
FieldType = Literal["number", "text", "category", "date", "boolean"]
FIELD_TYPES: tuple[FieldType, ...] = get_args(FieldType)

# The four classic bases of segmentation, plus the rest.
FieldGroup = Literal["demographic", "geographic", "psychographic", "behavioural", "other"]
FIELD_GROUPS: tuple[FieldGroup, ...] = get_args(FieldGroup)

Method = Literal["rules", "rfm", "kmeans", "gmm"]
METHODS: tuple[Method, ...] = get_args(Method)
METHOD_LABELS: dict[str, str] = {
    "rules": "rules",
    "rfm": "RFM",
    "kmeans": "k-means",
    "gmm": "Gaussian mixture",
}

# The id column of every features frame and assignments frame (always text).
CUSTOMER_ID = "customer_id"

Progress = Callable[[float, str], None]
Cancelled = Callable[[], bool]


class CriteriaError(SegtuiError):
    """A segmentation definition or its settings cannot be used (the message says which
    segment, condition, field or value, and what to do)."""


class RunCancelled(SegtuiError):
    """The user cancelled a running segmentation; nothing was saved."""


def stop_if_cancelled(cancelled: Cancelled | None, message: str) -> None:
    """Raise RunCancelled(message) once the user has asked to cancel."""
    if cancelled is not None and cancelled():
        raise RunCancelled(message)


@dataclass(frozen=True)
class FieldInfo:
    """A column of the customer features frame that criteria can use."""

    name: str  # the column in the features frame
    label: str  # for people: "Total spend", "Days since last order"
    type: FieldType
    group: FieldGroup
    computed: bool = False  # computed from the transactions (behavioural features)
    unit: Literal["", "money", "days", "orders", "share", "months"] = ""
    dataset: str = ""  # the dataset the attribute came from ("" for computed features)


@dataclass
class Features:
    """One row per customer: ``customer_id`` (text) plus every field in ``fields``."""

    frame: pl.DataFrame
    fields: list[FieldInfo]
    analysis_date: dt.date | None
    customers_dataset: str | None
    transactions_dataset: str | None
    key: tuple[Any, ...] = ()  # what the cache compares to know the frame is still current
    notes: list[str] = field(default_factory=list)  # e.g. orders of ids not in customers
    seconds: float = 0.0  # how long building took (read + compute)

    def field(self, name: str) -> FieldInfo:
        for info in self.fields:
            if info.name == name:
                return info
        raise CriteriaError(
            f"field {name!r} is not a customer attribute or computed feature of this project; "
            "pick one from the field list."
        )

    @property
    def by_name(self) -> dict[str, FieldInfo]:
        return {info.name: info for info in self.fields}

    @property
    def has_transactions(self) -> bool:
        return self.transactions_dataset is not None


@dataclass
class MethodResult:
    """What a method computed for one run, before it is stored.

    ``assignments`` has ``customer_id`` and ``segment`` (text) and, where the method has them,
    any of: ``r_score``, ``f_score``, ``m_score`` (int), ``recency``, ``frequency``,
    ``monetary``, ``distance``, ``probability`` (float). Overlapping rule segmentations give a
    customer one row per segment it is in (and none when it is in none).
    ``segments`` lists every segment name in display order, including empty ones.
    ``details`` is JSON-able and stored with the run: thresholds, preprocessing, k scan,
    warnings...
    """

    assignments: pl.DataFrame
    segments: list[str]
    details: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class RunSegment:
    position: int
    name: str
    customers: int
    share: float  # of the population, 0..1
    revenue: float | None
    description: str = ""


@dataclass
class RunInfo:
    id: int
    segmentation: str
    method: Method
    parameters: dict[str, Any]
    details: dict[str, Any]
    analysis_date: str | None
    ran_at: str
    population: int
    customers: int
    seconds: float
    segments: list[RunSegment] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "segmentation": self.segmentation,
            "method": self.method,
            "run": {
                "id": self.id,
                "analysis_date": self.analysis_date,
                "ran_at": self.ran_at,
                "population": self.population,
                "customers": self.customers,
                "seconds": round(self.seconds, 3),
            },
            "segments": [
                {
                    "name": s.name,
                    "customers": s.customers,
                    "share": round(s.share, 6),
                    "revenue": None if s.revenue is None else round(s.revenue, 2),
                    "description": s.description,
                }
                for s in self.segments
            ],
        }


@dataclass
class Segmentation:
    id: int
    name: str
    method: Method
    definition: dict[str, Any]
    created_at: str
    updated_at: str
    last_run: RunInfo | None = None

    def to_json(self) -> dict[str, Any]:
        last = self.last_run
        return {
            "name": self.name,
            "method": self.method,
            "definition": self.definition,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "last_run": None
            if last is None
            else {
                "id": last.id,
                "ran_at": last.ran_at,
                "analysis_date": last.analysis_date,
                "segments": len(last.segments),
                "customers": last.customers,
            },
        }
