"""`segtui drafts` (list a segmentation's drafts; --suggest fills the segments without one from
the playbook, once) and `segtui export --format drafts-md|drafts-csv`, on the demo's RFM run."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest
from cli_helpers import cli_json, run_cli
from project_files import copy_project

from segtui.core.messaging_model import Draft, Variant
from segtui.core.messaging_store import save_draft
from segtui.core.project import Project
from segtui.core.runner import default_definition, run_segmentation


@pytest.fixture(autouse=True)
def _log_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGTUI_LOG", str(tmp_path / "segtui.log"))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo with an RFM run, and a segmentation that has never been run."""
    from segtui.core.demo import build_demo

    path = build_demo(tmp_path_factory.mktemp("cli_drafts") / "demo.db")
    with Project.open(path) as project:
        project.create_segmentation("RFM", "rfm", default_definition("rfm"))
        run_segmentation(project, "RFM")
        project.create_segmentation("Not yet", "rfm", default_definition("rfm"))
    return path


@pytest.fixture(scope="module")
def run_order(template: Path) -> list[str]:
    with Project.open(template) as project:
        last = project.segmentation("RFM").last_run
    assert last is not None
    return [s.name for s in last.segments]


@pytest.fixture
def demo(tmp_path: Path, template: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    return copy_project(template, folder)


def _refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, out, err = run_cli(capsys, *args)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("segtui: "), err
    return lines[0]


def test_json_lists_every_segment_in_run_order(
    demo: Path, run_order: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    report = cli_json(capsys, "drafts", str(demo), "rfm", "--json")
    assert set(report) == {"segmentation", "run", "segments", "filled"}
    assert report["segmentation"] == "RFM" and isinstance(report["run"], int)
    assert [s["name"] for s in report["segments"]] == run_order
    assert all(set(s) == {"name", "customers", "drafts"} for s in report["segments"])
    assert sum(s["customers"] for s in report["segments"]) == 5000
    assert all(s["drafts"] == [] for s in report["segments"])
    code, out, _ = run_cli(capsys, "drafts", str(demo), "RFM")
    assert code == 0
    assert out.count("no draft") == len(run_order)


def test_suggest_fills_every_segment_once(
    demo: Path, run_order: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    first = cli_json(capsys, "drafts", str(demo), "RFM", "--suggest", "--json")
    assert [f["segment"] for f in first["filled"]] == run_order
    assert all(f["source"].startswith("playbook") for f in first["filled"])
    for segment in first["segments"]:
        (draft,) = segment["drafts"]
        assert Draft.from_json(draft).segment == segment["name"]
        assert len(draft["variants"]) >= 2
    # different segments get different drafts
    subjects = {s["drafts"][0]["variants"][0]["subject"] for s in first["segments"]}
    assert len(subjects) == len(run_order)
    second = cli_json(capsys, "drafts", str(demo), "RFM", "--suggest", "--json")
    assert second["filled"] == []
    assert second["segments"] == first["segments"]
    code, out, _ = run_cli(capsys, "drafts", str(demo), "RFM", "--suggest")
    assert code == 0
    assert "nothing was filled" in out and "no draft" not in out


def test_suggest_keeps_the_consultants_draft(
    demo: Path, run_order: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    mine = Draft(run_order[0], "reward", "sms", variants=[Variant("A", "", "Thanks from us")])
    with Project.open(demo) as project:
        save_draft(project, "RFM", mine)
    code, out, _ = run_cli(capsys, "drafts", str(demo), "RFM", "--suggest")
    assert code == 0
    assert f"filled {len(run_order) - 1} from the playbook" in out
    assert "playbook '" in out
    report = cli_json(capsys, "drafts", str(demo), "RFM", "--json")
    assert report["segments"][0]["drafts"] == [mine.to_json()]


def test_unknown_or_unrun_segmentation_is_one_line(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "no segmentation named 'Nope'" in _refused(capsys, "drafts", str(demo), "Nope")
    assert "has not been run yet" in _refused(capsys, "drafts", str(demo), "Not yet", "--suggest")
    assert "has not been run yet" in _refused(
        capsys, "export", str(demo), "Not yet", "--format", "drafts-md", "--out", "x.md"
    )


def test_export_drafts_md_and_csv(
    demo: Path, tmp_path: Path, run_order: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    suggested = cli_json(capsys, "drafts", str(demo), "RFM", "--suggest", "--json")
    md = tmp_path / "drafts.md"
    code, out, err = run_cli(
        capsys, "export", str(demo), "RFM", "--format", "drafts-md", "--out", str(md)
    )
    assert code == 0, err
    assert f"Wrote {len(run_order)} drafts" in out
    text = md.read_text(encoding="utf-8")
    places = [text.index(f"\n## {name}\n") for name in run_order]
    assert places == sorted(places)
    for segment in suggested["segments"]:
        for variant in segment["drafts"][0]["variants"]:
            assert variant["subject"] in text
    csv = tmp_path / "drafts.csv"
    report = cli_json(
        capsys, "export", str(demo), "RFM", "--format", "drafts-csv", "--out", str(csv), "--json"
    )
    variants = sum(len(s["drafts"][0]["variants"]) for s in suggested["segments"])
    assert report["rows"] == report["variants"] == variants
    assert report["drafts"] == len(run_order)
    back = pl.read_csv(csv)
    assert back.height == variants
    assert back["segment"].unique(maintain_order=True).to_list() == run_order
    # one segment, any case
    one = tmp_path / "one.csv"
    report = cli_json(
        capsys,
        "export",
        str(demo),
        "RFM",
        "--format",
        "drafts-csv",
        "--segment",
        run_order[0].upper(),
        "--out",
        str(one),
        "--json",
    )
    assert report["segments"] == [run_order[0]]
    assert set(pl.read_csv(one)["segment"]) == {run_order[0]}


def test_export_drafts_refuses_what_does_not_apply(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    md = str(tmp_path / "drafts.md")
    base = ("export", str(demo), "RFM", "--format", "drafts-md", "--out", md)
    assert "--summary does not apply" in _refused(capsys, *base, "--summary")
    assert "--holdout, --seed do not apply" in _refused(
        capsys, *base, "--holdout", "5", "--seed", "1"
    )
    assert "Markdown" in _refused(capsys, *base[:-1], str(tmp_path / "drafts.csv"))
    assert [n for n in os.listdir(tmp_path) if n.startswith(("drafts", "."))] == []
    assert run_cli(capsys, *base)[0] == 0
    assert "already exists" in _refused(capsys, *base)
    assert run_cli(capsys, *base, "--force")[0] == 0
