"""Suggested drafts from the playbook: every RFM name gets its own archetype, cluster traits
and profiles pick one when the name says nothing, the drafts use the segment's profile and the
data's channels, and every shipped template renders (with all fields and with none). The
project's own playbook: test_playbook_project.py."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from project_files import build_project

from segtui.core.channel_limits import sms_count
from segtui.core.features import customer_features
from segtui.core.messaging_model import Draft
from segtui.core.messaging_preview import (
    fields_used,
    merge_fields,
    offer_fields,
    preview,
    preview_members,
    segment_fields,
)
from segtui.core.playbook import (
    Choice,
    draft_from,
    match_archetype,
    shipped_playbook,
    suggest,
    suggest_all,
)
from segtui.core.playbook_facts import SegmentFacts
from segtui.core.project import Project
from segtui.core.rfm_map import DEFAULT_GRID_5, NO_PURCHASES, STANDARD_RANGES
from segtui.core.run_data import RunData, latest_run
from segtui.core.runner import default_definition, run_segmentation

RULES = {
    "mode": "exclusive",
    "else": "Everyone else",
    "segments": [
        {"name": "Group A", "rule": {"field": "recency_days", "op": ">", "value": 500}},
        {"name": "Group B", "rule": {"field": "total_spend", "op": ">=", "value": 2500}},
    ],
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo with an RFM run, a k-means run and a rules run of neutral names."""
    from segtui.core.demo import build_demo

    path = build_demo(tmp_path_factory.mktemp("playbook") / "demo.db")
    with Project.open(path) as project:
        project.create_segmentation("RFM", "rfm", default_definition("rfm"))
        run_segmentation(project, "RFM")
        features = customer_features(project)
        project.create_segmentation("Clusters", "kmeans", default_definition("kmeans", features))
        run_segmentation(project, "Clusters")
        project.create_segmentation("Rules", "rules", RULES)
        run_segmentation(project, "Rules")
    return path


@pytest.fixture(scope="module")
def rfm_drafts(demo: Path) -> tuple[RunData, dict[str, Draft]]:
    with Project.open(demo) as project:
        data = latest_run(project, "RFM")
    return data, suggest_all(data, {})


def run_of(path: Path, name: str) -> RunData:
    with Project.open(path) as project:
        return latest_run(project, name)


def body_sentences(body: str) -> list[str]:
    """The sentences after the greeting line."""
    text = body.split("\n\n", 1)[-1] if body.startswith("Hi ") else body
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


# --- choosing the archetype ------------------------------------------------------------------


def test_every_default_rfm_name_has_its_own_archetype_by_name() -> None:
    playbook = shipped_playbook()
    names = [*dict.fromkeys(n for row in DEFAULT_GRID_5 for n in row), NO_PURCHASES, "Lost"]
    chosen = {name: match_archetype(playbook, name) for name in names}
    assert all(c.reason.startswith("name matches") for c in chosen.values())
    assert len({c.archetype.id for c in chosen.values()}) == len(names)  # all different
    assert chosen["At Risk"].source == "playbook 'At risk': name matches 'at risk'"
    assert chosen["Potential Loyalists"].archetype.id == "potential-loyalists"  # not "loyal"
    # The widely copied range table's spellings find the same archetypes.
    assert {match_archetype(playbook, r.name).archetype.id for r in STANDARD_RANGES} >= {
        "champions", "loyal", "potential-loyalists", "about-to-sleep", "lost",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("name", "archetype"),
    [
        ("High spend · Lapsed", "lapsed-high-value"),
        ("Big baskets · Lapsed · Broad", "lapsed-high-value"),
        ("Broad · Frequent · High spend", "high-value"),
        ("Discount-driven · Recent", "discount-driven"),
        ("Infrequent · Lapsed", "lapsed"),
        ("Narrow · Infrequent", "one-off"),
        ("Frequent · Recent 2", "frequent"),
        ("Full price · Older", "full-price"),
        ("New · Low spend", "new-customers"),
        ("Renewal list", "general"),  # "new" must start a word
        ("Typical 2", "general"),
    ],
)
def test_cluster_traits_pick_the_archetype(name: str, archetype: str) -> None:
    assert match_archetype(shipped_playbook(), name).archetype.id == archetype


