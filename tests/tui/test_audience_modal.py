"""The audience dialog on the demo's RFM run: an ESP list of the focused segment writes the
list, its holdout and its unusable customers, and the three add up to the segment's consenting
members; a second export asks before replacing anything; a bad holdout or seed writes nothing;
the defaults follow the choices until edited; the Meta file has Meta's headers; the drafts come
out as Markdown and CSV; Escape cancels a running export and leaves no file; a run without an
email column cannot make an ESP list and says why."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import polars as pl
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, SelectionList, Static
from tui_helpers import rfm_run, settle, text_of

from segtui.core.audience import ESP_COLUMNS, esp_list, holdout_size
from segtui.core.audience_ads import META_HEADERS
from segtui.core.export import slug
from segtui.core.messaging_model import Draft, Variant
from segtui.core.messaging_store import save_draft
from segtui.core.project import Project
from segtui.core.run_data import RunData, latest_run
from segtui.tui.app import SegtuiApp, build_app
from segtui.tui.screens.audience_modal import AudienceModal
from segtui.tui.screens.confirm import ConfirmModal

NAME = "Customer value"
FOCUSED = "Champions"


async def open_modal(app: SegtuiApp, pilot: Pilot, **kwargs: object) -> AudienceModal:
    """Push the dialog over the app with the latest run (the way the Messaging screen does)."""
    await settle(pilot)  # the project opens in a worker
    assert app.project is not None
    modal = AudienceModal(latest_run(app.project, NAME), **kwargs)  # type: ignore[arg-type]
    await app.push_screen(modal)
    await settle(pilot)  # the contact columns are read in a worker
    return modal


def status(modal: AudienceModal) -> str:
    return text_of(modal.query_one("#audience-status", Static))


def value(modal: AudienceModal, field: str) -> str:
    return modal.query_one(f"#audience-{field}", Input).value


def csv_files() -> list[str]:
    return sorted(p.name for p in Path.cwd().glob("*.csv"))


def consenting(data: RunData, segment: str) -> tuple[int, int]:
    """(members, members without a yes in marketing_opt_in) of a segment."""
    frame = data.members([segment], ["marketing_opt_in"])
    column = frame.get_column("marketing_opt_in")
    yes = column if column.dtype == pl.Boolean else column.cast(pl.String).is_in(["yes", "true"])
    return frame.height, int((~yes.fill_null(False)).sum())


@pytest.fixture
def demo_run(demo_project: Path) -> Path:
    rfm_run(demo_project)
    return demo_project


async def test_an_esp_list_of_one_segment_adds_up_and_asks_before_replacing(
    demo_run: Path,
) -> None:
    app = build_app(demo_run)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_modal(app, pilot, segments=[FOCUSED])
        path = f"{slug(NAME)}-champions-esp.csv"
        assert value(modal, "path") == path and value(modal, "holdout") == "10"
        contacts = text_of(modal.query_one("#audience-contacts", Static))
        assert "email: email" in contacts and "opt-in: marketing_opt_in" in contacts
        also = text_of(modal.query_one("#audience-also", Static))
        assert "-esp-holdout.csv" in also and "-esp-invalid.csv" in also

        await pilot.press("ctrl+s")
        await settle(pilot)
        stem = path.removesuffix(".csv")
        assert csv_files() == sorted([path, f"{stem}-holdout.csv", f"{stem}-invalid.csv"])
        send = pl.read_csv(path, infer_schema=False)
        held = pl.read_csv(f"{stem}-holdout.csv", infer_schema=False)
        invalid = pl.read_csv(f"{stem}-invalid.csv", infer_schema=False)
        assert send.columns == list(ESP_COLUMNS) and held.columns == send.columns
        assert set(send.get_column("segment")) == {FOCUSED}
        members, opted_out = consenting(modal.data, FOCUSED)
        assert send.height + held.height + invalid.height == members - opted_out
        assert held.height == holdout_size(send.height + held.height, 10) > 0
        ids = set(send.get_column("customer_id"))
        assert ids.isdisjoint(held.get_column("customer_id"))
        shown = status(modal)
        assert shown.startswith(f"Wrote {send.height:,} customers to {path} (held out ")
        assert f"{opted_out:,} opted out" in shown

        # Again: it asks, and declining leaves the files as they were.
        before = Path(path).read_bytes()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert text_of(app.screen.query_one(".dialog-title", Static)) == (
            f"Replace {path}, {stem}-holdout.csv and {stem}-invalid.csv?"
        )
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is modal and Path(path).read_bytes() == before

        # The list gone but its holdout and invalid files there: still asked; yes replaces.
        Path(path).unlink()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert text_of(app.screen.query_one(".dialog-title", Static)) == (
            f"Replace {stem}-holdout.csv and {stem}-invalid.csv?"
        )
        await pilot.press("y")
        await settle(pilot)
        assert Path(path).read_bytes() == before  # the same seed holds out the same people


async def test_a_bad_holdout_or_seed_says_so_and_writes_nothing(demo_run: Path) -> None:
    app = build_app(demo_run)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_modal(app, pilot, segments=[FOCUSED])
        holdout = modal.query_one("#audience-holdout", Input)
        seed = modal.query_one("#audience-seed", Input)
        for typed, said in [
            ("abc", "Holdout 'abc' is not a number; give a percentage from 0 to 100."),
            ("", "Holdout is empty; give a percentage from 0 to 100."),
            ("120", "Holdout 120.0 % is out of range; give a percentage from 0 to 100."),
        ]:
            holdout.value = typed
            await settle(pilot)
            assert status(modal) == said
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert status(modal) == said and csv_files() == []
        holdout.value = "25%"
        seed.value = "seven"
        await settle(pilot)
        assert status(modal) == "Seed 'seven' is not a whole number; give one like 0 or 42."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert csv_files() == []

        # Fixed, the holdout is the one the core draws with that seed.
        seed.value = "7"
        await pilot.press("ctrl+s")
        await settle(pilot)
        held = pl.read_csv(f"{slug(NAME)}-champions-esp-holdout.csv", infer_schema=False)
        expected = esp_list(modal.data, [FOCUSED], holdout_pct=25, seed=7, columns=modal.contacts)
        assert (
            held.get_column("customer_id").to_list()
            == expected.holdout.get_column("customer_id").to_list()
        )


async def test_the_defaults_follow_the_choices_until_edited(demo_run: Path) -> None:
    app = build_app(demo_run)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_modal(app, pilot, segments=[FOCUSED])
        kind = modal.query_one("#audience-kind", Select)
        scope = modal.query_one("#audience-scope", Select)
        kind.value = "meta"
        await settle(pilot)
        assert (value(modal, "path"), value(modal, "holdout")) == (
            f"{slug(NAME)}-champions-meta.csv",
            "0",  # an ad audience is uploaded whole by default
        )
        assert text_of(modal.query_one("#audience-also", Static)) == (
            f"Also writes {slug(NAME)}-champions-meta-invalid.csv beside it."
        )
        assert not modal.query_one("#audience-columns").display  # ESP only
        scope.value = "all"
        await settle(pilot)
        assert value(modal, "path") == f"{slug(NAME)}-meta.csv"
        kind.value = "drafts-md"
        await settle(pilot)
        assert value(modal, "path") == f"{slug(NAME)}-drafts.md"
        assert not modal.query_one("#audience-holdout-row").display
        assert not modal.query_one("#audience-contacts").display

        # The segments ticked: the focused one to start with, and at least one.
        scope.value = "chosen"
        await settle(pilot)
        assert value(modal, "path") == f"{slug(NAME)}-champions-drafts.md"
        modal.query_one("#audience-segments", SelectionList).deselect_all()
        await settle(pilot)
        assert status(modal) == "Tick at least one segment (space in the list)."

        modal.query_one("#audience-path", Input).value = "mine.csv"
        kind.value = "esp"
        await settle(pilot)
        assert value(modal, "path") == "mine.csv"

    # The focused draft's holdout is the default for every audience.
    app = build_app(demo_run)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_modal(app, pilot, segments=[FOCUSED], holdout_pct=15.0)
        assert value(modal, "holdout") == "15"
        modal.query_one("#audience-kind", Select).value = "google"
        await settle(pilot)
        assert value(modal, "holdout") == "15"
        assert "-google-holdout.csv and" in text_of(modal.query_one("#audience-also", Static))


async def test_the_meta_file_has_metas_headers_hashed(demo_run: Path) -> None:
    app = build_app(demo_run)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_modal(app, pilot)  # nothing focused: every segment
        modal.query_one("#audience-kind", Select).value = "meta"
        await settle(pilot)
        assert "phone: none" in text_of(modal.query_one("#audience-contacts", Static))
        await pilot.press("ctrl+s")
        await settle(pilot)
        path = f"{slug(NAME)}-meta.csv"
        assert csv_files() == sorted([path, f"{slug(NAME)}-meta-invalid.csv"])
        meta = pl.read_csv(path, infer_schema=False)
        assert meta.columns == [h for h in META_HEADERS if h in meta.columns]
        assert meta.columns[0] == "email" and "segment" not in meta.columns
        assert meta.get_column("email").str.contains(r"^[0-9a-f]{64}$").all()
        assert status(modal).startswith(f"Wrote {meta.height:,} customers to {path} (")


async def test_the_drafts_as_markdown_and_csv(demo_run: Path) -> None:
    with Project.open(demo_run) as project:
        draft = Draft(
            segment=FOCUSED,
            goal="reward",
            channel="email",
            variants=[
                Variant("A", "Thank you, {{ first_name }}", "A gift for our best customers."),
                Variant("B", "Something for you", "You are one of our best."),
            ],
        )
        save_draft(project, NAME, draft)
    app = build_app(demo_run)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_modal(app, pilot, segments=[FOCUSED])
        modal.query_one("#audience-kind", Select).value = "drafts-md"
        await settle(pilot)
        path = Path(f"{slug(NAME)}-champions-drafts.md")
        assert value(modal, "path") == path.name
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = path.read_text(encoding="utf-8")
        assert text.startswith(f"# Message drafts: {NAME}")
        assert f"## {FOCUSED}" in text and "Subject: Thank you, {{ first_name }}" in text
        assert status(modal) == f"Wrote 1 draft (2 variants) of 1 segment to {path}"

        modal.query_one("#audience-kind", Select).value = "drafts-csv"
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        rows = pl.read_csv(f"{slug(NAME)}-champions-drafts.csv")
        assert rows.get_column("variant").to_list() == ["A", "B"]


async def test_escape_cancels_a_running_export_and_leaves_no_file(demo_run: Path) -> None:
    app = build_app(demo_run)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_modal(app, pilot, segments=[FOCUSED])
        started, release = threading.Event(), threading.Event()
        report = modal._progress

        def held_progress(fraction: float, label: str) -> None:
            # The export waits at its first step until the test has pressed Escape.
            started.set()
            release.wait(10)
            report(fraction, label)

        modal._progress = held_progress  # type: ignore[method-assign]
        await pilot.press("ctrl+s")
        assert await asyncio.to_thread(started.wait, 10)
        assert modal.query_one("#audience-kind", Select).disabled  # choices locked meanwhile
        await pilot.press("escape")
        assert status(modal) == "Cancelling…" and app.screen is modal
        release.set()
        await settle(pilot)
        assert csv_files() == [] and not list(Path.cwd().glob(".*"))  # no temporary left
        assert "cancelled; no file was written" in status(modal)
        assert not modal.query_one("#audience-kind", Select).disabled
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not modal


CUSTOMERS_WITHOUT_EMAIL = """customer_id,first_name,last_name,country
C001,Ada,Lovelace,UK
C002,Alan,Turing,UK
C003,Grace,Hopper,US
C004,Edsger,Dijkstra,NL
C005,Barbara,Liskov,US
"""


async def test_no_email_column_means_no_esp_list(tui_workdir: Path, tui_orders_csv: Path) -> None:
    from segtui.core.ingest import import_file
    from segtui.core.model import ReadOptions

    customers = tui_workdir / "people.csv"
    customers.write_text(CUSTOMERS_WITHOUT_EMAIL, encoding="utf-8")
    path = tui_workdir / "acme.db"
    with Project.open(path) as project:
        import_file(project, customers, ReadOptions(), name="customers")
        import_file(project, tui_orders_csv, ReadOptions(kind="transactions"), name="orders")
    rfm_run(path)
    app = build_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_modal(app, pilot)
        said = status(modal)
        assert said.startswith("The members have no email column; mark one as email")
        before = csv_files()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert csv_files() == before and status(modal) == said
        # Names are enough for Meta to match on.
        modal.query_one("#audience-kind", Select).value = "meta"
        await settle(pilot)
        assert status(modal) == ""
