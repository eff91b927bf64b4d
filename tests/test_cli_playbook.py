"""`segtui playbook`: a project without a playbook of its own says so and how to add one;
--set checks a TOML file and stores its text as it is (drafts then come from it), the text
prints back exactly, --list shows the archetypes in the order a segment tries them, --clear
removes it, --shipped prints the shipped file; every mistake exits 2 with one line naming the
file and the place, and stores nothing. Textual is never loaded."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import cli_json, run_cli
from project_files import SHOP_CUSTOMERS, SHOP_ORDERS, build_project

from segtui.core.playbook import shipped_playbook, shipped_text

MINE = """# Our own archetypes
[[archetype]]
id = "hibernating"
title = "Sleepers we want back"
goal = "win back"
channels = ["email"]
[[archetype.match]]
names = ["hibernat"]
[[archetype.variant]]
subject = 'We kept your seat, {{ first_name | default("friend") }}'
body = "It has been [[since]]."
[[archetype.variant]]
subject = "Come back for [[discount]] off"
body = "Use [[code]]."
[archetype.offer]
discount_kind = "percent"
discount = 15
code = "BACK15"

[[archetype]]
id = "vip"
title = "VIP"
goal = "reward"
channels = ["email", "sms"]
[[archetype.match]]
names = ["vip"]
[[archetype.variant]]
subject = "Thank you"
body = "A gift."
short = "A gift for you."
[[archetype.variant]]
subject = "For you"
body = "Another gift."
short = "Another gift for you."
"""


@pytest.fixture(autouse=True)
def _log_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGTUI_LOG", str(tmp_path / "segtui.log"))


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    return build_project(folder, SHOP_CUSTOMERS, SHOP_ORDERS)


@pytest.fixture
def mine(tmp_path: Path) -> Path:
    path = tmp_path / "mine.toml"
    path.write_text(MINE, encoding="utf-8")
    return path


def stored(project: Path) -> list[str]:
    with sqlite3.connect(project) as conn:
        return [row[0] for row in conn.execute("SELECT text FROM segtui_playbook")]


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, out, err = run_cli(capsys, *args)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert out == "" and len(lines) == 1 and lines[0].startswith("segtui: "), err
    return lines[0]


def test_set_show_list_and_clear(
    shop: Path, mine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "playbook", str(shop))
    assert (code, out) == (0, "")
    assert "shop.db has no playbook of its own" in err and "--set FILE" in err

    code, out, err = run_cli(capsys, "playbook", str(shop), "--set", str(mine))
    assert code == 0, err
    shipped = len(shipped_playbook().archetypes)
    assert out == (
        "Stored the playbook from mine.toml in shop.db: 2 archetypes of its own: hibernating "
        f"(replaces the shipped one), vip; {shipped + 1} archetypes in all.\n"
    )
    assert stored(shop) == [MINE]  # the text as written, comments and all
    code, out, _ = run_cli(capsys, "playbook", str(shop))
    assert (code, out) == (0, MINE)

    rows = cli_json(capsys, "playbook", str(shop), "--list", "--json")
    assert [r["position"] for r in rows] == list(range(1, shipped + 2))
    assert [(r["id"], r["origin"], r["replaces_shipped"]) for r in rows[:3]] == [
        ("hibernating", "project", True),
        ("vip", "project", False),
        ("no-purchases", "shipped", False),
    ]
    assert rows[0]["title"] == "Sleepers we want back" and rows[1]["channels"] == ["email", "sms"]
    assert [r["id"] for r in rows].count("hibernating") == 1
    assert [r["id"] for r in rows if r["fallback"]] == ["general"]
    code, out, _ = run_cli(capsys, "playbook", str(shop), "--list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        f"shop.db: {shipped + 1} archetypes, tried top to bottom "
        "(2 from the project's own playbook)"
    )
    assert lines[2].split()[:3] == ["1.", "hibernating", "Sleepers"]
    assert "project, replaces shipped" in lines[2] and lines[2].endswith("email")
    assert "shipped, fallback" in lines[-1]

    code, out, _ = run_cli(capsys, "playbook", str(shop), "--clear")
    assert code == 0 and "Removed shop.db's own playbook" in out
    assert stored(shop) == []
    code, out, _ = run_cli(capsys, "playbook", str(shop), "--clear")
    assert code == 0 and "nothing to remove" in out
    rows = cli_json(capsys, "playbook", str(shop), "--list", "--json")
    assert {r["origin"] for r in rows} == {"shipped"}


def test_drafts_come_from_the_stored_playbook(
    shop: Path, mine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "segment", str(shop), "--name", "RFM", "--method", "rfm")[0] == 0
    assert run_cli(capsys, "playbook", str(shop), "--set", str(mine))[0] == 0
    report = cli_json(capsys, "drafts", str(shop), "RFM", "--suggest", "--json")
    sources = {f["segment"]: f["source"] for f in report["filled"]}
    assert sources["Hibernating"].startswith("project playbook 'Sleepers we want back'")
    assert not sources["About to Sleep"].startswith("project playbook")


def test_mistakes_are_one_line_and_store_nothing(
    shop: Path, mine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "playbook", str(shop), "--set", str(mine))[0] == 0
    bad = tmp_path / "bad.toml"
    goal_line = MINE.splitlines().index('goal = "reward"') + 1
    cases = {
        MINE.replace('goal = "reward"', 'goal = "reward'): (
            "bad.toml: project playbook: ",
            f"at line {goal_line}, column",
        ),
        MINE.replace('title = "VIP"', 'titel = "VIP"'): (
            "archetype 'vip': unknown key 'titel'; did you mean 'title'?",
        ),
        MINE.replace('id = "vip"', 'id = "hibernating"'): ("two archetypes have the id",),
        "   \n": ("bad.toml is empty", "--clear"),
    }
    for text, needles in cases.items():
        bad.write_text(text, encoding="utf-8")
        message = refused(capsys, "playbook", str(shop), "--set", str(bad))
        assert all(n in message for n in needles), message
        assert stored(shop) == [MINE]
    bad.write_bytes(b'title = "caf\xe9"\n')
    assert "not UTF-8" in refused(capsys, "playbook", str(shop), "--set", str(bad))
    missing = tmp_path / "nope.toml"
    assert "nope.toml: no such file" in refused(
        capsys, "playbook", str(shop), "--set", str(missing)
    )
    assert stored(shop) == [MINE]

    assert "--json applies to --list only" in refused(capsys, "playbook", str(shop), "--json")
    assert "name the project file" in refused(capsys, "playbook")
    assert "absent.db" in refused(capsys, "playbook", str(tmp_path / "absent.db"), "--list")
    assert not (tmp_path / "absent.db").exists()


def test_a_stored_playbook_that_no_longer_reads_still_prints(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = '[[archetype]]\nid = "x"\n'
    with sqlite3.connect(shop) as conn:
        conn.execute("INSERT INTO segtui_playbook (id, text) VALUES (1, ?)", (broken,))
    code, out, _ = run_cli(capsys, "playbook", str(shop))
    assert (code, out) == (0, broken)  # so it can be fixed and --set again
    assert "project playbook, archetype 'x'" in refused(capsys, "playbook", str(shop), "--list")


def test_shipped_needs_no_project(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "playbook", "--shipped")
    assert (code, out) == (0, shipped_text())


def test_playbook_never_loads_the_ui(shop: Path, mine: Path) -> None:
    commands = [
        ["playbook", str(shop), "--set", str(mine)],
        ["playbook", str(shop)],
        ["playbook", str(shop), "--list"],
        ["playbook", str(shop), "--clear"],
        ["playbook", "--shipped"],
    ]
    script = (
        "import contextlib, io, json, sys\n"
        "from segtui.cli import main\n"
        f"for args in {commands!r}:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        assert main(args) == 0, args\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert not {"textual", "sklearn", "pandas"} & loaded
