"""Renaming and describing segments from the review screen: the name changes in the definition,
the latest run, the descriptions and rules that refer to it; descriptions outlive runs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from project_files import SHOP_CUSTOMERS, SHOP_ORDERS, build_project, copy_project

from segtui.core.project import Project
from segtui.core.rfm_map import NO_PURCHASES
from segtui.core.runner import default_definition, run_segmentation
from segtui.core.segment_edit import describe_segment, rename_segment, segment_notes
from segtui.core.segment_model import CriteriaError

BIG = {"name": "Big spenders", "rule": {"field": "total_spend", "op": ">=", "value": 150}}
FRANCE = {"name": "France", "rule": {"field": "country", "op": "is", "value": "France"}}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("template"), SHOP_CUSTOMERS, SHOP_ORDERS)


@pytest.fixture
def project(tmp_path: Path, template: Path) -> Project:
    with Project.open(copy_project(template, tmp_path)) as project:
        yield project


def _rules(project: Project, name: str = "Rules", **extra: object) -> None:
    definition = {"mode": "exclusive", "segments": [BIG, FRANCE], **extra}
    project.create_segmentation(name, "rules", definition)
    run_segmentation(project, name)


def _segments_of_latest_run(path: Path, segmentation: str) -> dict[str, list[str]]:
    with sqlite3.connect(path) as conn:
        run_id = conn.execute(
            "SELECT max(r.id) FROM segtui_runs r JOIN segtui_segmentations s "
            "ON s.id = r.segmentation_id WHERE s.name = ?",
            (segmentation,),
        ).fetchone()[0]
        rows = conn.execute(
            "SELECT segment, customer_id FROM segtui_assignments WHERE run_id = ? "
            "ORDER BY customer_id",
            (run_id,),
        ).fetchall()
    out: dict[str, list[str]] = {}
    for segment, customer in rows:
        out.setdefault(segment, []).append(customer)
    return out


def test_rename_rule_segment_changes_definition_run_and_next_run(project: Project) -> None:
    _rules(project)
    seg = rename_segment(project, "Rules", "big SPENDERS", "VIPs")
    assert [s["name"] for s in seg.definition["segments"]] == ["VIPs", "France"]
    assert [s.name for s in seg.last_run.segments] == ["VIPs", "France", "Everyone else"]
    assert _segments_of_latest_run(project.path, "Rules") == {
        "VIPs": ["C1"],
        "France": ["C3"],
        "Everyone else": ["C2"],
    }
    run = run_segmentation(project, "Rules")
    assert [s.name for s in run.segments] == ["VIPs", "France", "Everyone else"]


def test_rename_the_else_segment(project: Project) -> None:
    _rules(project)
    seg = rename_segment(project, "Rules", "Everyone else", "The rest")
    assert seg.definition["else"] == "The rest"
    assert _segments_of_latest_run(project.path, "Rules")["The rest"] == ["C2"]


def test_rename_refuses_a_taken_or_blank_name_and_changes_nothing(project: Project) -> None:
    _rules(project)
    before = project.segmentation("Rules")
    with pytest.raises(CriteriaError, match="already has a segment 'france'"):
        rename_segment(project, "Rules", "Big spenders", "france")
    with pytest.raises(CriteriaError, match="non-blank"):
        rename_segment(project, "Rules", "Big spenders", "   ")
    with pytest.raises(CriteriaError, match="has no segment 'Nobody'"):
        rename_segment(project, "Rules", "Nobody", "X")
    after = project.segmentation("Rules")
    assert after.definition == before.definition
    assert [s.name for s in after.last_run.segments] == [s.name for s in before.last_run.segments]


def test_rename_follows_into_rules_that_refer_to_the_segment(project: Project) -> None:
    _rules(project)
    ref = {"op": "in_segment", "segmentation": "rules", "segment": "Big spenders"}
    project.create_segmentation(
        "Follow-up", "rules", {"mode": "overlapping", "segments": [{"name": "Top", "rule": ref}]}
    )
    rename_segment(project, "Rules", "Big spenders", "VIPs")
    rule = project.segmentation("Follow-up").definition["segments"][0]["rule"]
    assert rule == {"op": "in_segment", "segmentation": "rules", "segment": "VIPs"}
    run = run_segmentation(project, "Follow-up")
    assert [(s.name, s.customers) for s in run.segments] == [("Top", 1)]


def test_rename_rfm_segment_renames_every_cell_and_the_run(project: Project) -> None:
    project.create_segmentation("RFM", "rfm", default_definition("rfm"))
    run = run_segmentation(project, "RFM")
    scored = next(s.name for s in run.segments if s.customers and s.name != NO_PURCHASES)
    seg = rename_segment(project, "RFM", scored, "Stars")
    grid = seg.definition["grid"]
    assert scored not in {c for row in grid for c in row}
    assert "Stars" in {c for row in grid for c in row}
    assert "Stars" in {c for row in seg.last_run.details["grid"] for c in row}
    assert "Stars" in _segments_of_latest_run(project.path, "RFM")
    with pytest.raises(CriteriaError, match="kept for customers without orders"):
        rename_segment(project, "RFM", NO_PURCHASES, "Prospects")
    rerun = run_segmentation(project, "RFM")
    assert "Stars" in [s.name for s in rerun.segments]


def test_description_is_shown_at_once_and_kept_by_later_runs(project: Project) -> None:
    _rules(project)
    generated = project.segmentation("Rules").last_run.segments[0].description
    assert generated  # rules describe themselves
    describe_segment(project, "Rules", "Big spenders", "  Our best   customers ")
    assert project.segmentation("Rules").last_run.segments[0].description == "Our best customers"
    assert segment_notes(project, "Rules") == {"Big spenders": "Our best customers"}
    run = run_segmentation(project, "Rules")
    assert run.segments[0].description == "Our best customers"
    rename_segment(project, "Rules", "Big spenders", "VIPs")
    assert segment_notes(project, "Rules") == {"VIPs": "Our best customers"}
    describe_segment(project, "Rules", "VIPs", "")
    assert segment_notes(project, "Rules") == {}
    assert project.segmentation("Rules").last_run.segments[0].description == generated


def test_description_too_long_is_refused(project: Project) -> None:
    _rules(project)
    with pytest.raises(CriteriaError, match="under 500 characters"):
        describe_segment(project, "Rules", "France", "x" * 501)
    assert segment_notes(project, "Rules") == {}


def test_unrun_segmentation_cannot_be_described(project: Project) -> None:
    project.create_segmentation("Fresh", "rules", {"mode": "exclusive", "segments": [BIG]})
    with pytest.raises(CriteriaError, match="has not been run yet"):
        describe_segment(project, "Fresh", "Big spenders", "x")


def test_notes_go_with_their_segmentation(project: Project) -> None:
    _rules(project)
    describe_segment(project, "Rules", "France", "French shoppers")
    project.delete_segmentation("Rules")
    with sqlite3.connect(project.path) as conn:
        assert conn.execute("SELECT count(*) FROM segtui_segment_notes").fetchone()[0] == 0


def test_a_version_2_project_gains_the_notes_table_and_keeps_its_runs(project: Project) -> None:
    _rules(project)
    path = project.path
    project.close()
    with sqlite3.connect(path) as conn:
        for table in ("playbook", "draft_versions", "drafts", "segment_notes"):  # v4, v3
            conn.execute(f"DROP TABLE segtui_{table}")
        conn.execute("PRAGMA user_version = 2")
    with Project.open(path) as reopened:
        assert [s.name for s in reopened.segmentation("Rules").last_run.segments] == [
            "Big spenders",
            "France",
            "Everyone else",
        ]
        describe_segment(reopened, "Rules", "France", "French shoppers")
        assert segment_notes(reopened, "Rules") == {"France": "French shoppers"}


def test_a_rename_for_a_run_that_is_no_longer_the_latest_is_refused(project: Project) -> None:
    _rules(project)
    shown = project.segmentation("Rules").last_run.id
    run_segmentation(project, "Rules")  # run again while the screen shows the first run
    with pytest.raises(CriteriaError, match="has been run again since"):
        rename_segment(project, "Rules", "France", "Francophiles", run_id=shown)
    with pytest.raises(CriteriaError, match="has been run again since"):
        describe_segment(project, "Rules", "France", "x", run_id=shown)
    assert "France" in [s["name"] for s in project.segmentation("Rules").definition["segments"]]


def test_a_rename_may_not_take_a_name_the_edited_definition_has(project: Project) -> None:
    _rules(project)
    definition = project.segmentation("Rules").definition
    definition["segments"].append({"name": "Spain", "rule": FRANCE["rule"]})
    project.update_segmentation("Rules", definition=definition)  # edited since the run
    with pytest.raises(CriteriaError, match="already has a segment 'Spain'"):
        rename_segment(project, "Rules", "France", "Spain")


def test_descriptions_follow_renames_made_in_the_editors(project: Project) -> None:
    _rules(project)
    describe_segment(project, "Rules", "France", "French shoppers")
    run = project.segmentation("Rules").last_run
    project.rename_run_segment(run.id, "France", "Gaul")  # the cluster editor's path
    assert segment_notes(project, "Rules") == {"Gaul": "French shoppers"}
    project.move_segment_note("Rules", "Gaul", "Frankreich")  # the rule and RFM editors' path
    assert segment_notes(project, "Rules") == {"Frankreich": "French shoppers"}


def test_drafts_follow_a_rename(project: Project) -> None:
    from segtui.core.messaging import Draft, drafts, save_draft

    _rules(project)
    save_draft(project, "Rules", Draft("France", "reward", "email"))
    rename_segment(project, "Rules", "France", "Gaul")
    stored = drafts(project, "Rules")
    assert [d.segment for d in stored.get("Gaul", [])] == ["Gaul"]
    assert "France" not in stored
    project.move_segment_note("Rules", "Gaul", "Frankreich")  # an editor's rename
    assert list(drafts(project, "Rules").get("Frankreich", [])) != []
