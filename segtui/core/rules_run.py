"""Rule segmentations: named segments with a condition each, checked, stored as JSON, run over
the customer features (assignments), previewed live while editing (sizes, and how many
customers each condition alone matches), compared (overlap) and fed with pick-list values.

Stored form::

    {"mode": "exclusive", "else": "Everyone else",
     "segments": [{"name": "Young repeaters", "rule": {"all": [...]}}, ...]}

Exclusive: segments are tried in order and the first that matches wins; the rest go to the
"else" segment. Overlapping: a customer is in every segment it matches (and in none, without a
row, when it matches none); there is no "else" segment and the key is not written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import polars as pl

from segtui.core.rules import (
    Node,
    Path,
    is_empty_rule,
    iter_nodes,
    node_from_json,
    node_to_json,
)
from segtui.core.rules_compile import Members, compile_node
from segtui.core.rules_text import describe
from segtui.core.segment_model import CUSTOMER_ID, CriteriaError, Features, FieldInfo, MethodResult

Mode = Literal["exclusive", "overlapping"]
MODES: tuple[Mode, ...] = get_args(Mode)
DEFAULT_ELSE_NAME = "Everyone else"
_SEPARATORS = ("|", ";")


@dataclass(frozen=True)
class RuleSegment:
    name: str
    rule: Node


@dataclass
class RuleSegmentation:
    mode: Mode = "exclusive"
    segments: list[RuleSegment] = field(default_factory=list)
    else_name: str = DEFAULT_ELSE_NAME

    @property
    def segment_names(self) -> list[str]:
        """Every segment a run gives, in display order (the else segment last, if exclusive)."""
        names = [segment.name for segment in self.segments]
        return [*names, self.else_name] if self.mode == "exclusive" else names

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"mode": self.mode}
        if self.mode == "exclusive":
            data["else"] = self.else_name
        data["segments"] = [
            {"name": segment.name, "rule": node_to_json(segment.rule)} for segment in self.segments
        ]
        return data

    @classmethod
    def from_json(
        cls, data: Any, fields: Mapping[str, FieldInfo], *, allow_empty: bool = False
    ) -> RuleSegmentation:
        """Read and check a stored definition. ``allow_empty`` accepts the editor's work in
        progress: no segments yet, or rules with empty groups."""
        if not isinstance(data, Mapping):
            raise CriteriaError("a rule segmentation is a JSON object with mode and segments")
        mode = data.get("mode", "exclusive")
        if mode not in MODES:
            raise CriteriaError(f"mode {mode!r} is not known; use exclusive or overlapping")
        items = data.get("segments", [])
        if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
            raise CriteriaError('segments must be a list of {"name": ..., "rule": {...}}')
        names = [str(item.get("name") or "").strip() for item in items]
        else_name = data.get("else", DEFAULT_ELSE_NAME)
        else_name = else_name.strip() if isinstance(else_name, str) else ""
        _check_names(names, mode, else_name)
        segments = []
        for index, (name, item) in enumerate(zip(names, items, strict=True)):
            if "rule" not in item:
                raise CriteriaError(f"segment {name!r} has no rule; add a condition")
            where = f"segment {name!r}" if name else f"segment {index + 1}"
            rule = node_from_json(item["rule"], fields, where, allow_empty=allow_empty)
            segments.append(RuleSegment(name, rule))
        segmentation = cls(mode, segments, else_name or DEFAULT_ELSE_NAME)
        if not allow_empty:
            segmentation.check(fields)
        return segmentation

    def check(self, fields: Mapping[str, FieldInfo], *, for_run: bool = True) -> None:
        """Raise CriteriaError for anything that stops a run (or, with ``for_run`` False, that
        should not be stored): names, unknown fields, bad values, empty rules."""
        if self.mode not in MODES:
            raise CriteriaError(f"mode {self.mode!r} is not known; use exclusive or overlapping")
        _check_names([segment.name for segment in self.segments], self.mode, self.else_name)
        if for_run and not self.segments:
            raise CriteriaError("the segmentation has no segments; add at least one to run it")
        for segment in self.segments:
            node_from_json(
                node_to_json(segment.rule),
                fields,
                f"segment {segment.name!r}",
                allow_empty=not for_run,
            )


def _check_names(names: list[str], mode: str, else_name: str) -> None:
    seen: dict[str, str] = {}
    for index, name in enumerate(names):
        if not name.strip():
            raise CriteriaError(f"segment {index + 1} has no name; type one")
        key = name.strip().casefold()
        if key in seen:
            raise CriteriaError(f"two segments are named {name!r}; rename one of them")
        seen[key] = name
    if mode == "exclusive":
        if not else_name.strip():
            raise CriteriaError("the segment for everyone else has no name; type one")
        if else_name.strip().casefold() in seen:
            raise CriteriaError(
                f"the segment for everyone else is named {else_name!r} like another segment; "
                "rename one of them"
            )


def _remembering(members: Members | None) -> Members | None:
    """Ask for each referenced segment's members once per run."""
    if members is None:
        return None
    known: dict[tuple[str, str], Any] = {}

    def lookup(segmentation: str, segment: str) -> Any:
        key = (segmentation, segment)
        if key not in known:
            known[key] = members(segmentation, segment)
        return known[key]

    return lookup


