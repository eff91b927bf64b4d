"""Overlap between segments of a run (counts and Jaccard) and the cross-tab of two runs, on
hand-made assignments and on a real shop project run twice (exclusive, then overlapping)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from project_files import SHOP_CUSTOMERS, SHOP_ORDERS, build_project

from segtui.core.overlap import crosstab, crosstab_frame, overlap, overlap_frame
from segtui.core.profile import summarise
from segtui.core.project import Project
from segtui.core.run_data import RunData, load_run
from segtui.core.runner import run_segmentation
from segtui.core.segment_model import Features, FieldInfo, RunInfo, RunSegment

IDS = [f"C{i}" for i in range(1, 9)]


def _run(run_id: int, name: str, segments: dict[str, list[str]]) -> RunData:
    rows = [(cid, seg) for seg, ids in segments.items() for cid in ids]
    assignments = pl.DataFrame(rows, schema=["customer_id", "segment"], orient="row")
    features = Features(
        pl.DataFrame({"customer_id": IDS, "age": list(range(20, 28))}),
        [FieldInfo("age", "Age", "number", "demographic")],
        None,
        "customers",
        None,
    )
    listed = [
        RunSegment(i, s, len(ids), len(ids) / 8, None)
        for i, (s, ids) in enumerate(segments.items())
    ]
    mode = "overlapping" if len(rows) != len({cid for cid, _ in rows}) else "exclusive"
    run = RunInfo(
        run_id, name, "rules", {"mode": mode}, {}, None, "2025-01-01T00:00:00", 8, 0, 0.1, listed
    )
    return RunData(run, assignments, features, "£")


EXCLUSIVE = {"High": ["C1", "C2"], "Low": ["C3", "C4", "C5", "C6"], "Empty": []}
OVERLAPPING = {"A": ["C1", "C2", "C3"], "B": ["C2", "C3", "C4"], "C": ["C5", "C8"], "D": []}


def test_overlap_counts_and_jaccard_of_overlapping_segments() -> None:
    result = overlap(_run(2, "Interests", OVERLAPPING))
    assert result.segments == ["A", "B", "C", "D"]
    assert result.sizes == [3, 3, 2, 0]
    assert result.counts == [
        [3, 2, 0, 0],
        [2, 3, 0, 0],
        [0, 0, 2, 0],
        [0, 0, 0, 0],
    ]
    assert result.jaccard[0][1] == pytest.approx(0.5)  # 2 ÷ (3 + 3 − 2)
    assert result.jaccard[1][0] == pytest.approx(0.5)
    assert result.jaccard[0][0] == 1.0
    assert result.jaccard[0][2] == 0.0
    assert result.jaccard[3][3] == 0.0  # an empty segment overlaps nothing, not even itself


def test_overlap_of_an_exclusive_run_is_zero_off_the_diagonal() -> None:
    result = overlap(_run(1, "Value", EXCLUSIVE))
    assert result.counts == [[2, 0, 0], [0, 4, 0], [0, 0, 0]]
    assert result.jaccard[0] == [1.0, 0.0, 0.0]


def test_overlap_frame_lists_each_pair_once() -> None:
    frame = overlap_frame(overlap(_run(2, "Interests", OVERLAPPING)))
    assert frame.columns == ["segment_a", "segment_b", "customers_a", "customers_b", "both",
                             "jaccard"]  # fmt: skip
    assert frame.height == 6  # 4 segments: 4·3/2 pairs
    assert frame.row(0) == ("A", "B", 3, 3, 2, 0.5)
    assert frame.row(1) == ("A", "C", 3, 2, 0, 0.0)


def test_crosstab_counts_pairs_of_memberships_of_common_customers() -> None:
    table = crosstab(_run(1, "Value", EXCLUSIVE), _run(2, "Interests", OVERLAPPING))
    assert (table.row_title, table.col_title) == ("Value · run 1", "Interests · run 2")
    assert (table.rows, table.cols) == (["High", "Low", "Empty"], ["A", "B", "C", "D"])
    # C1 → A; C2 → A, B; C3 → A, B; C4 → B; C5 → C. C6 is in no segment of run 2, C8 in
    # none of run 1.
    assert table.counts == [
        [2, 1, 0, 0],
        [1, 2, 1, 0],
        [0, 0, 0, 0],
    ]
    assert table.row_totals == [3, 4, 0]
    assert table.col_totals == [3, 3, 1, 0]
    assert (table.common, table.only_rows, table.only_cols, table.total) == (5, 1, 1, 7)


def test_crosstab_frame_with_totals() -> None:
    table = crosstab(_run(1, "Value", EXCLUSIVE), _run(2, "Interests", OVERLAPPING))
    frame = crosstab_frame(table)
    assert frame.columns == ["Value · run 1", "A", "B", "C", "D", "Total"]
    assert frame.rows() == [
        ("High", 2, 1, 0, 0, 3),
        ("Low", 1, 2, 1, 0, 4),
        ("Empty", 0, 0, 0, 0, 0),
        ("Total", 3, 3, 1, 0, 7),
    ]
    clash = crosstab(_run(1, "Value", EXCLUSIVE), _run(3, "Other", {"Total": ["C1"]}))
    assert crosstab_frame(clash).columns == ["Value · run 1", "Total", "Total (2)"]


def test_a_shop_run_exclusive_then_overlapping(tmp_path: Path) -> None:
    """C1 spends 160 and lives in France, C2 spends 100 in Spain, C3 never ordered (France)."""
    with Project.open(build_project(tmp_path, SHOP_CUSTOMERS, SHOP_ORDERS)) as project:
        rules = [
            {"name": "Big spenders", "rule": {"field": "total_spend", "op": ">=", "value": 150}},
            {"name": "France", "rule": {"field": "country", "op": "is", "value": "France"}},
        ]
        definition = {"mode": "exclusive", "else": "Everyone else", "segments": rules}
        project.create_segmentation("Value", "rules", definition)
        first = load_run(project, run_segmentation(project, "Value").id)
        project.update_segmentation("Value", definition={**definition, "mode": "overlapping"})
        second = load_run(project, run_segmentation(project, "Value").id)

    summary = summarise(second)
    assert summary.overlapping
    assert [(r.name, r.customers, r.revenue) for r in summary.rows] == [
        ("Big spenders", 1, 160.0),
        ("France", 2, 160.0),
    ]
    assert (summary.total.customers, summary.total.revenue, summary.population_revenue) == (
        2, 160.0, 260.0
    )  # fmt: skip
    assert summary.rows[0].value_index == pytest.approx((160 / 260) / (1 / 3))
    assert summary.rows[0].median_recency == 40.0  # last purchase 10 Feb, analysis date 21 Mar

    shared = overlap(second)
    assert shared.counts == [[1, 1], [1, 2]]
    assert shared.jaccard[0][1] == pytest.approx(0.5)

    table = crosstab(first, second)
    assert table.rows == ["Big spenders", "France", "Everyone else"]
    assert table.counts == [[1, 1], [0, 1], [0, 0]]
    assert (table.common, table.only_rows, table.only_cols) == (2, 1, 0)
