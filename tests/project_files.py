"""Small projects the core and CLI tests build from CSV text: a helper that imports a file,
one that builds a project once per test module, and the three-customer shop several modules
share (C1 spends 160 in two orders and one return, C2 100 in two orders, C3 never ordered)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from segtui.core.ingest import import_file
from segtui.core.model import ReadOptions
from segtui.core.project import Project

SHOP_CUSTOMERS = """\
customer_id,age,country
C1,34,France
C2,51,Spain
C3,28,France
"""
SHOP_ORDERS = """\
order_id,customer_id,order_date,amount,category
O1,C1,2024-01-10,100.00,Shoes
O2,C1,2024-02-10,80.00,Bags
O3,C1,2024-03-01,-20.00,Bags
O4,C2,2024-03-05,40.00,Bags
O5,C2,2024-03-20,60.00,Shoes
"""


def import_csv(project: Project, folder: Path, name: str, text: str, **kwargs: Any) -> None:
    """Write ``<name>.csv`` and import it; "orders" is a transactions dataset."""
    path = folder / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    kind = "transactions" if name == "orders" else "customers"
    import_file(project, path, ReadOptions(kind=kind), **kwargs)


def build_project(folder: Path, customers: str, orders: str) -> Path:
    """shop.db in folder with the customers and the orders imported."""
    with Project.open(folder / "shop.db") as project:
        import_csv(project, folder, "customers", customers)
        import_csv(project, folder, "orders", orders)
    return folder / "shop.db"


def copy_project(template: Path, folder: Path) -> Path:
    """A private copy of a template project (each test gets its own file)."""
    path = folder / template.name
    shutil.copyfile(template, path)
    return path
