"""`segtui segment` and `segtui segments`: create, update and run segmentations from the command
line, and every mistake exits 2 with one line and leaves the project as it was."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import cli_json, run_cli
from project_files import SHOP_CUSTOMERS, SHOP_ORDERS, build_project, copy_project

from segtui.core.ingest import import_file
from segtui.core.model import ReadOptions
from segtui.core.project import Project

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"

# "  Hibernating    1   33.3%   160.00" (the revenue may carry a currency symbol).
SEGMENT_LINE = re.compile(r"^  (\S.*?) +([\d,]+) +([\d.]+%) +\D*([\d,.]+|—)$")
BIG_SPENDERS = {"name": "Big spenders", "rule": {"field": "total_spend", "op": ">=", "value": 150}}
FRANCE = {"name": "France", "rule": {"field": "country", "op": "is", "value": "France"}}


@pytest.fixture(autouse=True)
def _log_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGTUI_LOG", str(tmp_path / "segtui.log"))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("template"), SHOP_CUSTOMERS, SHOP_ORDERS)


@pytest.fixture
def shop(tmp_path: Path, template: Path) -> Path:
    return copy_project(template, tmp_path)


_cli = run_cli
_json = cli_json


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _refused(capsys: pytest.CaptureFixture[str], path: Path, *args: str) -> str:
    """Run a command that must fail: exit 2, one line on stderr, nothing changed."""
    before = _dump(path)
    code, out, err = _cli(capsys, *args)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("segtui: ")
    assert _dump(path) == before
    return lines[0]


def _rules_file(folder: Path, name: str, data: Any) -> str:
    path = folder / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return str(path)


def _runs(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM segtui_runs").fetchone()[0])
    finally:
        conn.close()


def test_rfm_prints_the_segment_counts_and_stores_the_run(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _cli(capsys, "segment", str(shop), "--name", "RFM", "--method", "rfm")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "RFM (rfm) · run 1 · analysis date 2024-03-21 · 3 of 3 customers"
    assert lines[1].split() == ["segment", "customers", "share", "revenue"]
    assert lines[-1].startswith("  note: ")  # too few customers for five bins, and it says so
    rows = {
        match[1]: match.groups()[1:]
        for match in map(SEGMENT_LINE.match, lines[2:])
        if match is not None
    }
    assert len(rows) == 11  # the whole map, empty segments included
    assert rows["No purchases yet"] == ("1", "33.3%", "0.00")
    assert sum(int(row[0]) for row in rows.values()) == 3
    assert _runs(shop) == 1

    # Again, without --method: the same segmentation with another number of bins.
    data = _json(capsys, "segment", str(shop), "--name", "rfm", "--bins", "3", "--json")
    assert set(data) == {"segmentation", "method", "run", "segments"}
    assert (data["segmentation"], data["method"]) == ("RFM", "rfm")
    assert {"id", "analysis_date", "ran_at"} <= set(data["run"])
    assert (data["run"]["id"], data["run"]["analysis_date"]) == (2, "2024-03-21")
    assert all({"name", "customers", "share", "revenue"} <= set(s) for s in data["segments"])
    assert sum(s["customers"] for s in data["segments"]) == 3
    assert sum(s["revenue"] for s in data["segments"]) == pytest.approx(260.0)
    assert _runs(shop) == 2
    with Project.open(shop) as project:
        assert project.segmentation("RFM").definition["bins"] == 3


def test_segments_lists_and_shows_the_latest_run(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _cli(capsys, "segments", str(shop))
    assert code == 0 and out.startswith("no segmentations yet")
    assert _json(capsys, "segments", str(shop), "--json") == []
    ran = _json(capsys, "segment", str(shop), "--name", "RFM", "--method", "rfm", "--json")
    with Project.open(shop) as project:
        project.create_segmentation("Drafts", "rules", {"mode": "exclusive", "segments": []})
    code, out, _ = _cli(capsys, "segments", str(shop))
    first, second = out.splitlines()
    assert first.startswith("RFM  (rfm)  last run ")
    assert first.endswith(f": {len(ran['segments'])} segments, 3 customers")
    assert second == "Drafts  (rules)  not run yet"
    listed = _json(capsys, "segments", str(shop), "--json")
    assert [(s["name"], s["method"]) for s in listed] == [("RFM", "rfm"), ("Drafts", "rules")]
    assert listed[0]["last_run"]["id"] == ran["run"]["id"]
    assert listed[1]["last_run"] is None
    # One segmentation, by any case: its latest run, as the run printed it.
    assert _json(capsys, "segments", str(shop), "rfm", "--json") == ran
    code, out, _ = _cli(capsys, "segments", str(shop), "RFM")
    assert code == 0 and out.startswith("RFM (rfm) · run 1 · ")
    message = _refused(capsys, shop, "segments", str(shop), "drafts")
    assert "'Drafts' has not been run yet; run it with `segtui segment" in message


def test_rules_from_a_file_object_or_list(
    tmp_path: Path, shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    as_object = _rules_file(tmp_path, "value.json", {"segments": [BIG_SPENDERS, FRANCE]})
    data = _json(
        capsys,
        "segment",
        str(shop),
        "--name",
        "Value",
        "--method",
        "rules",
        "--rules",
        as_object,
        "--overlapping",
        "--json",
    )
    # Overlapping: C1 is in both, C2 in neither, and there is no "everyone else".
    counts = [(s["name"], s["customers"]) for s in data["segments"]]
    assert counts == [("Big spenders", 1), ("France", 2)]
    assert (data["run"]["population"], data["run"]["customers"]) == (3, 2)

    as_list = _rules_file(tmp_path, "list.json", [BIG_SPENDERS, FRANCE])
    data = _json(
        capsys, "segment", str(shop), "--name", "Firsts", "--method", "rules", "--rules", as_list,
        "--json",
    )  # fmt: skip
    counts = [(s["name"], s["customers"]) for s in data["segments"]]
    assert counts == [("Big spenders", 1), ("France", 1), ("Everyone else", 1)]
    revenue = {s["name"]: s["revenue"] for s in data["segments"]}
    assert revenue == {"Big spenders": 160.0, "France": 0.0, "Everyone else": 100.0}

    # Switch the mode of the stored rules without giving them again.
    data = _json(capsys, "segment", str(shop), "--name", "Firsts", "--overlapping", "--json")
    assert [s["name"] for s in data["segments"]] == ["Big spenders", "France"]
    with Project.open(shop) as project:
        stored = project.segmentation("Firsts").definition
        assert stored["mode"] == "overlapping"
        assert stored["segments"] == [BIG_SPENDERS, FRANCE]
        assert len(project.runs("Firsts")) == 2


def test_bad_rules_files_are_refused_and_change_nothing(
    tmp_path: Path, shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _rules_file(tmp_path, "good.json", [BIG_SPENDERS])
    assert _cli(capsys, "segment", str(shop), "--name", "Value", "--method", "rules",
                "--rules", good)[0] == 0  # fmt: skip
    broken = tmp_path / "broken.json"
    broken.write_text('{"segments": [\n  {"name": "Big",, }]}', encoding="utf-8")
    unknown = _rules_file(
        tmp_path,
        "unknown.json",
        [{"name": "Tall", "rule": {"field": "height", "op": ">", "value": 2}}],
    )
    scalar = _rules_file(tmp_path, "scalar.json", "segments")
    for name in ("Value", "New one"):
        message = _refused(
            capsys, shop, "segment", str(shop), "--name", name, "--method", "rules",
            "--rules", str(broken),
        )  # fmt: skip
        assert message == (
            "segtui: --rules broken.json: not valid JSON at line 2, column 18 "
            "(Expecting property name enclosed in double quotes)."
        )
        message = _refused(
            capsys, shop, "segment", str(shop), "--name", name, "--method", "rules",
            "--rules", unknown,
        )  # fmt: skip
        assert message == (
            "segtui: segment 'Tall': field 'height' is not a field of this project; "
            "pick one from the list."
        )
        message = _refused(
            capsys, shop, "segment", str(shop), "--name", name, "--method", "rules",
            "--rules", scalar,
        )  # fmt: skip
        assert 'expected an object with "segments"' in message
        message = _refused(
            capsys, shop, "segment", str(shop), "--name", name, "--method", "rules",
            "--rules", str(tmp_path / "absent.json"),
        )  # fmt: skip
        assert "absent.json: cannot read it" in message


def test_usage_mistakes_exit_2_with_one_line(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = str(shop)
    cases = {
        ("--name", "New"): "there is no segmentation named 'New' yet; give --method",
        ("--name", "New", "--method", "rfm", "--k", "3"): (
            "--k does not apply to an RFM segmentation; leave it out."
        ),
        ("--name", "New", "--method", "rules", "--bins", "3", "--monetary", "aov"): (
            "--bins, --monetary do not apply to a rules segmentation; leave them out."
        ),
        ("--name", "New", "--method", "kmeans", "--overlapping"): (
            "--overlapping does not apply to a k-means segmentation"
        ),
        ("--name", "New", "--method", "gmm", "--bins", "4"): (
            "--bins does not apply to a Gaussian mixture segmentation"
        ),
        ("--name", "New", "--method", "rules"): "a rules segmentation needs segments",
        ("--name", "New", "--method", "kmeans", "--k-range", "two-four"): (
            "--k-range 'two-four': write it as LOW-HIGH, e.g. 2-10."
        ),
        ("--name", "New", "--method", "kmeans", "--k-range", "4"): "write it as LOW-HIGH",
        ("--name", "New", "--method", "kmeans", "--k-range", "3-2"): (
            "k_min (3) must be smaller than k_max (2)."
        ),
        ("--name", "New", "--method", "kmeans", "--features", "shoe_size"): "shoe_size",
        ("--name", "New", "--method", "kmeans", "--k", "3"): (
            "k (3) must be smaller than the number of customers (3)."
        ),
    }
    for args, needle in cases.items():
        message = _refused(capsys, shop, "segment", project, *args)
        assert needle in message, (args, message)
    for args in (("segments", project, "Nope"), ("segments", project, "Nope", "--json")):
        message = _refused(capsys, shop, *args)
        assert message == (
            "segtui: there is no segmentation named 'Nope'; `segtui segments PROJECT` lists them."
        )
    assert "segtui: " in _refused(capsys, shop, "segments", str(shop.with_name("absent.db")))


def test_clustering_options_are_stored_and_used(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["segment", str(shop), "--name", "Clusters", "--json"]
    data = _json(
        capsys, *args, "--method", "kmeans", "--features", "total_spend, orders,",
        "--k-range", "2–4", "--seed", "5",
    )  # fmt: skip
    with Project.open(shop) as project:
        definition = project.segmentation("Clusters").definition
        run = project.run(data["run"]["id"])
    assert definition["features"] == ["total_spend", "orders"]
    assert (definition["k"], definition["k_min"], definition["k_max"], definition["seed"]) == (
        None,
        2,
        4,
        5,
    )
    # Three customers: the scan stops at k = 2 and says so.
    assert [row["k"] for row in run.details["scan"]["rows"]] == [2]
    assert (
        "k was scanned up to 2, one less than the number of customers." in run.details["warnings"]
    )
    assert sorted(s["customers"] for s in data["segments"]) == [1, 2]

    # A fixed k replaces the scan; the other settings stay.
    _json(capsys, *args, "--k", "2")
    with Project.open(shop) as project:
        definition = project.segmentation("clusters").definition
        assert "scan" not in project.segmentation("clusters").last_run.details  # type: ignore[union-attr]
    assert (definition["k"], definition["seed"], definition["features"]) == (
        2,
        5,
        ["total_spend", "orders"],
    )
    # Changing the method starts from that method's defaults.
    data = _json(capsys, *args, "--method", "rfm", "--bins", "4")
    assert data["method"] == "rfm"
    with Project.open(shop) as project:
        seg = project.segmentation("Clusters")
    assert (seg.method, seg.definition["bins"], seg.definition["monetary"]) == ("rfm", 4, "total")


def test_the_sample_data_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sample.db"
    with Project.open(path) as project:
        import_file(project, SAMPLE / "customers.csv")
        import_file(project, SAMPLE / "orders.csv", ReadOptions(kind="transactions"))
    data = _json(capsys, "segment", str(path), "--name", "RFM", "--method", "rfm", "--json")
    assert data["run"]["analysis_date"] == "2026-10-01"
    conn = sqlite3.connect(path)
    never = conn.execute(
        "SELECT count(*) FROM data_customers WHERE customer_id NOT IN "
        "(SELECT customer_id FROM data_orders WHERE NOT is_return)"
    ).fetchone()[0]
    spend = conn.execute(
        "SELECT sum(amount) FROM data_orders WHERE customer_id IN "
        "(SELECT customer_id FROM data_customers)"
    ).fetchone()[0]
    conn.close()
    # Everyone is scored or in "No purchases yet", and the revenue adds up to the orders'.
    by_name = {s["name"]: s for s in data["segments"]}
    assert by_name["No purchases yet"]["customers"] == never > 0
    assert data["run"]["population"] == 5_000
    assert sum(s["customers"] for s in data["segments"]) == 5_000
    assert sum(s["revenue"] for s in data["segments"]) == pytest.approx(spend, abs=0.05)
    assert sum(s["share"] for s in data["segments"]) == pytest.approx(1.0, abs=1e-5)

    data = _json(
        capsys, "segment", str(path), "--name", "Clusters", "--method", "kmeans", "--k", "3",
        "--seed", "3", "--json",
    )  # fmt: skip
    assert len(data["segments"]) == 3
    assert sum(s["customers"] for s in data["segments"]) == 5_000
    code, out, _ = _cli(capsys, "segments", str(path))
    assert code == 0
    assert [line.split("  ")[0] for line in out.splitlines()] == ["RFM", "Clusters"]
    code, out, _ = _cli(capsys, "segments", str(path), "clusters")
    assert out.splitlines()[0].endswith("5,000 of 5,000 customers")


def test_a_run_that_fails_leaves_no_segmentation_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # RFM on a project without orders: the settings are valid, but it cannot run.
    path = tmp_path / "shop.db"
    with Project.open(path) as project:
        customers = tmp_path / "customers.csv"
        customers.write_text(SHOP_CUSTOMERS, encoding="utf-8")
        import_file(project, customers, ReadOptions(kind="customers"))
    code, _out, err = _cli(capsys, "segment", str(path), "--name", "RFM", "--method", "rfm")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "transactions" in err
    with Project.open(path) as project:
        assert project.segmentations() == []
