"""Datasets in the project file: their metadata (segtui_datasets, segtui_columns), their rows
(``data_<name>`` tables, written and read through storage.py's ADBC path) and their rejects.

Mixed into Project; relies on its ``path``, ``reading()``, ``transaction()`` and ``_touch()``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from segtui.core.errors import ProjectError
from segtui.core.model import COLUMN_TYPES, ColumnInfo, DatasetInfo, LoadedDataset
from segtui.core.storage import (
    COPY_INSERT,
    SQL_TYPES,
    column_type_of,
    copy_statements,
    from_parquet,
    quote,
    read_table_making_copy,
    to_parquet,
    write_rows,
)

if TYPE_CHECKING:
    import polars as pl

# Rows are written to "<table>__importing_<pid>" before the swap; the pid tells a live import
# in another process from one whose process died and left its table behind.
SCRATCH = re.compile(r"^(?P<table>.+)__importing_(?P<pid>\d+)$")
_WRITING: set[str] = set()  # scratch tables this process is writing right now
DATASET_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def now_iso() -> str:
    """Now, in local time with its offset, as stored in the project file."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def dataset_name_from(text: str) -> str:
    """A valid dataset name from a file stem or a user's text ("Orders 2024.csv" -> orders_2024)."""
    stem = Path(text).name.split(".")[0] if "." in Path(text).name else Path(text).name
    name = re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_")
    if not name or not name[0].isalpha():
        name = f"d_{name}" if name else "dataset"
    return name[:63]


def check_dataset_name(name: str) -> str:
    if not DATASET_NAME.match(name):
        raise ProjectError(
            f"dataset name {name!r} is not valid; use lower-case letters, digits and "
            "underscores, starting with a letter (e.g. orders_2024)."
        )
    return name


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def leftover_scratch_tables(table_names: list[str]) -> list[str]:
    """Scratch tables left by imports that are no longer running: their process is gone, or it
    is this process and the import is not in progress (it failed before it could clean up)."""
    leftovers = []
    for name in table_names:
        match = SCRATCH.match(name)
        if match and name not in _WRITING:
            pid = int(match["pid"])
            if pid == os.getpid() or not _process_alive(pid):
                leftovers.append(name)
    return leftovers


def _stored_columns(loaded: LoadedDataset, data: pl.DataFrame) -> list[ColumnInfo]:
    """The columns as stored: the plan's type, role and format, or the frame's own type for a
    column the plan does not list."""
    plans = {c.name: c for c in loaded.plan.columns}
    columns = []
    for name, dtype in data.schema.items():
        plan = plans.get(name)
        if plan:
            columns.append(
                ColumnInfo(name, plan.type, plan.role, plan.source_name, plan.date_format)
            )
        else:
            columns.append(ColumnInfo(name, column_type_of(dtype), None))  # type: ignore[arg-type]
        assert columns[-1].type in COLUMN_TYPES
    return columns


