"""Segmentations in the project file, and running them: every run is stored whole (its row, its
segment counts, one assignment per customer) or not at all, and kept until its segmentation is
deleted."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from project_files import SHOP_CUSTOMERS, SHOP_ORDERS, build_project, copy_project

from segtui.core.errors import ProjectError
from segtui.core.features import customer_features
from segtui.core.ingest import import_file
from segtui.core.model import ReadOptions
from segtui.core.project import Project
from segtui.core.rfm_map import NO_PURCHASES
from segtui.core.runner import default_definition, run_segmentation
from segtui.core.segment_model import CriteriaError, MethodResult, RunCancelled

RUN_TABLES = ("segtui_runs", "segtui_run_segments", "segtui_assignments")

BIG_SPENDERS = {"name": "Big spenders", "rule": {"field": "total_spend", "op": ">=", "value": 150}}
FRANCE = {"name": "France", "rule": {"field": "country", "op": "is", "value": "France"}}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shop, imported once per module; each test gets its own copy."""
    return build_project(tmp_path_factory.mktemp("template"), SHOP_CUSTOMERS, SHOP_ORDERS)


@pytest.fixture
def project(tmp_path: Path, template: Path) -> Project:
    with Project.open(copy_project(template, tmp_path)) as project:
        yield project


def _clustered(folder: Path) -> Path:
    """30 customers in three plain groups: 10 buy once for ~20, 10 five times for ~100 and 10
    twelve times for ~400."""
    lines = ["order_id,customer_id,order_date,amount"]
    number = 0
    for group, (orders, amount) in enumerate([(1, 20.0), (5, 100.0), (12, 400.0)]):
        for person in range(10):
            for order in range(orders):
                number += 1
                day = 1 + (order * 2 + person) % 28
                price = amount + person + order
                lines.append(f"O{number},G{group}P{person},2024-0{1 + order % 6}-{day:02d},{price}")
    path = folder / "orders.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _count(path: Path, table: str, where: str = "") -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table} {where}").fetchone()[0])
    finally:
        conn.close()


def _counts(path: Path) -> dict[str, int]:
    return {table: _count(path, table) for table in RUN_TABLES}


def _rules(*segments: dict[str, Any], mode: str = "exclusive") -> dict[str, Any]:
    return {"mode": mode, "else": "Everyone else", "segments": list(segments)}


# --- definitions -------------------------------------------------------------------------------


def test_create_stores_readable_json_and_checks_the_name(project: Project) -> None:
    definition = _rules(BIG_SPENDERS)
    seg = project.create_segmentation("  Big   spenders ", "rules", definition)
    assert (seg.name, seg.method, seg.definition, seg.last_run) == (
        "Big spenders",
        "rules",
        definition,
        None,
    )
    conn = sqlite3.connect(project.path)
    name, stored = conn.execute("SELECT name, definition FROM segtui_segmentations").fetchone()
    conn.close()
    assert name == "Big spenders"
    assert json.loads(stored) == definition
    assert "\n" in stored  # indented, for people reading the file

    refusals = {
        "": "give a name",
        "   ": "give a name",
        "x" * 61: "at most 60 characters",
        "big SPENDERS": "already exists",
        "Big  spenders": "already exists",
    }
    for bad, message in refusals.items():
        with pytest.raises(CriteriaError, match=message):
            project.create_segmentation(bad, "rfm", {})
    with pytest.raises(CriteriaError, match="method 'tree' is not known; use one of rules, rfm"):
        project.create_segmentation("Tree", "tree", {})
    assert [s.name for s in project.segmentations()] == ["Big spenders"]
    assert project.create_segmentation("x" * 60, "rfm", {}).name == "x" * 60


def test_names_are_one_name_whatever_the_case_or_spacing(project: Project) -> None:
    project.create_segmentation("Élite", "rfm", {})
    with pytest.raises(CriteriaError, match="already exists"):
        project.create_segmentation("élite", "rfm", {})
    project.create_segmentation("Big spenders", "rfm", {})
    assert project.segmentation("big  SPENDERS").name == "Big spenders"
    assert project.segmentation("ÉLITE").name == "Élite"
    assert project.has_segmentation(" big spenders")
    assert [s.name for s in project.segmentations()] == ["Élite", "Big spenders"]


