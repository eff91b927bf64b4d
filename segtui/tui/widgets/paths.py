"""Paths typed or picked: completion for typed paths (a Suggester) and a directory tree that
shows only the files segtui can import (or open as a project)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from textual.suggester import Suggester
from textual.widgets import DirectoryTree

IMPORTABLE_SUFFIXES = (
    ".csv", ".tsv", ".txt", ".dat", ".gz", ".xlsx", ".parquet", ".json", ".ndjson", ".jsonl",
)  # fmt: skip
PROJECT_SUFFIXES = (".db", ".sqlite", ".sqlite3", ".segtui")


def is_importable(path: Path) -> bool:
    return path.name.lower().endswith(IMPORTABLE_SUFFIXES)


class PathSuggester(Suggester):
    """Completes the last part of a typed path from what is on disk (folders get a "/").

    Only folders and files with one of ``suffixes`` are offered (all files when empty).
    """

    def __init__(self, suffixes: tuple[str, ...] = ()) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.suffixes = suffixes

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        folder_text, slash, stem = value.rpartition("/")
        if slash:
            folder = Path(os.path.expanduser(folder_text)) if folder_text else Path("/")
        else:
            folder = Path(".")
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return None
        for entry in entries:
            if not entry.name.startswith(stem) or entry.name == stem:
                continue
            if entry.name.startswith(".") and not stem.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if not is_dir and self.suffixes and not entry.name.lower().endswith(self.suffixes):
                continue
            prefix = value[: len(value) - len(stem)]
            return prefix + entry.name + ("/" if is_dir else "")
        return None


class ImportableTree(DirectoryTree):
    """The working directory's folders and importable files (hidden entries left out)."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        shown = []
        for path in paths:
            if path.name.startswith("."):
                continue
            try:
                if path.is_dir() or is_importable(path):
                    shown.append(path)
            except OSError:
                continue
        return shown
