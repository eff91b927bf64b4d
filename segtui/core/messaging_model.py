"""A segment's message draft as plain data: goal, channel, offer, A/B variants, holdout, and
its JSON form as stored in ``segtui_drafts.content``.

A Draft that exists is valid: construction checks the closed sets (goal, channel, discount
kind), the holdout range and the variants, so neither the store nor an export meets a bad one.
Subject and body may be blank or hold unfinished merge fields: a draft is saved as it is typed,
and the preview says what is wrong (see merge.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from segtui.core.errors import SegtuiError

Goal = Literal[
    "win back", "reward", "upsell", "cross-sell", "onboard", "reactivate", "retain", "nurture"
]
GOALS: tuple[Goal, ...] = get_args(Goal)
Channel = Literal["email", "sms", "social", "ad", "direct mail"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)
DiscountKind = Literal["", "percent", "amount"]
DISCOUNT_KINDS: tuple[DiscountKind, ...] = get_args(DiscountKind)

HOLDOUT_MAX = 50.0  # percent: beyond half, the "control" is the campaign
VARIANTS_MAX = 10  # A…J: more splits than any send can measure
TEXT_MAX = 20_000  # characters in one subject or body: a long letter, not a document
VARIANT_NAMES = "ABCDEFGHIJ"


class MessagingError(SegtuiError):
    """A draft, a merge field or a template cannot be used (the message names the segment,
    variant and place, and what to do)."""


@dataclass(frozen=True)
class Variant:
    """One A/B arm: its name ("A", "B"...), subject (or headline) and body."""

    name: str
    subject: str = ""
    body: str = ""


@dataclass(frozen=True)
class Offer:
    """What the message offers: free text plus an optional discount and code."""

    text: str = ""
    discount_kind: DiscountKind = ""
    discount: float | None = None  # percent (0–100] or an amount in the project's currency
    code: str = ""

    def describe(self, currency: str = "") -> str:
        """The offer in a few words, e.g. "20% off with code BACK20"."""
        parts = [self.text.strip()] if self.text.strip() else []
        if self.discount is not None and self.discount_kind == "percent":
            parts.append(f"{self.discount:g}% off")
        elif self.discount is not None and self.discount_kind == "amount":
            parts.append(f"{currency}{self.discount:,.2f} off")
        if self.code.strip():
            parts.append(f"code {self.code.strip()}")
        return " · ".join(parts)


@dataclass(frozen=True)
class Draft:
    """A message for one segment (see the module docstring)."""

    segment: str
    goal: Goal
    channel: Channel
    offer: Offer = field(default_factory=Offer)
    variants: list[Variant] = field(default_factory=lambda: [Variant("A"), Variant("B")])
    cta: str = ""
    send_note: str = ""
    holdout_pct: float = 10.0
    notes: str = ""
    source: str = ""  # where it came from, e.g. "playbook 'Lapsed high value': name ..."

    def __post_init__(self) -> None:
        _check(self)

    def variant(self, name: str) -> Variant:
        for variant in self.variants:
            if variant.name.casefold() == name.casefold():
                return variant
        raise MessagingError(
            f"the draft for {self.segment!r} has no variant {name!r}; its variants are "
            f"{', '.join(v.name for v in self.variants)}."
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "segment": self.segment,
            "goal": self.goal,
            "channel": self.channel,
            "offer": {
                "text": self.offer.text,
                "discount_kind": self.offer.discount_kind,
                "discount": self.offer.discount,
                "code": self.offer.code,
            },
            "variants": [
                {"name": v.name, "subject": v.subject, "body": v.body} for v in self.variants
            ],
            "cta": self.cta,
            "send_note": self.send_note,
            "holdout_pct": self.holdout_pct,
            "notes": self.notes,
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, segment: str | None = None) -> Draft:
        """A draft from its JSON form; ``segment`` (the stored row's name) overrides the one
        in the JSON, so a renamed segment's drafts follow it. MessagingError names the field
        that is wrong."""
        if not isinstance(data, Mapping):
            raise MessagingError("a draft must be a JSON object with goal, channel and variants.")
        name = segment if segment is not None else _text(data, "segment", "draft", required=True)
        where = f"draft for {name!r}"
        unknown = sorted(set(data) - _DRAFT_KEYS)
        if unknown:
            raise MessagingError(
                f"{where}: {unknown[0]!r} is not a draft field; use "
                f"{', '.join(sorted(_DRAFT_KEYS))}."
            )
        offer = data.get("offer") or {}
        if not isinstance(offer, Mapping):
            raise MessagingError(f"{where}: offer must be an object with text, discount, code.")
        variants = data.get("variants")
        if not isinstance(variants, list) or not all(isinstance(v, Mapping) for v in variants):
            raise MessagingError(
                f"{where}: variants must be a list of objects with name, subject and body."
            )
        return cls(
            segment=name,
            goal=_text(data, "goal", where, required=True),  # type: ignore[arg-type]
            channel=_text(data, "channel", where, required=True),  # type: ignore[arg-type]
            offer=Offer(
                text=_text(offer, "text", f"{where}, offer"),
                discount_kind=_text(offer, "discount_kind", f"{where}, offer"),  # type: ignore[arg-type]
                discount=_number(offer, "discount", f"{where}, offer"),
                code=_text(offer, "code", f"{where}, offer"),
            ),
            variants=[
                Variant(
                    _text(v, "name", f"{where}, variant {i + 1}", required=True),
                    _text(v, "subject", f"{where}, variant {i + 1}"),
                    _text(v, "body", f"{where}, variant {i + 1}"),
                )
                for i, v in enumerate(variants)
            ],
            cta=_text(data, "cta", where),
            send_note=_text(data, "send_note", where),
            holdout_pct=_number(data, "holdout_pct", where, default=10.0),  # type: ignore[arg-type]
            notes=_text(data, "notes", where),
            source=_text(data, "source", where),
        )


_DRAFT_KEYS = frozenset(Draft.__dataclass_fields__)


def next_variant_name(draft: Draft) -> str:
    """The first letter A…J the draft's variants do not use yet."""
    taken = {v.name.casefold() for v in draft.variants}
    for letter in VARIANT_NAMES:
        if letter.casefold() not in taken:
            return letter
    raise MessagingError(
        f"the draft for {draft.segment!r} already has {len(draft.variants)} variants; "
        f"remove one before adding another (at most {VARIANTS_MAX})."
    )


def parse_discount(text: str, currency: str = "") -> tuple[DiscountKind, float | None]:
    """A discount as people type it: "20%" is a percent; "5", "5.50", "5,50", "£5", "5 €" or
    "EUR 5" an amount in the project's currency (a comma before one or two final digits is
    a decimal comma, otherwise it groups thousands); blank is none. MessagingError says how
    to write it."""
    import re

    shown = text.strip()
    value = shown
    if not value:
        return "", None
    kind: DiscountKind = "amount"
    if value.endswith("%"):
        kind, value = "percent", value[:-1].strip()
    else:
        for mark in filter(None, (currency, "£", "€", "$")):
            value = value.removeprefix(mark).removesuffix(mark).strip()
        value = re.sub(r"^[A-Za-z]{3}\s*|\s*[A-Za-z]{3}$", "", value)
    if re.fullmatch(r"\d+,\d{1,2}", value):
        value = value.replace(",", ".")
    value = value.replace(",", "").replace(" ", "")
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number <= 0:
        raise MessagingError(
            f"discount {shown!r}: write a percentage such as 20% or an amount such as "
            f"{currency}5, or leave it blank."
        )
    if kind == "percent" and number > 100:
        raise MessagingError(f"discount {shown!r}: a percent discount is at most 100%.")
    return kind, number


def discount_text(offer: Offer, currency: str = "", *, grouped: bool = False) -> str:
    """The offer's discount as parse_discount reads it back ("20%", "£5.50"; "" for none);
    ``grouped`` adds thousands separators, for reading rather than editing."""
    if offer.discount is None:
        return ""
    if offer.discount_kind == "percent":
        return f"{offer.discount:g}%"
    decimals = 0 if offer.discount.is_integer() else 2
    return f"{currency}{offer.discount:{',' if grouped else ''}.{decimals}f}"


# --- checks ----------------------------------------------------------------------------------


def _text(data: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise MessagingError(f"{where}: {key} must be {'non-blank ' if required else ''}text.")
    return value


def _number(
    data: Mapping[str, Any], key: str, where: str, *, default: float | None = None
) -> float | None:
    value = data.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MessagingError(f"{where}: {key} must be a number, not {value!r}.")
    return float(value)


def _check(draft: Draft) -> None:
    where = f"draft for {draft.segment!r}"
    if not isinstance(draft.segment, str) or not draft.segment.strip():
        raise MessagingError("a draft needs the name of its segment.")
    if draft.goal not in GOALS:
        raise MessagingError(
            f"{where}: goal {draft.goal!r} is not known; use one of {', '.join(GOALS)}."
        )
    if draft.channel not in CHANNELS:
        raise MessagingError(
            f"{where}: channel {draft.channel!r} is not known; use one of {', '.join(CHANNELS)}."
        )
    holdout = draft.holdout_pct
    if isinstance(holdout, bool) or not isinstance(holdout, int | float) or math.isnan(holdout):
        raise MessagingError(f"{where}: holdout must be a percentage from 0 to {HOLDOUT_MAX:g}.")
    if not 0 <= holdout <= HOLDOUT_MAX:
        raise MessagingError(
            f"{where}: holdout {holdout:g}% is out of range; keep 0 to {HOLDOUT_MAX:g}% of the "
            "segment out of the send."
        )
    _check_offer(draft.offer, where)
    _check_variants(draft.variants, where)


def _check_offer(offer: Offer, where: str) -> None:
    if offer.discount_kind not in DISCOUNT_KINDS:
        raise MessagingError(
            f"{where}: discount kind {offer.discount_kind!r} is not known; use percent, amount "
            "or leave it empty."
        )
    if offer.discount_kind and offer.discount is None:
        raise MessagingError(f"{where}: give the {offer.discount_kind} discount a value.")
    if offer.discount is None:
        return
    if not offer.discount_kind:
        raise MessagingError(f"{where}: say whether the discount is a percent or an amount.")
    if not math.isfinite(offer.discount) or offer.discount <= 0:
        raise MessagingError(f"{where}: the discount must be a number above 0.")
    if offer.discount_kind == "percent" and offer.discount > 100:
        raise MessagingError(f"{where}: a percent discount can be at most 100.")


def _check_variants(variants: list[Variant], where: str) -> None:
    if not isinstance(variants, list) or not variants:
        raise MessagingError(f"{where}: give it at least one variant (A) of subject and body.")
    if len(variants) > VARIANTS_MAX:
        raise MessagingError(f"{where}: at most {VARIANTS_MAX} variants; remove some.")
    seen: set[str] = set()
    for variant in variants:
        name = variant.name.strip() if isinstance(variant.name, str) else ""
        if not name:
            raise MessagingError(f"{where}: every variant needs a name such as A or B.")
        if name.casefold() in seen:
            raise MessagingError(f"{where}: two variants are named {name!r}; rename one.")
        seen.add(name.casefold())
        for part in ("subject", "body"):
            text = getattr(variant, part)
            if not isinstance(text, str):
                raise MessagingError(f"{where}, variant {name}: the {part} must be text.")
            if len(text) > TEXT_MAX:
                raise MessagingError(
                    f"{where}, variant {name}: the {part} has {len(text):,} characters; keep "
                    f"it under {TEXT_MAX:,}."
                )