def _segment_exprs(
    features: Features,
    segmentation: RuleSegmentation,
    members: Members | None,
    *,
    skip_empty: bool,
) -> list[pl.Expr]:
    fields = features.by_name
    return [
        compile_node(
            segment.rule,
            fields,
            features.analysis_date,
            members,
            where=f"segment {segment.name!r}",
            skip_empty=skip_empty,
        ).alias(f"__segment_{index}")
        for index, segment in enumerate(segmentation.segments)
    ]


def assign(
    features: Features, segmentation: RuleSegmentation, members: Members | None = None
) -> MethodResult:
    """Run the segmentation over every customer (see the module docstring for the modes)."""
    fields = features.by_name
    segmentation.check(fields)
    members = _remembering(members)
    exprs = _segment_exprs(features, segmentation, members, skip_empty=False)
    masks = features.frame.select(pl.col(CUSTOMER_ID).cast(pl.String), *exprs)
    columns = [expr.meta.output_name() for expr in exprs]
    names = [segment.name for segment in segmentation.segments]
    matched = {name: int(masks[column].sum()) for name, column in zip(names, columns, strict=True)}
    if segmentation.mode == "exclusive":
        chain: Any = pl
        for name, column in zip(names, columns, strict=True):
            chain = chain.when(pl.col(column)).then(pl.lit(name, dtype=pl.String))
        segment = chain.otherwise(pl.lit(segmentation.else_name, dtype=pl.String))
        assignments = masks.select(pl.col(CUSTOMER_ID), segment.alias("segment"))
    else:
        assignments = pl.concat(
            [
                masks.filter(pl.col(column)).select(
                    pl.col(CUSTOMER_ID), pl.lit(name, dtype=pl.String).alias("segment")
                )
                for name, column in zip(names, columns, strict=True)
            ]
        )
    assigned = dict(assignments.group_by("segment").len().iter_rows())
    warnings = []
    for name in names:
        if not matched[name]:
            warnings.append(f"segment {name!r} matched no customers")
        elif not assigned.get(name):
            warnings.append(
                f"segment {name!r} matched {matched[name]:,} customers but earlier segments "
                "took all of them; move it up or narrow the earlier ones"
            )
    details: dict[str, Any] = {
        "mode": segmentation.mode,
        "matched": matched,
        "assigned": {name: int(assigned.get(name, 0)) for name in segmentation.segment_names},
        "descriptions": {
            segment.name: describe(segment.rule, fields) for segment in segmentation.segments
        },
    }
    if segmentation.mode == "exclusive":
        details["else"] = segmentation.else_name
    return MethodResult(assignments, segmentation.segment_names, details, warnings)


@dataclass(frozen=True)
class SegmentPreview:
    name: str
    matched: int  # customers its own condition matches
    assigned: int  # exclusive: left after earlier segments took theirs; overlapping: matched
    share: float  # assigned / all customers
    empty: bool = False  # no conditions yet: matches nobody until it has one


@dataclass(frozen=True)
class Preview:
    total: int  # all customers
    segments: list[SegmentPreview]
    everyone_else: int  # customers no segment matches (exclusive: the else segment's size)
    else_name: str | None  # None when overlapping
    node_counts: dict[Path, int] = field(default_factory=dict)  # path -> matched by it alone

    @property
    def everyone_else_share(self) -> float:
        return self.everyone_else / self.total if self.total else 0.0