def test_update_definition_method_and_name(project: Project) -> None:
    project.create_segmentation("Value", "rules", _rules(BIG_SPENDERS))
    project.create_segmentation("Other", "rfm", {})
    seg = project.update_segmentation("value", definition=_rules(FRANCE))
    assert (seg.name, seg.definition["segments"]) == ("Value", [FRANCE])
    seg = project.update_segmentation("Value", method="rfm", definition={"bins": 3})
    assert (seg.method, seg.definition) == ("rfm", {"bins": 3})
    seg = project.update_segmentation("Value", new_name="Customer value")
    assert (seg.name, seg.method) == ("Customer value", "rfm")
    with pytest.raises(CriteriaError, match="no segmentation named 'Value'"):
        project.segmentation("Value")
    assert project.update_segmentation("customer value", new_name="CUSTOMER VALUE").name == (
        "CUSTOMER VALUE"
    )
    with pytest.raises(CriteriaError, match="'other' already exists"):
        project.update_segmentation("Customer value", new_name="other")
    with pytest.raises(CriteriaError, match="method 'tree' is not known"):
        project.update_segmentation("Customer value", method="tree")
    with pytest.raises(CriteriaError, match="give a name"):
        project.update_segmentation("Customer value", new_name=" ")
    with pytest.raises(CriteriaError, match="no segmentation named 'Nope'"):
        project.update_segmentation("Nope", definition={})
    # The refused changes left it as it was.
    seg = project.segmentation("customer value")
    assert (seg.name, seg.method, seg.definition) == ("CUSTOMER VALUE", "rfm", {"bins": 3})


# --- runs --------------------------------------------------------------------------------------


def test_an_rfm_run_is_stored_in_the_file(project: Project) -> None:
    definition = default_definition("rfm")
    project.create_segmentation("RFM", "rfm", definition)
    run = run_segmentation(project, "RFM")
    assert (run.segmentation, run.method, run.parameters) == ("RFM", "rfm", definition)
    assert (run.analysis_date, run.population, run.customers) == ("2024-03-21", 3, 3)
    conn = sqlite3.connect(project.path)
    row = conn.execute(
        "SELECT method, parameters, analysis_date, population, customers FROM segtui_runs "
        "WHERE id = ?",
        (run.id,),
    ).fetchone()
    segments = conn.execute(
        "SELECT name, customers, share, revenue FROM segtui_run_segments WHERE run_id = ? "
        "ORDER BY position",
        (run.id,),
    ).fetchall()
    assignments = conn.execute(
        "SELECT customer_id, segment, r_score, f_score, m_score FROM segtui_assignments "
        "WHERE run_id = ? ORDER BY customer_id",
        (run.id,),
    ).fetchall()
    conn.close()
    assert (row[0], json.loads(row[1]), row[2], row[3], row[4]) == (
        "rfm",
        definition,
        "2024-03-21",
        3,
        3,
    )
    # Every segment of the map is listed, empty ones included, with "No purchases yet" last.
    assert [name for name, *_ in segments] == [s.name for s in run.segments]
    assert segments[-1] == (NO_PURCHASES, 1, pytest.approx(1 / 3), 0.0)
    assert sum(customers for _, customers, _, _ in segments) == 3
    for _name, customers, share, revenue in segments:
        assert share == pytest.approx(customers / 3)
        assert revenue == 0.0 or customers > 0
    assert sum(revenue for *_, revenue in segments) == pytest.approx(260.0)
    assert [r[0] for r in assignments] == ["C1", "C2", "C3"]
    c1, c2, c3 = assignments
    assert c3 == ("C3", NO_PURCHASES, None, None, None)
    for _cid, segment, *scores in (c1, c2):
        assert segment != NO_PURCHASES
        assert all(isinstance(s, int) and 1 <= s <= 5 for s in scores)
    by_segment = {s.name: s for s in run.segments}
    assert by_segment[c1[1]].revenue == pytest.approx(160.0 if c1[1] != c2[1] else 260.0)


def test_runs_are_kept_newest_first_and_last_run_is_the_newest(project: Project) -> None:
    project.create_segmentation("RFM", "rfm", default_definition("rfm"))
    first = run_segmentation(project, "RFM")
    project.update_segmentation("RFM", definition={**default_definition("rfm"), "bins": 3})
    second = run_segmentation(project, "RFM")
    assert second.id > first.id
    assert [r.id for r in project.runs("rfm")] == [second.id, first.id]
    assert project.runs("RFM")[1].parameters["bins"] == 5  # the definition as it was run
    assert project.runs("RFM")[0].parameters["bins"] == 3
    assert project.segmentation("RFM").last_run.id == second.id  # type: ignore[union-attr]
    assert _count(project.path, "segtui_assignments") == 6
    with pytest.raises(CriteriaError, match="there is no run 999"):
        project.run(999)


def test_delete_removes_the_segmentation_with_all_its_runs(project: Project) -> None:
    project.create_segmentation("RFM", "rfm", default_definition("rfm"))
    project.create_segmentation("Value", "rules", _rules(BIG_SPENDERS))
    run_segmentation(project, "RFM")
    run_segmentation(project, "RFM")
    kept = run_segmentation(project, "Value")
    before = _counts(project.path)
    assert before["segtui_runs"] == 3 and before["segtui_assignments"] == 9
    project.delete_segmentation("rfm")
    assert [s.name for s in project.segmentations()] == ["Value"]
    # Only the other segmentation's run is left, with its segments and assignments.
    assert _counts(project.path) == {
        "segtui_runs": 1,
        "segtui_run_segments": len(kept.segments),
        "segtui_assignments": 3,
    }
    assert _count(project.path, "segtui_assignments", f"WHERE run_id = {kept.id}") == 3
    with pytest.raises(CriteriaError, match="no segmentation named 'RFM'"):
        project.delete_segmentation("RFM")


