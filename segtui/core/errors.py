"""Errors meant for people: each carries one sentence naming the file, row, column or field and
what to do. Anything else that escapes is a bug and goes to the log file, not the screen."""

from __future__ import annotations


class SegtuiError(Exception):
    """A failure with a message written for the user (one sentence, no traceback)."""


class ProjectError(SegtuiError):
    """The project file cannot be opened, created or written."""


class ProjectBusyError(ProjectError):
    """Another process holds a write lock on the project file."""


class IngestError(SegtuiError):
    """A source file cannot be read or imported."""


class ImportCancelled(SegtuiError):
    """The user cancelled a running import; nothing was saved."""
