"""The playbook as data: archetypes read from TOML text (the shipped segtui/playbook.toml or a
project's own additions) and checked, so a suggestion never meets a bad one.

Reading checks everything a consultant can get wrong, each with one sentence naming the place
("project playbook, archetype 'vip', variant 2, body") and what to do: TOML syntax (line and
column), unknown keys (with the closest known one), missing or ill-typed values, profile
conditions that do not parse, [[placeholders]] that are not known or need an offer the
archetype does not make, templates that do not parse, and merge fields without a fallback.
The key list and what each key means are documented at the top of segtui/playbook.toml.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from segtui.core.messaging_model import CHANNELS, GOALS, HOLDOUT_MAX, MessagingError
from segtui.core.playbook_model import (
    CONDITION_RE,
    DEFAULT_HOLDOUT,
    ID_RE,
    MERGE_RE,
    PLACEHOLDER_RE,
    PLACEHOLDERS,
    Archetype,
    Condition,
    MatchBlock,
    OfferTemplate,
    Origin,
    PlaybookError,
    PlaybookText,
    TemplateVariant,
)

_TOP_KEYS = ("settings", "archetype")
_SETTINGS_KEYS = ("sms_footer",)
_ARCHETYPE_KEYS = (
    "id", "title", "goal", "channels", "holdout", "cta", "send_note", "notes", "offer",
    "match", "variant",
)  # fmt: skip
_OFFER_KEYS = ("text", "discount_kind", "discount", "code")
_MATCH_KEYS = ("names", "traits", "when")
_VARIANT_KEYS = ("subject", "body", "short")
MIN_VARIANTS = 2  # A/B: a suggestion always gives something to test


# --- reading ---------------------------------------------------------------------------------


def parse_playbook(text: str, origin: Origin) -> PlaybookText:
    """Read and check a playbook's TOML text (PlaybookError naming the place)."""
    import tomllib

    place = f"{origin} playbook"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(text, str(exc), place) from None
    _known_keys(data, _TOP_KEYS, place)
    settings = _table(data, "settings", place)
    _known_keys(settings, _SETTINGS_KEYS, f"{place}, [settings]")
    clean_settings = {k: _string(settings, k, f"{place}, [settings]") for k in settings}
    raw = data.get("archetype", [])
    if not isinstance(raw, list):
        raise PlaybookError(f"{place}: write each archetype as an [[archetype]] table.")
    archetypes: list[Archetype] = []
    seen: set[str] = set()
    for number, item in enumerate(raw, start=1):
        archetype = _archetype(item, f"{place}, archetype {number}", origin)
        if archetype.id in seen:
            raise PlaybookError(
                f"{place}: two archetypes have the id {archetype.id!r}; give each its own id."
            )
        seen.add(archetype.id)
        archetypes.append(archetype)
    return PlaybookText(archetypes, clean_settings)


def _toml_error(text: str, message: str, place: str) -> PlaybookError:
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    what = message[: found.start()] if found else re.sub(r"\s*\(at end of document\)$", "", message)
    what = what[:1].lower() + what[1:]
    if found:
        line, column = int(found.group(1)), int(found.group(2))
        lines = text.splitlines()
        near = lines[line - 1].strip()[:40] if 0 < line <= len(lines) else ""
        at = f"line {line}, column {column}" + (f" (near {near!r})" if near else "")
    else:
        at = "the end of the text"
    return PlaybookError(f"{place}: {what} at {at}; fix the TOML and save again.")


