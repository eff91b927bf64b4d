"""The shipped playbook's TOML cut into one block of text per archetype, and the commented
starter a project's own playbook begins from.

Both are cut from segtui/playbook.toml itself rather than written out again, so what a
consultant copies (the starter, or a shipped archetype to change) always has the keys the
shipped file has and cannot drift from it.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass

from segtui.core.playbook import shipped_text

ARCHETYPE_HEADER = "[[archetype]]"


@dataclass(frozen=True)
class ArchetypeBlock:
    """One archetype of the shipped file as it is written there."""

    id: str
    title: str
    goal: str
    text: str  # from its [[archetype]] line to its last key, comments between blocks left out


def _trimmed(lines: list[str]) -> str:
    """The lines without the blank and comment lines at their end (the next section's
    heading comment sits between two archetypes and belongs to neither)."""
    end = len(lines)
    while end and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return "\n".join(lines[:end]) + "\n"


def archetype_blocks(text: str) -> list[ArchetypeBlock]:
    """Each archetype's text of a playbook written like the shipped one (every archetype
    starting at an unindented ``[[archetype]]`` line), in file order."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line == ARCHETYPE_HEADER]
    blocks = []
    for start, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        block = _trimmed(lines[start:end])
        (table,) = tomllib.loads(block)["archetype"]
        blocks.append(ArchetypeBlock(table["id"], table["title"], table["goal"], block))
    return blocks


@functools.cache
def shipped_blocks() -> tuple[ArchetypeBlock, ...]:
    """The shipped archetypes' blocks, in priority order."""
    return tuple(archetype_blocks(shipped_text()))


def starter_text() -> str:
    """What a project without a playbook of its own is offered to edit: a few lines on how it
    works and the shipped file's first archetype, commented out, as the example."""
    example = shipped_blocks()[0]
    commented = "\n".join(f"# {line}".rstrip() for line in example.text.splitlines())
    return (
        "# The project's own playbook: its archetypes are tried\n"
        "# before the shipped ones, and one with the id of a shipped\n"
        "# archetype replaces it. Write them in TOML with the keys\n"
        "# of the shipped playbook: `segtui playbook --shipped`\n"
        "# prints it, every key explained at its top.\n"
        "#\n"
        f"# An example, the shipped {example.id!r} archetype: to make\n"
        '# your own from it, remove the "# " in front of its lines,\n'
        "# give it a new id and change what you like.\n"
        "#\n"
        f"{commented}\n"
    )
