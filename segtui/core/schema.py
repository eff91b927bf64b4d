"""The project file's schema: forward migrations, one list, applied in order.

``PRAGMA user_version`` holds how many migrations a file has had. A file with a higher number
was written by a newer segtui and is refused, never altered. Only project.py calls this module.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

# 'SEGT' as a 32-bit integer, written to PRAGMA application_id so tools can tell our files apart.
APPLICATION_ID = 0x53454754


def _run(conn: sqlite3.Connection, script: str) -> None:
    # Not executescript(): it commits first, and migrations must stay in one transaction.
    for statement in script.split(";\n"):
        if statement.strip():
            conn.execute(statement)


def _v1_foundation(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        """
        CREATE TABLE segtui_settings (
            key TEXT PRIMARY KEY,
            value TEXT
        );
        CREATE TABLE segtui_datasets (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('customers', 'transactions')),
            table_name TEXT NOT NULL UNIQUE,
            source_path TEXT NOT NULL,
            source_sha256 TEXT NOT NULL,
            source_size INTEGER NOT NULL,
            options TEXT NOT NULL,          -- JSON: how the file was read
            rows_read INTEGER NOT NULL,
            rows_imported INTEGER NOT NULL,
            rows_rejected INTEGER NOT NULL,
            customers INTEGER,              -- distinct customer ids
            date_min TEXT,
            date_max TEXT,
            report TEXT NOT NULL,           -- JSON: the import report
            imported_at TEXT NOT NULL
        );
        CREATE TABLE segtui_columns (
            dataset_id INTEGER NOT NULL REFERENCES segtui_datasets(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            source_name TEXT NOT NULL,
            type TEXT NOT NULL,
            role TEXT,
            date_format TEXT,
            PRIMARY KEY (dataset_id, name)
        );
        CREATE TABLE segtui_rejects (
            dataset_id INTEGER NOT NULL REFERENCES segtui_datasets(id) ON DELETE CASCADE,
            line INTEGER NOT NULL,
            "column" TEXT,
            reason TEXT NOT NULL,
            raw TEXT
        );
        CREATE INDEX segtui_rejects_dataset ON segtui_rejects(dataset_id, line);
        """,
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1_foundation]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, from_version: int) -> None:
    """Run the migrations a file lacks, all in the caller's open transaction."""
    for migration in MIGRATIONS[from_version:]:
        migration(conn)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
