"""Exports of a run: members in every format read back equal to RunData.members, the summary
table and charts as text, and no file is ever half-written or overwritten without consent."""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from project_files import SHOP_CUSTOMERS, SHOP_ORDERS, build_project

from segtui.core import export
from segtui.core.export import (
    ExportError,
    default_name,
    export_members,
    export_summary,
    export_text,
    format_for,
    resolve_columns,
    resolve_segments,
)
from segtui.core.profile import summarise, summary_frame
from segtui.core.project import Project
from segtui.core.run_data import RunData, latest_run
from segtui.core.runner import default_definition, run_segmentation
from segtui.core.segment_model import CriteriaError, RunCancelled

# The shop's RFM run: C1 is "Hibernating", C2 "About to Sleep", C3 "No purchases yet".
BOTH = {"name": "Big spenders", "rule": {"field": "total_spend", "op": ">=", "value": 150}}
FRANCE = {"name": "France", "rule": {"field": "country", "op": "is", "value": "France"}}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RunData]:
    path = build_project(tmp_path_factory.mktemp("shop"), SHOP_CUSTOMERS, SHOP_ORDERS)
    with Project.open(path) as project:
        project.create_segmentation("RFM", "rfm", default_definition("rfm", None))
        definition = {"mode": "overlapping", "segments": [BOTH, FRANCE]}
        project.create_segmentation("Value", "rules", definition)
        for name in ("RFM", "Value"):
            run_segmentation(project, name)
        return {name: latest_run(project, name) for name in ("RFM", "Value")}


@pytest.fixture
def rfm(runs: dict[str, RunData]) -> RunData:
    return runs["RFM"]


def _read(path: Path, like: pl.DataFrame) -> pl.DataFrame:
    if path.suffix == ".csv":
        return pl.read_csv(path, schema=like.schema)
    if path.suffix == ".parquet":
        return pl.read_parquet(path)
    # Excel has no integer or all-empty column types: cast back to what was written.
    return pl.read_excel(path).cast(like.schema)  # type: ignore[arg-type]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_members_read_back_equal_to_the_run(rfm: RunData, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"members.{fmt}"
    result = export_members(rfm, out)
    expected = rfm.members()
    assert (result.path, result.rows, result.columns) == (out, 3, expected.columns)
    assert result.seconds >= 0
    # Excel keeps 15 significant digits, so floats are compared with a tolerance there.
    assert_frame_equal(_read(out, expected), expected, check_exact=fmt != "xlsx")
    # Member lists hold personal data: the owner alone may read them.
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert _leftovers(tmp_path) == []


