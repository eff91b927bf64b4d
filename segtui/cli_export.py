"""`segtui export`: the members of a segmentation's latest run (some segments or all, chosen
columns) or its segment summary table, written to a CSV, XLSX or Parquet file. Same core as the
export dialog; Textual is never imported."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from segtui.core.errors import SegtuiError


class ExportUsageError(SegtuiError):
    """An `export` command line that cannot be carried out as written."""


def add_parser(sub: Any) -> None:
    exp = sub.add_parser(
        "export",
        help="write a segmentation's members (latest run) or its summary table to a file",
        description="Writes the members of the latest run of a segmentation (every segment, or "
        "those given) with the columns chosen, or with --summary the segment summary table. "
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
        choices=["csv", "xlsx", "parquet"],
        help="default: from the --out suffix (.csv, .xlsx, .parquet)",
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
