"""Open, create and migrate the project file; settings; datasets' metadata and rows.

The one place that knows the schema (with schema.py). One SQLite file per engagement: WAL,
foreign keys on, mode 0600, ``user_version`` = schema version. A file from a newer segtui, a
non-SQLite file or a SQLite file that is not a segtui project is refused and left untouched.
Connections are per thread (the UI's workers each get their own).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from segtui.core import schema
from segtui.core.errors import ProjectError
from segtui.core.model import ColumnInfo, DatasetInfo, LoadedDataset
from segtui.core.storage import (
    GATE,
    SQL_TYPES,
    _Closer,
    busy_error,
    column_type_of,
    is_busy,
    quote,
    read_table,
    write_rows,
)

if TYPE_CHECKING:
    import polars as pl

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 5.0
IMPORTING_SUFFIX = "__importing"
DATASET_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass
class ProjectSettings:
    name: str
    currency: str
    analysis_date: dt.date | None  # the date in force: the override, or the automatic one
    analysis_date_override: dt.date | None
    created_at: str
    updated_at: str

    @property
    def analysis_date_is_auto(self) -> bool:
        return self.analysis_date_override is None


def _now() -> str:
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


def _check_existing_file(path: Path) -> tuple[int, int] | None:
    """Refuse what is not ours, without writing to it. Returns (user_version, app_id)."""
    if path.is_dir():
        raise ProjectError(f"{path} is a directory; give a project file name such as acme.db.")
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise ProjectError(f"{path.name}: cannot read it ({exc.strerror}).") from exc
    if head != SQLITE_MAGIC:
        raise ProjectError(
            f"{path.name} is not a SQLite file; open a segtui project (.db) or give a new "
            "file name to create one."
        )
    try:
        with (
            GATE.shared(),
            contextlib.closing(
                sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1)
            ) as conn,
        ):
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
    except sqlite3.DatabaseError as exc:
        if is_busy(exc):
            raise busy_error(path) from exc
        raise ProjectError(f"{path.name} is damaged or not a SQLite database ({exc}).") from exc
    is_ours = app_id == schema.APPLICATION_ID or "segtui_settings" in tables
    if tables and not is_ours:
        raise ProjectError(
            f"{path.name} is a SQLite database but not a segtui project; it was left "
            "untouched. Give a new file name to create a project."
        )
    if version > schema.SCHEMA_VERSION:
        raise ProjectError(
            f"{path.name} was written by a newer segtui (schema {version}, this one knows "
            f"{schema.SCHEMA_VERSION}); upgrade segtui to open it. The file was not changed."
        )
    return version, app_id


class Project(_Closer):
    """An open project file. Cheap to pass around; connections are made per thread.

    Use ``with project.reading() as conn`` or ``with project.transaction() as conn`` for any
    sqlite3 work: both hold the shared side of the storage gate (see storage.py).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._all_connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        GATE.register(self)

    # --- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = True) -> Project:
        path = Path(path).expanduser()
        existing = _check_existing_file(path)
        if existing is None:
            if not create:
                raise ProjectError(f"{path} does not exist; check the path or create it.")
            if not path.parent.exists():
                raise ProjectError(
                    f"cannot create {path}: the folder {path.parent} does not exist."
                )
            try:
                fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
                os.close(fd)
                os.chmod(path, 0o600)
            except OSError as exc:
                raise ProjectError(f"cannot create {path}: {exc.strerror}.") from exc
        project = cls(path)
        try:
            project._prepare()
        except BaseException:
            project.close()
            raise
        return project

    def _prepare(self) -> None:
        try:
            with self.reading() as conn:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > schema.SCHEMA_VERSION:
                raise ProjectError(
                    f"{self.path.name} was written by a newer segtui (schema {version}); "
                    "upgrade segtui to open it. The file was not changed."
                )
            if version < schema.SCHEMA_VERSION:
                with self.transaction() as conn:
                    # Re-read inside the write lock: another process may have migrated it.
                    version = conn.execute("PRAGMA user_version").fetchone()[0]
                    if version < schema.SCHEMA_VERSION:
                        schema.migrate(conn, version)
                        if version == 0:
                            now = _now()
                            self._put_settings(
                                {
                                    "name": dataset_name_from(self.path.stem).replace("_", " "),
                                    "currency": "£",
                                    "analysis_date": None,
                                    "created_at": now,
                                    "updated_at": now,
                                }
                            )
            with self.reading() as conn:
                if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    conn.execute("PRAGMA journal_mode = WAL")
            self._drop_leftover_imports()
        except sqlite3.Error as exc:
            if is_busy(exc):
                raise busy_error(self.path) from exc
            raise ProjectError(f"{self.path.name}: cannot open the project ({exc}).") from exc

    def _drop_leftover_imports(self) -> None:
        """Tables of an import that was killed part-way are scratch space: remove them."""
        with self.reading() as conn:
            leftovers = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ?",
                    (f"%{IMPORTING_SUFFIX}",),
                )
            ]
        if leftovers:
            with self.transaction() as conn:
                for table in leftovers:
                    conn.execute(f"DROP TABLE IF EXISTS {quote(table)}")

    @property
    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(
                    self.path,
                    timeout=BUSY_TIMEOUT_S,
                    isolation_level=None,
                    check_same_thread=False,
                )
            except sqlite3.Error as exc:
                raise ProjectError(f"cannot open {self.path.name}: {exc}.") from exc
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            self._local.conn = conn
            with self._lock:
                self._all_connections.append(conn)
        return conn

    def close_connections(self) -> None:
        """Close every thread's connection (they reopen on next use). Called by the gate."""
        with self._lock:
            for conn in self._all_connections:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._all_connections.clear()
            self._local = threading.local()

    def close(self) -> None:
        with GATE.shared():
            self.close_connections()

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A connection for reads (and autocommit writes) under the shared gate."""
        with GATE.shared():
            yield self._conn

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE): all of it lands, or none of it."""
        with GATE.shared():
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if is_busy(exc):
                    raise busy_error(self.path) from exc
                raise
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                conn.execute("ROLLBACK")
                if is_busy(exc):
                    raise busy_error(self.path) from exc
                raise

    # --- settings ------------------------------------------------------------------------

    def _raw_settings(self) -> dict[str, Any]:
        with self.reading() as conn:
            return {
                key: json.loads(value)
                for key, value in conn.execute("SELECT key, value FROM segtui_settings")
            }

    def _put_settings(self, values: dict[str, Any]) -> None:
        """Write settings; the caller holds a transaction."""
        self._conn.executemany(
            "INSERT INTO segtui_settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [(key, json.dumps(value)) for key, value in values.items()],
        )

    def settings(self) -> ProjectSettings:
        raw = self._raw_settings()
        override = raw.get("analysis_date")
        override_date = dt.date.fromisoformat(override) if override else None
        return ProjectSettings(
            name=raw.get("name") or self.path.stem,
            currency=raw.get("currency") or "",
            analysis_date=override_date or self.automatic_analysis_date(),
            analysis_date_override=override_date,
            created_at=raw.get("created_at", ""),
            updated_at=raw.get("updated_at", ""),
        )

    def automatic_analysis_date(self) -> dt.date | None:
        """The day after the last transaction of any transactions dataset."""
        with self.reading() as conn:
            row = conn.execute(
                "SELECT max(date_max) FROM segtui_datasets WHERE kind = 'transactions'"
            ).fetchone()
        if not row or not row[0]:
            return None
        return dt.date.fromisoformat(row[0][:10]) + dt.timedelta(days=1)

    def update_settings(
        self,
        *,
        name: str | None = None,
        currency: str | None = None,
        analysis_date: dt.date | str | None = "unchanged",
    ) -> ProjectSettings:
        """Change settings in one transaction. analysis_date=None returns it to automatic."""
        values: dict[str, Any] = {}
        if name is not None:
            if not name.strip():
                raise ProjectError("project name: give a name (it cannot be blank).")
            values["name"] = name.strip()
        if currency is not None:
            if len(currency.strip()) > 5:
                raise ProjectError("currency: use a symbol or code of at most 5 characters.")
            values["currency"] = currency.strip()
        if analysis_date != "unchanged":
            if isinstance(analysis_date, str):
                try:
                    analysis_date = dt.date.fromisoformat(analysis_date)
                except ValueError as exc:
                    raise ProjectError(
                        f"analysis date: {analysis_date!r} is not a date; use YYYY-MM-DD."
                    ) from exc
            values["analysis_date"] = analysis_date.isoformat() if analysis_date else None
        if values:
            values["updated_at"] = _now()
            with self.transaction():
                self._put_settings(values)
        return self.settings()

    # --- datasets: metadata --------------------------------------------------------------

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

    def _touch(self) -> None:
        self._put_settings({"updated_at": _now()})

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
        scratch = table + IMPORTING_SUFFIX
        data = loaded.data.drop("__line", strict=False)
        try:
            self._create_table(scratch, loaded)
            write_rows(self.path, scratch, data)
            with self.transaction() as conn:
                old = conn.execute(
                    "SELECT id, table_name FROM segtui_datasets WHERE name = ?", (name,)
                ).fetchone()
                if old:
                    conn.execute("DELETE FROM segtui_datasets WHERE id = ?", (old[0],))
                    conn.execute(f"DROP TABLE IF EXISTS {quote(old[1])}")
                conn.execute(f"DROP TABLE IF EXISTS {quote(table)}")
                conn.execute(f"ALTER TABLE {quote(scratch)} RENAME TO {quote(table)}")
                dataset_id = self._insert_metadata(conn, name, table, loaded)
                self._insert_rejects(conn, dataset_id, loaded.rejects)
                self._touch()
        except BaseException:
            with contextlib.suppress(sqlite3.Error, ProjectError), self.transaction() as conn:
                conn.execute(f"DROP TABLE IF EXISTS {quote(scratch)}")
            raise
        return self.dataset(name)

    def _create_table(self, table: str, loaded: LoadedDataset) -> None:
        from segtui.core.model import COLUMN_TYPES

        plan_types = {c.name: c.type for c in loaded.plan.columns}
        defs = []
        for col, dtype in loaded.data.schema.items():
            if col == "__line":
                continue
            ctype = plan_types.get(col) or column_type_of(dtype)
            assert ctype in COLUMN_TYPES
            defs.append(f"{quote(col)} {SQL_TYPES[ctype]}")
        with self.transaction() as conn:
            conn.execute(f"DROP TABLE IF EXISTS {quote(table)}")
            conn.execute(f"CREATE TABLE {quote(table)} ({', '.join(defs)})")

    def _insert_metadata(
        self, conn: sqlite3.Connection, name: str, table: str, loaded: LoadedDataset
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
                _now(),
            ),
        )
        dataset_id = int(cursor.lastrowid or 0)
        plans = {c.name: c for c in loaded.plan.columns}
        rows = []
        position = 0
        for col, dtype in loaded.data.schema.items():
            if col == "__line":
                continue
            plan = plans.get(col)
            rows.append(
                (
                    dataset_id,
                    position,
                    col,
                    plan.source_name if plan else "",
                    plan.type if plan else column_type_of(dtype),
                    plan.role if plan else None,
                    plan.date_format if plan else None,
                )
            )
            position += 1
        conn.executemany(
            "INSERT INTO segtui_columns (dataset_id, position, name, source_name, type, role, "
            "date_format) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
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

    def read_dataset(self, name: str, columns: list[str] | None = None) -> pl.DataFrame:
        """A dataset's rows as a typed polars frame (Arrow via ADBC)."""
        info = self.dataset(name)
        wanted = [c for c in info.columns if columns is None or c.name in columns]
        return read_table(self.path, info.table, wanted)

    def read_rejects(self, name: str) -> pl.DataFrame:
        import polars as pl

        info = self.dataset(name)
        with self.reading() as conn:
            rows = conn.execute(
                'SELECT line, "column", reason, raw FROM segtui_rejects WHERE dataset_id = ? '
                "ORDER BY line",
                (info.id,),
            ).fetchall()
        return pl.DataFrame(
            rows,
            schema={"line": pl.Int64, "column": pl.String, "reason": pl.String, "raw": pl.String},
            orient="row",
        )
