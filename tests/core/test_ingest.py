"""Import end to end: a real file into a real project file, every row accounted for."""

from __future__ import annotations

import datetime as dt
import gzip
import sqlite3
from pathlib import Path

import polars as pl
import pytest

from segtui.core.errors import ImportCancelled, IngestError, ProjectError
from segtui.core.import_report import report_lines
from segtui.core.ingest import import_file, plan_import
from segtui.core.model import ReadOptions
from segtui.core.project import Project

ORDERS = """\
Order ID,CustomerID,Order Date,Amount,Qty,Category
O1,C001,2024-01-05,"1,200.50",1,Shoes
O2,C001,2024-02-10,35.00,2,Bags
O3,C002,2024-03-01,-35.00,1,Bags
O4,,2024-03-02,10.00,1,Bags
O5,C003,2024-03-03,abc,1,Bags
O2,C001,2024-02-10,35.00,2,Bags
O6,C003,2024-03-09,20.00,1,Shoes
"""

CUSTOMERS = """\
customer_id;first_name;email;age;zip;signup_date;opt_in
C001;Ann;ann@example.com;34;01234;05/03/2023;yes
C002;Bob;bob@example.com;;90210;17/03/2023;no
C003;Cé;ce@example.com;51;00501;01/04/2023;yes
C002;Bob;bob2@example.com;40;90210;18/03/2023;no
"""


@pytest.fixture
def project(tmp_path: Path) -> Project:
    with Project.open(tmp_path / "acme.db") as project:
        yield project


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_orders_import_accounts_for_every_row(tmp_path: Path, project: Project) -> None:
    path = _write(tmp_path, "orders.csv", ORDERS)
    info, report = import_file(project, path)
    assert info.kind == "transactions"
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (7, 4, 3)
    assert report.rows_imported + report.rows_rejected == report.rows_read
    assert report.missing_customer_ids == 1
    assert report.duplicates == 1
    assert report.negative_amounts == 1
    assert (report.date_min, report.date_max) == ("2024-01-05", "2024-03-09")
    assert report.distinct_customers == 3
    rejects = project.read_rejects("orders")
    assert rejects.get_column("line").to_list() == [5, 6, 7]
    reasons = rejects.get_column("reason").to_list()
    assert "blank customer id" in reasons[0]
    assert "amount" in reasons[1] and "abc" in reasons[1]
    assert "duplicate of line 3" in reasons[2]
    data = project.read_dataset("orders")
    assert data.get_column("amount").to_list() == [1200.5, 35.0, -35.0, 20.0]
    assert data.get_column("is_return").to_list() == [False, False, True, False]
    assert data.get_column("order_date").dtype == pl.Date
    roles = {c.name: c.role for c in info.columns}
    assert roles["customer_id"] == "customer_id"
    assert roles["order_id"] == "order_id"
    assert roles["order_date"] == "order_date"
    assert roles["amount"] == "amount"
    assert project.settings().analysis_date == dt.date(2024, 3, 10)
    assert any("rejected line 5" in line for line in report_lines(report))


def test_customers_import_keeps_ids_as_text_and_rejects_duplicate_ids(
    tmp_path: Path, project: Project
) -> None:
    path = _write(tmp_path, "customers.csv", CUSTOMERS, encoding="cp1252")
    info, report = import_file(project, path)
    assert info.kind == "customers"
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (4, 3, 1)
    assert report.duplicates == 1
    data = project.read_dataset("customers")
    assert data.get_column("zip").to_list() == ["01234", "90210", "00501"]
    assert data.get_column("first_name").to_list()[2] == "Cé"
    assert data.get_column("age").dtype == pl.Int64
    assert data.get_column("age").to_list() == [34, None, 51]
    assert data.get_column("signup_date").to_list()[1] == dt.date(2023, 3, 17)
    assert data.get_column("opt_in").to_list() == [True, False, True]
    rejects = project.read_rejects("customers")
    assert "duplicate customer id 'C002' (first on line 3)" in rejects.item(0, "reason")
    assert rejects.item(0, "line") == 5