def test_assignments_frame_of_a_run(project: Project) -> None:
    project.create_segmentation("RFM", "rfm", default_definition("rfm"))
    run = run_segmentation(project, "RFM")
    frame = project.assignments(run.id)
    assert frame.columns[:2] == ["customer_id", "segment"]
    assert frame.schema["r_score"] == pl.Int64 and frame.schema["recency"] == pl.Float64
    assert frame.height == 3
    rows = {r["customer_id"]: r for r in frame.to_dicts()}
    assert rows["C3"]["segment"] == NO_PURCHASES
    assert (rows["C1"]["frequency"], rows["C1"]["monetary"]) == (2.0, 160.0)
    assert rows["C2"]["recency"] == 1.0
    assert rows["C1"]["distance"] is None
    assert project.assignments(12345).height == 0


def test_a_rules_run_exclusive_and_overlapping(project: Project) -> None:
    project.create_segmentation("Value", "rules", _rules(BIG_SPENDERS, FRANCE))
    run = run_segmentation(project, "Value")
    # C1 is a big spender and French; the first match wins.
    assert [(s.name, s.customers) for s in run.segments] == [
        ("Big spenders", 1),
        ("France", 1),
        ("Everyone else", 1),
    ]
    assert [s.revenue for s in run.segments] == [160.0, 0.0, 100.0]
    assert project.segment_members("Value", "France") == ["C3"]
    assert (run.population, run.customers) == (3, 3)

    project.update_segmentation(
        "Value", definition=_rules(BIG_SPENDERS, FRANCE, mode="overlapping")
    )
    run = run_segmentation(project, "Value")
    assert [(s.name, s.customers) for s in run.segments] == [("Big spenders", 1), ("France", 2)]
    assert (run.population, run.customers) == (3, 2)  # C2 is in no segment
    assert sorted(project.segment_members("Value", "france")) == ["C1", "C3"]
    frame = project.assignments(run.id)
    assert sorted(frame.select("customer_id", "segment").rows()) == [
        ("C1", "Big spenders"),
        ("C1", "France"),
        ("C3", "France"),
    ]


def test_a_segment_of_another_segmentation(project: Project) -> None:
    dormant = {
        "name": "Dormant",
        "rule": {"op": "in_segment", "segmentation": "RFM", "segment": "no purchases YET"},
    }
    project.create_segmentation("RFM", "rfm", default_definition("rfm"))
    project.create_segmentation("Follow-up", "rules", _rules(dormant))
    with pytest.raises(CriteriaError, match="'RFM' has not been run yet"):
        project.segment_members("RFM", NO_PURCHASES)
    with pytest.raises(CriteriaError, match="has not been run yet"):
        run_segmentation(project, "Follow-up")
    assert _counts(project.path)["segtui_runs"] == 0
    run_segmentation(project, "RFM")
    assert project.segment_members("rfm", "No Purchases Yet") == ["C3"]
    with pytest.raises(CriteriaError, match="has no segment 'VIP'; its segments are Champions"):
        project.segment_members("RFM", "VIP")
    run = run_segmentation(project, "Follow-up")
    assert [(s.name, s.customers) for s in run.segments] == [("Dormant", 1), ("Everyone else", 2)]
    assert project.segment_members("Follow-up", "Dormant") == ["C3"]


def test_kmeans_with_a_seed_is_repeatable(tmp_path: Path) -> None:
    with Project.open(tmp_path / "clusters.db") as project:
        import_file(project, _clustered(tmp_path), ReadOptions(kind="transactions"))
        features = customer_features(project)
        definition = default_definition("kmeans", features)
        assert {"orders", "total_spend", "recency_days"} <= set(definition["features"])
        project.create_segmentation("Clusters", "kmeans", {**definition, "k": 3, "seed": 7})
        first = run_segmentation(project, "Clusters")
        second = run_segmentation(project, "Clusters")
        assert first.method == "kmeans" and first.parameters["k"] == 3
        assert len(first.segments) == 3
        # The three plain groups come out as the three clusters.
        assert [s.customers for s in first.segments] == [10, 10, 10]
        a, b = project.assignments(first.id), project.assignments(second.id)
    assert a.select("customer_id", "segment").equals(b.select("customer_id", "segment"))
    assert a.get_column("distance").null_count() == 0
    groups = a.with_columns(pl.col("customer_id").str.slice(0, 2).alias("group"))
    assert groups.group_by("group").agg(pl.col("segment").n_unique()).get_column(
        "segment"
    ).to_list() == [1, 1, 1]