def test_rule_names_that_say_nothing_fall_back_to_the_profile(demo: Path) -> None:
    data = run_of(demo, "Rules")
    drafts = suggest_all(data, {})
    assert drafts["Group A"].source == "playbook 'Lapsed': profile recency_days median 814 > 180"
    assert drafts["Group B"].source.startswith("playbook 'High value': profile total_spend lift")
    assert drafts["Group A"].goal == "win back" and drafts["Group B"].goal == "reward"
    assert drafts["Group A"].variants[0].subject != drafts["Group B"].variants[0].subject


# --- the drafts ------------------------------------------------------------------------------


def test_rfm_segments_get_visibly_different_drafts(
    rfm_drafts: tuple[RunData, dict[str, Draft]],
) -> None:
    data, drafts = rfm_drafts
    assert list(drafts) == data.segments  # every segment, in run order, empty ones too
    subjects = [v.subject for d in drafts.values() for v in d.variants]
    bodies = [v.body for d in drafts.values() for v in d.variants]
    assert len(set(subjects)) == len(subjects) and len(set(bodies)) == len(bodies)
    goals = {name: d.goal for name, d in drafts.items()}
    assert goals["Champions"] == "reward" and goals["At Risk"] == "win back"
    assert goals["New Customers"] == goals[NO_PURCHASES] == "onboard"
    assert drafts["Hibernating"].holdout_pct == 20 and drafts["Champions"].holdout_pct == 10
    assert all(len(d.variants) == 2 and d.cta and d.send_note for d in drafts.values())


def test_drafts_use_the_profile(rfm_drafts: tuple[RunData, dict[str, Draft]]) -> None:
    drafts = rfm_drafts[1]
    attention = drafts["Need Attention"]  # 61.5% favour Gifts against 9.0% overall
    assert attention.variants[0].subject == "{{ discount }} off Gifts, this week only"
    assert attention.offer.text == "This week only, on Gifts"
    assert "favourite category Gifts for 61.5% vs 9.0% overall" in attention.notes
    # No clear favourite: each customer's own, with a fallback.
    assert (
        '{{ favourite_category | default("the shop") }}'
        in drafts["About to Sleep"].variants[0].body
    )
    assert "It's been over two years since your last order" in drafts["At Risk"].variants[0].body
    assert "Shop in the app" in drafts["Potential Loyalists"].variants[1].body  # 42% shop there
    # 56% of new customers prefer social: a post, from the short texts.
    new = drafts["New Customers"]
    assert new.channel == "social" and "preferred channel" in new.notes
    assert new.variants[0].body.startswith("Thanks for your first order!")
    assert drafts["Champions"].channel == "email"  # no phone column: never SMS
    assert "typical last order 846 days ago (287 overall)" in drafts["At Risk"].notes
    # The discount and code stay merge fields: editing the offer updates the text.
    assert "{{ offer_code }}" in drafts["At Risk"].variants[0].body
    assert drafts["At Risk"].offer.code == "WEMISSYOU15" and drafts["At Risk"].offer.discount == 15


def test_drafts_preview_cleanly_and_read_like_a_marketer_wrote_them(
    rfm_drafts: tuple[RunData, dict[str, Draft]],
) -> None:
    data, drafts = rfm_drafts
    for name, draft in drafts.items():
        members = preview_members(data, name, fields_used(draft), limit=2)
        for member in members:  # a complete one, and the one missing most
            for i, variant in enumerate(draft.variants):
                rendered = preview(data, draft, i, member)
                place = f"{name} {variant.name}"
                assert rendered.ok and not rendered.empty_fields, (place, rendered)
                assert "{" not in rendered.subject + rendered.body, place
                if draft.channel == "email":
                    assert len(rendered.subject) < 60, place
                    assert rendered.body.startswith(f"Hi {member['first_name'] or 'there'},")
                    assert 2 <= len(body_sentences(rendered.body)) <= 4, place


def test_clusters_get_different_drafts(demo: Path) -> None:
    data = run_of(demo, "Clusters")
    drafts = suggest_all(data, {})
    chosen = {name: d.source for name, d in drafts.items()}
    assert chosen == {
        "Narrow · Infrequent": "playbook 'One-off buyers': cluster traits Infrequent",
        "Broad · Frequent · High spend": "playbook 'High value': name matches 'high spend'",
    }


