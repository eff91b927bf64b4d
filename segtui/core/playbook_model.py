"""The playbook's archetypes as plain data, and how a segment is matched to one.

An archetype says when it applies (match blocks: name words, cluster traits, profile
conditions), what the draft's goal, channels, offer and A/B texts are, and where it came from
(the shipped playbook or the project's). Reading them from TOML is playbook_file.py; writing a
draft from one is playbook_draft.py.

A segment gets the first archetype whose name words or cluster traits match its name; only
when no name matches are the profile conditions tried; the archetype without match blocks
takes the rest (a segment's name is what the consultant meant; the profile is the fallback).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from segtui.core.messaging_model import Channel, Goal, MessagingError
from segtui.core.profile_words import fmt_plain

if TYPE_CHECKING:
    from segtui.core.playbook_facts import SegmentFacts

Statistic = Literal["median", "mean", "lift"]
Origin = Literal["shipped", "project"]

# [[name]] or [[name | fallback]]: filled when a draft is suggested.
PLACEHOLDER_RE = re.compile(r"\[\[\s*([A-Za-z_]\w*)\s*(?:\|\s*([^\]]*?)\s*)?\]\]")
PLACEHOLDERS = ("category", "where", "since", "discount", "code")
# {{ name | default("fallback") }}: the one merge-field form a playbook template may use, so a
# suggestion can write the fallback in when the project's data has no such field.
MERGE_RE = re.compile(
    r"\{\{\s*([A-Za-z_]\w*)\s*\|\s*default\(\s*(?:\"([^\"]*)\"|'([^']*)')\s*\)\s*\}\}"
)
CONDITION_RE = re.compile(
    r"^\s*([A-Za-z_]\w*)\s+(median|mean|lift)\s*(>=|<=|==|=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$"
)
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

NAME_PART_SEPARATOR = "·"  # cluster names: "High spend · Lapsed"
DEFAULT_HOLDOUT = 10.0


class PlaybookError(MessagingError):
    """A playbook cannot be used (the message names the place in it and what to fix)."""


@dataclass(frozen=True)
class Condition:
    """A profile condition such as "recency_days median > 180"."""

    field: str
    statistic: Statistic
    op: str
    value: float
    text: str  # as written

    def holds(self, actual: float | None) -> bool:
        if actual is None:
            return False
        return {
            ">": actual > self.value,
            ">=": actual >= self.value,
            "<": actual < self.value,
            "<=": actual <= self.value,
            "=": actual == self.value,
            "==": actual == self.value,
        }[self.op]


@dataclass(frozen=True)
class MatchBlock:
    """One way to match: name words, cluster traits and profile conditions, all of which hold."""

    names: tuple[str, ...] = ()
    traits: tuple[str, ...] = ()
    when: tuple[Condition, ...] = ()

    @property
    def by_name(self) -> bool:
        """True when the block needs the segment's name (it is tried in the name pass)."""
        return bool(self.names or self.traits)


@dataclass(frozen=True)
class TemplateVariant:
    subject: str
    body: str
    short: str = ""  # SMS, social post and ad text


@dataclass(frozen=True)
class OfferTemplate:
    text: str = ""
    discount_kind: Literal["", "percent", "amount"] = ""
    discount: float | None = None
    code: str = ""


@dataclass(frozen=True)
class Archetype:
    id: str
    title: str
    goal: Goal
    channels: tuple[Channel, ...]
    variants: tuple[TemplateVariant, ...]
    match: tuple[MatchBlock, ...] = ()  # empty: the fallback, matches every segment
    holdout: float = DEFAULT_HOLDOUT
    cta: str = ""
    send_note: str = ""
    notes: str = ""
    offer: OfferTemplate = field(default_factory=OfferTemplate)
    origin: Origin = "shipped"

    @property
    def has_short(self) -> bool:
        """True when every variant has a short text (needed for SMS, social and ads)."""
        return all(v.short for v in self.variants)


@dataclass(frozen=True)
class Playbook:
    archetypes: tuple[Archetype, ...]
    sms_footer: str = ""

    def archetype(self, archetype_id: str) -> Archetype:
        for archetype in self.archetypes:
            if archetype.id == archetype_id:
                return archetype
        raise PlaybookError(
            f"the playbook has no archetype {archetype_id!r}; its archetypes are "
            f"{', '.join(a.id for a in self.archetypes)}."
        )


@dataclass(frozen=True)
class PlaybookText:
    """What one TOML text holds: its archetypes in order and its settings."""

    archetypes: list[Archetype]
    settings: dict[str, str]


# --- choosing an archetype -------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    archetype: Archetype
    reason: str  # e.g. "name matches 'at risk'"

    @property
    def source(self) -> str:
        """What Draft.source says: "playbook 'At risk': name matches 'at risk'"."""
        where = "project playbook" if self.archetype.origin == "project" else "playbook"
        return f"{where} {self.archetype.title!r}: {self.reason}"


def _normal(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").casefold().split())


def _name_word(name: str, words: Sequence[str]) -> str | None:
    """The first word that starts a word of the name ("hibernat" in "Hibernating")."""
    normal = _normal(name)
    for word in words:
        if re.search(rf"(?<!\w){re.escape(_normal(word))}", normal):
            return word
    return None


def _name_parts(name: str) -> set[str]:
    """A cluster name's parts, without the number a duplicate name gets ("Recent 2")."""
    parts = [_normal(p) for p in name.split(NAME_PART_SEPARATOR)]
    if parts:
        parts[-1] = re.sub(r"\s+\d+$", "", parts[-1])
    return {p for p in parts if p}


def _profile_reason(block: MatchBlock, facts: SegmentFacts | None) -> str | None:
    """None when a condition of the block fails; otherwise the conditions with the values
    that met them ("" when the block has none)."""
    shown = []
    for condition in block.when:
        actual = None if facts is None else facts.statistic(condition.field, condition.statistic)
        if actual is None or not condition.holds(actual):
            return None
        shown.append(
            f"{condition.field} {condition.statistic} {fmt_plain(actual)} {condition.op} "
            f"{condition.value:g}"
        )
    return "profile " + " and ".join(shown) if shown else ""


def match_archetype(playbook: Playbook, segment: str, facts: SegmentFacts | None = None) -> Choice:
    """The archetype for a segment: by name first, then by profile, then the fallback."""
    parts = _name_parts(segment)
    for archetype in playbook.archetypes:  # pass 1: the name
        for block in (b for b in archetype.match if b.by_name):
            reasons = []
            if block.names:
                word = _name_word(segment, block.names)
                if word is None:
                    continue
                reasons.append(f"name matches {word!r}")
            if block.traits:
                if not all(_normal(t) in parts for t in block.traits):
                    continue
                reasons.append("cluster traits " + " + ".join(block.traits))
            profile = _profile_reason(block, facts)
            if profile is not None:
                return Choice(archetype, ", ".join([*reasons, profile] if profile else reasons))
    for archetype in playbook.archetypes:  # pass 2: the profile
        for block in (b for b in archetype.match if not b.by_name):
            profile = _profile_reason(block, facts)
            if profile:
                return Choice(archetype, profile)
    for archetype in playbook.archetypes:
        if not archetype.match:
            return Choice(archetype, "nothing more specific matched")
    raise PlaybookError(
        f"no archetype of the playbook matches {segment!r} and it has no fallback; add an "
        "archetype without [[archetype.match]] blocks at the end."
    )