def _known_keys(table: Mapping[str, Any], known: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"use {', '.join(known)}."
            raise PlaybookError(f"{where}: unknown key {key!r}; {hint}")


def _table(data: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise PlaybookError(f"{where}: {key} must be a table ([{key}] or [archetype.{key}]).")
    return value


def _string(data: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise PlaybookError(f"{where}: give {key} as {'non-blank ' if required else ''}text.")
    return value.strip()


def _words(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PlaybookError(f'{where}: give {key} as a list of words, e.g. ["at risk", "churn"].')
    return tuple(" ".join(v.split()) for v in value)


def _archetype(item: object, where: str, origin: Origin) -> Archetype:
    if not isinstance(item, dict):
        raise PlaybookError(f"{where}: write it as an [[archetype]] table.")
    archetype_id = _string(item, "id", where, required=True)
    if not ID_RE.match(archetype_id):
        raise PlaybookError(
            f"{where}: id {archetype_id!r} must be lower-case letters and digits joined by "
            '"-", e.g. "lapsed-high-value".'
        )
    where = f"{origin} playbook, archetype {archetype_id!r}"
    _known_keys(item, _ARCHETYPE_KEYS, where)
    goal = _string(item, "goal", where, required=True)
    if goal not in GOALS:
        raise PlaybookError(f"{where}: goal {goal!r} is not known; use one of {', '.join(GOALS)}.")
    channels = _words(item, "channels", where)
    unknown = [c for c in channels if c not in CHANNELS]
    if not channels or unknown or len(set(channels)) != len(channels):
        raise PlaybookError(
            f"{where}: channels must list some of {', '.join(CHANNELS)}, each once"
            + (f" ({unknown[0]!r} is not one)." if unknown else ".")
        )
    offer = _offer(_table(item, "offer", where), f"{where}, offer")
    variants = _variants(item.get("variant"), where, offer)
    texts = {k: _string(item, k, where) for k in ("cta", "send_note", "notes")}
    for key, text in [*texts.items(), ("offer text", offer.text)]:
        _check_placeholders(text, f"{where}, {key}", offer)
    return Archetype(
        id=archetype_id,
        title=_string(item, "title", where, required=True),
        goal=goal,  # type: ignore[arg-type]
        channels=channels,  # type: ignore[arg-type]
        variants=variants,
        match=_match_blocks(item.get("match", []), where),
        holdout=_holdout(item.get("holdout", DEFAULT_HOLDOUT), where),
        offer=offer,
        origin=origin,
        **texts,
    )


def _holdout(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PlaybookError(f"{where}: holdout must be a number of percent, 0 to {HOLDOUT_MAX:g}.")
    if not 0 <= value <= HOLDOUT_MAX:
        raise PlaybookError(
            f"{where}: holdout {value:g}% is out of range; keep 0 to {HOLDOUT_MAX:g}% out."
        )
    return float(value)


def _offer(table: dict[str, Any], where: str) -> OfferTemplate:
    _known_keys(table, _OFFER_KEYS, where)
    kind = _string(table, "discount_kind", where)
    discount = table.get("discount")
    if kind not in ("", "percent", "amount"):
        raise PlaybookError(f'{where}: discount_kind must be "percent" or "amount".')
    if (discount is None) != (not kind):
        raise PlaybookError(f"{where}: give discount_kind and discount together, or neither.")
    if discount is not None:
        ok = not isinstance(discount, bool) and isinstance(discount, int | float) and discount > 0
        if not ok or (kind == "percent" and discount > 100):
            raise PlaybookError(
                f"{where}: discount must be a number above 0 (at most 100 for a percent)."
            )
        discount = float(discount)
    return OfferTemplate(
        _string(table, "text", where),
        kind,
        discount,
        _string(table, "code", where),  # type: ignore[arg-type]
    )


def _match_blocks(raw: object, where: str) -> tuple[MatchBlock, ...]:
    if not isinstance(raw, list) or not all(isinstance(b, dict) for b in raw):
        raise PlaybookError(f"{where}: write each way to match as an [[archetype.match]] table.")
    blocks = []
    for number, table in enumerate(raw, start=1):
        place = f"{where}, match {number}"
        _known_keys(table, _MATCH_KEYS, place)
        when = tuple(_condition(text, place) for text in _words(table, "when", place))
        block = MatchBlock(_words(table, "names", place), _words(table, "traits", place), when)
        if not (block.names or block.traits or block.when):
            raise PlaybookError(f"{place}: give names, traits or when (it matches nothing).")
        blocks.append(block)
    return tuple(blocks)


def _condition(text: str, where: str) -> Condition:
    found = CONDITION_RE.match(text)
    if not found:
        raise PlaybookError(
            f"{where}: condition {text!r} does not read as <field> <median|mean|lift> <op> "
            '<number>, e.g. "recency_days median > 180".'
        )
    name, statistic, op, value = found.groups()
    return Condition(name, statistic, op, float(value), " ".join(text.split()))  # type: ignore[arg-type]


def _variants(raw: object, where: str, offer: OfferTemplate) -> tuple[TemplateVariant, ...]:
    if not isinstance(raw, list) or len(raw) < MIN_VARIANTS:
        raise PlaybookError(
            f"{where}: give at least {MIN_VARIANTS} [[archetype.variant]] tables (A/B), each "
            "with a subject and a body."
        )
    variants = []
    for number, table in enumerate(raw, start=1):
        place = f"{where}, variant {number}"
        if not isinstance(table, dict):
            raise PlaybookError(f"{place}: write it as an [[archetype.variant]] table.")
        _known_keys(table, _VARIANT_KEYS, place)
        variant = TemplateVariant(
            _string(table, "subject", place, required=True),
            _string(table, "body", place, required=True),
            _string(table, "short", place),
        )
        for key in _VARIANT_KEYS:
            check_template_text(getattr(variant, key), f"{place}, {key}", offer)
        variants.append(variant)
    if len({bool(v.short) for v in variants}) > 1:
        raise PlaybookError(
            f"{where}: give every variant a short text, or none (SMS, social and ads need one "
            "per variant)."
        )
    return tuple(variants)


# --- templates -------------------------------------------------------------------------------


def _check_placeholders(text: str, where: str, offer: OfferTemplate) -> None:
    for found in PLACEHOLDER_RE.finditer(text):
        name = found.group(1)
        if name not in PLACEHOLDERS:
            close = difflib.get_close_matches(name, PLACEHOLDERS, n=1)
            hint = f"did you mean [[{close[0]}]]?" if close else f"use {', '.join(PLACEHOLDERS)}."
            raise PlaybookError(f"{where}: [[{name}]] is not a placeholder; {hint}")
        if name == "discount" and offer.discount is None:
            raise PlaybookError(
                f"{where}: [[discount]] needs a discount; give the offer discount_kind and "
                "discount, or take [[discount]] out."
            )
        if name == "code" and not offer.code:
            raise PlaybookError(
                f"{where}: [[code]] needs an offer code; give the offer a code, or take "
                "[[code]] out."
            )
    leftover = PLACEHOLDER_RE.sub("", text)
    if "[[" in leftover or "]]" in leftover:
        raise PlaybookError(
            f"{where}: a [[ is not closed by ]] (or the other way round); write placeholders "
            "as [[category]] or [[category | fallback]]."
        )


def check_template_text(text: str, where: str, offer: OfferTemplate) -> None:
    """A variant's subject, body or short text: known placeholders, a template that parses,
    and every merge field in the {{ name | default("...") }} form (segment and offer fields
    excepted, as every draft has them)."""
    from segtui.core.merge import OFFER_FIELDS, SEGMENT_FIELDS, template_fields

    if not text:
        return
    _check_placeholders(text, where, offer)
    filled = PLACEHOLDER_RE.sub("x", text)
    try:
        template_fields(filled, where=where)
        bare = template_fields(MERGE_RE.sub("x", filled), where=where)
    except MessagingError as exc:
        raise PlaybookError(str(exc)) from None
    bare -= {*SEGMENT_FIELDS, *OFFER_FIELDS}
    if bare:
        name = sorted(bare)[0]
        raise PlaybookError(
            f"{where}: give the merge field {name!r} a fallback, written "
            f'{{{{ {name} | default("...") }}}}, so customers and projects without it still '
            "read well."
        )
