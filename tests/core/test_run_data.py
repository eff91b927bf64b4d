"""A stored run loaded for review: its assignments read back as stored, members joined with
the features (the same rows whether the run lines up with the features or not)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from project_files import SHOP_CUSTOMERS, SHOP_ORDERS, build_project

from segtui.core.project import Project
from segtui.core.run_data import latest_run, load_run
from segtui.core.runner import default_definition, run_segmentation
from segtui.core.segment_model import CriteriaError

BIG = {"name": "Big spenders", "rule": {"field": "total_spend", "op": ">=", "value": 100}}
FRANCE = {"name": "France", "rule": {"field": "country", "op": "is", "value": "France"}}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    with Project.open(build_project(tmp_path, SHOP_CUSTOMERS, SHOP_ORDERS)) as project:
        yield project


def test_exclusive_run_lines_up_and_members_carry_features(project: Project) -> None:
    project.create_segmentation("Rules", "rules", {"mode": "exclusive", "segments": [BIG]})
    run_segmentation(project, "Rules")
    data = latest_run(project, "Rules")
    assert data.aligned and not data.overlapping
    members = data.members(["Big spenders"], ["total_spend", "country"])
    assert members.columns == ["customer_id", "segment", "total_spend", "country"]
    assert members.rows() == [
        ("C1", "Big spenders", 160.0, "France"),
        ("C2", "Big spenders", 100.0, "Spain"),
    ]


def test_members_are_the_same_through_the_join(project: Project) -> None:
    project.create_segmentation("RFM", "rfm", default_definition("rfm"))
    run = run_segmentation(project, "RFM")
    data = load_run(project, run.id)
    assert data.aligned
    # The same run with its rows in another order takes the join path.
    shuffled = replace(data, assignments=data.assignments.reverse())
    assert not shuffled.aligned
    for segments in (None, [data.segments[0]]):
        fast = data.members(segments).sort("customer_id")
        slow = shuffled.members(segments).sort("customer_id")
        assert fast.equals(slow)


def test_overlapping_run_has_a_row_per_membership(project: Project) -> None:
    definition = {"mode": "overlapping", "segments": [BIG, FRANCE]}
    project.create_segmentation("Both", "rules", definition)
    run_segmentation(project, "Both")
    data = latest_run(project, "Both")
    assert data.overlapping and not data.aligned
    members = data.members(None, ["country"])
    assert sorted(members.rows()) == [
        ("C1", "Big spenders", "France"),
        ("C1", "France", "France"),
        ("C2", "Big spenders", "Spain"),
        ("C3", "France", "France"),
    ]
    assert sorted(data.segment_ids("France").to_list()) == ["C1", "C3"]


def test_unknown_segment_or_column_and_unrun_segmentation(project: Project) -> None:
    project.create_segmentation("RFM", "rfm", default_definition("rfm"))
    with pytest.raises(CriteriaError, match="has not been run yet"):
        latest_run(project, "RFM")
    run_segmentation(project, "RFM")
    data = latest_run(project, "rfm")
    with pytest.raises(CriteriaError, match="has no segment 'Nobody'"):
        data.members(["Nobody"])
    with pytest.raises(CriteriaError, match="'shoe_size' is not a member column"):
        data.members(None, ["shoe_size"])
    assert isinstance(data.assignments, pl.DataFrame)
    assert {"r_score", "f_score", "m_score"} <= set(data.score_columns)
