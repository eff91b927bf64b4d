"""The project file: created safely, refused when not ours, migrated, settings, datasets."""

from __future__ import annotations

import datetime as dt
import sqlite3
import stat
import threading
from pathlib import Path

import polars as pl
import pytest

from segtui.core import schema
from segtui.core.datasets import dataset_name_from
from segtui.core.errors import ProjectBusyError, ProjectError
from segtui.core.model import (
    ColumnPlan,
    ImportPlan,
    ImportReport,
    LoadedDataset,
    SourceInfo,
)
from segtui.core.project import Project


def _loaded(tmp_path: Path, rows: int = 3, date_max: str = "2024-02-01") -> LoadedDataset:
    data = pl.DataFrame(
        {
            "__line": list(range(2, rows + 2)),
            "customer_id": [f"C{i:03d}" for i in range(rows)],
            "amount": [None, *[float(i) for i in range(1, rows)]],
            "order_date": [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(rows)],
            "first": [None] * (rows - 1) + [True],
        }
    )
    columns = [
        ColumnPlan("customer_id", "Customer ID", "text", role="customer_id"),
        ColumnPlan("amount", "Amount", "decimal", role="amount"),
        ColumnPlan("order_date", "Date", "date", role="order_date"),
        ColumnPlan("first", "First", "boolean"),
    ]
    source = SourceInfo(path=str(tmp_path / "orders.csv"), format="csv")
    plan = ImportPlan(source, columns, "transactions", "test", data.head(0), data.head(0))
    report = ImportReport(
        str(source.path),
        "orders",
        "transactions",
        rows_read=rows + 1,
        rows_imported=rows,
        rows_rejected=1,
        date_max=date_max,
    )
    rejects = pl.DataFrame(
        {"line": [9], "column": ["amount"], "reason": ["amount: 'x' is not a number"], "raw": ["x"]}
    )
    return LoadedDataset(plan, data, rejects, report, source_sha256="0" * 64)


def test_new_project_is_private_wal_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "acme.db"
    with Project.open(path) as project:
        settings = project.settings()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"segtui_settings", "segtui_datasets", "segtui_columns", "segtui_rejects"} <= tables
    assert settings.name == "acme"
    assert settings.analysis_date is None


def test_foreign_keys_are_on(tmp_path: Path) -> None:
    with Project.open(tmp_path / "p.db") as project, project.reading() as conn:
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def _refused_untouched(path: Path, match: str) -> None:
    before = path.read_bytes()
    with pytest.raises(ProjectError, match=match):
        Project.open(path)
    assert path.read_bytes() == before
    wal = Path(str(path) + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_non_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("customer_id,amount\n1,2\n")
    _refused_untouched(path, "notes.db is not a SQLite file")


def test_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (id INTEGER, name TEXT)")
    conn.commit()
    conn.close()
    _refused_untouched(path, "not a segtui project")


def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Project.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    _refused_untouched(path, "newer segtui")


def test_missing_project_without_create(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="does not exist"):
        Project.open(tmp_path / "nope.db", create=False)
    with pytest.raises(ProjectError, match="folder"):
        Project.open(tmp_path / "no" / "such" / "dir.db")


def test_migration_runs_in_one_transaction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE segtui_half_done (x)")
        raise sqlite3.OperationalError("disk full while migrating")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, broken])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(schema.MIGRATIONS))
    path = tmp_path / "m.db"
    with pytest.raises(ProjectError, match="disk full"):
        Project.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert tables == []


def test_busy_project_gives_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import segtui.core.project as project_module

    monkeypatch.setattr(project_module, "BUSY_TIMEOUT_S", 0.05)
    path = tmp_path / "busy.db"
    with Project.open(path) as project:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(ProjectBusyError, match=r"busy\.db is busy"):
                project.update_settings(name="Acme")
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert project.settings().name == "busy"


def test_settings_are_saved_and_validated(tmp_path: Path) -> None:
    path = tmp_path / "acme.db"
    with Project.open(path) as project:
        project.update_settings(name="Acme Ltd", currency="€", analysis_date="2025-01-31")
        with pytest.raises(ProjectError, match="analysis date"):
            project.update_settings(analysis_date="31/01/2025")
        with pytest.raises(ProjectError, match="name"):
            project.update_settings(name="  ")
    with Project.open(path) as project:
        settings = project.settings()
        assert (settings.name, settings.currency) == ("Acme Ltd", "€")
        assert settings.analysis_date == dt.date(2025, 1, 31)
        assert not settings.analysis_date_is_auto


