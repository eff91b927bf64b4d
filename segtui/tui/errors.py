"""What the UI does with a failure: a SegtuiError's message is for people and is shown as is;
anything else is a bug, logged with its traceback to a file in the user state directory and
shown as one sentence pointing at that file. A traceback never reaches the screen."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from segtui.core.errors import ImportCancelled, SegtuiError

LOGGER_NAME = "segtui.tui"


def log_path() -> Path:
    """The log file, in the user state directory (created on first use)."""
    import platformdirs

    return platformdirs.user_state_path("segtui") / "segtui.log"


def _logger() -> tuple[logging.Logger, Path]:
    path = log_path()
    logger = logging.getLogger(LOGGER_NAME)
    logger.propagate = False
    wanted = str(path)
    if not any(getattr(h, "baseFilename", None) == wanted for h in logger.handlers):
        path.parent.mkdir(parents=True, exist_ok=True)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return logger, path


def log_exception(exc: BaseException, context: str = "") -> Path | None:
    """Write the exception with its traceback to the log file; returns the file (None if even
    the log cannot be written, which must not raise a second error)."""
    try:
        logger, path = _logger()
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        logger.error("%s\n%s", context or "unexpected error", text)
        for handler in logger.handlers:
            handler.flush()
        return path
    except OSError:
        return None


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
