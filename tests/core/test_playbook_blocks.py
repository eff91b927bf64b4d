"""The shipped playbook cut into archetype blocks: each block alone reads as the same
archetype (so copying one into a project's playbook copies it whole), in the shipped order;
the starter is only comments, and without its "# " it is the shipped file's first archetype."""

from __future__ import annotations

import dataclasses
import tomllib

from segtui.core.playbook import parse_playbook, shipped_playbook
from segtui.core.playbook_blocks import archetype_blocks, shipped_blocks, starter_text


def test_each_block_reads_alone_as_the_shipped_archetype() -> None:
    shipped = shipped_playbook().archetypes
    blocks = shipped_blocks()
    assert [b.id for b in blocks] == [a.id for a in shipped]
    for block, archetype in zip(blocks, shipped, strict=True):
        (alone,) = parse_playbook(block.text, "project").archetypes
        assert alone == dataclasses.replace(archetype, origin="project")
        assert (block.title, block.goal) == (archetype.title, archetype.goal)
        assert block.text.startswith("[[archetype]]\n") and block.text.endswith('"""\n')
        assert "# ---" not in block.text  # the section headings between blocks stay out


def test_blocks_of_a_project_text_leave_out_what_is_before_and_between() -> None:
    text = (
        "# mine\n[settings]\nsms_footer = 'STOP'\n\n[[archetype]]\nid = 'a'\ntitle = 'A'\n"
        "goal = 'reward'\n\n# next\n\n[[archetype]]\nid = 'b'\ntitle = 'B'\ngoal = 'retain'\n"
    )
    blocks = archetype_blocks(text)
    assert [(b.id, b.title, b.goal) for b in blocks] == [("a", "A", "reward"), ("b", "B", "retain")]
    assert blocks[0].text == "[[archetype]]\nid = 'a'\ntitle = 'A'\ngoal = 'reward'\n"


def test_the_starter_is_comments_around_the_first_archetype() -> None:
    starter = starter_text()
    assert tomllib.loads(starter) == {}
    first = shipped_blocks()[0]
    assert f"the shipped {first.id!r} archetype" in starter
    # Lines that were blank inside a body are a bare "#" in the starter.
    uncommented = "\n".join(
        "" if line == "#" else line.removeprefix("# ")
        for line in starter.splitlines()[starter.splitlines().index("# [[archetype]]") :]
    )
    assert uncommented + "\n" == first.text
    assert max(len(line) for line in starter.splitlines()[:10]) <= 62  # fits the editor at 80
