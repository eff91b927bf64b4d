"""The performance budget of import and start-up, as a table of figures.

    .venv/bin/python benchmarks/bench_import.py [--customers 100000] [--orders 1000000]
                                                [--repeat 3] [--keep DIR]

Generates the benchmark-scale demo data, then in the same run and on the same file imports
orders.csv with ``segtui import PROJECT FILE --kind transactions`` and with the sqlite3 command-line
tool's ``.import``, and measures how long ``segtui demo PROJECT`` takes to paint its first screen.
It is a script, not a test: it prints figures against their targets and always exits 0 once the
data is generated. See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_RATIO = 0.6  # segtui import time / sqlite3 .import time
TARGET_PEAK_BYTES = 1.5e9  # peak resident memory of the segtui import process
TARGET_FIRST_SCREEN = 0.9  # seconds from launching `segtui demo PROJECT` to the first paint
# Imported only where used (see DESIGN.md "Start fast"); none may be loaded at start-up.
HEAVY_MODULES = ("sklearn", "scipy", "adbc_driver_manager", "adbc_driver_sqlite", "fastexcel",
                 "jinja2")  # fmt: skip
TIMEOUT = 900  # seconds for any one child process

# Peak memory: ru_maxrss of RUSAGE_CHILDREN is the largest RSS of any *waited-for* descendant, a
# running maximum over every child this process has ever reaped. Asking for it in the benchmark
# itself would mix the generator, sqlite3 and every earlier run into each reading, so each timed
# command runs under this small wrapper in a fresh interpreter whose only child is the command:
# its RUSAGE_CHILDREN maximum is exactly the command's peak. It also times the command itself,
# so the wrapper's own start-up is not in the figure. (/usr/bin/time -v would do the same but is
# not installed everywhere and its output differs between GNU and BSD.)
_MEASURE = r"""
import json, resource, subprocess, sys, time
started = time.perf_counter()
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": seconds, "maxrss": usage.ru_maxrss,
                  "cpu": usage.ru_utime + usage.ru_stime, "rc": proc.returncode,
                  "stdout": proc.stdout[-4000:], "stderr": proc.stderr[-4000:]}))
"""

# First screen: run the app headless in a fresh process; once the first screen has been painted
# (call_after_refresh runs after the screen is idle with nothing left to repaint) write the wall
# clock time and the loaded modules to a file and exit. The parent compares that time with the
# wall clock just before it launched the process, so interpreter start-up, imports, opening the
# project and the first layout and paint are all in the figure. "demo" mode runs the real
# `segtui demo PROJECT` command with App.run_async forced headless; "app" mode calls the app
# factory directly, for while the demo command does not exist yet.
_FIRST_SCREEN = r"""
import json, sys, time
mode, project, out = sys.argv[1:4]
heavy = sys.argv[4].split(",")
result = {"mode": mode}

def save():
    with open(out, "w") as handle:
        json.dump(result, handle)

try:
    import textual.app
    if mode == "app":
        from segtui.tui.app import build_app
except Exception as error:
    result["import_error"] = f"{type(error).__name__}: {error}"
    save()
    sys.exit(3)

async def autopilot(pilot):
    app = pilot.app

    def painted():
        result["painted_at"] = time.time()
        result["heavy"] = [name for name in heavy if name in sys.modules]
        result["screen"] = type(app.screen).__name__
        save()
        app.exit()

    app.call_after_refresh(painted)

if mode == "demo":
    original = textual.app.App.run_async

    async def run_async(self, **options):
        options.update(headless=True, auto_pilot=autopilot, size=(80, 24))
        return await original(self, **options)

    textual.app.App.run_async = run_async
    from segtui.cli import main
    sys.argv = ["segtui", "demo", project]
    try:
        main()
    except SystemExit:
        pass
else:
    build_app(project or None).run(headless=True, auto_pilot=autopilot, size=(80, 24))
