"""Where tracebacks go: a log file in the user state directory, never the screen.

Used by the CLI and the UI alike. ``SEGTUI_LOG`` overrides the file's location.
"""

from __future__ import annotations

import logging
import os
import traceback
from pathlib import Path

LOGGER_NAME = "segtui"


def log_path() -> Path:
    override = os.environ.get("SEGTUI_LOG")
    if override:
        return Path(override)
    from platformdirs import user_state_path

    return user_state_path("segtui") / "segtui.log"


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