def preview(
    features: Features,
    segmentation: RuleSegmentation,
    members: Members | None = None,
    *,
    node_counts_for: int | None = None,
) -> Preview:
    """Segment sizes for the editor, in one pass over the features. Half-built rules are
    fine: empty groups are left out, and a rule with nothing in it matches nobody.

    ``node_counts_for`` (a segment index) adds, for every node of that segment's rule except
    empty groups, how many customers it matches on its own.
    """
    fields = features.by_name
    members = _remembering(members)
    # Stage one computes each segment's and each node's matches (the only work that reads the
    # features); stage two counts them. Both run as one polars query, one pass, in parallel.
    matches = _segment_exprs(features, segmentation, members, skip_empty=True)
    node_paths: list[Path] = []
    if node_counts_for is not None:
        segment = segmentation.segments[node_counts_for]
        for path, node, _depth in iter_nodes(segment.rule):
            if is_empty_rule(node):
                continue
            expr = compile_node(
                node,
                fields,
                features.analysis_date,
                members,
                where=f"segment {segment.name!r}",
                skip_empty=True,
            )
            matches.append(expr.alias(f"__node_{len(node_paths)}"))
            node_paths.append(path)
    masks = [pl.col(f"__segment_{index}") for index in range(len(segmentation.segments))]
    counts: list[pl.Expr] = []
    for index, mask in enumerate(masks):
        counts.append(mask.sum().alias(f"matched_{index}"))
        if segmentation.mode == "exclusive" and index:
            taken = pl.any_horizontal(masks[:index])
            counts.append((mask & taken.not_()).sum().alias(f"assigned_{index}"))
    if masks:
        counts.append(pl.any_horizontal(masks).not_().sum().alias("everyone_else"))
    counts.extend(pl.col(f"__node_{i}").sum().alias(f"node_{i}") for i in range(len(node_paths)))
    total = features.frame.height
    row: dict[str, Any] = {}
    if counts:
        query = features.frame.lazy().select(pl.col(CUSTOMER_ID), *matches).select(counts)
        row = query.collect().row(0, named=True)
    segments = []
    for index, segment in enumerate(segmentation.segments):
        matched = int(row[f"matched_{index}"])
        assigned = int(row.get(f"assigned_{index}", matched))
        segments.append(
            SegmentPreview(
                segment.name,
                matched,
                assigned,
                assigned / total if total else 0.0,
                empty=is_empty_rule(segment.rule),
            )
        )
    return Preview(
        total=total,
        segments=segments,
        everyone_else=int(row.get("everyone_else", total)),
        else_name=segmentation.else_name if segmentation.mode == "exclusive" else None,
        node_counts={path: int(row[f"node_{i}"]) for i, path in enumerate(node_paths)},
    )


def overlap_matrix(
    features: Features, segmentation: RuleSegmentation, members: Members | None = None
) -> pl.DataFrame:
    """Customers matched by both segments' own conditions, for every pair (the diagonal is each
    segment's own size). First column ``segment``, then one column per segment name."""
    members = _remembering(members)
    matches = _segment_exprs(features, segmentation, members, skip_empty=True)
    masks = [pl.col(expr.meta.output_name()) for expr in matches]
    pairs = [
        (masks[i] & masks[j]).sum().alias(f"{i}_{j}")
        for i in range(len(masks))
        for j in range(i, len(masks))
    ]
    row: dict[str, Any] = {}
    if pairs:
        row = (
            features.frame.lazy()
            .select(pl.col(CUSTOMER_ID), *matches)
            .select(pairs)
            .collect()
            .row(0, named=True)
        )
    names = [segment.name for segment in segmentation.segments]
    label = "segment"
    while label in names:
        label = f"_{label}"
    data: dict[str, Any] = {label: names}
    for j, name in enumerate(names):
        data[name] = [int(row[f"{min(i, j)}_{max(i, j)}"]) for i in range(len(names))]
    schema = {label: pl.String, **dict.fromkeys(names, pl.Int64)}
    return pl.DataFrame(data, schema=schema)


def multi_value_separator(values: pl.Series) -> str | None:
    """ "|" or ";" when most non-empty values are lists like "outdoors|fitness", else None."""
    texts = values.drop_nulls().cast(pl.String)
    texts = texts.filter(texts.str.strip_chars() != "")
    if texts.is_empty():
        return None
    shares = {sep: float(texts.str.contains(sep, literal=True).mean() or 0) for sep in _SEPARATORS}
    separator = max(shares, key=lambda sep: shares[sep])
    return separator if shares[separator] > 0.5 else None


def field_values(features: Features, field_name: str, limit: int = 50) -> list[tuple[str, int]]:
    """Distinct values of a field and how many customers have each, most common first (then
    alphabetically), for the editor's pick list. Missing values are left out. A text field
    holding lists ("outdoors|fitness") is counted item by item."""
    info = features.field(field_name)
    values = features.frame.get_column(field_name).drop_nulls().cast(pl.String).alias("value")
    if info.type == "text" and (separator := multi_value_separator(values)):
        values = values.str.split(separator).explode()
    values = values.str.strip_chars()
    values = values.filter(values != "")
    counts = values.value_counts(name="count").sort(["count", "value"], descending=[True, False])
    return [(str(value), int(count)) for value, count in counts.head(limit).iter_rows()]