def test_suggest_all_leaves_segments_with_drafts_alone(
    rfm_drafts: tuple[RunData, dict[str, Draft]],
) -> None:
    data, drafts = rfm_drafts
    existing = {"champions": [drafts["Champions"]], "Loyal": []}  # names as the store has them
    again = suggest_all(data, existing)
    assert "Champions" not in again and "Loyal" in again
    assert suggest(data, "Loyal") == again["Loyal"]


# --- the data decides the channel and the merge fields --------------------------------------

CUSTOMERS = """customer_id,forename,email,mobile,postcode,preferred_channel
K1,Ada,ada@example.com,+44 7700 900001,AB1 2CD,sms
K2,,,+44 7700 900002,EF3 4GH,sms
K3,Cy,cy@example.com,,,email
"""
ORDERS = """order_id,customer_id,order_date,amount,category,channel
1,K1,2024-01-05,120.00,Garden,app
2,K2,2024-02-11,80.00,Garden,app
3,K3,2024-03-01,40.00,Kitchen,web
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> RunData:
    """Three customers with every contact column, all in one segment "Champions"."""
    folder = tmp_path_factory.mktemp("shop")
    with Project.open(build_project(folder, CUSTOMERS, ORDERS)) as project:
        rule = {"name": "Champions", "rule": {"field": "orders", "op": ">=", "value": 0}}
        project.create_segmentation("Rules", "rules", {"mode": "exclusive", "segments": [rule]})
        run_segmentation(project, "Rules")
        return latest_run(project, "Rules")


def test_channel_and_fields_follow_the_data(shop: RunData) -> None:
    draft = suggest(shop, "Champions")
    # Two of three prefer SMS, which the champions archetype lists: SMS with the footer.
    assert draft.channel == "sms" and draft.variants[0].subject == ""
    assert draft.variants[0].body.endswith("Reply STOP to opt out.")
    # Everyone is in the segment, so no category stands out: each customer's own, per member.
    assert "{{ favourite_category" in draft.variants[0].body
    email = draft_from(
        shop,
        "Champions",
        Choice(shipped_playbook().archetype("lost"), "t"),
        SegmentFacts("Champions", 3),
    )
    assert email.channel == "email"
    # The data calls the first name "forename": the merge field follows it.
    assert email.variants[0].body.startswith('Hi {{ forename | default("there") }},')


FULL_FACTS = dict(category="Garden", members_have_category=True, place="in store")


@pytest.mark.parametrize("facts", [FULL_FACTS, {"members_have_category": True}, {}])
def test_every_shipped_template_renders_with_all_fields_and_with_none(
    shop: RunData, facts: dict[str, Any]
) -> None:
    from jinja2 import StrictUndefined, meta
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    allowed = set(merge_fields(shop, "Champions"))
    member = shop.members(["Champions"]).row(0, named=True)
    footer = shipped_playbook().sms_footer
    for archetype in shipped_playbook().archetypes:
        for channel in archetype.channels:  # each channel: subject and body, or the short text
            seen = SegmentFacts("Champions", 3, prefers=channel, **facts)
            draft = draft_from(shop, "Champions", Choice(archetype, "test"), seen, footer)
            assert draft.channel == channel
            offer = offer_fields(draft, shop.currency)
            segment = segment_fields(shop, "Champions")
            for context in ({**member, **segment, **offer}, {**segment, **offer}):
                present = {k: v for k, v in context.items() if v not in (None, "")}
                for variant in draft.variants:
                    place = f"{archetype.id} {channel} {variant.name}"
                    for text in (variant.subject, variant.body):
                        assert meta.find_undeclared_variables(env.parse(text)) <= allowed, place
                        out = env.from_string(text).render(present)
                        assert not re.search(r"\{|\[\[|None|  ", out), (place, out)
                    subject = env.from_string(variant.subject).render(present)
                    body = env.from_string(variant.body).render(present)
                    assert len(subject) <= (40 if channel == "ad" else 59), (place, subject)
                    if channel == "sms":
                        count = sms_count(body)
                        assert (count.encoding, count.segments) == ("GSM-7", 1), (place, body)
                    elif channel in ("social", "ad"):
                        assert len(body) <= 125, (place, body)
                    else:
                        assert 2 <= len(body_sentences(body)) <= 4, (place, body)
