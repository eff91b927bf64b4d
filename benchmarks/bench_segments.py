"""The performance budget of the Segments step, as a table of figures.

    .venv/bin/python benchmarks/bench_segments.py [--workdir /tmp/segbench] [--repeat 3]
                                                  [--customers 1000000] [--project big.db]

a. Members: a project of --customers customers (generated once with polars and imported with
   segtui.core.ingest.import_file, cached in --workdir) and a rule segmentation whose one
   segment holds everyone, run once. The app runs headless at 120×40 with the run already
   loaded (as the Segments screen has it); measured: from push_screen(MembersScreen) to the
   first paint of the table with rows in it, and 100 pages down. Reference, same process: Textual's
   built-in DataTable filled with 10,000 of the same rows, to its first paint, and 100 pages.
b. Profiles: `profile_run` of an RFM run on --project (100k customers / 1M orders; copied into
   the work folder, the run made there once).
c. Export: `export_members` of that run's members (every customer) to CSV.
First, a fixed pure-Python loop is timed: painting is Python-bound, so it scales the UI figures
between machines.

Each group runs in a fresh child process. It is a script, not a test: it prints figures against
their targets and exits 0. See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import Row, table

TARGETS = {"members_paint": 0.6, "page": 0.1, "profiles": 1.0, "export": 1.0}
EVERYONE = "Everyone"  # the rule segmentation of the members project
BIG_RFM = "bench RFM"
REFERENCE_ROWS = 10_000
PAGES = 100
TIMEOUT = 1800

_MEMBERS = r"""
import asyncio, json, statistics, sys, time
from textual.screen import Screen
from textual.widgets import DataTable
from segtui.core.run_data import latest_run
from segtui.tui.app import build_app
from segtui.tui.screens.members import MembersScreen
from segtui.tui.widgets.members_table import MembersTable

path, segmentation = sys.argv[1:3]
repeat, pages, reference_rows = map(int, sys.argv[3:6])
out = {}
painted = asyncio.Event()
paint_times = []

def record(table):
    # The compositor asks a widget for its lines when it paints it: the first time a table
    # with rows is asked is the time its first page reaches the (headless) terminal.
    if table.row_count:
        paint_times.append(time.perf_counter())
        painted.set()

class Watched(MembersTable):
    def render_lines(self, crop):
        lines = super().render_lines(crop)
        record(self)
        return lines

class ReferenceTable(DataTable):
    def render_lines(self, crop):
        lines = super().render_lines(crop)
        record(self)
        return lines

class ReferenceScreen(Screen):
    def __init__(self, frame):
        super().__init__()
        self.frame = frame
    def compose(self):
        yield ReferenceTable()
    def on_mount(self):
        table = self.query_one(ReferenceTable)
        table.add_columns(*self.frame.columns)
        table.add_rows(self.frame.rows())
        table.focus()

import segtui.tui.widgets.members_table as members_table
members_table.MembersTable = Watched  # the screen imports it by name when composing

async def first_paint(app, pilot, screen):
    painted.clear(); paint_times.clear()
    started = time.perf_counter()
    await app.push_screen(screen)
    await asyncio.wait_for(painted.wait(), 120)
    return paint_times[0] - started

async def page_down(pilot, n):
    times = []
    for _ in range(n):
        painted.clear(); paint_times.clear()
        started = time.perf_counter()
        await pilot.press("pagedown")
        await asyncio.wait_for(painted.wait(), 60)
        times.append(paint_times[0] - started)
    return times

async def main():
    app = build_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(600):
            await pilot.pause(0.05)
            if app.project is not None and type(app.screen).__name__ == "HomeScreen":
                break
        data = latest_run(app.project, segmentation)  # loaded, as the Segments screen has it
        segment = data.segments[0]
        started = time.perf_counter()
        frame = data.members([segment])
        out["members_call"] = time.perf_counter() - started
        out["rows"] = frame.height
        out["paint"], out["pages"] = [], []
        for attempt in range(repeat):
            out["paint"].append(await first_paint(app, pilot, MembersScreen(data, [segment])))
            await app.workers.wait_for_complete()
            await pilot.pause()
            if attempt == repeat - 1:
                out["pages"] = await page_down(pilot, pages)
                out["cursor_row"] = app.screen.table().cursor_row
            app.pop_screen()
            await pilot.pause()
        sample = frame.head(reference_rows).drop("segment")
        out["reference_paint"] = []
        for attempt in range(repeat):
            out["reference_paint"].append(await first_paint(app, pilot, ReferenceScreen(sample)))
            await pilot.pause()
            if attempt == repeat - 1:
                out["reference_pages"] = await page_down(pilot, pages)
            app.pop_screen()
            await pilot.pause()

