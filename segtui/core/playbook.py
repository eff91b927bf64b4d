"""Suggested first drafts from the playbook: offline, no model, only local rules.

The playbook is data, not code: the archetypes in segtui/playbook.toml (how to read and extend
it is written at its top) plus the project's own archetypes, stored as TOML text in
``segtui_playbook`` and tried first (the same id replaces a shipped archetype).

A segment gets the first archetype whose name words or cluster traits match its name; only
when no name matches are the profile conditions tried, and the archetype without match blocks
takes the rest (playbook_model.py). The draft is then written from the archetype and the
segment's profile (playbook_facts.py, playbook_draft.py): [[placeholders]] get the category
the segment clearly favours, where it shops and how long ago it ordered; the channel is the
first of the archetype's the data can reach, or the one the segment prefers; merge fields the
data does not have get their fallback written in, so the draft previews cleanly on every
member. Reading and checking the TOML is in playbook_file.py.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING

from segtui.core.playbook_draft import draft_from
from segtui.core.playbook_facts import segment_facts
from segtui.core.playbook_file import parse_playbook
from segtui.core.playbook_model import Archetype, Choice, Playbook, PlaybookError, match_archetype

if TYPE_CHECKING:
    from segtui.core.messaging_model import Draft
    from segtui.core.profile import SegmentProfile
    from segtui.core.project import Project
    from segtui.core.run_data import RunData

__all__ = [
    "Archetype",
    "Choice",
    "Playbook",
    "PlaybookError",
    "draft_from",
    "load_playbook",
    "match_archetype",
    "playbook_text",
    "set_project_playbook",
    "shipped_playbook",
    "shipped_text",
    "suggest",
    "suggest_all",
]


# --- the playbook: shipped and the project's own ---------------------------------------------


def shipped_text() -> str:
    """The TOML text of the playbook that ships with segtui."""
    return resources.files("segtui").joinpath("playbook.toml").read_text(encoding="utf-8")


@functools.cache
def shipped_playbook() -> Playbook:
    """The shipped playbook, read and checked once per process."""
    parsed = parse_playbook(shipped_text(), "shipped")
    return Playbook(tuple(parsed.archetypes), parsed.settings.get("sms_footer", ""))


def _combine(shipped: Playbook, project_text: str) -> Playbook:
    if not project_text.strip():
        return shipped
    parsed = parse_playbook(project_text, "project")
    own = {a.id for a in parsed.archetypes}
    archetypes = (*parsed.archetypes, *(a for a in shipped.archetypes if a.id not in own))
    if all(a.match for a in archetypes):  # the shipped fallback was replaced by a matcher
        raise PlaybookError(
            "project playbook: keep one archetype without [[archetype.match]] blocks, so "
            "every segment gets a draft."
        )
    return Playbook(archetypes, parsed.settings.get("sms_footer", shipped.sms_footer))


def playbook_text(project: Project) -> str:
    """The project's own playbook text ("" when it has none)."""
    with project.reading() as conn:
        row = conn.execute("SELECT text FROM segtui_playbook WHERE id = 1").fetchone()
    return row[0] if row else ""


def load_playbook(project: Project | None = None) -> Playbook:
    """The shipped playbook with the project's archetypes first (PlaybookError when the
    project's text no longer reads)."""
    shipped = shipped_playbook()
    return shipped if project is None else _combine(shipped, playbook_text(project))


def set_project_playbook(project: Project, text: str) -> Playbook:
    """Check and store the project's playbook text (blank text removes it); the playbook it
    makes. Bad text is refused whole with a PlaybookError and nothing is stored."""
    from segtui.core.project import now_iso

    playbook = _combine(shipped_playbook(), text)
    with project.transaction() as conn:
        if text.strip():
            conn.execute(
                "INSERT INTO segtui_playbook (id, text, updated_at) VALUES (1, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET text = excluded.text, "
                "updated_at = excluded.updated_at",
                (text, now_iso()),
            )
        else:
            conn.execute("DELETE FROM segtui_playbook WHERE id = 1")
        project._touch()
    return playbook


def suggest(
    data: RunData,
    segment: str,
    playbook: Playbook | None = None,
    *,
    profile: SegmentProfile | None = None,
    roles: Mapping[str, str] | None = None,
) -> Draft:
    """A first draft for one segment of a run (the shipped playbook when none is given;
    ``profile`` saves profiling again when the caller has it; ``roles``, the customers'
    stored roles (contacts.stored_roles), tell which columns reach which channel)."""
    from segtui.core.profile import profile_segment

    data.check_segment(segment)
    playbook = playbook or shipped_playbook()
    facts = segment_facts(profile or profile_segment(data, segment))
    choice = match_archetype(playbook, segment, facts)
    return draft_from(data, segment, choice, facts, playbook.sms_footer, roles=roles)


def suggest_all(
    data: RunData,
    existing: Mapping[str, Sequence[Draft]],
    playbook: Playbook | None = None,
    *,
    roles: Mapping[str, str] | None = None,
) -> dict[str, Draft]:
    """A first draft for every segment of the run without one, in run order (one profile
    of the whole run; ``roles`` as for suggest)."""
    from segtui.core.profile import profile_run

    drafted = {name.casefold() for name, drafts in existing.items() if drafts}
    missing = [name for name in data.segments if name.casefold() not in drafted]
    if not missing:
        return {}
    playbook = playbook or shipped_playbook()
    profiles = profile_run(data)
    return {
        name: suggest(data, name, playbook, profile=profiles[name], roles=roles) for name in missing
    }
