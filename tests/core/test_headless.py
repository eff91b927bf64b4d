"""The core and the CLI's non-UI commands never load Textual (or scikit-learn)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def _modules_after(code: str) -> set[str]:
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_core_modules_do_not_import_textual() -> None:
    core = sorted(p.stem for p in (Path(__file__).parents[2] / "segtui" / "core").glob("*.py"))
    imports = "\n".join(f"import segtui.core.{name}" for name in core if name != "__init__")
    loaded = _modules_after(imports)
    assert "textual" not in loaded
    assert "sklearn" not in loaded


def test_cli_import_and_info_do_not_import_textual(tmp_path: Path) -> None:
    project = tmp_path / "p.db"
    code = (
        "from segtui.cli import main\n"
        f"assert main(['import', {str(project)!r}, {str(SAMPLE / 'customers.csv')!r}]) == 0\n"
        f"assert main(['info', {str(project)!r}, '--json']) == 0\n"
    )
    loaded = _modules_after(code)
    assert "textual" not in loaded
    assert "sklearn" not in loaded
    assert "pandas" not in loaded
