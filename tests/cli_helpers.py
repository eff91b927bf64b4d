"""Running `segtui` commands in-process for the CLI tests: exit code, stdout and stderr, or the
parsed --json output of a command that must succeed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from segtui.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    return json.loads(out)
