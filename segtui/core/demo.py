"""The demo project: the synthetic retailer of sample_data/ imported into a project file."""

from __future__ import annotations

from pathlib import Path

from segtui.core.errors import ProjectError
from segtui.core.model import ReadOptions
from segtui.core.project import Project

DEMO_FILES = (("customers", "customers.csv"), ("orders", "orders.csv"))


def _holds_demo(project: Project) -> bool:
    have = {d.name for d in project.datasets()}
    return all(name in have for name, _ in DEMO_FILES)


def sample_data_dir() -> Path:
    """sample_data/ shipped in the wheel (segtui/sample_data) or beside the source tree."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "sample_data", here.parent / "sample_data"):
        if all((candidate / file).is_file() for _, file in DEMO_FILES):
            return candidate
    raise ProjectError(
        "the demo files (sample_data/customers.csv, orders.csv) are missing from this "
        "installation; reinstall segtui."
    )


def demo_is_ready(path: str | Path) -> bool:
    """True when path is a project that already holds the demo datasets (sqlite3 only: cheap)."""
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        return False
    with Project.open(path, create=False) as project:
        return _holds_demo(project)


def build_demo(path: str | Path, *, rebuild: bool = False) -> Path:
    """Create the demo project at path (or reuse it when it already holds the demo data)."""
    from segtui.core.ingest import import_file

    path = Path(path)
    data = sample_data_dir()
    with Project.open(path) as project:
        if not rebuild and _holds_demo(project):
            return path
        if {d.name for d in project.datasets()} - {name for name, _ in DEMO_FILES}:
            raise ProjectError(
                f"{path.name} already holds other datasets; give a new file name for the demo."
            )
        project.update_settings(name="Demo retailer", currency="£")
        for (name, file), kind in zip(DEMO_FILES, ("customers", "transactions"), strict=True):
            import_file(project, data / file, ReadOptions(kind=kind), name=name, replace=True)
    return path
