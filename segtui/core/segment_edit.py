"""Renaming a segment and describing it in the user's own words, from the review screen.

A rename changes the segmentation's definition (so the next run keeps the name), its latest
run (counts and customers), its description and every rule elsewhere that says "in segment X of
this segmentation", in one transaction. Descriptions live in ``segtui_segment_notes`` and are
carried into every later run of the segmentation.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from segtui.core.rfm_map import NO_PURCHASES, clean_name
from segtui.core.rfm_map import rename_segment as rename_in_grid
from segtui.core.rfm_settings import RfmSettings
from segtui.core.rules_run import DEFAULT_ELSE_NAME
from segtui.core.segment_model import CriteriaError, RunInfo, Segmentation
from segtui.core.segmentations import follow_rename, rename_in_run, segment_in_latest_run

if TYPE_CHECKING:
    import sqlite3

    from segtui.core.project import Project
    from segtui.core.segment_model import Cancelled, Progress

DESCRIPTION_LIMIT = 500  # characters: a line or two for the brief, not a document


def segment_notes(project: Project, segmentation: str) -> dict[str, str]:
    """The user's descriptions of a segmentation's segments, by segment name."""
    seg = project.segmentation(segmentation)
    with project.reading() as conn:
        return dict(
            conn.execute(
                "SELECT segment, description FROM segtui_segment_notes WHERE segmentation_id = ?",
                (seg.id,),
            ).fetchall()
        )


def _check_run(seg: Segmentation, run_id: int | None) -> None:
    """The screen asked about run ``run_id``: refuse when the segmentation has run since."""
    if run_id is not None and (seg.last_run is None or seg.last_run.id != run_id):
        raise CriteriaError(
            f"{seg.name!r} has been run again since this screen loaded it; look at the new "
            "run and try again."
        )


def describe_segment(
    project: Project, segmentation: str, segment: str, text: str, *, run_id: int | None = None
) -> None:
    """Store (or, with blank text, remove) the user's description of a segment; the latest
    run shows it at once and later runs keep it."""
    from segtui.core.project import now_iso

    seg = project.segmentation(segmentation)
    _check_run(seg, run_id)
    name = segment_in_latest_run(seg, segment)
    text = " ".join(text.split())
    if len(text) > DESCRIPTION_LIMIT:
        raise CriteriaError(
            f"description of {name!r}: keep it under {DESCRIPTION_LIMIT} characters "
            f"(it has {len(text)})."
        )
    with project.transaction() as conn:
        if text:
            conn.execute(
                "INSERT INTO segtui_segment_notes (segmentation_id, segment, description, "
                "updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (segmentation_id, segment) "
                "DO UPDATE SET description = excluded.description, "
                "updated_at = excluded.updated_at",
                (seg.id, name, text, now_iso()),
            )
        else:
            conn.execute(
                "DELETE FROM segtui_segment_notes WHERE segmentation_id = ? AND segment = ?",
                (seg.id, name),
            )
        assert seg.last_run is not None
        conn.execute(
            "UPDATE segtui_run_segments SET description = ? WHERE run_id = ? AND name = ?",
            (text or _generated_description(conn, seg.last_run.id, name), seg.last_run.id, name),
        )
        project._touch()


def rename_segment(
    project: Project, segmentation: str, old: str, new: str, *, run_id: int | None = None
) -> Segmentation:
    """Rename a segment everywhere it is named (see the module docstring)."""
    seg = project.segmentation(segmentation)
    _check_run(seg, run_id)
    old = segment_in_latest_run(seg, old)
    new = clean_name(new, "segment name") if seg.method == "rfm" else " ".join(new.split())
    if not new:
        raise CriteriaError("segment name: give a non-blank name.")
    assert seg.last_run is not None
    others = [s.name for s in seg.last_run.segments if s.name != old]
    others += [n for n in _definition_names(seg) if n != old]  # edited since the run
    if new.casefold() in {n.casefold() for n in others}:
        raise CriteriaError(f"{seg.name!r} already has a segment {new!r}; choose another name.")
    if new == old:
        return seg
    definition, details = _renamed_definition(seg, old, new)
    run_id = seg.last_run.id
    with project.transaction() as conn:
        conn.execute(
            "UPDATE segtui_segmentations SET definition = ? WHERE id = ?",
            (json.dumps(definition, indent=1), seg.id),
        )
        if details is not None:
            conn.execute(
                "UPDATE segtui_runs SET details = ? WHERE id = ?",
                (json.dumps(details, indent=1, default=str), run_id),
            )
        rename_in_run(conn, run_id, old, new)
        follow_rename(conn, seg.id, old, new)
        _rename_references(conn, seg, old, new)
        project._touch()
    return project.segmentation(seg.name)


# --- internals -------------------------------------------------------------------------------


def _definition_names(seg: Segmentation) -> list[str]:
    """The segment names the current definition gives (it may have changed since the run)."""
    definition = seg.definition
    if seg.method == "rules":
        names = [str(item.get("name", "")) for item in definition.get("segments", [])]
        if definition.get("mode", "exclusive") == "exclusive":
            names.append(str(definition.get("else", DEFAULT_ELSE_NAME)))
        return names
    if seg.method == "rfm":
        settings = RfmSettings.from_json(definition)
        if settings.template == "ranges":
            return [rule.name for rule in settings.effective_ranges()]
        return [name for row in settings.effective_grid() for name in row]
    return [str(name) for name in definition.get("names", {}).values()]


def _generated_description(conn: sqlite3.Connection, run_id: int, name: str) -> str:
    """The description the method gave a segment (rules describe themselves in words)."""
    row = conn.execute("SELECT details FROM segtui_runs WHERE id = ?", (run_id,)).fetchone()
    descriptions = json.loads(row[0]).get("descriptions", {}) if row else {}
    return str(descriptions.get(name, ""))


def _renamed_definition(
    seg: Segmentation, old: str, new: str
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The definition with the segment renamed, and the latest run's details when they name
    it too (cluster profiles, RFM grid, rule descriptions)."""
    assert seg.last_run is not None
    definition = json.loads(json.dumps(seg.definition))
    details = json.loads(json.dumps(seg.last_run.details))
    if seg.method == "rules":
        exclusive = definition.get("mode", "exclusive") == "exclusive"
        if exclusive and definition.get("else", DEFAULT_ELSE_NAME) == old:
            definition["else"] = new
        for item in definition.get("segments", []):
            if item.get("name") == old:
                item["name"] = new
        descriptions = details.get("descriptions", {})
        if old in descriptions:
            descriptions[new] = descriptions.pop(old)
    elif seg.method == "rfm":
        if old == NO_PURCHASES:
            raise CriteriaError(
                f"{NO_PURCHASES!r} is kept for customers without orders and cannot be renamed."
            )
        settings = RfmSettings.from_json(definition)
        if settings.template == "ranges":
            ranges = [r.to_json() for r in settings.effective_ranges()]
            for rule in ranges:
                if rule["name"] == old:
                    rule["name"] = new
            definition["ranges"] = ranges
        else:
            definition["grid"] = rename_in_grid(settings.effective_grid(), old, new)
        if isinstance(details.get("grid"), list):
            details["grid"] = [[new if c == old else c for c in row] for row in details["grid"]]
    else:  # clustering: names are kept per cluster key
        names = definition.setdefault("names", {})
        for profile in details.get("profiles", []):
            if profile.get("name") == old:
                names[str(profile["key"])] = new
                profile["name"] = new
    return definition, details


