"""Drafts in the project file: per segmentation and segment, one or more drafts (position 0,
1, ...), each stored as readable JSON in ``segtui_drafts``. Every save that changes a draft
first copies its previous content to ``segtui_draft_versions``, in the same transaction, so a
draft's history keeps every earlier version. Drafts go with their segmentation (foreign keys
cascade).

Segment names are matched without regard to case, and a draft is filed under the segment's
name as the latest run spells it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from segtui.core.messaging_model import Draft, MessagingError
from segtui.core.segmentations import segment_in_latest_run

if TYPE_CHECKING:
    import sqlite3

    from segtui.core.project import Project


def drafts(project: Project, segmentation: str) -> dict[str, list[Draft]]:
    """A segmentation's drafts by segment, each list in position order; segments in the
    latest run's order, then any the latest run no longer has (by name)."""
    seg = project.segmentation(segmentation)
    with project.reading() as conn:
        rows = conn.execute(
            "SELECT segment, content FROM segtui_drafts WHERE segmentation_id = ? "
            "ORDER BY segment, position",
            (seg.id,),
        ).fetchall()
    found: dict[str, list[Draft]] = {}
    for segment, content in rows:
        found.setdefault(segment, []).append(_load(content, segment))
    order = [s.name.casefold() for s in seg.last_run.segments] if seg.last_run else []
    rank = {name: i for i, name in enumerate(order)}
    return dict(
        sorted(found.items(), key=lambda item: (rank.get(item[0].casefold(), len(rank)), item[0]))
    )


def segments_with_drafts(project: Project, segmentation: str) -> dict[str, int]:
    """How many drafts each segment has (segments without drafts are left out): cheap, for
    the "has a draft" mark in a list of segments."""
    seg = project.segmentation(segmentation)
    with project.reading() as conn:
        return dict(
            conn.execute(
                "SELECT segment, count(*) FROM segtui_drafts WHERE segmentation_id = ? "
                "GROUP BY segment",
                (seg.id,),
            ).fetchall()
        )


def save_draft(
    project: Project,
    segmentation: str,
    draft: Draft,
    position: int = 0,
    *,
    keep_history: bool = True,
) -> Draft:
    """Store a draft at ``position`` among its segment's drafts: replace the one there (its
    previous content goes to the history first) or, at the next free position, add one. The
    segment must be in the segmentation's latest run. Returns the draft as stored (filed
    under the run's spelling of the segment).

    ``keep_history=False`` replaces the content without a new version: the Messaging screen
    saves as the user types, and keeps one version per editing session rather than one per
    pause in typing."""
    from segtui.core.project import now_iso

    seg = project.segmentation(segmentation)
    name = segment_in_latest_run(seg, draft.segment)
    if name != draft.segment:
        draft = Draft.from_json(draft.to_json(), segment=name)
    content = _dump(draft)
    now = now_iso()
    with project.transaction() as conn:
        row = _row(conn, seg.id, name, position)
        if row is None:
            count = conn.execute(
                "SELECT count(*) FROM segtui_drafts WHERE segmentation_id = ? AND segment = ?",
                (seg.id, name),
            ).fetchone()[0]
            if position != count:
                raise MessagingError(
                    f"{name!r} has {count} draft{'s' if count != 1 else ''}; a new one goes at "
                    f"position {count}, not {position}."
                )
            conn.execute(
                "INSERT INTO segtui_drafts (segmentation_id, segment, position, content, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (seg.id, name, position, content, now, now),
            )
        else:
            draft_id, _, previous, saved_at = row
            if previous == content:
                return draft  # nothing changed: no new version, no write
            if keep_history:
                conn.execute(
                    "INSERT INTO segtui_draft_versions (draft_id, version, saved_at, content) "
                    "VALUES (?, (SELECT coalesce(max(version), 0) + 1 FROM "
                    "segtui_draft_versions WHERE draft_id = ?), ?, ?)",
                    (draft_id, draft_id, saved_at, previous),
                )
            conn.execute(
                "UPDATE segtui_drafts SET segment = ?, content = ?, updated_at = ? WHERE id = ?",
                (name, content, now, draft_id),
            )
        project._touch()
    return draft


def draft_history(
    project: Project, segmentation: str, segment: str, position: int = 0
) -> list[tuple[int, str, Draft]]:
    """The earlier versions of a draft, oldest first, as (version, saved at, draft); the
    current one is not among them. Empty when there is no such draft or it was never changed."""
    seg = project.segmentation(segmentation)
    with project.reading() as conn:
        row = _row(conn, seg.id, segment, position)
        if row is None:
            return []
        versions = conn.execute(
            "SELECT version, saved_at, content FROM segtui_draft_versions WHERE draft_id = ? "
            "ORDER BY version",
            (row[0],),
        ).fetchall()
    return [(version, saved_at, _load(text, row[1])) for version, saved_at, text in versions]


def delete_draft(project: Project, segmentation: str, segment: str, position: int = 0) -> None:
    """Remove a draft with its history; the segment's later drafts move up one position."""
    seg = project.segmentation(segmentation)
    with project.transaction() as conn:
        row = _row(conn, seg.id, segment, position)
        if row is None:
            raise MessagingError(
                f"{seg.name!r} has no draft at position {position} for segment {segment!r}."
            )
        conn.execute("DELETE FROM segtui_drafts WHERE id = ?", (row[0],))
        # Two steps, as UNIQUE(segmentation, segment, position) is checked row by row.
        where = "segmentation_id = ? AND segment = ? AND position"
        conn.execute(
            f"UPDATE segtui_drafts SET position = -position WHERE {where} > ?",
            (seg.id, segment, position),
        )
        conn.execute(
            f"UPDATE segtui_drafts SET position = -position - 1 WHERE {where} < 0",
            (seg.id, segment),
        )
        project._touch()


def move_drafts(conn: sqlite3.Connection, segmentation_id: int, old: str, new: str) -> None:
    """A renamed segment keeps its drafts, after any the new name already had (the caller
    holds the transaction; segmentations.follow_rename calls this)."""
    if old.casefold() == new.casefold():
        conn.execute(
            "UPDATE segtui_drafts SET segment = ? WHERE segmentation_id = ? AND segment = ?",
            (new, segmentation_id, old),
        )
        return
    taken = conn.execute(
        "SELECT count(*) FROM segtui_drafts WHERE segmentation_id = ? AND segment = ?",
        (segmentation_id, new),
    ).fetchone()[0]
    conn.execute(
        "UPDATE segtui_drafts SET segment = ?, position = position + ? "
        "WHERE segmentation_id = ? AND segment = ?",
        (new, taken, segmentation_id, old),
    )


# --- internals -------------------------------------------------------------------------------


def _row(
    conn: sqlite3.Connection, segmentation_id: int, segment: str, position: int
) -> tuple[int, str, str, str] | None:
    """(id, segment, content, updated_at) of one stored draft (the column's NOCASE matches
    any case)."""
    return conn.execute(
        "SELECT id, segment, content, updated_at FROM segtui_drafts WHERE segmentation_id = ? "
        "AND segment = ? AND position = ?",
        (segmentation_id, segment, position),
    ).fetchone()


def _dump(draft: Draft) -> str:
    # Indented and unescaped: the file is meant to be read in any SQLite tool.
    return json.dumps(draft.to_json(), indent=1, ensure_ascii=False)


def _load(content: str, segment: str) -> Draft:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise MessagingError(
            f"the stored draft for {segment!r} is not valid JSON (line {exc.lineno}, column "
            f"{exc.colno}); fix or delete it in segtui_drafts."
        ) from exc
    return Draft.from_json(data, segment=segment)