asyncio.run(main())
print(json.dumps(out))
"""

_CORE = r"""
import json, sys, time
from pathlib import Path
from segtui.core.project import Project
from segtui.core.run_data import latest_run

what, path, segmentation = sys.argv[1:4]
repeat, folder = int(sys.argv[4]), Path(sys.argv[5])
out = {}
with Project.open(path) as project:
    data = latest_run(project, segmentation)  # features cached, as on the Segments screen
    out["customers"] = data.assignments.height
    times = []
    if what == "profiles":
        from segtui.core.profile import profile_run
        for _ in range(repeat):
            started = time.perf_counter()
            profiles = profile_run(data)
            times.append(time.perf_counter() - started)
        out["segments"] = len(profiles)
    else:
        from segtui.core.export import export_members
        target = folder / "members.csv"
        for _ in range(repeat):
            started = time.perf_counter()
            result = export_members(data, target, fmt="csv", force=True)
            times.append(time.perf_counter() - started)
        out["rows"], out["columns"] = result.rows, len(result.columns)
        out["bytes"] = target.stat().st_size
        target.unlink()
    out["seconds"] = times
print(json.dumps(out))
"""


def child(script: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=TIMEOUT
    )
    if done.returncode != 0:
        return {"error": (done.stderr or done.stdout).strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def generate_customers(csv: Path, customers: int, seed: int = 11) -> None:
    """A customers file: id, names, country, city type, age, signup date, credit limit."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    first = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Hedy"]
    last = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Lamarr"]
    countries = ["United Kingdom", "France", "Germany", "Spain", "Italy", "Ireland", "Portugal"]
    days = pl.date_range(pl.date(2015, 1, 1), pl.date(2024, 12, 31), "1d", eager=True)

    def pick(values: list[str]) -> np.ndarray:
        return np.array(values)[rng.integers(0, len(values), customers)]

    pl.DataFrame(
        {
            "customer_id": [f"C{i:07d}" for i in range(1, customers + 1)],
            "first_name": pick(first),
            "last_name": pick(last),
            "country": pick(countries),
            "city_type": pick(["urban", "suburban", "rural"]),
            "age": rng.integers(18, 90, customers),
            "signup_date": days.sample(customers, with_replacement=True, seed=seed),
            "credit_limit": np.round(rng.gamma(2.0, 800.0, customers), 2),
        }
    ).write_csv(csv)


def prepare_members(work: Path, customers: int) -> Path:
    """The members project (cached): the customers and a run with everyone in one segment."""
    from segtui.core.ingest import import_file
    from segtui.core.model import ReadOptions
    from segtui.core.project import Project
    from segtui.core.runner import run_segmentation

    path = work / f"members_{customers}.db"
    if path.exists():
        with Project.open(path) as project:
            if project.has_segmentation(EVERYONE) and project.segmentation(EVERYONE).last_run:
                return path
        path.unlink()
    csv = work / f"customers_{customers}.csv"
    if not csv.exists():
        print(f"generating {customers:,} customers…", flush=True)
        generate_customers(csv, customers)
    print(f"importing {csv.name} and running {EVERYONE!r}…", flush=True)
    with Project.open(path) as project:
        import_file(project, csv, ReadOptions(), name="customers")
        rule = {"all": [{"field": "first_name", "op": "is_not_empty"}]}
        definition = {
            "mode": "exclusive",
            "else": "Everyone else",
            "segments": [{"name": "Everyone with a name", "rule": rule}],
        }
        project.create_segmentation(EVERYONE, "rules", definition)
        run_segmentation(project, EVERYONE)
    return path


