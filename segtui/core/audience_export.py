"""Audience files written to disk: the list to upload at the path given, the holdout beside it
as ``<stem>-holdout.csv`` and the customers who could not be used as ``<stem>-invalid.csv``.

All CSV in UTF-8 (what ESPs, Meta and Google take), readable by the owner only (they hold
personal data), written through export.py's hidden temporary files: nothing is renamed into
place until every file is complete, and no file is replaced without ``force``. The ESP list
always comes with its holdout file (empty when the holdout is 0 %); an ad file only when some
customers are held out.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from segtui.core.audience import (
    AUDIENCE_KINDS,
    DEFAULT_HOLDOUT,
    AudienceError,
    AudienceList,
    ContactColumns,
    check_holdout,
    esp_list,
)
from segtui.core.export import _atomic, _check_target, _write_csv
from segtui.core.segment_model import Cancelled, Progress, stop_if_cancelled

if TYPE_CHECKING:
    from segtui.core.run_data import RunData


@dataclass(frozen=True)
class AudienceExport:
    """What export_audience wrote, with the counts to show."""

    kind: str
    path: Path
    holdout_path: Path | None
    invalid_path: Path
    sent: int
    held_out: int
    invalid: int
    opted_out: int
    columns: list[str]
    holdout_pct: float
    seed: int
    opt_in: str | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "path": str(self.path),
            "holdout_path": str(self.holdout_path) if self.holdout_path else None,
            "invalid_path": str(self.invalid_path),
            "sent": self.sent,
            "held_out": self.held_out,
            "invalid": self.invalid,
            "opted_out": self.opted_out,
            "opt_in_column": self.opt_in,
            "columns": self.columns,
            "holdout_pct": self.holdout_pct,
            "seed": self.seed,
            "notes": self.notes,
            "seconds": round(self.seconds, 3),
        }


def audience_paths(out: Path | str) -> tuple[Path, Path, Path]:
    """(the list, its holdout, its invalid customers): ``x.csv``, ``x-holdout.csv``,
    ``x-invalid.csv``."""
    out = Path(out).expanduser()
    return out, out.with_name(f"{out.stem}-holdout.csv"), out.with_name(f"{out.stem}-invalid.csv")


def audience_targets(kind: str, out: Path | str, holdout_pct: float | None = None) -> list[Path]:
    """The files export_audience writes for ``out``: the list, its holdout (always for esp; for
    an ad file only when some customers are held out) and its invalid customers."""
    path, holdout_path, invalid_path = audience_paths(out)
    pct = DEFAULT_HOLDOUT.get(kind, 0.0) if holdout_pct is None else holdout_pct
    with_holdout = kind == "esp" or pct > 0
    return [path, *([holdout_path] if with_holdout else []), invalid_path]


def build_audience(
    data: RunData,
    kind: str,
    *,
    segments: Sequence[str] | None = None,
    fields: Sequence[str] = (),
    holdout_pct: float | None = None,
    seed: int = 0,
    columns: ContactColumns | None = None,
    default_country: str | None = None,
) -> AudienceList:
    """The audience of one kind (esp, meta, google); ``fields`` apply to the ESP list only."""
    from segtui.core.audience_ads import google_file, meta_file

    if kind not in AUDIENCE_KINDS:
        raise AudienceError(f"audience {kind!r} is not known; use esp, meta or google.")
    pct = DEFAULT_HOLDOUT[kind] if holdout_pct is None else holdout_pct
    if kind == "esp":
        return esp_list(data, segments, fields, pct, seed, columns=columns)
    if fields:
        raise AudienceError(
            f"the {kind} file has the platform's own columns only; leave out the chosen "
            f"columns ({', '.join(fields)})."
        )
    make = meta_file if kind == "meta" else google_file
    return make(
        data, segments, holdout_pct=pct, seed=seed, columns=columns,
        default_country=default_country,
    )  # fmt: skip


def export_audience(
    data: RunData,
    kind: str,
    out: Path | str,
    *,
    segments: Sequence[str] | None = None,
    fields: Sequence[str] = (),
    holdout_pct: float | None = None,
    seed: int = 0,
    columns: ContactColumns | None = None,
    default_country: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> AudienceExport:
    """Build the audience (see build_audience; the holdout defaults to 10 % for esp and 0 for
    the ad files) and write its files. ``cancelled`` is checked between steps (RunCancelled,
    and no file is left)."""
    started = time.perf_counter()
    path, holdout_path, invalid_path = audience_paths(out)
    if path.suffix.lower() != ".csv":
        raise AudienceError(f"{path.name}: audience files are CSV; name the file .csv.")
    if kind not in AUDIENCE_KINDS:
        raise AudienceError(f"audience {kind!r} is not known; use esp, meta or google.")
    pct = DEFAULT_HOLDOUT[kind] if holdout_pct is None else holdout_pct
    check_holdout(pct)
    targets = audience_targets(kind, out, pct)
    with_holdout = holdout_path in targets
    for target in targets:
        _check_target(target, force)
    stopped = f"export to {path.name} cancelled; no file was written."

    def step(done: float, label: str) -> None:
        stop_if_cancelled(cancelled, stopped)
        if progress is not None:
            progress(done, label)

    step(0.0, "Preparing the audience")
    audience = build_audience(
        data, kind, segments=segments, fields=fields, holdout_pct=pct, seed=seed,
        columns=columns, default_country=default_country,
    )  # fmt: skip
    step(0.6, f"Writing {path.name}")
    frames = [audience.send, *([audience.holdout] if with_holdout else []), audience.invalid]
    with ExitStack() as stack:
        # Every file is written to its temporary name first; the renames happen as the stack
        # closes, so a failure or a cancel part-way leaves none of them behind.
        for target, frame in zip(targets, frames, strict=True):
            part = stack.enter_context(_atomic(target, private=True))
            _write_csv(frame, part, lambda _done: None)
        step(1.0, "Done")
    counts = audience.counts
    return AudienceExport(
        kind=kind,
        path=path,
        holdout_path=holdout_path if with_holdout else None,
        invalid_path=invalid_path,
        sent=counts["sent"],
        held_out=counts["held_out"],
        invalid=counts["invalid"],
        opted_out=counts["opted_out"],
        columns=audience.send.columns,
        holdout_pct=pct,
        seed=seed,
        opt_in=audience.opt_in,
        notes=audience.notes,
        seconds=time.perf_counter() - started,
    )
