"""The drafts of a segmentation as files for a client: a Markdown document (one section per
segment with its size, what sets it apart and every draft with its variants) and a CSV with one
row per draft variant. Used by `segtui export --format drafts-md|drafts-csv`.

Subjects and bodies are written as the consultant wrote them: templates with their merge fields
and fallbacks, not rendered for a customer, so the client reviews the message itself. Files are
written atomically like every export (export.py): a failed export leaves no file, and an
existing one is replaced only with ``force``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from segtui.core.export import SUFFIXES, ExportError, ExportResult, export_table, export_text

if TYPE_CHECKING:
    import polars as pl

    from segtui.core.messaging_model import Draft
    from segtui.core.profile_summary import SegmentRow
    from segtui.core.run_data import RunData

DraftsFormat = Literal["md", "csv"]
DRAFTS_FORMATS: tuple[DraftsFormat, ...] = get_args(DraftsFormat)
PROFILE_BULLETS = 5  # the brief's 3–5: the strongest distinctions, fewer when there are fewer
FRAME_COLUMNS = (
    "segment",
    "position",
    "goal",
    "channel",
    "offer",
    "discount_kind",
    "discount",
    "code",
    "holdout_pct",
    "cta",
    "send_note",
    "variant",
    "subject",
    "body",
    "notes",
    "source",
)
# Inline Markdown characters that would turn a name or an offer into emphasis, a link or HTML.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|])")


def ordered_drafts(
    data: RunData, drafts: Mapping[str, Sequence[Draft]], segments: Sequence[str] | None = None
) -> list[tuple[str, bool, list[Draft]]]:
    """(segment, in the run, its drafts) in run order, then segments with drafts the run no
    longer has (by name); only ``segments`` when given (names as the run spells them)."""
    by_key = {name.casefold(): list(found) for name, found in drafts.items() if found}
    wanted = None if segments is None else {s.casefold() for s in segments}
    out = [
        (name, True, by_key.pop(name.casefold(), []))
        for name in data.segments
        if wanted is None or name.casefold() in wanted
    ]
    if wanted is None:  # a filter names run segments, so stale drafts only go in a full export
        stale = sorted(by_key.values(), key=lambda found: found[0].segment.casefold())
        out += [(found[0].segment, False, found) for found in stale]
    return out


# --- Markdown --------------------------------------------------------------------------------


def drafts_markdown(
    data: RunData, drafts: Mapping[str, Sequence[Draft]], segments: Sequence[str] | None = None
) -> str:
    """The client-ready document: a title with the segmentation, run and analysis date, then
    per segment (run order; only ``segments`` when given) its figures, profile bullets and
    drafts; a segment without a draft says so."""
    from segtui.core.profile import profile_run, summarise

    summary = summarise(data)
    profiles = profile_run(data)  # one pass over the run, not one per segment
    sections = ordered_drafts(data, drafts, segments)
    lines = _title(data, sections)
    for name, in_run, found in sections:
        # Every block starts with its blank line, so blocks never double them.
        lines += ["", f"## {_inline(name)}"]
        if in_run:
            lines += ["", _figures(summary.row(name), data.currency)]
            bullets = [d.text for d in profiles[name].ranked[:PROFILE_BULLETS]]
            if bullets:
                lines += ["", "What sets them apart:", ""]
                lines += [f"- {_inline(text)}" for text in bullets]
        else:
            lines += ["", "*Not in the latest run (the segment was renamed or removed).*"]
        if not found:
            lines += ["", "*No draft yet.*"]
            continue
        for index, draft in enumerate(found, start=1):
            lines += _draft_lines(draft, index, len(found), data.currency)
    return "\n".join(lines).rstrip() + "\n"


def _title(data: RunData, sections: list[tuple[str, bool, list[Draft]]]) -> list[str]:
    run = data.run
    ran = run.ran_at[:16].replace("T", " ")
    analysis = run.analysis_date or "not set"
    drafted = sum(1 for _, _, found in sections if found)
    return [
        f"# Message drafts: {_inline(run.segmentation)}",
        "",
        f"Run {run.id} of {ran} · analysis date {analysis} · {run.customers:,} of "
        f"{run.population:,} customers in {len(data.segments)} segments · "
        f"{drafted} of {len(sections)} segments shown have a draft.",
        "",
        "Subjects and bodies are templates: `{{ field }}` is filled in for each customer, and "
        '`default("…")` gives the words used when a customer has no value.',
    ]


def _figures(row: SegmentRow, currency: str) -> str:
    from segtui.core.profile_words import fmt_money, fmt_pct

    who = "customer" if row.customers == 1 else "customers"
    parts = [f"**{row.customers:,} {who}** ({fmt_pct(row.share)} of all)"]
    if row.revenue is not None:
        share = f" ({fmt_pct(row.revenue_share)} of revenue)" if row.revenue_share else ""
        parts.append(f"revenue {fmt_money(row.revenue, currency)}{share}")
    if row.value_index is not None:
        parts.append(f"value index {row.value_index:.2f}")
    return _escape_money(" · ".join(parts))


def _draft_lines(draft: Draft, index: int, count: int, currency: str) -> list[str]:
    heading = f"### Draft {index}: " if count > 1 else "### Draft: "
    offer = draft.offer.describe(currency)
    fields = [
        ("Goal", draft.goal),
        ("Channel", draft.channel),
        ("Offer", offer or "none"),
        ("Holdout", f"{draft.holdout_pct:g}% of the segment kept out of the send as a control"),
        ("Call to action", draft.cta),
        ("When to send", draft.send_note),
        ("Notes", draft.notes),
        ("Source", draft.source),
    ]
    lines = ["", f"{heading}{draft.goal}, by {draft.channel}", ""]
    lines += [f"- **{label}:** {_inline(value)}" for label, value in fields if value.strip()]
    label = "Headline" if draft.channel in ("ad", "social") else "Subject"
    for variant in draft.variants:
        block = []
        if variant.subject.strip():
            block += [f"{label}: {variant.subject}", ""]
        block.append(variant.body if variant.body.strip() else "(no body yet)")
        text = "\n".join(block)
        fence = "`" * max(3, _longest_backticks(text) + 1)  # a body quoting ``` stays inside
        lines += ["", f"#### Variant {_inline(variant.name)}", "", f"{fence}text", text, fence]
    return lines


def _inline(text: str) -> str:
    """Free text on one Markdown line, shown as typed (no accidental emphasis or links)."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def _escape_money(text: str) -> str:
    # Figures come from our own formatting: only a "$" could matter (maths in some renderers).
    return text.replace("$", "\\$")