"""


@dataclass
class Row:
    measure: str
    value: str
    target: str = "-"
    ok: bool | None = None  # None: informational or not measured
    note: str = ""  # why it was not measured; printed under the table


@dataclass
class Runs:
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system seconds, for diagnosis
    peak_bytes: list[int] = field(default_factory=list)
    error: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None


def load_generator():
    path = REPO / "sample_data" / "generate.py"
    spec = importlib.util.spec_from_file_location("segtui_sample_generate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def segtui_command() -> list[str]:
    """The console script of the venv this script runs in (or `python -m segtui`)."""
    script = Path(sys.executable).parent / "segtui"
    return [str(script)] if script.exists() else [sys.executable, "-m", "segtui"]


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:160] if lines else "no output"


def fresh(path: Path) -> Path:
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        stale.unlink(missing_ok=True)
    return path


def measured(command: list[str], cwd: Path) -> dict:
    """Run ``command`` under the wrapper above; seconds, peak bytes, exit code and output tails."""
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _MEASURE, *command],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return {"rc": "timeout", "stdout": "", "stderr": f"no result within {TIMEOUT} s"}
    if proc.returncode != 0:  # the command could not even be started
        return {"rc": proc.returncode, "stdout": "", "stderr": proc.stderr}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    # ru_maxrss is in kilobytes on Linux and in bytes on macOS.
    result["peak_bytes"] = result["maxrss"] * (1 if sys.platform == "darwin" else 1024)
    return result


def import_with_segtui(orders: Path, project: Path, runs: Runs) -> None:
    if runs.error:
        return
    command = [*segtui_command(), "import", str(fresh(project)), str(orders)]
    result = measured([*command, "--kind", "transactions"], orders.parent)
    if result["rc"] != 0:
        output = result["stderr"] or result["stdout"]
        runs.error = f"exit {result['rc']}: {last_line(output)}"
        return
    runs.seconds.append(result["seconds"])
    runs.cpu.append(result["cpu"])
    runs.peak_bytes.append(result["peak_bytes"])


def import_with_sqlite3(orders: Path, database: Path, runs: Runs) -> None:
    if runs.error:
        return
    if shutil.which("sqlite3") is None:
        runs.error = "sqlite3 command not found"
        return
    command = ["sqlite3", str(fresh(database)), ".mode csv", f".import {orders.name} orders"]
    result = measured(command, orders.parent)
    if result["rc"] != 0 or result["stderr"].strip():
        runs.error = f"exit {result['rc']}: {last_line(result['stderr'])}"
        return
    runs.seconds.append(result["seconds"])
    runs.cpu.append(result["cpu"])


def imported_counts(project: Path) -> tuple[int, int] | None:
    """Rows imported and rejected, as the project file records them (None if unreadable)."""
    try:
        with sqlite3.connect(f"file:{project}?mode=ro", uri=True) as conn:
            row = conn.execute(
                "SELECT rows_imported, rows_rejected FROM segtui_datasets ORDER BY id DESC LIMIT 1"
            ).fetchone()
    except sqlite3.Error:
        return None
    return (int(row[0]), int(row[1])) if row else None


def first_screen(mode: str, project: str, work: Path) -> dict:
    """One headless start: seconds to the first paint and the heavy modules loaded by then."""
    out = work / f"first-screen-{mode}.json"
    out.unlink(missing_ok=True)
    launched = time.time()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _FIRST_SCREEN, mode, project, str(out), ",".join(HEAVY_MODULES)],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        return {"error": "no screen painted within 60 s"}
    result = json.loads(out.read_text()) if out.exists() else {}
    if "painted_at" in result:
        result["seconds"] = result["painted_at"] - launched
    elif "import_error" in result:
        result["error"] = f"app not importable: {result['import_error']}"
    else:
        result["error"] = last_line(proc.stderr or proc.stdout)
    return result


def measure_first_screen(work: Path, sample: Path, repeat: int) -> tuple[str, list[dict], str]:
    """Time `segtui demo` to its first screen; fall back to build_app() on a demo-like project.

    Returns the label of what was measured, the successful runs, and an error if none ran.
    """
    demo = first_screen("demo", str(fresh(work / "demo-0.db")), work)
    if "seconds" in demo:
        runs = [demo]
        for i in range(1, repeat):
            runs.append(first_screen("demo", str(fresh(work / f"demo-{i}.db")), work))
        return "first screen (segtui demo)", [r for r in runs if "seconds" in r], ""

    # No demo command yet: open the app on a project holding the shipped sample data.
    project = fresh(work / "first-screen.db")
    for name, kind in (("customers.csv", "customers"), ("orders.csv", "transactions")):
        command = [*segtui_command(), "import", str(project), str(sample / name), "--kind", kind]
        if subprocess.run(command, capture_output=True, timeout=TIMEOUT).returncode != 0:
            project = Path("")  # build_app(None): the app without a project
            break
    runs = [first_screen("app", str(project) if project.name else "", work) for _ in range(repeat)]
    good = [r for r in runs if "seconds" in r]
    if good:
        return "first screen (build_app, demo n/a)", good, ""
    return "first screen", [], f"n/a ({runs[0].get('error', 'unknown error')})"


def _last(runs: Runs) -> str:
    if not runs.seconds:
        return f"n/a ({runs.error})"
    return f"{runs.seconds[-1]:.2f} s (cpu {runs.cpu[-1]:.2f} s)"


def table(rows: list[Row]) -> str:
    header = Row("measure", "median", "target")
    cells = [(r.measure, r.value, r.target, "-" if r.ok is None else "yes" if r.ok else "NO")
             for r in [header, *rows]]  # fmt: skip
    cells[0] = (*cells[0][:3], "ok")
    widths = [max(len(c[i]) for c in cells) for i in range(4)]
    lines = ["  ".join(c[i].ljust(widths[i]) for i in range(4)).rstrip() for c in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"{r.measure}: {r.note}" for r in rows if r.note]
    return "\n".join(lines + (["", *notes] if notes else []))


def build_report(
    rows: int,
    segtui: Runs,
    sqlite: Runs,
    counts: tuple[int, int] | None,
    start: tuple[str, list[dict], str],
) -> list[Row]:
    report: list[Row] = []

    def add(measure: str, value: str, target: str = "-", ok: bool | None = None, note=""):
        report.append(Row(measure, value, target, ok, note))

    seg, lite = segtui.median, sqlite.median
    add("segtui import (s)", f"{seg:.2f}" if seg else "n/a", note=segtui.error or "")
    add("sqlite3 .import (s)", f"{lite:.2f}" if lite else "n/a", note=sqlite.error or "")
    ratio = seg / lite if seg and lite else None
    add(
        "ratio segtui / sqlite3",
        f"{ratio:.2f}" if ratio else "n/a",
        f"<= {TARGET_RATIO}",
        None if ratio is None else ratio <= TARGET_RATIO,
    )
    add("segtui rows/s", f"{rows / seg:,.0f}" if seg else "n/a")
    if counts:
        imported = f"{counts[0]:,} / {counts[1]:,}"
        add("rows imported / rejected", imported, f"{rows:,} / 0", counts == (rows, 0))
    peak = max(segtui.peak_bytes) if segtui.peak_bytes else None  # worst run: it is a ceiling
    add(
        "segtui import peak RSS (max)",
        f"{peak / 1e9:.2f} GB" if peak else "n/a",
        f"< {TARGET_PEAK_BYTES / 1e9:.1f} GB",
        None if peak is None else peak < TARGET_PEAK_BYTES,
    )
    label, starts, start_error = start
    if not starts:
        add("first screen (s)", "n/a", f"< {TARGET_FIRST_SCREEN}", note=start_error)
        add("sklearn imported at start-up", "n/a", "no")
        return report
    median = statistics.median(r["seconds"] for r in starts)
    add(f"{label} (s)", f"{median:.2f}", f"< {TARGET_FIRST_SCREEN}", median < TARGET_FIRST_SCREEN)
    heavy = sorted({name for r in starts for name in r["heavy"]})
    sklearn = "sklearn" in heavy
    add("sklearn imported at start-up", "yes" if sklearn else "no", "no", not sklearn)
    others = [name for name in heavy if name != "sklearn"]
    add("other heavy modules at start-up", ", ".join(others) or "none", "none", not others)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure (median)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work here and keep the files")
    args = parser.parse_args(argv)
    repeat = max(1, args.repeat)

    with tempfile.TemporaryDirectory(prefix="segtui-bench-") as scratch:
        work = args.keep.resolve() if args.keep else Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        _, orders = load_generator().generate(args.customers, args.orders, args.seed, work)
        generated = time.perf_counter() - started
        with orders.open("rb") as lines:
            rows = sum(1 for _ in lines) - 1
        sqlite_version = "missing"
        if shutil.which("sqlite3"):
            version = subprocess.run(["sqlite3", "--version"], capture_output=True, text=True)
            sqlite_version = version.stdout.split(" ")[0]
        load = (
            ", load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
            if hasattr(os, "getloadavg")
            else ""
        )
        print(
            f"python {platform.python_version()}, {os.cpu_count()} CPUs{load}, sqlite3 CLI "
            f"{sqlite_version}; {args.customers:,} customers, {rows:,} order rows "
            f"({orders.stat().st_size / 1e6:.0f} MB) generated in {generated:.1f} s in {work}"
        )

        segtui, sqlite = Runs(), Runs()
        project = work / "bench-import.db"
        for i in range(repeat):  # alternate who goes first so neither always gets a warm cache
            steps = [
                lambda: import_with_segtui(orders, project, segtui),
                lambda: import_with_sqlite3(orders, work / "bench-sqlite3.db", sqlite),
            ]
            for step in steps if i % 2 == 0 else steps[::-1]:
                step()
            print(
                f"  run {i + 1}/{repeat}: segtui {_last(segtui)}, sqlite3 {_last(sqlite)}",
                flush=True,
            )
        counts = imported_counts(project) if segtui.seconds else None
        label, starts, start_error = measure_first_screen(work, REPO / "sample_data", repeat)

    report = build_report(rows, segtui, sqlite, counts, (label, starts, start_error))
    print()
    print(table(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