def test_csv_is_utf8_with_a_header_iso_dates_and_plain_numbers(
    rfm: RunData, tmp_path: Path
) -> None:
    out = tmp_path / "members.csv"
    export_members(rfm, out, columns=["country", "total_spend", "first_order_date"])
    assert out.read_text(encoding="utf-8").splitlines() == [
        "customer_id,segment,country,total_spend,first_order_date",
        "C1,Hibernating,France,160.0,2024-01-10",
        "C2,About to Sleep,Spain,100.0,2024-03-05",
        "C3,No purchases yet,France,0.0,",
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_some_segments_and_columns_in_the_order_asked(
    rfm: RunData, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"some.{fmt}"
    segments = ["No purchases yet", "Hibernating"]
    columns = ["total_spend", "country", "segment", "age"]
    result = export_members(rfm, out, segments=segments, columns=columns)
    assert result.columns == ["customer_id", "segment", "total_spend", "country", "age"]
    back = _read(out, rfm.members(segments, columns))
    assert back.columns == result.columns
    # Rows keep the run's order, whatever the order the segments were named in.
    assert back.rows() == [
        ("C1", "Hibernating", 160.0, "France", 34),
        ("C3", "No purchases yet", 0.0, "France", 28),
    ]


def test_an_overlapping_run_has_a_row_per_membership(
    runs: dict[str, RunData], tmp_path: Path
) -> None:
    out = tmp_path / "value.parquet"
    result = export_members(runs["Value"], out, columns=["country"])
    assert result.rows == 3
    back = pl.read_parquet(out).sort("customer_id", "segment")
    assert back.rows() == [
        ("C1", "Big spenders", "France"),
        ("C1", "France", "France"),
        ("C3", "France", "France"),
    ]


def test_money_loses_its_float_noise_and_stays_a_number(rfm: RunData, tmp_path: Path) -> None:
    frame = rfm.features.frame.with_columns(pl.col("total_spend") + 0.1 + 0.2 - 0.3)
    noisy = dataclasses.replace(rfm, features=dataclasses.replace(rfm.features, frame=frame))
    assert noisy.members().get_column("total_spend").to_list()[0] != 160.0
    out = tmp_path / "money.csv"
    export_members(noisy, out, columns=["total_spend", "orders_per_month"])
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[1].split(",")[:3] == ["C1", "Hibernating", "160.0"]
    assert "£" not in out.read_text(encoding="utf-8")


def test_segments_and_columns_are_matched_in_any_case(rfm: RunData) -> None:
    assert resolve_segments(rfm, ["hibernating", "NO  PURCHASES yet", "Hibernating"]) == [
        "Hibernating",
        "No purchases yet",
    ]
    with pytest.raises(ExportError, match=r"'RFM' has no segment 'Sleepers'; its segments are "):
        resolve_segments(rfm, ["Sleepers"])
    assert resolve_columns(rfm, ["Country", " TOTAL_SPEND", "country"]) == [
        "country",
        "total_spend",
    ]
    with pytest.raises(ExportError, match=r"column 'shoe_size' is not a member column; choose "):
        resolve_columns(rfm, ["shoe_size"])


def test_unknown_segments_and_columns_write_nothing(rfm: RunData, tmp_path: Path) -> None:
    with pytest.raises(CriteriaError, match="no segment 'Sleepers'"):
        export_members(rfm, tmp_path / "a.csv", segments=["Sleepers"])
    with pytest.raises(CriteriaError, match="'shoe_size' is not a member column"):
        export_members(rfm, tmp_path / "a.csv", columns=["shoe_size"])
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_replaced_only_with_force(rfm: RunData, tmp_path: Path) -> None:
    out = tmp_path / "members.csv"
    out.write_text("keep me\n", encoding="utf-8")
    with pytest.raises(ExportError, match=r"members.csv already exists; choose another name"):
        export_members(rfm, out)
    with pytest.raises(ExportError, match="already exists"):
        export_text("chart", out)
    assert out.read_text(encoding="utf-8") == "keep me\n"
    assert export_members(rfm, out, force=True).rows == 3
    assert out.read_text(encoding="utf-8").startswith("customer_id,segment,")
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_a_cancel_midway_leaves_no_file(
    rfm: RunData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    # One row a chunk: the cancel comes after the first row is written.
    monkeypatch.setattr(export, "CHUNK_ROWS", 1)
    monkeypatch.setattr(export, "XLSX_CHUNK_ROWS", 1)
    seen: list[float] = []

    def cancelled() -> bool:
        return bool(seen) and seen[-1] > 0

    out = tmp_path / f"members.{fmt}"
    with pytest.raises(RunCancelled, match=rf"export to members.{fmt} cancelled"):
        export_members(
            rfm, out, progress=lambda done, _label: seen.append(done), cancelled=cancelled
        )
    assert seen == [0.0, pytest.approx(1 / 3)]
    assert list(tmp_path.iterdir()) == []

    # A cancelled replacement leaves the old file as it was.
    out.write_bytes(b"old")
    with pytest.raises(RunCancelled):
        seen.clear()
        export_members(
            rfm, out, force=True, progress=lambda done, _: seen.append(done), cancelled=cancelled
        )
    assert out.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_progress_runs_from_zero_to_one(
    rfm: RunData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "CHUNK_ROWS", 2)
    seen: list[tuple[float, str]] = []
    export_members(rfm, tmp_path / "m.csv", progress=lambda done, label: seen.append((done, label)))
    assert [done for done, _ in seen] == [0.0, pytest.approx(2 / 3), 1.0]
    assert {label for _, label in seen} == {"Writing m.csv"}


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), RuntimeError("bug")])
def test_a_writer_that_fails_halfway_leaves_no_file(
    rfm: RunData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    def half(frame: pl.DataFrame, path: Path, step: Any) -> None:
        path.write_bytes(b"PAR1 half a file")
        raise error

    monkeypatch.setattr(export, "_write_parquet", half)
    out = tmp_path / "members.parquet"
    if isinstance(error, OSError):
        with pytest.raises(ExportError, match=r"could not write .*members.parquet \(No space"):
            export_members(rfm, out)
    else:
        with pytest.raises(RuntimeError):
            export_members(rfm, out)
    assert list(tmp_path.iterdir()) == []


def test_excel_refuses_more_rows_than_a_sheet_holds(
    rfm: RunData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 2)
    with pytest.raises(ExportError, match=r"3 rows do not fit .* export as CSV or Parquet"):
        export_members(rfm, tmp_path / "m.xlsx")
    assert export_members(rfm, tmp_path / "m.xlsx", segments=["Hibernating"]).rows == 1


def test_missing_or_unusable_targets_are_named(rfm: RunData, tmp_path: Path) -> None:
    absent = tmp_path / "absent" / "m.csv"
    with pytest.raises(ExportError, match=rf"folder {absent.parent} does not exist"):
        export_members(rfm, absent)
    with pytest.raises(ExportError, match=r"is a folder; give a file name"):
        export_members(rfm, tmp_path, fmt="csv")
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(ExportError, match=rf"folder {locked} cannot be written to"):
            export_members(rfm, locked / "m.csv")


def test_the_format_comes_from_the_option_or_the_suffix() -> None:
    assert format_for(Path("a.CSV"), None) == "csv"
    assert format_for(Path("a.xlsx"), None) == "xlsx"
    assert format_for(Path("a.parquet"), "PARQUET") == "parquet"
    assert format_for(Path("members"), "csv") == "csv"
    assert format_for(Path("members.txt"), "csv") == "csv"
    with pytest.raises(ExportError, match=r"a.csv ends in .csv but the format asked for is xlsx"):
        format_for(Path("a.csv"), "xlsx")
    with pytest.raises(ExportError, match=r"members: cannot tell the format from the name"):
        format_for(Path("members"), None)
    with pytest.raises(ExportError, match=r"format 'json' is not known"):
        format_for(Path("a.json"), "json")


def test_default_names() -> None:
    assert default_name("RFM", None, "csv") == "rfm-all.csv"
    assert default_name("RFM", ["Can't Lose Them"], "xlsx") == "rfm-cant-lose-them.xlsx"
    assert default_name("Value 2024", ["Big spenders", "France"], "parquet") == (
        "value-2024-big-spenders-france.parquet"
    )
    assert default_name("RFM", ["A", "B", "C", "D"], "csv") == "rfm-4-segments.csv"
    assert export.summary_name("My RFM", "xlsx") == "my-rfm-summary.xlsx"
    assert export.chart_name("RFM", "Segment sizes") == "rfm-segment-sizes.txt"
    assert export.output_name("RFM", None, "esp", "csv") == "rfm-esp.csv"
    assert export.output_name("RFM", ["Can't Lose Them"], "meta", "csv") == (
        "rfm-cant-lose-them-meta.csv"
    )
    assert (
        export.output_name("RFM", ["A", "B", "C", "D"], "drafts", "md")
        == "rfm-4-segments-drafts.md"
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_summary_table_reads_back(rfm: RunData, tmp_path: Path, fmt: str) -> None:
    summary = summarise(rfm)
    expected = summary_frame(summary)
    out = tmp_path / f"summary.{fmt}"
    result = export_summary(summary, out)
    assert (result.rows, result.columns) == (len(rfm.segments) + 1, expected.columns)
    assert_frame_equal(_read(out, expected), expected, check_exact=False)
    assert _read(out, expected).get_column("segment").to_list()[-1] == "Total"
    with pytest.raises(ExportError, match=r"summary is written as CSV or XLSX, not Parquet"):
        export_summary(summary, tmp_path / "summary.parquet")
    with pytest.raises(ExportError, match="already exists"):
        export_summary(summary, out)


def test_a_chart_as_text(tmp_path: Path) -> None:
    out = tmp_path / "chart.txt"
    result = export_text("Sizes\n█████ Champions 14.0%", out)
    assert out.read_text(encoding="utf-8") == "Sizes\n█████ Champions 14.0%\n"
    assert (result.rows, result.columns) == (2, [])
    export_text("again\n", out, force=True)
    assert out.read_text(encoding="utf-8") == "again\n"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_an_empty_segment_gives_a_file_with_the_columns_only(
    rfm: RunData, tmp_path: Path, fmt: str
) -> None:
    seen: list[float] = []
    out = tmp_path / f"empty.{fmt}"
    result = export_members(
        rfm, out, segments=["Champions"], progress=lambda done, _: seen.append(done)
    )
    assert (result.rows, seen) == (0, [0.0, 1.0])
    if fmt == "csv":
        assert out.read_text(encoding="utf-8") == ",".join(result.columns) + "\n"
    elif fmt == "parquet":
        assert pl.read_parquet(out).columns == result.columns
    else:
        assert out.stat().st_size > 0
