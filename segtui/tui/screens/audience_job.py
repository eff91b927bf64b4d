"""What the audience dialog (audience_modal.py) asks and says, without widgets: the files it
offers, the holdout and seed as typed checked into numbers, the contact-columns line, the
default path, the export itself (run in the dialog's worker) and the line that reports it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from segtui.tui.formatting import display_path, listed

if TYPE_CHECKING:
    from segtui.core.audience import ContactColumns
    from segtui.core.audience_export import AudienceExport
    from segtui.core.export import ExportResult
    from segtui.core.project import Project
    from segtui.core.run_data import RunData
    from segtui.core.segment_model import Cancelled, Progress

KINDS: list[tuple[str, str]] = [
    ("ESP list (CSV)", "esp"),
    ("Meta customer match (hashed CSV)", "meta"),
    ("Google customer match (hashed CSV)", "google"),
    ("Drafts as Markdown", "drafts-md"),
    ("Drafts as CSV", "drafts-csv"),
]
AUDIENCES = ("esp", "meta", "google")
# The contact roles each file matches or addresses on, in the order shown.
ROLES_USED = {
    "esp": ("email", "first_name", "last_name", "opt_in"),
    "meta": ("email", "phone", "first_name", "last_name", "postcode", "city", "region",
             "country", "opt_in"),
    "google": ("email", "phone", "first_name", "last_name", "country", "postcode", "opt_in"),
}  # fmt: skip
ROLE_LABELS = {"first_name": "first name", "last_name": "last name", "opt_in": "opt-in"}
# What each file calls a customer it could not use (the success line says how many).
UNUSABLE = {
    "esp": "without a usable email",
    "meta": "with nothing to match on",
    "google": "with nothing to match on",
}


@dataclass(frozen=True)
class AudienceJob:
    """The choices of one export, read on the UI thread (the worker only writes)."""

    kind: str  # one of KINDS' values
    path: Path
    segments: list[str] | None  # None: every segment of the run
    fields: list[str]  # extra ESP columns
    holdout_pct: float
    seed: int

    @property
    def targets(self) -> list[Path]:
        """Every file the job writes (each is asked about before it is replaced)."""
        if self.kind not in AUDIENCES:
            return [self.path]
        from segtui.core.audience_export import audience_targets

        return audience_targets(self.kind, self.path, self.holdout_pct)


@dataclass(frozen=True)
class DraftsWritten:
    result: ExportResult
    drafts: int
    variants: int
    segments: int
    without: int  # run segments shown without a draft


def sentence(text: str) -> str:
    """A core message (which starts in lower case, to follow a file name) as a sentence."""
    return text[:1].upper() + text[1:]


def parse_holdout(text: str) -> float:
    """The holdout % typed ("10", "12.5", "10%"); ValueError with the sentence to show."""
    from segtui.core.audience import AudienceError, check_holdout

    typed = text.strip().removesuffix("%").strip()
    try:
        pct = float(typed)
    except ValueError:
        what = f"Holdout {typed!r} is not a number" if typed else "Holdout is empty"
        raise ValueError(f"{what}; give a percentage from 0 to 100.") from None
    try:
        check_holdout(pct)
    except AudienceError as exc:
        raise ValueError(sentence(str(exc))) from None
    return pct


def parse_seed(text: str) -> int:
    """The seed typed; ValueError with the sentence to show."""
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(
            f"Seed {text.strip()!r} is not a whole number; give one like 0 or 42."
        ) from None


def contacts_line(kind: str, contacts: ContactColumns) -> str:
    """Which member column gives each piece of contact data the file uses."""
    found = vars(contacts)
    shown = " · ".join(
        f"{ROLE_LABELS.get(role, role)}: {found.get(role) or 'none'}" for role in ROLES_USED[kind]
    )
    return f"Contact columns: {shown}"


def extra_columns(data: RunData, contacts: ContactColumns) -> list[str]:
    """The member columns an ESP list can add (not those it has anyway)."""
    from segtui.core.audience import ESP_COLUMNS

    written = {*ESP_COLUMNS, contacts.email, contacts.first_name, contacts.last_name}
    return [c for c in data.member_columns() if c not in written]


def default_path(segmentation: str, kind: str, segments: list[str] | None) -> str:
    """``customer-value-champions-esp.csv``, ``customer-value-drafts.md``."""
    from segtui.core.export import output_name

    if kind in AUDIENCES:
        return output_name(segmentation, segments, kind, "csv")
    return output_name(segmentation, segments, "drafts", kind.removeprefix("drafts-"))


def also_written(kind: str, path: str, holdout_pct: float | None) -> str:
    """The files an audience writes beside the list, as a line for under the path."""
    if kind not in AUDIENCES or not path.strip():
        return ""
    from segtui.core.audience_export import audience_targets

    others = [p.name for p in audience_targets(kind, path.strip(), holdout_pct)[1:]]
    return f"Also writes {listed(others)} beside it."


def run_job(
    project: Project | None,
    data: RunData,
    job: AudienceJob,
    contacts: ContactColumns | None,
    *,
    force: bool,
    progress: Progress,
    cancelled: Cancelled,
) -> AudienceExport | DraftsWritten:
    """Write the files (in the dialog's worker; the project's connection is per thread)."""
    if job.kind in AUDIENCES:
        from segtui.core.audience_export import export_audience

        return export_audience(
            data, job.kind, job.path, segments=job.segments, fields=job.fields,
            holdout_pct=job.holdout_pct, seed=job.seed, columns=contacts, force=force,
            progress=progress, cancelled=cancelled,
        )  # fmt: skip
    from segtui.core.drafts_export import export_drafts, ordered_drafts
    from segtui.core.messaging_store import drafts
    from segtui.core.segment_model import stop_if_cancelled

    assert project is not None
    found = drafts(project, data.run.segmentation)
    stop_if_cancelled(cancelled, f"export to {job.path.name} cancelled; no file was written.")
    fmt = job.kind.removeprefix("drafts-")
    result = export_drafts(data, found, job.path, fmt, segments=job.segments, force=force)
    sections = ordered_drafts(data, found, job.segments)
    return DraftsWritten(
        result=result,
        drafts=sum(len(own) for _, _, own in sections),
        variants=sum(len(d.variants) for _, _, own in sections for d in own),
        segments=len(sections),
        without=sum(1 for _, in_run, own in sections if in_run and not own),
    )


def success_message(result: AudienceExport | DraftsWritten) -> str:
    """What was written, with every count: one line, then any notes of the core."""
    if isinstance(result, DraftsWritten):
        count, segments = result.drafts, result.segments
        line = (
            f"Wrote {count:,} draft{'s' if count != 1 else ''} ({result.variants:,} variants) "
            f"of {segments:,} segment{'s' if segments != 1 else ''} to "
            f"{display_path(result.result.path)}"
        )
        return line + (f" ({result.without:,} without a draft yet)" if result.without else "")
    who = "customer" if result.sent == 1 else "customers"
    parts = []
    if result.holdout_path is not None:
        parts.append(f"held out {result.held_out:,} in {display_path(result.holdout_path)}")
    unusable = UNUSABLE.get(result.kind, "not usable")
    parts.append(f"{result.invalid:,} {unusable} in {display_path(result.invalid_path)}")
    if result.opt_in is not None:
        parts.append(f"{result.opted_out:,} opted out")
    line = f"Wrote {result.sent:,} {who} to {display_path(result.path)} ({'; '.join(parts)})"
    return "\n".join([line, *result.notes])
