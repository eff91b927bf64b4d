"""Fixtures for the UI tests: a working folder (the cwd, so paths on screen are short and the
same on every run), a private log directory, small customer/order files and a project with
both imported."""

from __future__ import annotations

from pathlib import Path

import pytest

CUSTOMERS_CSV = """customer_id,first_name,last_name,email,country,signup_date
C001,Ada,Lovelace,ada@example.com,UK,2021-01-15
C002,Alan,Turing,alan@example.com,UK,2021-02-01
C003,Grace,Hopper,grace@example.com,US,2021-03-10
C004,Edsger,Dijkstra,edsger@example.com,NL,2021-04-22
C005,Barbara,Liskov,barbara@example.com,US,2021-05-05
"""

ORDERS_CSV = """order_id,customer_id,order_date,amount,channel
1001,C001,2023-01-05,120.50,web
1002,C001,2023-02-11,80.00,store
1003,C002,2023-02-20,"1,250.00",web
1004,C003,2023-03-01,-40.00,web
1005,C003,2023-03-15,66.10,app
1006,C004,2023-04-02,15.99,store
1007,C005,2023-04-30,310.00,web
1008,C005,2023-05-12,42.00,app
1009,C002,2023-05-14,not a number,web
"""


@pytest.fixture
def tui_workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh working folder as the cwd; the log file goes under tmp_path too."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return work


@pytest.fixture
def tui_customers_csv(tui_workdir: Path) -> Path:
    path = tui_workdir / "customers.csv"
    path.write_text(CUSTOMERS_CSV, encoding="utf-8")
    return path


@pytest.fixture
def tui_orders_csv(tui_workdir: Path) -> Path:
    path = tui_workdir / "orders.csv"
    path.write_text(ORDERS_CSV, encoding="utf-8")
    return path


@pytest.fixture
def tui_project(tui_workdir: Path, tui_customers_csv: Path, tui_orders_csv: Path) -> Path:
    """acme.db with the customers and the orders imported (through the core, no UI)."""
    from segtui.core.ingest import import_file
    from segtui.core.model import ReadOptions
    from segtui.core.project import Project

    path = tui_workdir / "acme.db"
    with Project.open(path) as project:
        project.update_settings(name="Acme retail", currency="€")
        import_file(project, tui_customers_csv, ReadOptions(), name="customers")
        import_file(project, tui_orders_csv, ReadOptions(kind="transactions"), name="orders")
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project (sample_data: 5,000 customers, 60,000 orders), built once per run."""
    from segtui.core.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(path)
    return path


@pytest.fixture
def demo_project(tui_workdir: Path, demo_template: Path) -> Path:
    """A private copy of the demo project in the working folder (as demo.db)."""
    import shutil

    path = tui_workdir / "demo.db"
    shutil.copyfile(demo_template, path)
    return path
