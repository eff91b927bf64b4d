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


def _v2_segmentations(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        """
        CREATE TABLE segtui_dataset_copies (
            dataset_id INTEGER PRIMARY KEY REFERENCES segtui_datasets(id) ON DELETE CASCADE,
            format TEXT NOT NULL,           -- 'parquet': a columnar copy for fast reading
            rows INTEGER NOT NULL,
            made_at TEXT NOT NULL,          -- tells a remade copy from the one before it
            data BLOB NOT NULL
        );
        CREATE TABLE segtui_segmentations (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            method TEXT NOT NULL CHECK (method IN ('rules', 'rfm', 'kmeans', 'gmm')),
            definition TEXT NOT NULL,       -- JSON: the rules or the method's settings
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE segtui_runs (
            id INTEGER PRIMARY KEY,
            segmentation_id INTEGER NOT NULL
                REFERENCES segtui_segmentations(id) ON DELETE CASCADE,
            method TEXT NOT NULL,
            parameters TEXT NOT NULL,       -- JSON: the definition as it was run
            details TEXT NOT NULL,          -- JSON: thresholds, preprocessing, k scan, warnings
            analysis_date TEXT,
            ran_at TEXT NOT NULL,
            population INTEGER NOT NULL,    -- customers in the project when it ran
            customers INTEGER NOT NULL,     -- customers in at least one segment
            seconds REAL NOT NULL
        );
        CREATE INDEX segtui_runs_segmentation ON segtui_runs(segmentation_id, id);
        CREATE TABLE segtui_run_segments (
            run_id INTEGER NOT NULL REFERENCES segtui_runs(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            customers INTEGER NOT NULL,
            share REAL NOT NULL,            -- of the population, 0..1
            revenue REAL,                   -- total spend of its customers
            description TEXT,
            PRIMARY KEY (run_id, position)
        );
        CREATE TABLE segtui_assignments (
            run_id INTEGER NOT NULL REFERENCES segtui_runs(id) ON DELETE CASCADE,
            customer_id TEXT NOT NULL,
            segment TEXT NOT NULL,
            r_score INTEGER,
            f_score INTEGER,
            m_score INTEGER,
            recency REAL,
            frequency REAL,
            monetary REAL,
            distance REAL,
            probability REAL
        );
        CREATE INDEX segtui_assignments_run ON segtui_assignments(run_id);
        """,
    )


def _v3_segment_notes(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        """
        CREATE TABLE segtui_segment_notes (
            segmentation_id INTEGER NOT NULL
                REFERENCES segtui_segmentations(id) ON DELETE CASCADE,
            segment TEXT NOT NULL COLLATE NOCASE,
            description TEXT NOT NULL,      -- the user's words; kept across runs
            updated_at TEXT NOT NULL,
            PRIMARY KEY (segmentation_id, segment)
        )
        """,
    )


def _v4_messaging(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        """
        CREATE TABLE segtui_drafts (
            id INTEGER PRIMARY KEY,
            segmentation_id INTEGER NOT NULL
                REFERENCES segtui_segmentations(id) ON DELETE CASCADE,
            segment TEXT NOT NULL COLLATE NOCASE,
            position INTEGER NOT NULL,      -- 0, 1, ... within the segment
            content TEXT NOT NULL,          -- JSON: goal, channel, offer, variants, holdout...
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (segmentation_id, segment, position)
        );
        CREATE TABLE segtui_draft_versions (
            draft_id INTEGER NOT NULL REFERENCES segtui_drafts(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,       -- 1, 2, ...: earlier contents, oldest first
            saved_at TEXT NOT NULL,         -- when that content was saved
            content TEXT NOT NULL,
            PRIMARY KEY (draft_id, version)
        );
        CREATE TABLE segtui_playbook (
            id INTEGER PRIMARY KEY CHECK (id = 1),  -- one row: the project's own additions
            text TEXT NOT NULL,             -- TOML, read before the shipped playbook
            updated_at TEXT
        )
        """,
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _v1_foundation,
    _v2_segmentations,
    _v3_segment_notes,
    _v4_messaging,
]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, from_version: int) -> None:
    """Run the migrations a file lacks, all in the caller's open transaction."""
    for migration in MIGRATIONS[from_version:]:
        migration(conn)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
