"""A project's own playbook: checked and stored in the project file, tried before the shipped
one (the same id replaces a shipped archetype), removed by saving blank text; bad text is
refused whole, in one sentence naming the place and what to fix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from project_files import build_project

from segtui.core.playbook import (
    PlaybookError,
    load_playbook,
    playbook_text,
    set_project_playbook,
    shipped_playbook,
    suggest,
)
from segtui.core.project import Project
from segtui.core.run_data import latest_run
from segtui.core.runner import run_segmentation

CUSTOMERS = """customer_id,first_name,email
K1,Ada,ada@example.com
K2,Bo,bo@example.com
K3,Cy,cy@example.com
"""
ORDERS = """order_id,customer_id,order_date,amount,category
1,K1,2024-01-05,120.00,Garden
2,K2,2024-02-11,80.00,Garden
3,K3,2024-03-01,40.00,Kitchen
"""
SEGMENTS = {
    "mode": "exclusive",
    "else": "Champions",
    "segments": [
        {"name": "Need Attention", "rule": {"field": "total_spend", "op": "<", "value": 50}},
        {"name": "Loyal", "rule": {"field": "total_spend", "op": ">", "value": 100}},
    ],
}


@pytest.fixture
def own_project(tmp_path: Path) -> Iterator[Project]:
    """A small shop whose segments carry RFM names: Loyal (K1), Need Attention (K3, the only
    Kitchen customer) and Champions (K2)."""
    with Project.open(build_project(tmp_path, CUSTOMERS, ORDERS)) as project:
        project.create_segmentation("Rules", "rules", SEGMENTS)
        run_segmentation(project, "Rules")
        yield project


# --- the project's own playbook --------------------------------------------------------------

OWN = """
[settings]
sms_footer = "Text STOP to end."

[[archetype]]
id = "champions"
title = "VIP club"
goal = "upsell"
channels = ["email"]
cta = "Join the club"
[[archetype.match]]
names = ["champion"]
[[archetype.variant]]
subject = "Welcome to the club, {{ first_name | default('friend') }}"
body = "Hi {{ first_name | default('there') }}, you're in. Enjoy it."
[[archetype.variant]]
subject = "The club is open"
body = "Hi {{ first_name | default('there') }}, the club is open. Come in."

[[archetype]]
id = "gift-lovers"
title = "Gift lovers"
goal = "cross-sell"
channels = ["email"]
[[archetype.match]]
names = ["need attention"]
[[archetype.variant]]
subject = "Gifts for everyone in [[category]]"
body = "Hi there, gifts in [[category]] are here."
[[archetype.variant]]
subject = "The gift guide is out"
body = "Hi there, the gift guide is out."
"""


def test_a_project_playbook_goes_first_and_replaces_by_id(own_project: Project) -> None:
    assert playbook_text(own_project) == "" and load_playbook(own_project) is shipped_playbook()
    playbook = set_project_playbook(own_project, OWN)
    assert playbook_text(own_project) == OWN
    ids = [a.id for a in load_playbook(own_project).archetypes]
    assert ids[:2] == ["champions", "gift-lovers"] and ids.count("champions") == 1
    assert len(ids) == len(shipped_playbook().archetypes) + 1
    data = latest_run(own_project, "Rules")
    champions = suggest(data, "Champions", playbook)
    assert champions.source == "project playbook 'VIP club': name matches 'champion'"
    assert (champions.goal, champions.cta) == ("upsell", "Join the club")
    assert suggest(data, "Need Attention", playbook).variants[0].subject == (
        "Gifts for everyone in Kitchen"  # the placeholder, filled from the profile
    )
    assert suggest(data, "Loyal", playbook).source.startswith("playbook 'Loyal customers'")
    set_project_playbook(own_project, "  \n")
    assert playbook_text(own_project) == "" and load_playbook(own_project) is shipped_playbook()


VARIANTS = """
[[archetype.variant]]
subject = "One"
body = "Hi there."
[[archetype.variant]]
subject = "Two"
body = "Hi there."
"""
HEAD = '[[archetype]]\nid = "x"\ntitle = "X"\ngoal = "reward"\nchannels = ["email"]\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[[archetype]\nid = 1",
            "project playbook: expected ']]' at the end of an array "
            "declaration at line 1, column 12 (near '[[archetype]'); fix the TOML and save again.",
        ),
        (
            HEAD + 'tittle = "x"' + VARIANTS,
            "archetype 'x': unknown key 'tittle'; did you mean 'title'?",
        ),
        (
            HEAD.replace('goal = "reward"', 'goal = "sell"') + VARIANTS,
            "goal 'sell' is not known; use one of win back, reward",
        ),
        (HEAD.replace('"email"', '"fax"') + VARIANTS, "('fax' is not one)"),
        (HEAD + VARIANTS.rsplit("[[archetype.variant]]", 1)[0], "give at least 2 [[archetype."),
        (
            HEAD + '[[archetype.match]]\nwhen = ["recency > 3"]\n' + VARIANTS,
            "condition 'recency > 3' does not read as <field> <median|mean|lift> <op> <number>",
        ),
        (
            HEAD + VARIANTS.replace("One", "[[categry]]"),
            "variant 1, subject: [[categry]] is not a placeholder; did you mean [[category]]?",
        ),
        (HEAD + VARIANTS.replace("One", "[[discount]] off"), "[[discount]] needs a discount"),
        (
            HEAD + VARIANTS.replace("One", "Hi {{ first_name }}"),
            "variant 1, subject: give the merge field 'first_name' a fallback",
        ),
        (HEAD + VARIANTS.replace("One", "Hi {{ first_name "), "variant 1, subject: "),
        (
            HEAD + "[archetype.offer]\ndiscount = 10\n" + VARIANTS,
            "give discount_kind and discount together, or neither.",
        ),
        (HEAD + "holdout = 80\n" + VARIANTS, "holdout 80% is out of range"),
        (HEAD + VARIANTS + HEAD + VARIANTS, "two archetypes have the id 'x'"),
        (
            HEAD.replace('"x"', '"general"', 1) + '[[archetype.match]]\nnames = ["a"]\n' + VARIANTS,
            "project playbook: keep one archetype without [[archetype.match]] blocks",
        ),
        ('a = """never closed', "project playbook: unterminated string at the end of the text"),
    ],
)
def test_bad_playbook_text_is_refused_whole(own_project: Project, text: str, message: str) -> None:
    set_project_playbook(own_project, OWN)
    with pytest.raises(PlaybookError) as caught:
        set_project_playbook(own_project, text)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert playbook_text(own_project) == OWN  # nothing stored