def prepare_big(work: Path, source: Path) -> Path:
    """A copy of the 100k / 1M project in the work folder with an RFM run (made once)."""
    from segtui.core.project import Project
    from segtui.core.runner import default_definition, run_segmentation

    path = work / source.name
    if not path.exists():
        shutil.copyfile(source, path)
    with Project.open(path) as project:
        if not project.has_segmentation(BIG_RFM):
            project.create_segmentation(BIG_RFM, "rfm", default_definition("rfm"))
        if project.segmentation(BIG_RFM).last_run is None:
            print(f"running {BIG_RFM!r} on {path.name}…", flush=True)
            run_segmentation(project, BIG_RFM)
    return path


def cpu_reference(repeat: int) -> Row:
    """A fixed pure-Python loop: painting is Python-bound, so this scales the UI figures
    between machines (about 0.3–0.5 s on a 2023 laptop)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        total = 0
        for i in range(10_000_000):
            total += i
        times.append(time.perf_counter() - started)
    return Row("CPU reference: a 10M-step Python loop", f"{statistics.median(times):.2f} s")


def median(values: list[float] | None) -> float | None:
    return statistics.median(values) if values else None


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.0f} ms"


def members_rows(ui: dict) -> list[Row]:
    if "error" in ui:
        return [Row("members table", "failed", note=" ".join(ui["error"]))]
    rows = ui["rows"]
    paint, pages = median(ui["paint"]), median(ui["pages"])
    ref_paint, ref_pages = median(ui["reference_paint"]), median(ui["reference_pages"])
    target = TARGETS["members_paint"]
    return [
        Row(
            f"members table, {rows:,} rows: push → first paint",
            f"{paint:.2f} s",
            f"≤ {target} s",
            paint <= target,
        ),
        Row(f"  of which RunData.members() alone ({rows:,} rows)", f"{ui['members_call']:.2f} s"),
        Row(
            f"members table, {rows:,} rows: page down (median of {len(ui['pages'])})",
            ms(pages),
            f"≤ {ms(TARGETS['page'])}",
            pages <= TARGETS["page"],
            note="" if ui["cursor_row"] > 0 else "the cursor did not move",
        ),
        Row(
            f"reference: built-in DataTable, {REFERENCE_ROWS:,} rows: push → first paint",
            f"{ref_paint:.2f} s ({ref_paint / paint:.1f}× the members table)",
        ),
        Row(f"reference: built-in DataTable, {REFERENCE_ROWS:,} rows: page down", ms(ref_pages)),
    ]


def core_row(figures: dict, label: str, target: float) -> Row:
    if "error" in figures:
        return Row(label, "failed", note=" ".join(figures["error"]))
    seconds = median(figures["seconds"])
    return Row(label, f"{seconds:.2f} s", f"≤ {target} s", seconds <= target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", default="/tmp/segbench", help="cached projects live here")
    parser.add_argument("--customers", type=int, default=1_000_000, help="members project size")
    parser.add_argument("--project", default="/tmp/big/big.db", help="100k customers / 1M orders")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip", nargs="*", default=[], choices=["members", "profiles", "export"])
    args = parser.parse_args(argv)
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    report: list[Row] = [cpu_reference(args.repeat)]
    if "members" not in args.skip:
        members = prepare_members(work, args.customers)
        ui = child(_MEMBERS, str(members), EVERYONE, str(args.repeat), str(PAGES),
                   str(REFERENCE_ROWS))  # fmt: skip
        report += members_rows(ui)
    if {"profiles", "export"} - set(args.skip) and not Path(args.project).exists():
        report.append(Row("profiles and export", "not run", note=f"no {args.project}"))
    elif {"profiles", "export"} - set(args.skip):
        big = prepare_big(work, Path(args.project))
        common = (str(big), BIG_RFM, str(args.repeat), str(work))
        if "profiles" not in args.skip:
            figures = child(_CORE, "profiles", *common)
            size = (
                f"{figures.get('customers', 0):,} customers, {figures.get('segments', 0)} segments"
            )
            report.append(core_row(figures, f"profile_run ({size})", TARGETS["profiles"]))
        if "export" not in args.skip:
            figures = child(_CORE, "export", *common)
            size = f"{figures.get('rows', 0):,} rows × {figures.get('columns', 0)} columns"
            report.append(core_row(figures, f"export_members to CSV ({size})", TARGETS["export"]))
    print(table(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
