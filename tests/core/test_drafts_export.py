"""The drafts of a segmentation as a client document and a CSV: the Markdown has every segment
of the run in order with its figures, profile bullets and each draft's variants as written;
the CSV reads back one row per variant; files are never overwritten without force."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from segtui.core.drafts_export import (
    FRAME_COLUMNS,
    drafts_frame,
    drafts_markdown,
    export_drafts,
)
from segtui.core.export import ExportError
from segtui.core.messaging_model import Draft, Offer, Variant
from segtui.core.profile import profile_segment
from segtui.core.project import Project
from segtui.core.run_data import RunData, latest_run
from segtui.core.runner import default_definition, run_segmentation

BODY = 'Hi {{ first_name | default("there") }},\n\nWe miss you.\n\n```\nnot a fence\n```'


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> RunData:
    """The demo's RFM run."""
    from segtui.core.demo import build_demo

    path = build_demo(tmp_path_factory.mktemp("drafts_export") / "demo.db")
    with Project.open(path) as project:
        project.create_segmentation("RFM", "rfm", default_definition("rfm"))
        run_segmentation(project, "RFM")
        return latest_run(project, "RFM")


@pytest.fixture
def drafts(data: RunData) -> dict[str, list[Draft]]:
    """Drafts for the first two segments (the second has two), and one for a segment the run
    no longer has; the rest have none."""
    first, second = data.segments[:2]
    win_back = Draft(
        first,
        "win back",
        "email",
        Offer("A thank-you", "percent", 20, "BACK20"),
        [Variant("A", "We miss you, {{ first_name }}", BODY), Variant("B", "Come back", "Hi.")],
        cta="Shop now",
        send_note="Tuesday morning",
        holdout_pct=15,
        notes="check stock",
        source="playbook 'At risk'",
    )
    sms = Draft(second, "reward", "sms", variants=[Variant("A", "", "Thanks! Reply STOP to end")])
    ad = Draft(second, "upsell", "ad", Offer(discount_kind="amount", discount=5), cta="Buy")
    gone = Draft("Old segment", "nurture", "email", variants=[Variant("A", "Old", "Old body")])
    return {first: [win_back], second: [sms, ad], "Old segment": [gone]}


def test_markdown_has_every_segment_in_run_order(data: RunData, drafts: dict) -> None:
    text = drafts_markdown(data, drafts)
    assert text.startswith(f"# Message drafts: {data.run.segmentation}\n")
    assert f"Run {data.run.id} of " in text
    assert f"analysis date {data.run.analysis_date}" in text
    places = [text.index(f"\n## {name}\n") for name in data.segments]
    assert places == sorted(places)
    # the draft of a segment the run no longer has comes last, marked as such
    assert text.index("\n## Old segment\n") > places[-1]
    assert "Not in the latest run" in text
    # segments without drafts say so
    assert text.count("*No draft yet.*") == len(data.segments) - 2


def test_markdown_has_figures_profile_and_drafts_as_written(data: RunData, drafts: dict) -> None:
    text = drafts_markdown(data, drafts)
    first = data.segments[0]
    section = text[text.index(f"\n## {first}\n") : text.index(f"\n## {data.segments[1]}\n")]
    assert "customers** (" in section and "value index" in section
    bullets = [d.text for d in profile_segment(data, first).ranked[:5]]
    assert 3 <= len(bullets) <= 5
    for bullet in bullets:
        assert f"\n- {bullet}\n" in section
    assert "**Goal:** win back" in section
    assert "**Offer:** A thank-you · 20% off · code BACK20" in section
    assert "**Holdout:** 15%" in section
    assert "**Call to action:** Shop now" in section
    assert "**When to send:** Tuesday morning" in section
    # subject and body are the templates, unrendered, in a fence longer than the body's own
    assert "Subject: We miss you, {{ first_name }}" in section
    assert f"````text\nSubject: We miss you, {{{{ first_name }}}}\n\n{BODY}\n````" in section
    assert "#### Variant B" in section and "Subject: Come back" in section
    # two drafts are numbered; an ad's subject is its headline; an SMS has no subject line
    assert "### Draft 1: reward, by sms" in text and "### Draft 2: upsell, by ad" in text
    assert "```text\nThanks! Reply STOP to end\n```" in text
    assert f"**Offer:** {data.currency}5.00 off" in text


def test_segment_filter(data: RunData, drafts: dict) -> None:
    second = data.segments[1]
    text = drafts_markdown(data, drafts, [second])
    assert f"\n## {second}\n" in text
    assert f"\n## {data.segments[0]}\n" not in text
    assert "Old segment" not in text
    assert set(drafts_frame(data, drafts, [second])["segment"]) == {second}


def test_csv_reads_back_one_row_per_variant(data: RunData, drafts: dict, tmp_path: Path) -> None:
    out = tmp_path / "drafts.csv"
    result = export_drafts(data, drafts, out, "csv")
    variants = sum(len(d.variants) for found in drafts.values() for d in found)
    assert result.rows == variants == 6
    back = pl.read_csv(out)
    assert back.columns == list(FRAME_COLUMNS)
    assert back.height == variants
    first = back.row(0, named=True)
    assert first["segment"] == data.segments[0]
    assert (first["goal"], first["channel"], first["variant"]) == ("win back", "email", "A")
    assert (first["discount_kind"], first["discount"], first["code"]) == ("percent", 20.0, "BACK20")
    assert first["holdout_pct"] == 15.0
    assert first["body"] == BODY  # line breaks and quotes survive
    assert back["position"].to_list() == [0, 0, 0, 1, 1, 0]  # the ad draft has A and B
    assert back["segment"].to_list()[-1] == "Old segment"


def test_no_overwrite_without_force(data: RunData, drafts: dict, tmp_path: Path) -> None:
    out = tmp_path / "drafts.md"
    first = export_drafts(data, drafts, out, "md")
    assert first.rows == out.read_text(encoding="utf-8").count("\n")
    out.write_text("the client's edits", encoding="utf-8")
    with pytest.raises(ExportError, match="already exists"):
        export_drafts(data, drafts, out, "md")
    assert out.read_text(encoding="utf-8") == "the client's edits"
    export_drafts(data, {}, out, "md", force=True)
    assert out.read_text(encoding="utf-8").count("*No draft yet.*") == len(data.segments)
    csv = tmp_path / "drafts.csv"
    export_drafts(data, drafts, csv, "csv")
    with pytest.raises(ExportError, match="already exists"):
        export_drafts(data, drafts, csv, "csv")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_wrong_suffix_or_format_is_refused(data: RunData, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="Markdown"):
        export_drafts(data, {}, tmp_path / "drafts.csv", "md")
    with pytest.raises(ExportError, match="md or csv"):
        export_drafts(data, {}, tmp_path / "drafts.txt", "pdf")
    assert list(tmp_path.iterdir()) == []


def test_no_drafts_gives_an_empty_table(data: RunData) -> None:
    frame = drafts_frame(data, {})
    assert frame.height == 0
    assert frame.columns == list(FRAME_COLUMNS)