class DatasetStore:
    """The dataset half of Project."""

    path: Path

    if TYPE_CHECKING:

        def reading(self) -> contextlib.AbstractContextManager[sqlite3.Connection]: ...
        def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]: ...
        def _touch(self) -> None: ...

    def datasets(self) -> list[DatasetInfo]:
        with self.reading() as conn:
            rows = conn.execute(
                "SELECT id, name, kind, table_name, rows_imported, rows_rejected, rows_read, "
                "customers, source_path, source_sha256, imported_at, date_min, date_max, "
                "options, report FROM segtui_datasets ORDER BY id"
            ).fetchall()
            column_rows = conn.execute(
                "SELECT dataset_id, name, type, role, source_name, date_format "
                "FROM segtui_columns ORDER BY dataset_id, position"
            ).fetchall()
        columns: dict[int, list[ColumnInfo]] = {}
        for dataset_id, name, type_, role, source_name, date_format in column_rows:
            columns.setdefault(dataset_id, []).append(
                ColumnInfo(name, type_, role, source_name, date_format)
            )
        return [
            DatasetInfo(
                id=r[0],
                name=r[1],
                kind=r[2],
                table=r[3],
                rows=r[4],
                rejected=r[5],
                rows_read=r[6],
                customers=r[7],
                columns=columns.get(r[0], []),
                source_path=r[8],
                source_sha256=r[9],
                imported_at=r[10],
                date_min=r[11],
                date_max=r[12],
                options=json.loads(r[13]),
                report=json.loads(r[14]),
            )
            for r in rows
        ]

    def dataset(self, name: str) -> DatasetInfo:
        for info in self.datasets():
            if info.name == name:
                return info
        known = ", ".join(d.name for d in self.datasets()) or "none yet"
        raise ProjectError(f"no dataset named {name!r} in {self.path.name} (datasets: {known}).")

    def has_dataset(self, name: str) -> bool:
        with self.reading() as conn:
            row = conn.execute("SELECT 1 FROM segtui_datasets WHERE name = ?", (name,))
            return row.fetchone() is not None

    def delete_dataset(self, name: str) -> None:
        info = self.dataset(name)
        with self.transaction() as conn:
            conn.execute("DELETE FROM segtui_datasets WHERE id = ?", (info.id,))
            conn.execute(f"DROP TABLE IF EXISTS {quote(info.table)}")
            self._touch()

    # --- datasets: rows ------------------------------------------------------------------

    def save_dataset(
        self, loaded: LoadedDataset, name: str, *, replace: bool = False
    ) -> DatasetInfo:
        """Write a loaded dataset: rows to ``data_<name>``, metadata and rejects to segtui_.

        Rows are bulk-written into a scratch table first (Arrow via ADBC); then one
        transaction swaps it in with the metadata. If anything fails the project is as before.
        """
        check_dataset_name(name)
        if self.has_dataset(name) and not replace:
            raise ProjectError(
                f"a dataset named {name!r} already exists; replace it or choose another name."
            )
        table = f"data_{name}"
        scratch = f"{table}__importing_{os.getpid()}"
        _WRITING.add(scratch)
        data = loaded.data.drop("__line", strict=False)
        columns = _stored_columns(loaded, data)
        try:
            self._create_table(scratch, columns)
            write_rows(self.path, scratch, data)
            copy = to_parquet(data, columns)  # as a read of the table gives it back
            with self.transaction() as conn:
                old = conn.execute(
                    "SELECT id, table_name FROM segtui_datasets WHERE name = ?", (name,)
                ).fetchone()
                if old:
                    conn.execute("DELETE FROM segtui_datasets WHERE id = ?", (old[0],))
                    conn.execute(f"DROP TABLE IF EXISTS {quote(old[1])}")
                conn.execute(f"DROP TABLE IF EXISTS {quote(table)}")
                conn.execute(f"ALTER TABLE {quote(scratch)} RENAME TO {quote(table)}")
                dataset_id = self._insert_metadata(conn, name, table, loaded, columns)
                self._insert_rejects(conn, dataset_id, loaded.rejects)
                self._put_copy(conn, dataset_id, table, copy, data.height)
                self._touch()
        except BaseException:
            with contextlib.suppress(sqlite3.Error, ProjectError), self.transaction() as conn:
                conn.execute(f"DROP TABLE IF EXISTS {quote(scratch)}")
            raise
        finally:
            _WRITING.discard(scratch)
        return self.dataset(name)

    def _create_table(self, table: str, columns: list[ColumnInfo]) -> None:
        defs = ", ".join(f"{quote(c.name)} {SQL_TYPES[c.type]}" for c in columns)
        with self.transaction() as conn:
            conn.execute(f"DROP TABLE IF EXISTS {quote(table)}")
            conn.execute(f"CREATE TABLE {quote(table)} ({defs})")

    def _insert_metadata(
        self,
        conn: sqlite3.Connection,
        name: str,
        table: str,
        loaded: LoadedDataset,
        columns: list[ColumnInfo],
    ) -> int:
        report = loaded.report
        source = loaded.plan.source
        options = {
            "format": source.format,
            "compression": source.compression,
            "encoding": source.encoding,
            "sep": source.sep,
            "has_header": source.has_header,
            "quote_char": source.quote_char,
            "line_ending": source.line_ending,
            "sheet": source.sheet,
            "kind_reason": loaded.plan.kind_reason,
            "derived_amount": loaded.plan.derived_amount,
            "columns": [c.to_json() for c in loaded.plan.columns],
        }
        cursor = conn.execute(
            "INSERT INTO segtui_datasets (name, kind, table_name, source_path, source_sha256, "
            "source_size, options, rows_read, rows_imported, rows_rejected, customers, "
            "date_min, date_max, report, imported_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                name,
                loaded.plan.kind,
                table,
                str(Path(source.path).resolve()),
                loaded.source_sha256,
                source.size_bytes,
                json.dumps(options, indent=1),
                report.rows_read,
                report.rows_imported,
                report.rows_rejected,
                report.distinct_customers,
                report.date_min,
                report.date_max,
                json.dumps(report.to_json(), indent=1),
                now_iso(),
            ),
        )
        dataset_id = int(cursor.lastrowid or 0)
        conn.executemany(
            "INSERT INTO segtui_columns (dataset_id, position, name, source_name, type, role, "
            "date_format) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (dataset_id, position, c.name, c.source_name, c.type, c.role, c.date_format)
                for position, c in enumerate(columns)
            ],
        )
        return dataset_id

    @staticmethod
    def _insert_rejects(conn: sqlite3.Connection, dataset_id: int, rejects: pl.DataFrame) -> None:
        if rejects.height == 0:
            return
        conn.executemany(
            'INSERT INTO segtui_rejects (dataset_id, line, "column", reason, raw) '
            "VALUES (?, ?, ?, ?, ?)",
            (
                (dataset_id, line, column, reason, raw)
                for line, column, reason, raw in rejects.select(
                    "line", "column", "reason", "raw"
                ).iter_rows()
            ),
        )

    @staticmethod
    def _put_copy(
        conn: sqlite3.Connection, dataset_id: int, table: str, copy: bytes, rows: int
    ) -> None:
        conn.execute(COPY_INSERT, (dataset_id, rows, copy))
        for statement in copy_statements(table):
            conn.execute(statement)

    def read_dataset(self, name: str, columns: list[str] | None = None) -> pl.DataFrame:
        """A dataset's rows as a typed polars frame: from its columnar copy when it has a
        current one, else from the table (Arrow via ADBC), making the copy for next time."""
        info = self.dataset(name)
        wanted = [c for c in info.columns if columns is None or c.name in columns]
        with self.reading() as conn:
            row = conn.execute(
                "SELECT data FROM segtui_dataset_copies WHERE dataset_id = ?", (info.id,)
            ).fetchone()
        if row is not None:
            return from_parquet(row[0], wanted)
        frame = read_table_making_copy(self.path, info.table, info.columns, info.id)
        return frame.select(c.name for c in wanted)

    def read_rejects(self, name: str) -> pl.DataFrame:
        import polars as pl

        from segtui.core.conversion import REJECT_SCHEMA

        info = self.dataset(name)
        with self.reading() as conn:
            rows = conn.execute(
                'SELECT line, "column", reason, raw FROM segtui_rejects WHERE dataset_id = ? '
                "ORDER BY line",
                (info.id,),
            ).fetchall()
        return pl.DataFrame(
            rows,
            schema=REJECT_SCHEMA,
            orient="row",
        )
