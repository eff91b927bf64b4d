"""What a suggestion needs to know about one segment and the data: the category it clearly
favours, where it shops, how long ago it typically ordered, how it uses discounts, the channel
it prefers, and which channels the data can reach at all. And the words these become when a
playbook's [[placeholders]] are filled.

Everything comes from the segment's profile (profile.py), so a suggestion costs one profile.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from segtui.core.contacts import contact_columns
from segtui.core.messaging_model import Channel
from segtui.core.profile_words import fmt_pct
from segtui.core.rules_text import lower_label

if TYPE_CHECKING:
    from segtui.core.profile import NumericStat, SegmentProfile
    from segtui.core.profile_stats import CategoricalStat
    from segtui.core.run_data import RunData

CATEGORY_FIELD = "favourite_category"
PURCHASE_CHANNEL_FIELD = "favourite_channel"
# A value "clearly favoured" by a segment: held by at least this share of it and this many
# times as often as by everyone (Gifts for 61.5% against 9.0% is; Apparel for 44% against 36%
# is not: most customers favour it anyway).
CLEAR_SHARE = 0.3
CLEAR_LIFT = 1.25
# A stated channel preference counts when this share of the segment states it.
PREFERENCE_SHARE = 0.4

_PREFERENCE_FIELD = re.compile(
    r"(prefer|contact|communication).*(channel|method|medium)|channel_?pref", re.IGNORECASE
)
# Words in a preference or purchase-channel value -> the messaging channel or the place.
_CHANNEL_WORDS: tuple[tuple[str, Channel], ...] = (
    (r"e-?mail|newsletter", "email"),
    (r"sms|text|mobile|whatsapp", "sms"),
    (r"social|facebook|instagram|tiktok|twitter|linkedin|pinterest", "social"),
    (r"post|letter|direct ?mail|catalog", "direct mail"),
)
_PLACE_WORDS: tuple[tuple[str, str], ...] = (
    (r"app|mobile|ios|android", "in the app"),
    (r"store|shop|retail|branch|pos|boutique", "in store"),
    (r"web|online|site|e-?commerce|internet|marketplace", "online"),
)
DEFAULT_PLACE = "online"
DEFAULT_CATEGORY = "our range"
DEFAULT_SINCE = "a while"


@dataclass(frozen=True)
class SegmentFacts:
    """One segment as a suggestion sees it (see the module docstring)."""

    segment: str
    customers: int
    numeric: dict[str, NumericStat] = field(default_factory=dict)
    category: str | None = None  # clearly favoured category
    category_note: str = ""  # e.g. "Gifts for 61.5% vs 9.0% overall"
    members_have_category: bool = False  # some members have a favourite category
    place: str | None = None  # "in the app", "in store", "online"
    prefers: Channel | None = None  # the channel most of the segment asked for
    prefers_note: str = ""
    app_first: bool = False  # shops mostly in the app: SMS reaches them where they are

    def statistic(self, name: str, statistic: str) -> float | None:
        stat = self.numeric.get(name)
        if stat is None:
            return None
        return {"median": stat.segment_median, "mean": stat.segment_mean, "lift": stat.lift}[
            statistic
        ]

    @property
    def recency_days(self) -> float | None:
        return self.statistic("recency_days", "median")

    @property
    def since(self) -> str:
        """How long ago the typical customer last ordered, in words ("" when unknown)."""
        days = self.recency_days
        if days is None:
            return ""
        for limit, words in (
            (45, "a few weeks"),
            (90, "a couple of months"),
            (270, "a few months"),
            (365, "almost a year"),
            (730, "over a year"),
        ):
            if days <= limit:
                return words
        return "over two years"


def _clear_value(stat: CategoricalStat) -> tuple[str, str] | None:
    """The value a segment clearly favours, with its note, or None."""
    candidates = [
        level
        for level in stat.levels
        if level.segment_share >= CLEAR_SHARE and (level.lift or 0) >= CLEAR_LIFT
    ]
    if not candidates:
        return None
    best = max(candidates, key=lambda c: c.segment_share)
    note = f"{best.value} for {fmt_pct(best.segment_share)} vs {fmt_pct(best.population_share)}"
    return best.value, note + " overall"


def _word_match(value: str, table: tuple[tuple[str, str], ...]) -> str | None:
    for pattern, result in table:
        if re.search(rf"(^|[^a-z])({pattern})", value.casefold()):
            return result
    return None


def segment_facts(profile: SegmentProfile) -> SegmentFacts:
    """The facts of one profiled segment."""
    categorical = {stat.field: stat for stat in profile.categorical}
    facts: dict[str, object] = {}
    category = categorical.get(CATEGORY_FIELD)
    if category is not None and category.top:
        facts["members_have_category"] = True
        clear = _clear_value(category)
        if clear:
            facts["category"], facts["category_note"] = clear
    purchase = categorical.get(PURCHASE_CHANNEL_FIELD)
    if purchase is not None and purchase.top:
        top = purchase.top[0]
        clear = _clear_value(purchase)
        value = clear[0] if clear else (top.value if top.segment_share >= 0.5 else None)
        if value is not None:
            facts["place"] = _word_match(value, _PLACE_WORDS)
            facts["app_first"] = facts["place"] == "in the app"
    for stat in profile.categorical:
        if not _PREFERENCE_FIELD.search(stat.field) or not stat.top:
            continue
        top = stat.top[0]
        channel = _word_match(top.value, _CHANNEL_WORDS)
        if channel and top.segment_share >= PREFERENCE_SHARE:
            facts["prefers"] = channel
            facts["prefers_note"] = (
                f"{channel}, as {fmt_pct(top.segment_share)} of the segment give "
                f"{top.value!r} as their {lower_label(stat.label)}"
            )
            break
    return SegmentFacts(
        profile.segment,
        profile.customers,
        {stat.field: stat for stat in profile.numeric},
        **facts,  # type: ignore[arg-type]
    )


def reachable_channels(data: RunData, roles: Mapping[str, str] | None = None) -> dict[Channel, str]:
    """The channels the data can reach, each with the column that makes it possible: the
    contact columns of contacts.contact_columns (``roles``: the stored roles, see
    contacts.stored_roles), each holding some values. Direct mail takes a street address, else
    a postcode (a door drop or an address lookup can start from it); social needs no column:
    a post reaches whoever follows."""
    columns = contact_columns(data, roles)
    found: dict[Channel, str] = {}
    if columns.email:
        found["email"] = columns.email
    if columns.phone:
        found["sms"] = columns.phone
    if columns.address or columns.postcode:
        found["direct mail"] = columns.address or columns.postcode or ""
    if columns.email or columns.phone:
        found["ad"] = columns.email or columns.phone or ""
    found["social"] = ""
    return found


def profile_notes(facts: SegmentFacts, currency: str) -> list[str]:
    """The profile facts worth telling the consultant next to a suggestion."""
    from segtui.core.profile_words import fmt_money, fmt_plain

    notes = []
    recency = facts.numeric.get("recency_days")
    if recency is not None and recency.segment_median is not None:
        notes.append(
            f"typical last order {fmt_plain(recency.segment_median)} days ago "
            f"({fmt_plain(recency.population_median)} overall)"
        )
    spend = facts.numeric.get("total_spend")
    if spend is not None and spend.segment_mean is not None and facts.customers:
        notes.append(
            f"mean spend {fmt_money(spend.segment_mean, currency)} "
            f"({fmt_money(spend.population_mean, currency)} overall)"
        )
    if facts.category_note:
        notes.append(f"favourite category {facts.category_note}")
    discount = facts.numeric.get("discount_share")
    if discount is not None and discount.segment_mean is not None:
        notes.append(
            f"discounts on {fmt_pct(discount.segment_mean)} of orders "
            f"({fmt_pct(discount.population_mean)} overall)"
        )
    return notes