def _longest_backticks(text: str) -> int:
    runs = re.findall(r"`+", text)
    return max((len(run) for run in runs), default=0)


# --- CSV -------------------------------------------------------------------------------------


def drafts_frame(
    data: RunData, drafts: Mapping[str, Sequence[Draft]], segments: Sequence[str] | None = None
) -> pl.DataFrame:
    """One row per draft variant (FRAME_COLUMNS), segments in run order; segments without a
    draft have no rows. The offer is its free text; the discount is a plain number with its
    kind (percent or amount) beside it."""
    import polars as pl

    rows = []
    for name, _in_run, found in ordered_drafts(data, drafts, segments):
        for position, draft in enumerate(found):
            offer = draft.offer
            for variant in draft.variants:
                rows.append(
                    (
                        name,
                        position,
                        draft.goal,
                        draft.channel,
                        offer.text,
                        offer.discount_kind,
                        offer.discount,
                        offer.code,
                        float(draft.holdout_pct),
                        draft.cta,
                        draft.send_note,
                        variant.name,
                        variant.subject,
                        variant.body,
                        draft.notes,
                        draft.source,
                    )
                )
    schema = {c: pl.String for c in FRAME_COLUMNS}
    schema.update({"position": pl.Int64, "discount": pl.Float64, "holdout_pct": pl.Float64})
    return pl.DataFrame(rows, schema=schema, orient="row")


# --- files -----------------------------------------------------------------------------------


def export_drafts(
    data: RunData,
    drafts: Mapping[str, Sequence[Draft]],
    out: Path | str,
    fmt: str,
    *,
    segments: Sequence[str] | None = None,
    force: bool = False,
) -> ExportResult:
    """Write the drafts as Markdown (``rows`` is its number of lines) or CSV (``rows`` is the
    number of variants), atomically; an existing file only with ``force``."""
    out = Path(out).expanduser()
    kind = fmt.strip().lower()
    if kind not in DRAFTS_FORMATS:
        raise ExportError(f"drafts format {fmt!r} is not known; use md or csv.")
    if kind == "md":
        data_format = SUFFIXES.get(out.suffix.lower())
        if data_format is not None:
            raise ExportError(
                f"{out.name} ends in {out.suffix} but the drafts are written as Markdown; "
                "name the file .md or ask for the CSV."
            )
        return export_text(drafts_markdown(data, drafts, segments), out, force=force)
    return export_table(drafts_frame(data, drafts, segments), out, "drafts", fmt="csv", force=force)
