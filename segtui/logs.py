"""Where tracebacks go: a log file in the user state directory, never the screen."""

from __future__ import annotations

import logging
import os
from pathlib import Path

_configured = False


def log_path() -> Path:
    override = os.environ.get("SEGTUI_LOG")
    if override:
        return Path(override)
    from platformdirs import user_state_path

    return user_state_path("segtui") / "segtui.log"


def get_logger() -> logging.Logger:
    """The segtui logger, writing to the log file (configured on first use)."""
    global _configured
    logger = logging.getLogger("segtui")
    if not _configured:
        _configured = True
        path = log_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
        except OSError:
            handler = logging.NullHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def log_exception(exc: BaseException, context: str = "") -> Path:
    """Write the traceback of an unexpected error to the log; return the log's path."""
    get_logger().error("%s", context or "unexpected error", exc_info=exc)
    return log_path()
