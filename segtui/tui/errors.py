"""What the UI does with a failure: a SegtuiError's message is for people and is shown as is;
anything else is a bug, logged with its traceback to a file in the user state directory and
shown as one sentence pointing at that file. A traceback never reaches the screen."""

from __future__ import annotations

from segtui.core.errors import ImportCancelled, SegtuiError
from segtui.logs import log_exception, log_path

__all__ = ["failure_message", "log_exception", "log_path", "one_line"]


def one_line(text: str, limit: int = 240) -> str:
    """The first line of a message, shortened: notifications stay one line."""
    first = (text.strip().splitlines() or [""])[0].strip()
    return first if len(first) <= limit else first[: limit - 1] + "…"


def failure_message(exc: BaseException, context: str = "") -> str:
    """The one sentence a person sees for a failure (logging it first when it is a bug)."""
    if isinstance(exc, ImportCancelled):
        return one_line(str(exc) or "Import cancelled; nothing was saved.")
    if isinstance(exc, SegtuiError):
        return one_line(str(exc))
    path = log_exception(exc, context)
    what = one_line(str(exc), 100) or type(exc).__name__
    where = f"details in {path}" if path else "the log file could not be written"
    return f"Something went wrong: {what}; {where}."
