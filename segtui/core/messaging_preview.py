"""A draft previewed on real members of its segment: the merge fields a run offers, one
member's context, the members worth previewing (a complete one, then one with gaps so the
fallbacks show) and the rendered subject and body with their channel limits.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from segtui.core.channel_limits import Limit, check_limits
from segtui.core.merge import (
    OFFER_FIELDS,
    SEGMENT_FIELDS,
    check_template,
    is_field_name,
    render_checked,
    template_fields,
)
from segtui.core.messaging_model import Draft, MessagingError, discount_text
from segtui.core.run_data import SEGMENT
from segtui.core.segment_model import CUSTOMER_ID

if TYPE_CHECKING:
    from segtui.core.run_data import RunData

PREVIEW_WINDOW = 2_000  # members looked at to find a complete one and one with gaps


@dataclass(frozen=True)
class Rendered:
    """A variant rendered for one member. A template that could not be rendered is left
    blank and its message is in ``problems``."""

    subject: str
    body: str
    limits: list[Limit]
    problems: list[str] = field(default_factory=list)
    empty_fields: list[str] = field(default_factory=list)  # printed empty, no fallback

    @property
    def ok(self) -> bool:
        return not self.problems and all(limit.ok for limit in self.limits)


def segment_fields(data: RunData, segment: str) -> dict[str, Any]:
    """The segment's own merge fields: name, size, average spend per customer, currency."""
    data.check_segment(segment)
    row = next(s for s in data.run.segments if s.name == segment)
    average = None
    if row.revenue is not None and row.customers:
        average = round(row.revenue / row.customers, 2)
    return {
        "segment_name": segment,
        "segment_size": row.customers,
        "segment_avg_spend": average,
        "currency": data.currency,
    }


def offer_fields(draft: Draft | None, currency: str = "") -> dict[str, Any]:
    """The draft's offer as merge fields (None without a draft, so fallbacks apply)."""
    if draft is None:
        return dict.fromkeys(OFFER_FIELDS)
    offer = draft.offer
    discount = discount_text(offer, currency, grouped=True) or None
    return {
        "offer": offer.text.strip() or None,
        "offer_code": offer.code.strip() or None,
        "discount": discount,
        "cta": draft.cta.strip() or None,
    }


def merge_fields(data: RunData, segment: str) -> list[str]:
    """Every field a template of this segment can name: the member columns (attributes,
    computed features, scores), then the segment's and the offer's fields."""
    data.check_segment(segment)
    columns = [c for c in data.member_columns() if is_field_name(c)]
    extra = [f for f in (*SEGMENT_FIELDS, *OFFER_FIELDS) if f not in columns]
    return [*columns, *extra]


def member_context(
    data: RunData, segment: str, row: Mapping[str, Any], draft: Draft | None = None
) -> dict[str, Any]:
    """What a template sees for one member: their columns, the segment's fields and the
    draft's offer. Every merge field is a key (empty ones hold None)."""
    context: dict[str, Any] = dict.fromkeys(merge_fields(data, segment))
    context.update({k: v for k, v in row.items() if k in context})
    context.update(segment_fields(data, segment))
    context.update(offer_fields(draft, data.currency))
    return context


def fields_used(draft: Draft) -> set[str]:
    """The field names the draft's templates read (templates that do not parse count for
    nothing)."""
    used: set[str] = set()
    for where, text in template_places(draft):
        try:
            used |= template_fields(text, where=where)
        except MessagingError:  # the preview reports it; here it reads no field
            continue
    return used


def preview_members(
    data: RunData, segment: str, fields: Collection[str] | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Members to preview on, as rows: the most complete first, then the one missing most of
    ``fields`` (all attributes when None) so fallbacks are seen, then the rest in run order."""
    import polars as pl

    members = data.members([segment]).head(PREVIEW_WINDOW)
    if members.is_empty():
        return []
    skip = {CUSTOMER_ID, SEGMENT, *data.score_columns}
    checked = [c for c in (fields or members.columns) if c in members.columns and c not in skip]
    gaps = [pl.lit(0)]
    for name in checked:
        column = pl.col(name)
        dtype = members.schema[name]
        gap = column.is_null()
        if dtype == pl.String:
            gap = gap | (column.str.strip_chars() == "")
        elif dtype.is_float():
            gap = gap | column.is_nan()
        gaps.append(gap.cast(pl.Int32))
    missing = members.select(pl.sum_horizontal(gaps)).to_series().to_list()
    complete = min(range(len(missing)), key=lambda i: missing[i])
    gappy = max(range(len(missing)), key=lambda i: missing[i])
    order = [complete] + ([gappy] if missing[gappy] > missing[complete] else [])
    order += [i for i in range(len(missing)) if i not in order]
    rows = members.to_dicts()
    return [rows[i] for i in order[:limit]]


def template_places(draft: Draft) -> list[tuple[str, str]]:
    """Each template of the draft with its place, e.g. ("Champions, variant A, subject",
    "Hello {{ first_name }}")."""
    subject = "headline" if draft.channel == "ad" else "subject"
    places = []
    for variant in draft.variants:
        places.append((f"{draft.segment}, variant {variant.name}, {subject}", variant.subject))
        places.append((f"{draft.segment}, variant {variant.name}, body", variant.body))
    return places


def draft_problems(draft: Draft, fields: Collection[str]) -> list[str]:
    """One message per template of the draft that does not parse or names an unknown field
    (nothing is rendered); [] when all are fine."""
    problems = []
    for where, text in template_places(draft):
        try:
            check_template(text, fields, where=where)
        except MessagingError as exc:
            problems.append(str(exc))
    return problems


def preview(
    data: RunData, draft: Draft, variant_index: int, member_row: Mapping[str, Any]
) -> Rendered:
    """One variant of the draft rendered for one member, with the channel's limits checked
    on the rendered text."""
    if not 0 <= variant_index < len(draft.variants):
        raise MessagingError(
            f"the draft for {draft.segment!r} has {len(draft.variants)} variants; there is no "
            f"variant {variant_index + 1}."
        )
    context = member_context(data, draft.segment, member_row, draft)
    places = template_places(draft)[2 * variant_index : 2 * variant_index + 2]
    texts: list[str] = []
    problems: list[str] = []
    empty: list[str] = []
    for where, template in places:
        try:
            text, printed = render_checked(template, context, where=where)
        except MessagingError as exc:
            text, printed = "", []
            problems.append(str(exc))
        texts.append(text)
        empty += [name for name in printed if name not in empty]
    subject, body = texts
    return Rendered(subject, body, check_limits(draft.channel, subject, body), problems, empty)
