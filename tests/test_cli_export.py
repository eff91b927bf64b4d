"""`segtui export`: members of the latest run (all, some segments, chosen columns) or the
segment summary to a file, and every mistake exits 2 with one line and writes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from cli_helpers import cli_json, run_cli
from project_files import SHOP_CUSTOMERS, SHOP_ORDERS, build_project, copy_project

from segtui.cli import main
from segtui.core.project import Project


@pytest.fixture(autouse=True)
def _log_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGTUI_LOG", str(tmp_path / "segtui.log"))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shop with an RFM run: C1 Hibernating, C2 About to Sleep, C3 No purchases yet."""
    path = build_project(tmp_path_factory.mktemp("template"), SHOP_CUSTOMERS, SHOP_ORDERS)
    assert main(["segment", str(path), "--name", "RFM", "--method", "rfm", "--json"]) == 0
    return path


@pytest.fixture
def shop(tmp_path: Path, template: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    capsys.readouterr()  # the template's run output
    folder = tmp_path / "project"
    folder.mkdir()
    return copy_project(template, folder)


_cli = run_cli
_json = cli_json


def _refused(capsys: pytest.CaptureFixture[str], folder: Path, *args: str) -> str:
    """Run an export that must fail: exit 2, one line on stderr, no new file in folder."""
    before = sorted(os.listdir(folder))
    code, out, err = _cli(capsys, *args)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("segtui: ")
    assert sorted(os.listdir(folder)) == before
    return lines[0]


def _modules_after(*commands: list[str]) -> set[str]:
    """The modules loaded by a fresh interpreter that ran these segtui commands (each must
    succeed)."""
    script = (
        "import json, sys\n"
        "from segtui.cli import main\n"
        f"for args in {list(commands)!r}:\n"
        "    assert main(args) == 0, args\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_all_members_to_csv(shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rfm.csv"
    code, printed, err = _cli(capsys, "export", str(shop), "rfm", "--out", str(out))
    assert code == 0, err
    back = pl.read_csv(out)
    assert printed == f"Wrote 3 rows × {back.width} columns to {out}\n"
    assert back.columns[:5] == ["customer_id", "segment", "r_score", "f_score", "m_score"]
    assert back.select("customer_id", "segment").rows() == [
        ("C1", "Hibernating"),
        ("C2", "About to Sleep"),
        ("C3", "No purchases yet"),
    ]


def test_some_segments_and_columns_as_json(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "some.parquet"
    data = _json(
        capsys, "export", str(shop), "RFM", "--segment", "no purchases YET", "--segment",
        "hibernating", "--columns", "total_spend, Country", "--out", str(out), "--json",
    )  # fmt: skip
    assert data == {
        "path": str(out),
        "format": "parquet",
        "what": "members",
        "segmentation": "RFM",
        "run": 1,
        "segments": ["No purchases yet", "Hibernating"],
        "rows": 2,
        "columns": ["customer_id", "segment", "total_spend", "country"],
        "seconds": data["seconds"],
    }
    assert pl.read_parquet(out).rows() == [
        ("C1", "Hibernating", 160.0, "France"),
        ("C3", "No purchases yet", 0.0, "France"),
    ]
    # --format names the format when the file name does not.
    named = tmp_path / "members-for-the-esp"
    code, printed, _ = _cli(
        capsys, "export", str(shop), "RFM", "--format", "xlsx", "--out", str(named)
    )
    assert code == 0 and printed.startswith("Wrote 3 rows × ")
    assert pl.read_excel(named).height == 3


def test_the_summary_table(shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "summary.xlsx"
    data = _json(capsys, "export", str(shop), "RFM", "--summary", "--out", str(out), "--json")
    assert (data["what"], data["format"], data["rows"]) == ("summary", "xlsx", 12)  # 11 + total
    back = pl.read_excel(out)
    assert back.columns == data["columns"]
    assert back.get_column("segment").to_list()[-1] == "Total"
    assert back.get_column("customers").to_list()[-1] == 3
    code, printed, _ = _cli(
        capsys, "export", str(shop), "RFM", "--summary", "--out", str(tmp_path / "s.csv")
    )
    assert code == 0
    assert printed == f"Wrote 12 rows × {len(data['columns'])} columns to {tmp_path / 's.csv'}\n"


def test_an_existing_file_needs_force(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rfm.csv"
    out.write_text("keep me\n", encoding="utf-8")
    message = _refused(capsys, tmp_path, "export", str(shop), "RFM", "--out", str(out))
    assert message == (
        f"segtui: {out} already exists; choose another name or confirm overwriting it (--force)."
    )
    assert out.read_text(encoding="utf-8") == "keep me\n"
    code, _, err = _cli(capsys, "export", str(shop), "RFM", "--out", str(out), "--force")
    assert code == 0, err
    assert pl.read_csv(out).height == 3


def test_mistakes_exit_2_with_one_line_and_write_nothing(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "out.csv")
    cases = {
        ("RFM", "--segment", "Sleepers", "--out", out): (
            "'RFM' has no segment 'Sleepers'; its segments are Champions, Loyal, "
        ),
        ("RFM", "--columns", "age,shoe_size", "--out", out): (
            "column 'shoe_size' is not a member column; choose from customer_id, segment, "
        ),
        ("RFM", "--columns", " , ", "--out", out): "--columns ' , ': name the columns",
        ("RFM", "--format", "parquet", "--out", out): (
            "out.csv ends in .csv but the format asked for is parquet; name the file .parquet "
            "or ask for csv."
        ),
        ("RFM", "--out", str(tmp_path / "out.json")): "out.json: cannot tell the format",
        ("RFM", "--out", str(tmp_path / "absent" / "out.csv")): (
            f"folder {tmp_path / 'absent'} does not exist; create it or choose another folder."
        ),
        ("RFM", "--summary", "--out", str(tmp_path / "s.parquet")): (
            "s.parquet: the segment summary is written as CSV or XLSX, not Parquet"
        ),
        ("RFM", "--summary", "--segment", "Loyal", "--columns", "age", "--out", out): (
            "--segment, --columns do not apply to --summary"
        ),
        ("Nope", "--out", out): "there is no segmentation named 'Nope'",
    }
    for args, needle in cases.items():
        message = _refused(capsys, tmp_path, "export", str(shop), *args)
        assert needle in message, (args, message)

    with Project.open(shop) as project:
        project.create_segmentation("Draft", "rules", {"mode": "exclusive", "segments": []})
    message = _refused(capsys, tmp_path, "export", str(shop), "draft", "--out", out)
    assert "'Draft' has not been run yet" in message
    message = _refused(capsys, tmp_path, "export", str(tmp_path / "absent.db"), "RFM", "--out", out)
    assert "absent.db" in message


def test_export_never_loads_the_ui_or_sklearn(shop: Path, tmp_path: Path) -> None:
    out, summary = tmp_path / "m.xlsx", tmp_path / "s.csv"
    loaded = _modules_after(
        ["export", str(shop), "RFM", "--out", str(out)],
        ["export", str(shop), "RFM", "--summary", "--out", str(summary)],
    )
    assert not {"textual", "sklearn", "pandas"} & loaded


# --- audiences: --format esp | meta | google ---------------------------------------------------

CONTACTS = """\
customer_id,first_name,last_name,email,country,marketing_opt_in
C1,Anna,Smith, Anna@Example.com ,France,yes
C2,Bob,Jones,bob@,Spain,yes
C3,Cleo,Martin,cleo@example.com,France,no
"""


@pytest.fixture(scope="module")
def contacts_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shop's orders with customers who have names, emails and an opt-in: an RFM run puts
    C1 in Hibernating, C2 in About to Sleep, C3 in No purchases yet."""
    path = build_project(tmp_path_factory.mktemp("contacts"), CONTACTS, SHOP_ORDERS)
    assert main(["segment", str(path), "--name", "RFM", "--method", "rfm", "--json"]) == 0
    return path


@pytest.fixture
def contacts(tmp_path: Path, contacts_template: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    capsys.readouterr()
    folder = tmp_path / "contacts"
    folder.mkdir()
    return copy_project(contacts_template, folder)


def _sha(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()


def test_the_esp_list_and_its_counts(
    contacts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "esp.csv"
    code, printed, err = _cli(
        capsys, "export", str(contacts), "RFM", "--format", "esp", "--columns", "total_spend",
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    holdout, invalid = tmp_path / "esp-holdout.csv", tmp_path / "esp-invalid.csv"
    assert printed == (
        f"Wrote 1 customer to {out}\n"
        f"  held out:  0 (10%, seed 0) in {holdout}\n"
        f"  invalid:   1 in {invalid}\n"
        "  opted out: 1 (no yes in marketing_opt_in; in no file)\n"
    )
    assert pl.read_csv(out).rows(named=True) == [
        {"email": "anna@example.com", "first_name": "Anna", "last_name": "Smith",
         "segment": "Hibernating", "customer_id": "C1", "total_spend": 160.0},
    ]  # fmt: skip
    assert pl.read_csv(holdout).columns == pl.read_csv(out).columns
    assert pl.read_csv(invalid).rows() == [
        ("C2", "About to Sleep", "bob@", "not a valid email address")
    ]
    # All held out with --holdout 100; the same seed twice holds out the same customers.
    data = _json(
        capsys, "export", str(contacts), "rfm", "--format", "esp", "--holdout", "100",
        "--seed", "4", "--out", str(out), "--force", "--json",
    )  # fmt: skip
    assert (data["sent"], data["held_out"], data["invalid"], data["opted_out"]) == (0, 1, 1, 1)
    assert (data["holdout_pct"], data["seed"], data["segmentation"]) == (100.0, 4, "RFM")
    assert data["holdout_path"] == str(holdout)
    assert pl.read_csv(holdout).get_column("customer_id").to_list() == ["C1"]


def test_meta_and_google_files(
    contacts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    meta = _json(
        capsys, "export", str(contacts), "RFM", "--format", "meta", "--out",
        str(tmp_path / "meta.csv"), "--json",
    )  # fmt: skip
    assert meta["columns"] == ["email", "fn", "ln", "country"]
    assert (meta["sent"], meta["held_out"], meta["invalid"], meta["opted_out"]) == (1, 0, 1, 1)
    assert meta["holdout_path"] is None and not (tmp_path / "meta-holdout.csv").exists()
    rows = pl.read_csv(tmp_path / "meta.csv").rows()
    assert rows == [(_sha("anna@example.com"), _sha("anna"), _sha("smith"), _sha("fr"))]
    # Bob's email is broken, and a name alone (no postcode or city) is nothing to match on.
    assert pl.read_csv(tmp_path / "meta-invalid.csv").rows() == [
        ("C2", "About to Sleep", "bob@", "email is not a valid address")
    ]

    out = tmp_path / "google.csv"
    code, printed, err = _cli(
        capsys, "export", str(contacts), "RFM", "--format", "google", "--segment",
        "hibernating", "--holdout", "0", "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    assert printed.splitlines()[0] == f"Wrote 1 customer to {out}"
    assert "note: First Name, Last Name, Country and Zip are left out" in printed
    assert pl.read_csv(out).rows(named=True) == [{"Email": _sha("anna@example.com")}]


def test_audience_mistakes_exit_2_with_one_line_and_write_nothing(
    shop: Path, contacts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "out.csv")
    cases = {
        (str(shop), "--format", "esp"): "the members have no email column",
        (str(contacts), "--format", "esp", "--holdout", "120"): (
            "--holdout 120 is not a percentage from 0 to 100."
        ),
        (str(contacts), "--holdout", "5"): "--holdout only applies to --format esp, meta or google",
        (str(contacts), "--format", "csv", "--seed", "1", "--holdout", "5"): (
            "--holdout, --seed only apply to --format esp, meta or google"
        ),
        (str(contacts), "--format", "meta", "--columns", "age"): (
            "--columns does not apply to --format meta"
        ),
        (str(contacts), "--format", "google", "--summary"): "--summary does not apply",
        (str(contacts), "--format", "esp", "--segment", "Sleepers"): "has no segment 'Sleepers'",
    }
    for args, needle in cases.items():
        message = _refused(capsys, tmp_path, "export", args[0], "RFM", *args[1:], "--out", out)
        assert needle in message, (args, message)
    message = _refused(
        capsys, tmp_path, "export", str(contacts), "RFM", "--format", "esp", "--out",
        str(tmp_path / "list.txt"),
    )  # fmt: skip
    assert "list.txt: audience files are CSV; name the file .csv." in message
    (tmp_path / "out-holdout.csv").write_text("keep\n", encoding="utf-8")
    message = _refused(
        capsys, tmp_path, "export", str(contacts), "RFM", "--format", "esp", "--out", out
    )
    assert f"{tmp_path / 'out-holdout.csv'} already exists" in message


def test_audience_export_never_loads_the_ui_or_sklearn(contacts: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    loaded = _modules_after(["export", str(contacts), "RFM", "--format", "esp", "--out", str(out)])
    assert not {"textual", "sklearn", "pandas"} & loaded
