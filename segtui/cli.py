"""The `segtui` command: parses arguments and calls the core; nothing else lives here.

`segtui [PROJECT]` opens the terminal UI; every other subcommand works without Textual (it is
never imported on those paths, so they run on a server with no terminal UI and start fast).
Errors meant for people print one line on stderr and exit 2; anything else is logged.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from segtui import __version__, cli_drafts, cli_export, cli_playbook, cli_segment
from segtui.core.errors import SegtuiError

COMMANDS = (
    "demo",
    "import",
    "info",
    "rejects",
    "settings",
    "segment",
    "segments",
    "export",
    "drafts",
    "playbook",
)
DEFAULT_DEMO = "segtui-demo.db"
SEPARATORS = {
    ",": ",",
    "comma": ",",
    "\\t": "\t",
    "\t": "\t",
    "tab": "\t",
    ";": ";",
    "semicolon": ";",
    "|": "|",
    "pipe": "|",
    "whitespace": "whitespace",
    "space": "whitespace",
    "spaces": "whitespace",
}


class UsageError(SegtuiError):
    """A command line that cannot be carried out as written."""


def _pairs(values: list[str] | None, flag: str, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values or []:
        key, sep, val = value.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{flag} {value!r}: write it as {what}.")
        out[key.strip()] = val.strip()
    return out


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="segtui",
        description="Customer segmentation in the terminal; one SQLite file per engagement.",
        epilog="Commands: " + ", ".join(COMMANDS) + " (segtui COMMAND --help for each).",
    )
    parser.add_argument("--version", action="version", version=f"segtui {__version__}")
    parser.add_argument("project", nargs="?", help="project file to open (created if new)")
    return parser


def _command_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="segtui")
    parser.add_argument("--version", action="version", version=f"segtui {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="build the demo project from sample_data/ and open it")
    demo.add_argument("project", nargs="?", default=DEFAULT_DEMO, help=f"default {DEFAULT_DEMO}")
    demo.add_argument("--no-open", action="store_true", help="build it but do not open the UI")
    demo.add_argument("--rebuild", action="store_true", help="re-import the demo files")

    imp = sub.add_parser("import", help="import a customers or transactions file")
    imp.add_argument("project", help="project file (created if new)")
    imp.add_argument("file", help="CSV/TSV/TXT (also .gz), XLSX, Parquet, JSON or NDJSON")
    imp.add_argument("--kind", choices=["customers", "transactions"])
    imp.add_argument("--name", help="dataset name (default: from the file name)")
    imp.add_argument("--replace", action="store_true", help="replace a dataset of that name")
    imp.add_argument("--sheet", help="the .xlsx sheet to read (default: first non-empty)")
    imp.add_argument("--sep", help="delimiter: comma, tab, semicolon, pipe, whitespace or a char")
    imp.add_argument("--encoding", help="utf-8, utf-8-sig, cp1252, latin-1 ...")
    imp.add_argument("--no-header", action="store_true", help="the first row is data")
    imp.add_argument("--quote", help='quote character (default ")')
    imp.add_argument("--decimal-comma", action="store_true", help="numbers are written 1.234,56")
    imp.add_argument(
        "--date-format",
        action="append",
        metavar="[COLUMN=]FMT",
        help="strftime format (e.g. %%d/%%m/%%Y, or 'excel' for serials) for all date "
        "columns or COLUMN=FMT for one",
    )
    imp.add_argument(
        "--role", action="append", metavar="ROLE=COLUMN", help="e.g. customer_id=cust_no"
    )
    imp.add_argument(
        "--type",
        action="append",
        metavar="COLUMN=TYPE",
        help="integer, decimal, boolean, date, datetime or text",
    )
    imp.add_argument("--json", action="store_true", help="print the report as JSON")

    info = sub.add_parser("info", help="the project's settings and datasets")
    info.add_argument("project")
    info.add_argument("--json", action="store_true")

    rejects = sub.add_parser("rejects", help="rows of a dataset that were not imported, and why")
    rejects.add_argument("project")
    rejects.add_argument("dataset")
    rejects.add_argument("--limit", type=int, default=50, help="at most this many (0 = all)")

    settings = sub.add_parser("settings", help="show or change the project's settings")
    settings.add_argument("project")
    settings.add_argument("--name")
    settings.add_argument("--currency")
    settings.add_argument("--analysis-date", help="YYYY-MM-DD, or 'auto'")
    cli_segment.add_parsers(sub)
    cli_export.add_parser(sub)
    cli_drafts.add_parser(sub)
    cli_playbook.add_parser(sub)
    return parser


def _read_options(args: argparse.Namespace) -> Any:
    from segtui.core.model import COLUMN_TYPES, ReadOptions

    options = ReadOptions(kind=args.kind, sheet=args.sheet, encoding=args.encoding)
    if args.sep:
        # A name from SEPARATORS, or any single character as it is.
        sep = SEPARATORS.get(args.sep.lower(), args.sep if len(args.sep) == 1 else None)
        if sep is None:
            raise UsageError(f"--sep {args.sep!r}: use comma, tab, semicolon, pipe, whitespace.")
        options.sep = sep
    if args.no_header:
        options.has_header = False
    if args.quote:
        options.quote_char = args.quote
    if args.decimal_comma:
        options.decimal_comma = True
    options.roles = _pairs(args.role, "--role", "ROLE=COLUMN")  # type: ignore[assignment]
    types = _pairs(args.type, "--type", "COLUMN=TYPE")
    for column, type_ in types.items():
        if type_ not in COLUMN_TYPES:
            raise UsageError(f"--type {column}={type_}: use one of {', '.join(COLUMN_TYPES)}.")
    options.types = types  # type: ignore[assignment]
    return options


def _apply_date_formats(args: argparse.Namespace, options: Any) -> None:
    """--date-format FMT applies to every date column the plan found; COLUMN=FMT to one."""
    from segtui.core.ingest import plan_import

    for value in args.date_format or []:
        column, sep, fmt = value.partition("=")
        if sep and "%" not in column:
            options.date_formats[column.strip()] = fmt.strip()
            options.types.setdefault(column.strip(), "date")
            continue
        plan = plan_import(args.file, options)
        targets = [c.name for c in plan.columns if c.type in ("date", "datetime")]
        if not targets:
            raise UsageError(
                f"--date-format {value!r}: no date column was found in {Path(args.file).name}; "
                "name the column: --date-format COLUMN=FMT."
            )
        for name in targets:
            options.date_formats[name] = value


def _cmd_import(args: argparse.Namespace) -> int:
    from segtui.core.import_report import report_lines
    from segtui.core.ingest import import_file
    from segtui.core.project import Project

    options = _read_options(args)
    _apply_date_formats(args, options)
    with Project.open(args.project) as project:
        _, report = import_file(project, args.file, options, name=args.name, replace=args.replace)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print("\n".join(report_lines(report)))
    return 0


def _info(project: Any) -> dict[str, Any]:
    settings = project.settings()
    return {
        "project": str(project.path),
        "name": settings.name,
        "currency": settings.currency,
        "analysis_date": settings.analysis_date.isoformat() if settings.analysis_date else None,
        "analysis_date_auto": settings.analysis_date_is_auto,
        "created_at": settings.created_at,
        "updated_at": settings.updated_at,
        "datasets": [d.to_json() for d in project.datasets()],
    }


def _print_info(info: dict[str, Any]) -> None:
    auto = " (automatic: day after the last order)" if info["analysis_date_auto"] else ""
    print(f"{info['name']}  —  {info['project']}")
    print(f"  currency       {info['currency']}")
    print(f"  analysis date  {info['analysis_date'] or 'not set (no orders yet)'}{auto}")
    if not info["datasets"]:
        print("  no datasets yet: segtui import PROJECT FILE")
        return
    print()
    header = f"  {'dataset':<16} {'kind':<13} {'rows':>10} {'rejected':>9} {'customers':>10}  dates"
    print(header)
    for d in info["datasets"]:
        dates = f"{d['date_min']} to {d['date_max']}" if d["date_min"] else ""
        customers = f"{d['customers']:,}" if d["customers"] is not None else "-"
        print(
            f"  {d['name']:<16} {d['kind']:<13} {d['rows']:>10,} {d['rejected']:>9,} "
            f"{customers:>10}  {dates}"
        )
        for c in d["columns"]:
            role = f"  ({c['role']})" if c["role"] else ""
            print(f"      {c['name']:<24} {c['type']:<9}{role}")


def _cmd_info(args: argparse.Namespace) -> int:
    from segtui.core.project import Project

    with Project.open(args.project, create=False) as project:
        info = _info(project)
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        _print_info(info)
    return 0


def _cmd_rejects(args: argparse.Namespace) -> int:
    from segtui.core.project import Project

    with Project.open(args.project, create=False) as project:
        rejects = project.read_rejects(args.dataset)
    if rejects.height == 0:
        print(f"{args.dataset}: no rejected rows.")
        return 0
    shown = rejects if args.limit == 0 else rejects.head(args.limit)
    for line, _column, reason, raw in shown.iter_rows():
        print(f"line {line}: {reason}    [{raw}]")
    if shown.height < rejects.height:
        print(f"… {rejects.height - shown.height:,} more (--limit 0 for all)")
    return 0


def _cmd_settings(args: argparse.Namespace) -> int:
    from segtui.core.project import Project

    with Project.open(args.project, create=False) as project:
        changes: dict[str, Any] = {"name": args.name, "currency": args.currency}
        if args.analysis_date is not None:
            auto = args.analysis_date.lower() == "auto"
            changes["analysis_date"] = None if auto else args.analysis_date
        project.update_settings(**changes)
        info = _info(project)
    _print_info(info)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from segtui.core.demo import build_demo, demo_is_ready

    if args.no_open or args.rebuild:
        path = build_demo(args.project, rebuild=args.rebuild)
        if args.no_open:
            print(f"demo project ready: {path}")
            return 0
    if demo_is_ready(args.project):
        return _open_ui(str(args.project))
    # A new demo: open the app at once; it builds the demo in a worker, with its progress shown.
    from segtui.tui.app import build_app

    build_app(None, demo_path=args.project).run()
    return 0


def _open_ui(project: str | None) -> int:
    if project is not None:
        # Fail on the command line, before the UI starts, when the file is not a project.
        from segtui.core.project import Project

        Project.open(project).close()
    from segtui.tui.app import build_app

    build_app(project).run()
    return 0


HANDLERS = {
    "demo": _cmd_demo,
    "import": _cmd_import,
    "info": _cmd_info,
    "rejects": _cmd_rejects,
    "settings": _cmd_settings,
    "segment": cli_segment.cmd_segment,
    "segments": cli_segment.cmd_segments,
    "export": cli_export.cmd_export,
    "drafts": cli_drafts.cmd_drafts,
    "playbook": cli_playbook.cmd_playbook,
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in COMMANDS:
            args = _command_parser().parse_args(argv)
            return HANDLERS[args.command](args)
        args = _parser().parse_args(argv)
        return _open_ui(args.project)
    except SegtuiError as exc:
        print(f"segtui: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("segtui: interrupted; nothing was changed.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`segtui info P | head`): not an error. Point stdout at devnull
        # so the interpreter's final flush does not complain either.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: the traceback goes to the log, one line to the user
        from segtui.logs import log_exception

        where = log_exception(exc, "segtui " + " ".join(argv))
        details = f"details in {where}" if where else "the log file could not be written"
        print(f"segtui: unexpected error ({exc}); {details}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
