"""Drafts in a real project file: saved at once, read back in run order, every earlier version
kept in order, deleted with their segmentation, and a version 3 file gains the tables keeping
its runs. Previews render a draft for real members, a complete one first and then one with
gaps so the fallbacks show."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from project_files import SHOP_ORDERS, build_project, copy_project

from segtui.core.messaging import (
    Draft,
    MessagingError,
    Offer,
    Variant,
    delete_draft,
    draft_history,
    draft_problems,
    drafts,
    fields_used,
    member_context,
    merge_fields,
    move_drafts,
    preview,
    preview_members,
    save_draft,
    segments_with_drafts,
)
from segtui.core.project import Project
from segtui.core.run_data import latest_run
from segtui.core.runner import run_segmentation
from segtui.core.segment_model import CriteriaError

# C1 spends 160 in two orders, C2 100 in two (and has no first name), C3 never ordered.
CUSTOMERS = """\
customer_id,first_name,email,country
C1,Ann,ann@example.com,France
C2,,bob@example.com,Spain
C3,Cleo,,France
"""
BUYERS = {"name": "Buyers", "rule": {"field": "orders", "op": ">=", "value": 1}}
HELLO = 'Hi {{ first_name | default("there") }}'


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    path = build_project(folder, CUSTOMERS, SHOP_ORDERS)
    with Project.open(path) as project:
        definition = {"mode": "exclusive", "else": "Browsers", "segments": [BUYERS]}
        project.create_segmentation("Shop", "rules", definition)
        run_segmentation(project, "Shop")
    return path


@pytest.fixture
def project(tmp_path: Path, template: Path) -> Project:
    with Project.open(copy_project(template, tmp_path)) as project:
        yield project


def _draft(segment: str = "Buyers", subject: str = HELLO, **changes: object) -> Draft:
    values: dict[str, object] = {
        "segment": segment,
        "goal": "reward",
        "channel": "email",
        "offer": Offer("A thank-you", "percent", 10.0, "THANKS10"),
        "variants": [
            Variant("A", subject, "You have spent {{ total_spend | money }} with us."),
            Variant(
                "B", "A gift for {{ segment_name }}", "Use {{ offer_code }} for {{ discount }}"
            ),
        ],
    }
    return Draft(**(values | changes))  # type: ignore[arg-type]


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# --- the store -------------------------------------------------------------------------------


def test_a_saved_draft_is_in_the_file_at_once_as_readable_json(project: Project) -> None:
    save_draft(project, "Shop", _draft())
    assert drafts(project, "Shop") == {"Buyers": [_draft()]}
    with sqlite3.connect(project.path) as conn:
        segment, position, content = conn.execute(
            "SELECT segment, position, content FROM segtui_drafts"
        ).fetchone()
    assert (segment, position) == ("Buyers", 0)
    assert json.loads(content)["offer"]["code"] == "THANKS10"


def test_drafts_come_in_run_order_and_under_the_runs_spelling(project: Project) -> None:
    save_draft(project, "Shop", _draft("BROWSERS", goal="onboard"))
    stored = save_draft(project, "shop", _draft("buyers"))
    assert stored.segment == "Buyers"
    found = drafts(project, "Shop")
    assert list(found) == ["Buyers", "Browsers"]
    assert found["Browsers"][0].goal == "onboard"
    assert segments_with_drafts(project, "Shop") == {"Buyers": 1, "Browsers": 1}


def test_a_draft_for_an_unknown_segment_or_unrun_segmentation_is_refused(
    project: Project,
) -> None:
    with pytest.raises(CriteriaError, match="has no segment 'Lapsed'"):
        save_draft(project, "Shop", _draft("Lapsed"))
    project.create_segmentation("Fresh", "rules", {"mode": "exclusive", "segments": [BUYERS]})
    with pytest.raises(CriteriaError, match="has not been run yet"):
        save_draft(project, "Fresh", _draft())
    assert _count(project.path, "segtui_drafts") == 0


def test_a_segment_can_have_several_drafts_in_order(project: Project) -> None:
    save_draft(project, "Shop", _draft())
    save_draft(project, "Shop", _draft(channel="sms"), position=1)
    with pytest.raises(MessagingError, match="a new one goes at position 2, not 5"):
        save_draft(project, "Shop", _draft(), position=5)
    assert [d.channel for d in drafts(project, "Shop")["Buyers"]] == ["email", "sms"]


def test_history_keeps_every_earlier_version_in_order(project: Project) -> None:
    first, second, third = (_draft(subject=f"Version {n}") for n in (1, 2, 3))
    save_draft(project, "Shop", first)
    assert draft_history(project, "Shop", "Buyers") == []
    save_draft(project, "Shop", second)
    save_draft(project, "Shop", second)  # unchanged: no new version
    save_draft(project, "Shop", third)
    history = draft_history(project, "Shop", "buyers")
    assert [(version, draft) for version, _, draft in history] == [(1, first), (2, second)]
    assert all(saved_at for _, saved_at, _ in history)
    assert drafts(project, "Shop")["Buyers"] == [third]
    assert draft_history(project, "Shop", "Browsers") == []


def test_saves_while_typing_replace_the_text_without_a_version_each(project: Project) -> None:
    first, typing, done = (_draft(subject=s) for s in ("Hi", "Hi A", "Hi Ann"))
    save_draft(project, "Shop", first)
    save_draft(project, "Shop", typing)  # the session's first change keeps "Hi"
    save_draft(project, "Shop", done, keep_history=False)
    history = draft_history(project, "Shop", "Buyers")
    assert [draft for _, _, draft in history] == [first]
    assert drafts(project, "Shop")["Buyers"] == [done]


def test_delete_removes_the_draft_with_its_history_and_closes_the_gap(project: Project) -> None:
    for position, channel in enumerate(["email", "sms", "ad"]):
        save_draft(project, "Shop", _draft(channel=channel), position=position)
    save_draft(project, "Shop", _draft(channel="social"), position=0)  # one version kept
    delete_draft(project, "Shop", "buyers", 0)
    assert [d.channel for d in drafts(project, "Shop")["Buyers"]] == ["sms", "ad"]
    assert _count(project.path, "segtui_draft_versions") == 0
    save_draft(project, "Shop", _draft(channel="direct mail"), position=2)  # the next free one
    with pytest.raises(MessagingError, match="has no draft at position 7"):
        delete_draft(project, "Shop", "Buyers", 7)


def test_drafts_go_when_their_segmentation_is_deleted(project: Project) -> None:
    save_draft(project, "Shop", _draft())
    save_draft(project, "Shop", _draft(subject="Changed"))
    assert _count(project.path, "segtui_draft_versions") == 1
    project.delete_segmentation("Shop")
    assert _count(project.path, "segtui_drafts") == 0
    assert _count(project.path, "segtui_draft_versions") == 0


def test_a_renamed_segment_keeps_its_drafts_after_the_new_names(project: Project) -> None:
    save_draft(project, "Shop", _draft("Buyers", subject="buyers"))
    save_draft(project, "Shop", _draft("Browsers", subject="browsers"))
    seg = project.segmentation("Shop")
    with project.transaction() as conn:
        move_drafts(conn, seg.id, "Buyers", "Browsers")
    found = drafts(project, "Shop")
    assert [d.variants[0].subject for d in found["Browsers"]] == ["browsers", "buyers"]
    assert all(d.segment == "Browsers" for d in found["Browsers"])


def test_a_version_3_project_gains_the_draft_tables_and_keeps_its_runs(project: Project) -> None:
    path = project.path
    project.close()
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE segtui_playbook")
        conn.execute("DROP TABLE segtui_draft_versions")
        conn.execute("DROP TABLE segtui_drafts")
        conn.execute("PRAGMA user_version = 3")
    with Project.open(path) as reopened:
        run = reopened.segmentation("Shop").last_run
        assert [s.name for s in run.segments] == ["Buyers", "Browsers"]
        save_draft(reopened, "Shop", _draft())
        assert list(drafts(reopened, "Shop")) == ["Buyers"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
        assert conn.execute("SELECT count(*) FROM segtui_playbook").fetchone()[0] == 0


# --- previews on real members ----------------------------------------------------------------


def test_merge_fields_are_the_member_columns_and_the_segment_and_offer_fields(
    project: Project,
) -> None:
    fields = merge_fields(latest_run(project, "Shop"), "Buyers")
    for name in ("customer_id", "first_name", "email", "country", "total_spend", "orders"):
        assert name in fields
    assert fields[-8:] == [
        "segment_name",
        "segment_size",
        "segment_avg_spend",
        "currency",
        "offer",
        "offer_code",
        "discount",
        "cta",
    ]


def test_a_member_context_has_the_segment_figures(project: Project) -> None:
    data = latest_run(project, "Shop")
    [row, *_] = preview_members(data, "Buyers")
    context = member_context(data, "Buyers", row, _draft())
    assert context["segment_name"] == "Buyers"
    assert context["segment_size"] == 2
    assert context["segment_avg_spend"] == 130.0  # (160 + 100) / 2
    assert (context["offer_code"], context["discount"], context["currency"]) == (
        "THANKS10",
        "10%",
        "£",
    )


def test_preview_members_put_a_complete_one_first_then_one_with_gaps(project: Project) -> None:
    data = latest_run(project, "Shop")
    members = preview_members(data, "Buyers", fields_used(_draft()))
    assert [m["customer_id"] for m in members] == ["C1", "C2"]
    draft = _draft()
    complete, gappy = (preview(data, draft, 0, m) for m in members)
    assert (complete.subject, complete.body) == ("Hi Ann", "You have spent £160 with us.")
    assert gappy.subject == "Hi there"
    assert complete.ok and gappy.ok
    assert [limit.what for limit in complete.limits] == ["subject"]
    variant_b = preview(data, draft, 1, members[0])
    assert (variant_b.subject, variant_b.body) == ("A gift for Buyers", "Use THANKS10 for 10%")


def test_a_preview_shows_what_is_wrong_and_what_printed_empty(project: Project) -> None:
    data = latest_run(project, "Shop")
    members = preview_members(data, "Buyers")
    draft = _draft(subject="Hi {{ first_name }}", channel="sms")
    draft = Draft.from_json(
        draft.to_json()
        | {"variants": [{"name": "A", "subject": "{{ first_name }}", "body": "{{ frist_name }}"}]}
    )
    rendered = preview(data, draft, 0, members[1])  # C2 has no first name
    assert rendered.subject == "" and rendered.empty_fields == ["first_name"]
    assert rendered.body == ""
    assert rendered.problems == [
        "Buyers, variant A, body: unknown field 'frist_name' at line 1, column 4; did you mean "
        "'first_name'?"
    ]
    assert not rendered.ok
    with pytest.raises(MessagingError, match="there is no variant 3"):
        preview(data, draft, 2, members[0])


def test_draft_problems_list_every_bad_template(project: Project) -> None:
    fields = merge_fields(latest_run(project, "Shop"), "Buyers")
    assert draft_problems(_draft(), fields) == []
    bad = _draft(subject="{{ first_name }", channel="ad")
    [problem] = draft_problems(bad, fields)
    assert problem.startswith("Buyers, variant A, headline: unexpected '}'")
