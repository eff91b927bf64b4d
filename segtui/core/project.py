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
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from segtui.core import schema
from segtui.core.datasets import (
    DatasetStore,
    dataset_name_from,
    leftover_scratch_tables,
    now_iso,
)
from segtui.core.errors import ProjectError
from segtui.core.segmentations import SegmentationStore
from segtui.core.storage import (
    GATE,
    busy_error,
    is_busy,
    quote,
)

if TYPE_CHECKING:
    pass

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 5.0


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


class Project(DatasetStore, SegmentationStore):
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
                            now = now_iso()
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
        """Scratch tables of imports whose process died part-way: remove them (a live import
        in another process keeps its own)."""
        with self.reading() as conn:
            names = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
        leftovers = leftover_scratch_tables(names)
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
            values["updated_at"] = now_iso()
            with self.transaction():
                self._put_settings(values)
        return self.settings()

    def _touch(self) -> None:
        """Record that the project changed; the caller holds a transaction."""
        self._put_settings({"updated_at": now_iso()})