def test_amount_derived_from_quantity_and_unit_price(tmp_path: Path, project: Project) -> None:
    path = _write(
        tmp_path,
        "lines.csv",
        "invoice_no,cust_id,invoice_date,quantity,unit_price\n"
        "1,A,2024-01-01,2,2.50\n2,A,2024-01-02,1,10.00\n3,B,2024-01-03,3,1.10\n",
    )
    info, report = import_file(project, path)
    assert report.derived_amount
    data = project.read_dataset(info.name)
    assert data.get_column("amount").to_list() == [5.0, 10.0, 3.3]
    assert info.role_column("amount") == "amount"


def test_gzip_and_overrides(tmp_path: Path, project: Project) -> None:
    path = tmp_path / "people.txt.gz"
    path.write_bytes(gzip.compress(b"K1|12\nK2|13\nK3|14\n"))
    options = ReadOptions(
        has_header=False, kind="customers", roles={"customer_id": "column_1", "age": "column_2"}
    )
    info, report = import_file(project, path, options, name="people")
    assert report.rows_imported == 3
    assert info.role_column("customer_id") == "column_1"
    assert project.read_dataset("people").get_column("column_2").to_list() == [12, 13, 14]


def test_plan_previews_without_reading_everything(tmp_path: Path) -> None:
    lines = ["id,amount,order_date"] + [
        f"C{i % 100},{i}.5,2024-01-{i % 28 + 1:02d}" for i in range(20_000)
    ]
    path = _write(tmp_path, "big.csv", "\n".join(lines) + "\n")
    plan = plan_import(path)
    assert plan.sample_rows < 20_000
    assert plan.preview.height <= 50
    assert plan.kind == "transactions"
    assert plan.column("amount").type == "decimal"


def test_no_customer_id_is_a_clear_error(tmp_path: Path, project: Project) -> None:
    path = _write(tmp_path, "things.csv", "colour,size\nred,1\nblue,2\n")
    with pytest.raises(IngestError, match="customer id"):
        import_file(project, path)
    assert project.datasets() == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "not found"),
        ("empty.csv", b"", "empty"),
        ("binary.csv", b"\x00\x01\x02\x03" * 100, "binary"),
    ],
)
def test_bad_files_leave_the_project_unchanged(
    tmp_path: Path, project: Project, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(IngestError, match=message) as caught:
        import_file(project, path)
    assert name in str(caught.value)
    assert project.datasets() == []


def test_replace_keeps_old_data_when_the_new_import_fails(tmp_path: Path, project: Project) -> None:
    good = _write(tmp_path, "orders.csv", ORDERS)
    import_file(project, good)
    before = project.read_dataset("orders")
    bad = tmp_path / "orders_v2.csv"
    bad.write_bytes(b"\x00binary\x00" * 50)
    with pytest.raises(IngestError):
        import_file(project, bad, name="orders", replace=True)
    assert project.read_dataset("orders").equals(before)
    with pytest.raises(ProjectError, match="already exists"):
        import_file(project, good)


def test_cancel_saves_nothing(tmp_path: Path, project: Project) -> None:
    path = _write(tmp_path, "orders.csv", ORDERS)
    seen: list[str] = []

    def progress(fraction: float, label: str) -> None:
        seen.append(label)

    with pytest.raises(ImportCancelled):
        import_file(project, path, progress=progress, cancelled=lambda: len(seen) >= 1)
    assert project.datasets() == []
    with project.reading() as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
    assert not [t for t in tables if t.startswith("data_")]


def test_rejects_are_queryable_with_plain_sqlite(tmp_path: Path, project: Project) -> None:
    import_file(project, _write(tmp_path, "orders.csv", ORDERS))
    conn = sqlite3.connect(project.path)
    rows = conn.execute(
        "SELECT r.line, r.reason FROM segtui_rejects r JOIN segtui_datasets d "
        "ON d.id = r.dataset_id WHERE d.name = 'orders' ORDER BY r.line"
    ).fetchall()
    assert [line for line, _ in rows] == [5, 6, 7]
