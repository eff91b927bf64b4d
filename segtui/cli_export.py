"""`segtui export`: the members of a segmentation's latest run (some segments or all, chosen
columns) or its segment summary table, written to a CSV, XLSX or Parquet file; or an audience:
the ESP list (with its holdout and the customers who cannot be emailed in files beside it) or
the Meta / Google customer-match file; or the segmentation's message drafts as a Markdown
document or a CSV of their variants. Same core as the export dialog; Textual is never
imported."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from segtui.core.errors import SegtuiError


class ExportUsageError(SegtuiError):
    """An `export` command line that cannot be carried out as written."""


AUDIENCE_FORMATS = ("esp", "meta", "google")
DRAFT_FORMATS = {"drafts-md": "md", "drafts-csv": "csv"}


def add_parser(sub: Any) -> None:
    exp = sub.add_parser(
        "export",
        help="write a segmentation's members (latest run), its summary table or an audience "
        "file (ESP list, Meta or Google customer match) to a file",
        description="Writes the members of the latest run of a segmentation (every segment, or "
        "those given) with the columns chosen, or with --summary the segment summary table. "
        "--format esp writes the ESP list (email, first_name, last_name, segment, customer_id "
        "and the --columns chosen) without those held out (OUT-holdout.csv) and those without "
        "a usable email (OUT-invalid.csv); meta and google write the platforms' customer-match "
        "files, normalised and SHA-256 hashed. Customers without marketing consent are left "
        "out when the data has an opt-in column. --format drafts-md writes the drafts as a "
        "Markdown document for a client (each segment's size, profile and drafts with their "
        "variants), drafts-csv one row per draft variant. "
        "An existing file is only replaced with --force; a failed export leaves no file.",
    )
    exp.add_argument("project", help="project file")
    exp.add_argument("segmentation", help="the segmentation's name")
    exp.add_argument(
        "--segment",
        action="append",
        metavar="NAME",
        help="a segment to export (repeat for several; default: all)",
    )
    exp.add_argument(
        "--format",
        choices=["csv", "xlsx", "parquet", "esp", "meta", "google", *DRAFT_FORMATS],
        help="default: from the --out suffix (.csv, .xlsx, .parquet); esp, meta and google "
        "write audience files (CSV); drafts-md and drafts-csv the message drafts",
    )
    exp.add_argument(
        "--holdout",
        type=float,
        metavar="PCT",
        help="audience formats: the %% of each segment held out as a control group, drawn "
        "by customer id (default: 10 for esp, 0 for meta and google)",
    )
    exp.add_argument(
        "--seed",
        type=int,
        default=None,
        metavar="N",
        help="audience formats: the seed of the holdout draw (default: 0); the same seed "
        "holds out the same customers",
    )
    exp.add_argument(
        "--columns",
        help="comma-separated member columns, in order (customer_id and segment always come "
        "first; default: all)",
    )
    exp.add_argument("--out", required=True, metavar="PATH", help="the file to write")
    exp.add_argument("--force", action="store_true", help="replace the file if it exists")
    exp.add_argument(
        "--summary", action="store_true", help="write the segment summary table (CSV or XLSX)"
    )
    exp.add_argument("--json", action="store_true", help="print what was written as JSON")


def _columns(text: str) -> list[str]:
    names = [c.strip() for c in text.split(",") if c.strip()]
    if not names:
        raise ExportUsageError(f"--columns {text!r}: name the columns, e.g. --columns age,country.")
    return names


def cmd_export(args: argparse.Namespace) -> int:
    from segtui.core.export import (
        export_members,
        export_summary,
        format_for,
        resolve_columns,
        resolve_segments,
    )
    from segtui.core.project import Project
    from segtui.core.run_data import latest_run

    if args.format in AUDIENCE_FORMATS:
        return _cmd_audience(args)
    if args.format in DRAFT_FORMATS:
        return _cmd_drafts(args)
    given = [f for f, v in (("--holdout", args.holdout), ("--seed", args.seed)) if v is not None]
    if given:
        raise ExportUsageError(
            f"{', '.join(given)} only {'applies' if len(given) == 1 else 'apply'} to "
            "--format esp, meta or google; leave "
            f"{'it' if len(given) == 1 else 'them'} out or choose one of those formats."
        )
    if args.summary:
        given = [f for f, v in (("--segment", args.segment), ("--columns", args.columns)) if v]
        if given:
            raise ExportUsageError(
                f"{', '.join(given)} {'does' if len(given) == 1 else 'do'} not apply to "
                "--summary (the table has every segment); leave "
                f"{'it' if len(given) == 1 else 'them'} out."
            )
    out = Path(args.out)
    fmt = format_for(out, args.format)  # a bad name or format fails before the run is loaded
    with Project.open(args.project, create=False) as project:
        data = latest_run(project, args.segmentation)
    segments = resolve_segments(data, args.segment) if args.segment else None
    if args.summary:
        from segtui.core.profile import summarise

        result = export_summary(summarise(data), out, fmt=fmt, force=args.force)
    else:
        columns = resolve_columns(data, _columns(args.columns)) if args.columns else None
        result = export_members(
            data, out, segments=segments, columns=columns, fmt=fmt, force=args.force
        )
    if args.json:
        report = {
            "path": str(result.path),
            "format": fmt,
            "what": "summary" if args.summary else "members",
            "segmentation": data.run.segmentation,
            "run": data.run.id,
            "segments": segments,
            "rows": result.rows,
            "columns": result.columns,
            "seconds": round(result.seconds, 3),
        }
        print(json.dumps(report, indent=2))
    else:
        print(f"Wrote {result.rows:,} rows × {len(result.columns):,} columns to {result.path}")
    return 0


def _cmd_audience(args: argparse.Namespace) -> int:
    """--format esp|meta|google: the audience files and their counts."""
    from segtui.core.audience import contact_columns, stored_roles
    from segtui.core.audience_export import export_audience
    from segtui.core.export import resolve_columns, resolve_segments
    from segtui.core.project import Project
    from segtui.core.run_data import latest_run

    if args.summary:
        raise ExportUsageError(
            f"--summary does not apply to --format {args.format} (an audience lists customers); "
            "leave one of them out."
        )
    if args.columns and args.format != "esp":
        raise ExportUsageError(
            f"--columns does not apply to --format {args.format} (the platform's file has its "
            "own columns only); leave it out."
        )
    if args.holdout is not None and not 0 <= args.holdout <= 100:
        raise ExportUsageError(f"--holdout {args.holdout:g} is not a percentage from 0 to 100.")
    with Project.open(args.project, create=False) as project:
        data = latest_run(project, args.segmentation)
        roles = stored_roles(project, data)
    segments = resolve_segments(data, args.segment) if args.segment else None
    fields = resolve_columns(data, _columns(args.columns)) if args.columns else []
    result = export_audience(
        data,
        args.format,
        args.out,
        segments=segments,
        fields=fields,
        holdout_pct=args.holdout,
        seed=args.seed or 0,
        columns=contact_columns(data, roles),
        force=args.force,
    )
    if args.json:
        report = {
            "format": args.format,
            "segmentation": data.run.segmentation,
            "run": data.run.id,
            "segments": segments,
            **result.to_json(),
        }
        del report["kind"]
        print(json.dumps(report, indent=2))
        return 0
    who = "customer" if result.sent == 1 else "customers"
    print(f"Wrote {result.sent:,} {who} to {result.path}")
    if result.holdout_path is not None:
        print(
            f"  held out:  {result.held_out:,} ({result.holdout_pct:g}%, seed {result.seed}) "
            f"in {result.holdout_path}"
        )
    print(f"  invalid:   {result.invalid:,} in {result.invalid_path}")
    if result.opt_in is None:
        print("  opted out: 0 (the data has no opt-in column)")
    else:
        print(f"  opted out: {result.opted_out:,} (no yes in {result.opt_in}; in no file)")
    for note in result.notes:
        print(f"  note: {note}")
    return 0


def _cmd_drafts(args: argparse.Namespace) -> int:
    """--format drafts-md|drafts-csv: the segmentation's message drafts (of the segments
    given, or all)."""
    from segtui.core.drafts_export import export_drafts, ordered_drafts
    from segtui.core.export import resolve_segments
    from segtui.core.messaging_store import drafts
    from segtui.core.project import Project
    from segtui.core.run_data import latest_run

    flags = (
        ("--summary", args.summary),
        ("--columns", args.columns),
        ("--holdout", args.holdout is not None),
        ("--seed", args.seed is not None),
    )
    given = [flag for flag, value in flags if value]
    if given:
        raise ExportUsageError(
            f"{', '.join(given)} {'does' if len(given) == 1 else 'do'} not apply to --format "
            f"{args.format} (it writes the drafts); leave {'it' if len(given) == 1 else 'them'} "
            "out."
        )
    with Project.open(args.project, create=False) as project:
        data = latest_run(project, args.segmentation)
        found = drafts(project, data.run.segmentation)
    segments = resolve_segments(data, args.segment) if args.segment else None
    fmt = DRAFT_FORMATS[args.format]
    result = export_drafts(data, found, args.out, fmt, segments=segments, force=args.force)
    sections = ordered_drafts(data, found, segments)
    count = sum(len(own) for _, _, own in sections)
    variants = sum(len(d.variants) for _, _, own in sections for d in own)
    if args.json:
        report = {
            "path": str(result.path),
            "format": args.format,
            "segmentation": data.run.segmentation,
            "run": data.run.id,
            "segments": segments,
            "drafts": count,
            "variants": variants,
            "rows": result.rows,
            "seconds": round(result.seconds, 3),
        }
        print(json.dumps(report, indent=2))
        return 0
    missing = sum(1 for _, in_run, own in sections if in_run and not own)
    print(
        f"Wrote {count:,} draft{'s' if count != 1 else ''} ({variants:,} variants) of "
        f"{len(sections)} segments to {result.path}"
    )
    if missing:
        print(
            f"  {missing} segment{'s have' if missing != 1 else ' has'} no draft yet "
            f"(`segtui drafts PROJECT SEGMENTATION --suggest` fills them)"
        )
    return 0
