"""The command line: import and info on the sample data, and every error case exits 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from segtui.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "segtui", *args], capture_output=True, text=True, timeout=120
    )


def test_import_and_info_json_on_the_sample_data(tmp_path: Path) -> None:
    project = tmp_path / "acme.db"
    done = run("import", str(project), str(SAMPLE / "customers.csv"))
    assert done.returncode == 0, done.stderr
    assert "rows imported" in done.stdout
    done = run("import", str(project), str(SAMPLE / "orders.csv"), "--kind", "transactions")
    assert done.returncode == 0, done.stderr
    info = json.loads(run("info", str(project), "--json").stdout)
    assert info["analysis_date"] == "2026-10-01"
    by_name = {d["name"]: d for d in info["datasets"]}
    customers, orders = by_name["customers"], by_name["orders"]
    assert customers["kind"] == "customers"
    assert customers["rows"] + customers["rejected"] == 5_000
    assert orders["kind"] == "transactions"
    assert orders["rows"] + orders["rejected"] == 60_000
    assert orders["customers"] > 4_000
    roles = {c["role"] for c in orders["columns"]}
    assert {"customer_id", "order_id", "order_date", "amount", "quantity", "category"} <= roles
    assert {"name", "type", "role"} <= set(orders["columns"][0])


def test_import_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "c.csv"
    source.write_text("customer_id,age\nA,30\nB,x\n")
    assert main(["import", str(tmp_path / "p.db"), str(source), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["rows_read"], report["rows_imported"], report["rows_rejected"]) == (2, 2, 0)


def test_role_and_type_overrides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "c.csv"
    source.write_text("ref,years\n007,30\n008,31\n")
    code = main(
        [
            "import",
            str(tmp_path / "p.db"),
            str(source),
            "--role",
            "customer_id=ref",
            "--type",
            "years=text",
            "--kind",
            "customers",
        ]
    )
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()
    assert main(["info", str(tmp_path / "p.db"), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    columns = {c["name"]: c for c in info["datasets"][0]["columns"]}
    assert columns["ref"]["role"] == "customer_id"
    assert columns["years"]["type"] == "text"


def _one_line_error(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    for needle in needles:
        assert needle in lines[0]


def test_error_cases_exit_2_with_one_line(tmp_path: Path) -> None:
    project = tmp_path / "p.db"
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    binary = tmp_path / "blob.csv"
    binary.write_bytes(bytes(range(256)) * 40)
    nocols = tmp_path / "nocols.json"
    nocols.write_text("[]")
    xlsx = tmp_path / "broken.xlsx"
    xlsx.write_bytes(b"PK\x03\x04 this is not really a workbook")
    _one_line_error(run("import", str(project), str(tmp_path / "nope.csv")), "nope.csv")
    _one_line_error(run("import", str(project), str(empty)), "empty.csv")
    _one_line_error(run("import", str(project), str(binary)), "blob.csv")
    _one_line_error(run("import", str(project), str(nocols)), "nocols.json")
    _one_line_error(run("import", str(project), str(xlsx)), "broken.xlsx")
    _one_line_error(
        run("import", str(project), str(SAMPLE / "customers.csv"), "--sheet", "Nope"),
    )
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("hello")
    _one_line_error(run("info", str(not_sqlite)), "notes.db")
    _one_line_error(run("info", str(tmp_path / "absent.db")), "absent.db")
    # Nothing was half-written: the project holds no datasets.
    info = json.loads(run("info", str(project), "--json").stdout)
    assert info["datasets"] == []


def test_unknown_sheet_on_a_workbook(tmp_path: Path) -> None:
    import polars as pl

    book = tmp_path / "book.xlsx"
    pl.DataFrame({"customer_id": ["A", "B"], "age": [30, 40]}).write_excel(
        book, worksheet="Customers"
    )
    _one_line_error(
        run("import", str(tmp_path / "p.db"), str(book), "--sheet", "Orders"),
        "book.xlsx",
        "Customers",
    )
    done = run("import", str(tmp_path / "p.db"), str(book), "--sheet", "Customers")
    assert done.returncode == 0, done.stderr


def test_settings_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "p.db"
    assert main(["settings", str(project), "--currency", "€"]) == 2  # no such project yet
    assert "p.db" in capsys.readouterr().err
    assert main(["info", str(project)]) == 2
    from segtui.core.project import Project

    Project.open(project).close()
    assert main(["settings", str(project), "--name", "Acme", "--analysis-date", "2025-01-31"]) == 0
    out = capsys.readouterr().out
    assert "Acme" in out and "2025-01-31" in out
    assert main(["settings", str(project), "--analysis-date", "someday"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_version_and_help() -> None:
    done = run("--version")
    assert done.returncode == 0 and done.stdout.startswith("segtui ")
    for command in ("demo", "import", "info", "rejects", "settings"):
        done = run(command, "--help")
        assert done.returncode == 0 and "usage" in done.stdout


def test_demo_builds_without_opening(tmp_path: Path) -> None:
    done = run("demo", str(tmp_path / "demo.db"), "--no-open")
    assert done.returncode == 0, done.stderr
    info = json.loads(run("info", str(tmp_path / "demo.db"), "--json").stdout)
    assert [d["name"] for d in info["datasets"]] == ["customers", "orders"]
    assert info["name"] == "Demo retailer"


def test_output_piped_into_a_closed_reader_exits_quietly(tmp_path: Path) -> None:
    source = tmp_path / "dups.csv"
    # 5,000 duplicate customer ids: their rejects print far more than a pipe buffer holds.
    source.write_text("customer_id,age\n" + "".join(f"C1,{i % 90}\n" for i in range(5_001)))
    project = tmp_path / "p.db"
    assert run("import", str(project), str(source)).returncode == 0
    done = subprocess.run(
        f"{sys.executable} -m segtui rejects {project} dups --limit 0 | head -1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.startswith("line 3: customer_id: duplicate customer id 'C1'")
    assert done.stderr == ""
