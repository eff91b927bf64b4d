"""`segtui drafts`: the message drafts of a segmentation, segment by segment in the order of
its latest run, and with --suggest a first draft from the playbook (shipped plus the project's
own) for every segment that has none. Drafts that exist are never touched, so a second
--suggest changes nothing. Same core as the Messaging screen; Textual is never imported."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from segtui.core.messaging_model import Draft
    from segtui.core.project import Project
    from segtui.core.segment_model import Segmentation


def add_parser(sub: Any) -> None:
    drafts = sub.add_parser(
        "drafts",
        help="a segmentation's message drafts by segment, or fill missing ones from the playbook",
        description="Lists each segment of the segmentation's latest run with its drafts (goal, "
        "channel and the first variant's subject), or 'no draft'. --suggest writes a first "
        "draft from the playbook for every segment without one and says which archetype it "
        "came from; existing drafts are kept as they are.",
    )
    drafts.add_argument("project", help="project file")
    drafts.add_argument("segmentation", help="the segmentation's name")
    drafts.add_argument(
        "--suggest",
        action="store_true",
        help="fill the segments without a draft from the playbook (and store them)",
    )
    drafts.add_argument("--json", action="store_true", help="print the drafts as JSON")


def cmd_drafts(args: argparse.Namespace) -> int:
    from segtui.core.messaging_store import drafts
    from segtui.core.project import Project

    with Project.open(args.project, create=False) as project:
        seg = _ran(project, args.segmentation)
        filled = _suggest(project, seg.name) if args.suggest else {}
        found = drafts(project, seg.name)
    report = _report(seg, found, filled)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        _print(report, args.suggest)
    return 0


def _ran(project: Project, name: str) -> Segmentation:
    """The segmentation, refused in one line when it has not been run (drafts belong to the
    segments of a run)."""
    from segtui.core.segment_model import CriteriaError

    seg = project.segmentation(name)
    if seg.last_run is None:
        raise CriteriaError(
            f"segmentation {seg.name!r} has not been run yet; run it first with "
            f"`segtui segment PROJECT --name {json.dumps(seg.name)}`, then ask for its drafts."
        )
    return seg


def _suggest(project: Project, segmentation: str) -> dict[str, Draft]:
    """Suggest and store a draft for every segment without one; the drafts stored, by
    segment in run order."""
    from segtui.core.contacts import stored_roles
    from segtui.core.messaging_store import drafts, save_draft
    from segtui.core.playbook import load_playbook, suggest_all
    from segtui.core.run_data import latest_run

    playbook = load_playbook(project)  # a broken project playbook fails before anything loads
    data = latest_run(project, segmentation)
    roles = stored_roles(project, data)  # the same contact columns as the audience exports
    suggested = suggest_all(data, drafts(project, segmentation), playbook, roles=roles)
    return {name: save_draft(project, segmentation, draft, 0) for name, draft in suggested.items()}


def _report(
    seg: Segmentation, found: dict[str, list[Draft]], filled: dict[str, Draft]
) -> dict[str, Any]:
    run = seg.last_run
    assert run is not None  # _ran checked it
    by_key = {name.casefold(): (name, list(d)) for name, d in found.items()}
    segments: list[dict[str, Any]] = []
    for s in run.segments:
        _, own = by_key.pop(s.name.casefold(), (s.name, []))
        segments.append(
            {"name": s.name, "customers": s.customers, "drafts": [d.to_json() for d in own]}
        )
    # Drafts of a segment the latest run no longer has are still shown (customers unknown).
    for name, own in by_key.values():
        segments.append({"name": name, "customers": None, "drafts": [d.to_json() for d in own]})
    return {
        "segmentation": seg.name,
        "run": run.id,
        "segments": segments,
        "filled": [{"segment": name, "source": d.source} for name, d in filled.items()],
    }


def _print(report: dict[str, Any], suggested: bool) -> None:
    segments = report["segments"]
    drafted = sum(1 for s in segments if s["drafts"])
    print(
        f"{report['segmentation']}  (run {report['run']}): {drafted} of {len(segments)} "
        "segments have a draft"
    )
    if suggested:
        filled = report["filled"]
        if not filled:
            print("  every segment already had a draft; nothing was filled.")
        else:
            print(f"  filled {len(filled)} from the playbook:")
            width = max(len(f["segment"]) for f in filled)
            for f in filled:
                print(f"    {f['segment']:<{width}}  {f['source'] or 'playbook'}")
    print()
    for s in segments:
        size = "not in the latest run" if s["customers"] is None else f"{s['customers']:,}"
        print(f"  {s['name']}  ({size})")
        if not s["drafts"]:
            print("      no draft")
        for position, d in enumerate(s["drafts"], start=1):
            subject = d["variants"][0]["subject"] if d["variants"] else ""
            shown = " ".join(subject.split()) or "(no subject)"
            print(f"      {position}. {d['goal']} · {d['channel']} · {shown}")
