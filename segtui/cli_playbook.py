"""`segtui playbook`: the project's own playbook (TOML archetypes tried before the shipped
ones) printed, stored from a file, or removed; the shipped playbook printed; and the merged
archetypes listed in the order a segment tries them. Same core as the Messaging screen's
playbook editor; Textual is never imported.

The text is printed exactly as stored, so `segtui playbook P > mine.toml`, an edit and
`segtui playbook P --set mine.toml` round-trip; notices (no playbook yet) go to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from segtui.core.errors import SegtuiError

if TYPE_CHECKING:
    from segtui.core.playbook_model import Playbook
    from segtui.core.project import Project


class PlaybookUsageError(SegtuiError):
    """A `playbook` command line that cannot be carried out as written."""


def add_parser(sub: Any) -> None:
    playbook = sub.add_parser(
        "playbook",
        help="show, set or clear the project's own playbook; print the shipped one; list the "
        "archetypes drafts are suggested from",
        description="Without an option, prints the project's own playbook (TOML archetypes "
        "tried before the shipped ones; the same id replaces a shipped archetype). --set FILE "
        "checks a TOML file and stores it in the project (a bad file is refused whole, with "
        "the place of the mistake); --clear removes it; --shipped prints the playbook segtui "
        "ships, every key explained at its top; --list lists the archetypes in the order a "
        "segment tries them and where each comes from.",
    )
    playbook.add_argument("project", nargs="?", help="project file (not needed with --shipped)")
    what = playbook.add_mutually_exclusive_group()
    what.add_argument("--set", metavar="FILE", help="check a TOML file and store it")
    what.add_argument("--clear", action="store_true", help="remove the project's own playbook")
    what.add_argument("--shipped", action="store_true", help="print the shipped playbook")
    what.add_argument(
        "--list", action="store_true", help="the archetypes in priority order, and where from"
    )
    playbook.add_argument("--json", action="store_true", help="with --list: print it as JSON")


def cmd_playbook(args: argparse.Namespace) -> int:
    if args.json and not args.list:
        raise PlaybookUsageError("--json applies to --list only; add --list or leave --json out.")
    if args.shipped:
        from segtui.core.playbook import shipped_text

        _write(shipped_text())
        return 0
    if args.project is None:
        raise PlaybookUsageError(
            "name the project file (segtui playbook PROJECT), or ask for --shipped."
        )
    from segtui.core.project import Project

    with Project.open(args.project, create=False) as project:
        if args.set is not None:
            return _set(project, Path(args.set))
        if args.clear:
            return _clear(project)
        if args.list:
            return _list(project, args.json)
        return _show(project)


def _write(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _show(project: Project) -> int:
    from segtui.core.playbook import playbook_text

    text = playbook_text(project)
    if text.strip():
        _write(text)
    else:
        print(
            f"{project.path.name} has no playbook of its own: drafts come from the shipped one. "
            f"To add archetypes, write them in a TOML file (segtui playbook --shipped shows "
            f"the keys) and store it with: segtui playbook {project.path.name} --set FILE",
            file=sys.stderr,
        )
    return 0


def _read(path: Path) -> str:
    """The file's text, refused in one line when it cannot be used."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlaybookUsageError(f"{path}: no such file; give the TOML file to store.") from None
    except UnicodeDecodeError:
        raise PlaybookUsageError(
            f"{path}: not UTF-8 text; save it as UTF-8 and try again."
        ) from None
    except OSError as exc:
        raise PlaybookUsageError(f"{path}: cannot be read ({exc.strerror}).") from None
    if not text.strip():
        raise PlaybookUsageError(
            f"{path} is empty; write archetypes in it, or use --clear to remove the "
            "project's playbook."
        )
    return text


def _set(project: Project, path: Path) -> int:
    from segtui.core.playbook import set_project_playbook, shipped_playbook
    from segtui.core.playbook_model import PlaybookError

    text = _read(path)
    try:
        playbook = set_project_playbook(project, text)
    except PlaybookError as exc:
        # The core names the place in the text; the file is what the user has in hand.
        raise PlaybookError(f"{path.name}: {exc}") from None
    shipped = {a.id for a in shipped_playbook().archetypes}
    own = [a for a in playbook.archetypes if a.origin == "project"]
    described = ", ".join(
        a.id + (" (replaces the shipped one)" if a.id in shipped else "") for a in own
    )
    print(
        f"Stored the playbook from {path.name} in {project.path.name}: "
        f"{_count(len(own), 'archetype')} of its own{': ' + described if own else ''}; "
        f"{_count(len(playbook.archetypes), 'archetype')} in all."
    )
    return 0


def _clear(project: Project) -> int:
    from segtui.core.playbook import playbook_text, set_project_playbook

    if not playbook_text(project).strip():
        print(f"{project.path.name} has no playbook of its own; nothing to remove.")
        return 0
    playbook = set_project_playbook(project, "")
    print(
        f"Removed {project.path.name}'s own playbook; drafts come from the shipped one "
        f"({_count(len(playbook.archetypes), 'archetype')})."
    )
    return 0


def _rows(playbook: Playbook) -> list[dict[str, Any]]:
    from segtui.core.playbook import shipped_playbook

    shipped = {a.id for a in shipped_playbook().archetypes}
    return [
        {
            "position": position,
            "id": a.id,
            "title": a.title,
            "goal": a.goal,
            "channels": list(a.channels),
            "origin": a.origin,
            "replaces_shipped": a.origin == "project" and a.id in shipped,
            "fallback": not a.match,
        }
        for position, a in enumerate(playbook.archetypes, start=1)
    ]


def _list(project: Project, as_json: bool) -> int:
    from segtui.core.playbook import load_playbook

    rows = _rows(load_playbook(project))
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    own = sum(1 for r in rows if r["origin"] == "project")
    print(
        f"{project.path.name}: {_count(len(rows), 'archetype')}, tried top to bottom "
        f"({own} from the project's own playbook)"
    )
    print()
    wheres = [
        r["origin"]
        + (", replaces shipped" if r["replaces_shipped"] else "")
        + (", fallback" if r["fallback"] else "")
        for r in rows
    ]
    widths = [max(len(str(r[key])) for r in rows) for key in ("id", "title", "goal")]
    where_width = max(len(w) for w in wheres)
    for r, where in zip(rows, wheres, strict=True):
        cells = [
            f"{r[key]:<{width}}" for key, width in zip(("id", "title", "goal"), widths, strict=True)
        ]
        print(
            f"  {r['position']:>2}. {'  '.join(cells)}  {where:<{where_width}}  "
            + ", ".join(r["channels"])
        )
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