def _rename_references(conn: sqlite3.Connection, seg: Segmentation, old: str, new: str) -> None:
    """Rules elsewhere that say "in segment <old> of <seg>" follow the rename."""
    rows = conn.execute(
        "SELECT id, definition FROM segtui_segmentations WHERE method = 'rules' AND id <> ?",
        (seg.id,),
    ).fetchall()
    for row_id, text in rows:
        definition = json.loads(text)
        if _rename_in_rules(definition, seg.name, old, new):
            conn.execute(
                "UPDATE segtui_segmentations SET definition = ? WHERE id = ?",
                (json.dumps(definition, indent=1), row_id),
            )


def _rename_in_rules(node: Any, segmentation: str, old: str, new: str) -> bool:
    changed = False
    if isinstance(node, dict):
        if (
            node.get("op") in ("in_segment", "not_in_segment")
            and str(node.get("segmentation", "")).casefold() == segmentation.casefold()
            and str(node.get("segment", "")).casefold() == old.casefold()
        ):
            node["segment"] = new
            changed = True
        for value in node.values():
            changed = _rename_in_rules(value, segmentation, old, new) or changed
    elif isinstance(node, list):
        for value in node:
            changed = _rename_in_rules(value, segmentation, old, new) or changed
    return changed


def scan_run(
    project: Project,
    run_id: int,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> RunInfo:
    """Scan k for a clustering run whose k was set by hand (same features, algorithm, range
    and seed) and keep the scan with the run, so its k-selection curves can be shown."""
    from segtui.core.clustering import ClusterSettings, scan_k
    from segtui.core.features import customer_features

    run = project.run(run_id)
    if run.method not in ("kmeans", "gmm"):
        raise CriteriaError(f"run {run_id} is not a clustering run; only those scan k.")
    settings = ClusterSettings.from_json(run.parameters)
    scan = scan_k(customer_features(project), settings, progress, cancelled)
    details = dict(run.details) | {"scan": scan.to_json()}
    with project.transaction() as conn:
        conn.execute(
            "UPDATE segtui_runs SET details = ? WHERE id = ?",
            (json.dumps(details, indent=1, default=str), run_id),
        )
        project._touch()
    return project.run(run_id)
