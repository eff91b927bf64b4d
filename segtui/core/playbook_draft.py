"""A draft written from an archetype for one segment: the channel the data can reach (or the
one the segment prefers), the [[placeholders]] filled from the segment's facts (the category
it clearly favours, where it shops, how long ago it ordered), the discount and code left as
merge fields in the texts (editing the offer then updates them), merge fields the data lacks
replaced by their fallback, and notes that say why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from segtui.core.messaging_model import Channel, Draft, Offer, Variant, discount_text
from segtui.core.playbook_facts import (
    CATEGORY_FIELD,
    DEFAULT_CATEGORY,
    DEFAULT_PLACE,
    DEFAULT_SINCE,
    SegmentFacts,
    profile_notes,
    reachable_channels,
)
from segtui.core.playbook_model import MERGE_RE, PLACEHOLDER_RE, Archetype, Choice

if TYPE_CHECKING:
    from segtui.core.run_data import RunData

SHORT_CHANNELS: tuple[Channel, ...] = ("sms", "social", "ad")  # written from the short text
# A merge field a project may call differently: the names tried when the data lacks it.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "first_name": ("firstname", "first", "forename", "given_name", "givenname", "fname"),
    "last_name": ("lastname", "last", "surname", "family_name", "familyname", "lname"),
}
VARIANT_LETTERS = "ABCDEFGHIJ"


def _channel(
    archetype: Archetype, facts: SegmentFacts, reachable: Mapping[Channel, str]
) -> tuple[Channel, str]:
    """The channel and why: the segment's stated preference when the archetype lists it,
    SMS for app shoppers, else the archetype's first channel the data can reach."""

    def usable(channel: Channel) -> bool:
        return channel in reachable and (channel not in SHORT_CHANNELS or archetype.has_short)

    listed = [c for c in archetype.channels if usable(c)]
    if facts.prefers in listed:
        changed = facts.prefers != listed[0]
        return facts.prefers, facts.prefers_note if changed else ""
    if facts.app_first and "sms" in listed:
        return "sms", "sms, as they shop mostly in the app and the data has phone numbers"
    if listed:
        first = archetype.channels[0]
        if listed[0] == first:
            return first, ""
        why = "the playbook has no short text" if first in reachable else f"no {_contact(first)}"
        return listed[0], f"{listed[0]} rather than {first}: {why}"
    fallbacks: tuple[Channel, ...] = ("email", "direct mail", "social")
    channel = next((c for c in fallbacks if usable(c)), archetype.channels[0])
    return channel, f"{channel}, as none of the archetype's channels can reach this data"


def _contact(channel: Channel) -> str:
    return {"email": "email column", "sms": "phone column", "direct mail": "address column"}.get(
        channel, "email or phone column"
    )


@dataclass(frozen=True)
class _Filler:
    """Fills a text's [[placeholders]] for one segment."""

    facts: SegmentFacts
    discount: str  # "15%", "£10" or ""
    code: str
    available: frozenset[str]  # the segment's merge fields

    def _category(self, fallback: str, template: bool) -> str:
        if self.facts.category:
            return _literal(self.facts.category) if template else self.facts.category
        if template and self.facts.members_have_category and CATEGORY_FIELD in self.available:
            quoted = fallback.replace('"', "'")  # inside a jinja string
            return f'{{{{ {CATEGORY_FIELD} | default("{quoted}") }}}}'
        return fallback

    def fill(self, text: str, *, template: bool) -> str:
        """``template``: a subject or body rendered per customer, where the discount and
        code stay merge fields (editing the offer then updates the text)."""

        def one(found: re.Match[str]) -> str:
            name, own = found.group(1), found.group(2)
            if name == "category":
                return self._category(own or DEFAULT_CATEGORY, template)
            if name == "where":
                return self.facts.place or own or DEFAULT_PLACE
            if name == "since":
                return self.facts.since or own or DEFAULT_SINCE
            if name == "discount":
                return "{{ discount }}" if template else self.discount
            return "{{ offer_code }}" if template else self.code  # code

        filled = PLACEHOLDER_RE.sub(one, text)
        return _fit_fields(filled, self.available) if template else filled


def _literal(value: str) -> str:
    """A data value written into a template: kept as text even when it holds braces."""
    if any(mark in value for mark in ("{{", "{%", "{#")):
        return "{% raw %}" + value + "{% endraw %}"
    return value


def _fit_fields(text: str, available: frozenset[str]) -> str:
    """Merge fields the data lacks: its alias when it has one, else the fallback written in."""

    def one(found: re.Match[str]) -> str:
        name = found.group(1)
        fallback = found.group(2) if found.group(2) is not None else found.group(3)
        if name in available:
            return found.group(0)
        alias = next((a for a in FIELD_ALIASES.get(name, ()) if a in available), None)
        if alias:
            return found.group(0).replace(name, alias, 1)
        return fallback

    return MERGE_RE.sub(one, text)


def _notes(
    archetype: Archetype, facts: SegmentFacts, channel_note: str, filler: _Filler, currency: str
) -> str:
    lines = [filler.fill(archetype.notes, template=False)] if archetype.notes else []
    profile = profile_notes(facts, currency)
    if profile:
        lines.append("Profile: " + "; ".join(profile) + ".")
    discount = facts.numeric.get("discount_share")
    lift = discount.lift if discount is not None else None
    if lift is not None and lift <= 0.7 and archetype.offer.discount is not None:
        lines.append("They rarely use discounts: a perk may work as well and costs less margin.")
    elif lift is not None and lift >= 1.3 and archetype.offer.discount is None:
        lines.append("They use discounts often: expect a lower response without one.")
    if channel_note:
        lines.append(f"Channel: {channel_note}.")
    return "\n".join(lines)


def draft_from(
    data: RunData,
    segment: str,
    choice: Choice,
    facts: SegmentFacts,
    sms_footer: str = "",
    *,
    roles: Mapping[str, str] | None = None,
) -> Draft:
    """The draft an archetype makes for a segment with these facts (``roles``: the stored
    roles that say which columns are contact data, see contacts.contact_columns)."""
    from segtui.core.messaging_preview import merge_fields

    archetype = choice.archetype
    made = archetype.offer
    offer = Offer("", made.discount_kind, made.discount, made.code)
    discount = discount_text(offer, data.currency, grouped=True)
    filler = _Filler(facts, discount, made.code, frozenset(merge_fields(data, segment)))
    offer = replace(offer, text=filler.fill(made.text, template=False))
    channel, channel_note = _channel(archetype, facts, reachable_channels(data, roles))
    variants = []
    for letter, variant in zip(VARIANT_LETTERS, archetype.variants, strict=False):
        subject, body = variant.subject, variant.body
        if channel in SHORT_CHANNELS:
            body = variant.short
        if channel == "sms":
            subject, body = "", f"{body} {sms_footer}".strip()
        variants.append(
            Variant(letter, filler.fill(subject, template=True), filler.fill(body, template=True))
        )
    return Draft(
        segment=segment,
        goal=archetype.goal,
        channel=channel,
        offer=offer,
        variants=variants,
        cta=filler.fill(archetype.cta, template=False),
        send_note=filler.fill(archetype.send_note, template=False),
        holdout_pct=archetype.holdout,
        notes=_notes(archetype, facts, channel_note, filler, data.currency),
        source=choice.source,
    )
