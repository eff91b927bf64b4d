"""The import report and a file's reading settings in words, for the CLI and the UI."""

from __future__ import annotations

from pathlib import Path

from segtui.core.model import SEPARATOR_NAMES, ImportPlan, ImportReport


def describe_source(plan: ImportPlan) -> str:
    s = plan.source
    parts = [s.format.upper()]
    if s.compression:
        parts.append(s.compression)
    if s.format == "csv":
        parts.append(SEPARATOR_NAMES.get(s.sep or ",", repr(s.sep)) + "-separated")
        parts.append(s.encoding or "utf-8")
        parts.append("header" if s.has_header else "no header")
        if s.line_ending and s.line_ending != "LF":
            parts.append(f"{s.line_ending} line endings")
    if s.sheet:
        parts.append(f"sheet {s.sheet!r}")
    return ", ".join(parts)


def report_lines(report: ImportReport) -> list[str]:
    """The import report as plain lines, for the CLI and the UI."""
    lines = [
        f"Imported {Path(report.source_path).name} as dataset {report.dataset!r} "
        f"({report.kind}) in {report.seconds:.1f} s",
        f"  rows read        {report.rows_read:>12,}",
        f"  rows imported    {report.rows_imported:>12,}",
        f"  rows rejected    {report.rows_rejected:>12,}",
    ]
    if report.distinct_customers is not None:
        lines.append(f"  customers        {report.distinct_customers:>12,}")
    lines.append(f"  duplicates       {report.duplicates:>12,}")
    lines.append(f"  missing ids      {report.missing_customer_ids:>12,}")
    if report.kind == "transactions":
        lines.append(f"  negative amounts {report.negative_amounts:>12,}  (returns: kept, flagged)")
    if report.date_min:
        lines.append(
            f"  date range       {report.date_min} to {report.date_max} ({report.date_column})"
        )
    if report.derived_amount:
        lines.append("  amount           derived as quantity × unit price")
    for reject in report.reject_samples:
        lines.append(f"  rejected line {reject.line}: {reject.reason}")
    if report.rows_rejected > len(report.reject_samples):
        more = report.rows_rejected - len(report.reject_samples)
        lines.append(f"  … and {more:,} more rejected rows (segtui_rejects table)")
    lines.extend(f"  warning: {w}" for w in report.warnings)
    return lines