def test_dataset_round_trip_and_automatic_analysis_date(tmp_path: Path) -> None:
    with Project.open(tmp_path / "p.db") as project:
        info = project.save_dataset(_loaded(tmp_path), "orders")
        assert info.table == "data_orders"
        assert (info.rows, info.rejected, info.rows_read) == (3, 1, 4)
        assert [c.role for c in info.columns] == ["customer_id", "amount", "order_date", None]
        frame = project.read_dataset("orders")
        assert frame.schema == pl.Schema(
            {
                "customer_id": pl.String,
                "amount": pl.Float64,
                "order_date": pl.Date,
                "first": pl.Boolean,
            }
        )
        assert frame.get_column("amount").to_list() == [None, 1.0, 2.0]
        assert project.read_rejects("orders").get_column("line").to_list() == [9]
        assert project.settings().analysis_date == dt.date(2024, 2, 2)
        project.update_settings(analysis_date="2024-06-30")
        assert project.settings().analysis_date == dt.date(2024, 6, 30)
        project.update_settings(analysis_date=None)
        assert project.settings().analysis_date_is_auto


def test_stored_rows_are_readable_by_plain_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Project.open(path) as project:
        project.save_dataset(_loaded(tmp_path), "orders")
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT customer_id, amount, order_date FROM data_orders").fetchall()
    assert rows[1] == ("C001", 1.0, "2024-01-02")
    declared = {r[1]: r[2] for r in conn.execute("PRAGMA table_info(data_orders)")}
    assert declared == {
        "customer_id": "TEXT",
        "amount": "REAL",
        "order_date": "TEXT",
        "first": "INTEGER",
    }


def test_replace_is_atomic_when_the_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import segtui.core.datasets as datasets_module

    path = tmp_path / "p.db"
    with Project.open(path) as project:
        project.save_dataset(_loaded(tmp_path, rows=3), "orders")

        def failing_write(*args: object, **kwargs: object) -> None:
            raise ProjectError("p.db: could not write rows (disk full).")

        monkeypatch.setattr(datasets_module, "write_rows", failing_write)
        with pytest.raises(ProjectError, match="disk full"):
            project.save_dataset(_loaded(tmp_path, rows=5), "orders", replace=True)
        assert project.read_dataset("orders").height == 3
        assert project.dataset("orders").rows == 3
        with project.reading() as conn:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
        assert not [t for t in tables if "__importing" in t]


def test_replace_swaps_data_and_metadata(tmp_path: Path) -> None:
    with Project.open(tmp_path / "p.db") as project:
        project.save_dataset(_loaded(tmp_path, rows=3), "orders")
        with pytest.raises(ProjectError, match="already exists"):
            project.save_dataset(_loaded(tmp_path, rows=5), "orders")
        project.save_dataset(
            _loaded(tmp_path, rows=5, date_max="2024-03-01"), "orders", replace=True
        )
        assert project.read_dataset("orders").height == 5
        assert [d.name for d in project.datasets()] == ["orders"]
        assert project.read_rejects("orders").height == 1
        assert project.settings().analysis_date == dt.date(2024, 3, 2)


def test_delete_dataset_removes_rows_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Project.open(path) as project:
        project.save_dataset(_loaded(tmp_path), "orders")
        project.delete_dataset("orders")
        assert project.datasets() == []
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM segtui_rejects").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM segtui_columns").fetchone()[0] == 0


def test_threads_share_a_project_while_adbc_writes(tmp_path: Path) -> None:
    """sqlite3 readers in other threads and ADBC bulk writes never overlap (storage gate)."""
    path = tmp_path / "p.db"
    errors: list[BaseException] = []
    with Project.open(path) as project:
        project.save_dataset(_loaded(tmp_path), "orders")
        stop = threading.Event()

        def reader() -> None:
            try:
                while not stop.is_set():
                    project.datasets()
                    project.settings()
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=reader) for _ in range(3)]
        for thread in threads:
            thread.start()
        for i in range(5):
            project.save_dataset(_loaded(tmp_path, rows=50 + i), "orders", replace=True)
            assert project.read_dataset("orders").height == 50 + i
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Orders 2024.csv", "orders_2024"),
        ("2024-customers.xlsx", "d_2024_customers"),
        ("", "dataset"),
    ],
)
def test_dataset_names_from_files(text: str, name: str) -> None:
    assert dataset_name_from(text) == name


def test_open_drops_scratch_tables_of_dead_imports_only(tmp_path: Path) -> None:
    """A crashed import's scratch table is removed; a live import in another process keeps
    its own (opening the project with `segtui info` must not break a running import)."""
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    path = tmp_path / "p.db"
    try:
        Project.open(path).close()
        conn = sqlite3.connect(path)
        conn.execute(f"CREATE TABLE data_a__importing_{dead.pid} (x)")
        conn.execute(f"CREATE TABLE data_b__importing_{alive.pid} (x)")
        conn.commit()
        conn.close()
        with Project.open(path) as project, project.reading() as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert f"data_a__importing_{dead.pid}" not in tables
        assert f"data_b__importing_{alive.pid}" in tables
    finally:
        alive.kill()
        alive.wait()