@pytest.mark.parametrize("method", ["rfm", "rules"])
def test_progress_runs_from_zero_to_one(project: Project, method: str) -> None:
    definition = _rules(BIG_SPENDERS) if method == "rules" else default_definition("rfm")
    project.create_segmentation("Mine", method, definition)
    seen: list[tuple[float, str]] = []
    run_segmentation(project, "Mine", progress=lambda f, label: seen.append((f, label)))
    fractions = [f for f, _ in seen]
    assert all(0.0 <= f <= 1.0 for f in fractions), seen
    assert fractions == sorted(fractions), seen
    assert seen[-1] == (1.0, "done")
    assert any(label == "storing 3 assignments" for _, label in seen)


def test_a_cancelled_run_stores_nothing(project: Project) -> None:
    project.create_segmentation("RFM", "rfm", default_definition("rfm"))
    with pytest.raises(RunCancelled, match="nothing was saved"):
        run_segmentation(project, "RFM", cancelled=lambda: True)
    # Cancelled half-way, while the method works.
    seen: list[float] = []
    with pytest.raises(RunCancelled):
        run_segmentation(
            project,
            "RFM",
            progress=lambda f, _label: seen.append(f),
            cancelled=lambda: bool(seen) and seen[-1] >= 0.5,
        )
    assert seen[-1] < 0.92  # it never got to storing
    project.create_segmentation("Value", "rules", _rules(BIG_SPENDERS))
    with pytest.raises(RunCancelled, match="run of Value cancelled"):
        run_segmentation(project, "Value", cancelled=lambda: True)
    assert _counts(project.path) == dict.fromkeys(RUN_TABLES, 0)
    assert project.segmentation("RFM").last_run is None


def test_a_failure_while_storing_leaves_no_trace(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import adbc_driver_manager.dbapi as dbapi

    project.create_segmentation("RFM", "rfm", default_definition("rfm"))
    updated = project.settings().updated_at

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    # The run row and its segments are written before the assignments fail.
    with monkeypatch.context() as patched:
        patched.setattr(dbapi.Cursor, "adbc_ingest", disk_full)
        with pytest.raises(ProjectError, match="could not store the run"):
            run_segmentation(project, "RFM")
    assert _counts(project.path) == dict.fromkeys(RUN_TABLES, 0)
    assert project.settings().updated_at == updated

    # Assignments the table refuses (a customer without a segment): nothing either.
    seg = project.segmentation("RFM")
    features = customer_features(project)
    bad = MethodResult(
        pl.DataFrame({"customer_id": ["C1", "C2", "C3"], "segment": ["A", None, "A"]}),
        ["A"],
    )
    with pytest.raises(ProjectError, match="could not store the run"):
        project.save_run(seg, bad, features, 0.1)
    assert _counts(project.path) == dict.fromkeys(RUN_TABLES, 0)

    # And the project is fine afterwards.
    run = run_segmentation(project, "RFM")
    assert _counts(project.path)["segtui_assignments"] == 3
    assert project.segmentation("RFM").last_run.id == run.id  # type: ignore[union-attr]


def test_default_definitions(project: Project) -> None:
    assert default_definition("rules") == {
        "mode": "exclusive",
        "else": "Everyone else",
        "segments": [],
    }
    assert default_definition("rfm")["bins"] == 5
    gmm = default_definition("gmm", customer_features(project))
    assert gmm["algorithm"] == "gmm" and "total_spend" in gmm["features"]
    assert default_definition("kmeans")["features"] == []
    with pytest.raises(CriteriaError, match="method 'tree' is not known"):
        default_definition("tree")


def test_renaming_a_segment_of_a_stored_run(project: Project) -> None:
    project.create_segmentation("RFM", "rfm", default_definition("rfm"))
    run = run_segmentation(project, "RFM")
    old = next(s for s in run.segments if s.customers)
    renamed = project.rename_run_segment(run.id, old.name, "  Best   friends ")
    assert [s.name for s in renamed.segments] == [
        "Best friends" if s.name == old.name else s.name for s in run.segments
    ]
    assert len(project.segment_members("RFM", "Best friends")) == old.customers
    quoted = old.name.replace("'", "''")
    assert _count(project.path, "segtui_assignments", f"WHERE segment = '{quoted}'") == 0
    other = next(s.name for s in run.segments if s.name != old.name)
    with pytest.raises(CriteriaError, match="already has a segment"):
        project.rename_run_segment(run.id, "Best friends", other.upper())
    with pytest.raises(CriteriaError, match="cannot be blank"):
        project.rename_run_segment(run.id, "Best friends", "  ")
