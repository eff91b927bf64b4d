"""Audience exports: identifiers normalised and hashed as Meta and Google document it, the
holdout drawn reproducibly, customers who cannot be sent to counted and listed, those without
consent left out, and the files read back with the platforms' headers."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import polars as pl
import pytest
from project_files import import_csv

from segtui.core.audience import (
    AudienceError,
    contact_columns,
    esp_list,
    holdout_size,
    holdout_split,
    stored_roles,
)
from segtui.core.audience_ads import GOOGLE_HEADERS, google_file, meta_file
from segtui.core.audience_export import audience_paths, audience_targets, export_audience
from segtui.core.demo import build_demo
from segtui.core.export import ExportError
from segtui.core.identifiers import (
    is_valid_email,
    normalise_city,
    normalise_country,
    normalise_email,
    normalise_name,
    normalise_phone,
    normalise_postcode,
    normalise_state,
    phone_e164,
    sha256_hex,
)
from segtui.core.project import Project
from segtui.core.run_data import RunData, latest_run
from segtui.core.runner import default_definition, run_segmentation

# SHA-256 of "test@example.com", the sample both platforms' hashing guides start from.
TEST_EMAIL_SHA256 = "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- normalisation ----------------------------------------------------------------------------


def test_a_normalised_email_hashes_to_the_published_value() -> None:
    assert sha("test@example.com") == TEST_EMAIL_SHA256
    for platform in ("meta", "google", "esp"):
        email = normalise_email("  Test@Example.COM ", platform)
        assert email == "test@example.com"
        assert sha256_hex(email) == TEST_EMAIL_SHA256
    assert normalise_email("   ") is None and normalise_email(None) is None


def test_google_drops_the_dots_of_gmail_addresses_only() -> None:
    assert normalise_email(" J.Rees@GMail.com", "google") == "jrees@gmail.com"
    assert normalise_email("j.r.ees@googlemail.com", "google") == "jrees@googlemail.com"
    assert normalise_email("j.rees+news@gmail.com", "google") == "jrees+news@gmail.com"
    assert normalise_email("j.rees@example.co.uk", "google") == "j.rees@example.co.uk"
    assert normalise_email("j.rees@gmail.com", "meta") == "j.rees@gmail.com"


@pytest.mark.parametrize(
    ("raw", "country", "e164"),
    [
        ("+44 (0)7911 123456", None, "+447911123456"),
        ("0044 7911 123456", None, "+447911123456"),
        ("+44 07911 123456", None, "+447911123456"),  # a kept trunk 0 is dropped
        ("07911 123456", "gb", "+447911123456"),
        ("7911 123456", "GB", "+447911123456"),  # a spreadsheet ate the leading 0
        ("447911123456", "gb", "+447911123456"),  # the country code without the +
        ("(212) 555-0123", "us", "+12125550123"),
        ("1-212-555-0123", "us", "+12125550123"),
        ("011 44 7911 123456", "us", "+447911123456"),
        ("01 23 45 67 89", "fr", "+33123456789"),
        ("06 12345678", "it", "+390612345678"),  # Italy keeps the 0
        ("+1 650 555 1234 ext. 12", None, "+16505551234"),
    ],
)
def test_phones_become_e164(raw: str, country: str | None, e164: str) -> None:
    assert normalise_phone(raw, country, "google") == e164
    # Meta: the same digits, no "+"
    assert normalise_phone(raw, country, "meta") == e164[1:]


@pytest.mark.parametrize(
    ("raw", "country", "why"),
    [
        ("07911 123456", None, "phone has no +country code and the country is unknown"),
        ("0722 123456", "ke", "phone has no +country code (needed for KE numbers)"),
        ("123", "gb", "phone is not a valid GB number"),
        ("+12 34", None, "phone is not a valid international number"),
        ("  ", "gb", "no phone"),
    ],
)
def test_phones_that_cannot_be_completed_say_why(raw: str, country: str | None, why: str) -> None:
    assert phone_e164(raw, country) == (None, why)
    assert normalise_phone(raw, country) is None


def test_names_places_and_countries_per_platform() -> None:
    assert normalise_name(" Mary-Jane ", "meta") == "maryjane"
    assert normalise_name("Zoë", "meta") == "zoë"  # UTF-8 letters stay (Meta)
    assert normalise_name("  Dr  Mary   Ann ", "google") == "mary ann"
    assert normalise_name("O'Neil Jr", "google", last=True) == "oneil"
    assert normalise_city("St. Albans") == "stalbans"
    assert normalise_state("New York", "us") == "ny"
    assert normalise_state("Île-de-France", "fr") == "îledefrance"
    assert normalise_postcode("SW1A 1AA", "gb") == "sw1a1"
    assert normalise_postcode("94016-1234", "us") == "94016"
    assert normalise_postcode(" 75 001 ", "fr") == "75001"
    assert normalise_postcode(" WC2H  8LG ", "gb", "google") == "WC2H 8LG"
    countries = ["United Kingdom", "France", "UK", "GBR", "Deutschland", "The Netherlands",
                 "U.S.A.", "Côte d’Ivoire", "ke", "zz", "", None]  # fmt: skip
    assert [normalise_country(c) for c in countries] == [
        "gb", "fr", "gb", "gb", "de", "nl", "us", "ci", "ke", None, None, None,
    ]  # fmt: skip


def test_email_validity_is_checked_offline() -> None:
    good = ["a@b.co", "first.last+tag@example.co.uk", "zoë@exämple.de", "o'neil@example.ie"]
    bad = ["a@b", "a b@c.com", "a..b@c.com", ".a@c.com", "a@-c.com", "@c.com", "a@@c.com", ""]
    assert all(is_valid_email(e) for e in good)
    assert not any(is_valid_email(e) for e in bad)
    assert not is_valid_email("x" * 65 + "@example.com")


# --- the holdout ------------------------------------------------------------------------------


def test_the_holdout_has_the_right_size_whatever_the_order() -> None:
    ids = pl.Series("customer_id", [f"C{i:05d}" for i in range(1, 1001)])
    sent, held = holdout_split(ids, 10, seed=7)
    assert (sent.len(), held.len()) == (900, 100)
    assert set(sent) | set(held) == set(ids) and not set(sent) & set(held)
    assert sent.to_list() == [i for i in ids if i not in set(held)]  # the given order kept
    shuffled = ids.sample(fraction=1.0, shuffle=True, seed=3)
    assert set(holdout_split(shuffled, 10, seed=7)[1]) == set(held)
    assert set(holdout_split(ids, 10, seed=8)[1]) != set(held)
    assert holdout_split(ids, 0, 1)[1].len() == 0 and holdout_split(ids, 100, 1)[0].len() == 0
    assert [holdout_size(n, 10) for n in (0, 4, 5, 14, 15, 25)] == [0, 0, 1, 1, 2, 3]
    with pytest.raises(AudienceError, match="holdout 120 % is out of range"):
        holdout_split(ids, 120, 0)


# --- the demo: ESP list, Meta and Google files ------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunData, dict[str, str]]:
    path = build_demo(tmp_path_factory.mktemp("demo") / "demo.db")
    with Project.open(path) as project:
        project.create_segmentation("RFM", "rfm", default_definition("rfm"))
        run_segmentation(project, "RFM")
        data = latest_run(project, "RFM")
        return data, stored_roles(project, data)


def test_the_demo_contact_columns_come_from_the_stored_roles(demo: tuple[RunData, dict]) -> None:
    data, roles = demo
    columns = contact_columns(data, roles)
    assert (columns.email, columns.first_name, columns.last_name) == (
        "email", "first_name", "last_name",
    )  # fmt: skip
    assert (columns.country, columns.region, columns.opt_in) == (
        "country", "region", "marketing_opt_in",
    )  # fmt: skip
    # city_type (urban/suburban/rural) is no city: the import leaves it without a role
    assert "city" not in roles and columns.city is None
    assert columns.phone is None and columns.postcode is None
    assert contact_columns(data) == columns  # the common names find the same


def test_the_esp_list_leaves_out_the_opted_out_and_holds_out_each_segment(
    demo: tuple[RunData, dict],
) -> None:
    data, roles = demo
    columns = contact_columns(data, roles)
    esp = esp_list(data, None, ["total_spend", "favourite_category"], 10, 0, columns=columns)
    consent = data.features.frame.get_column("marketing_opt_in")
    assert esp.opted_out == int((~consent).sum()) == 2643
    assert esp.invalid.height == 0  # every demo email is valid and unique
    assert esp.send.height + esp.holdout.height == 5000 - 2643
    sent_ids = set(esp.send.get_column("customer_id"))
    yes = set(data.features.frame.filter(pl.col("marketing_opt_in")).get_column("customer_id"))
    assert sent_ids <= yes and set(esp.holdout.get_column("customer_id")) <= yes
    assert esp.send.columns == [
        "email", "first_name", "last_name", "segment", "customer_id", "total_spend",
        "favourite_category",
    ]  # fmt: skip
    assert esp.holdout.columns == esp.send.columns
    eligible = pl.concat([esp.send, esp.holdout]).group_by("segment").len()
    held = dict(esp.holdout.group_by("segment").len().iter_rows())
    for segment, n in eligible.iter_rows():
        assert held.get(segment, 0) == holdout_size(n, 10), segment
    # The same seed holds out the same customers, whatever the order of the run's rows.
    shuffled = dataclasses.replace(
        data, assignments=data.assignments.sample(fraction=1.0, shuffle=True, seed=5)
    )
    again = esp_list(shuffled, None, (), 10, 0, columns=columns)
    assert set(again.holdout.get_column("customer_id")) == set(
        esp.holdout.get_column("customer_id")
    )
    other = esp_list(data, None, (), 10, 1, columns=columns)
    assert set(other.holdout.get_column("customer_id")) != set(
        esp.holdout.get_column("customer_id")
    )


def test_a_text_opt_in_column_counts_the_same(demo: tuple[RunData, dict]) -> None:
    data, roles = demo
    words = pl.when(pl.col("marketing_opt_in")).then(pl.lit(" Yes")).otherwise(pl.lit("no"))
    features = dataclasses.replace(
        data.features, frame=data.features.frame.with_columns(words.alias("marketing_opt_in"))
    )
    texty = dataclasses.replace(data, features=features)
    esp = esp_list(texty, ["Champions"], columns=contact_columns(texty, roles))
    assert esp.opted_out == 217
    assert esp.send.height + esp.holdout.height == data.run.segments[0].customers - 217


def test_the_ad_files_of_the_demo(demo: tuple[RunData, dict]) -> None:
    data, roles = demo
    columns = contact_columns(data, roles)
    meta = meta_file(data, ["Champions"], columns=columns)
    assert meta.send.columns == ["email", "fn", "ln", "st", "country"]
    assert (meta.holdout.height, meta.invalid.height, meta.opted_out) == (0, 0, 217)
    # The rows keep the run's order: the first is the first Champion who opted in.
    first = (
        data.members(["Champions"], ["email", "first_name", "last_name", "country"])
        .filter(pl.col("customer_id").is_in(opted_in(data)))
        .row(0)
    )
    email, first_name, last_name, country = first[2:]
    assert meta.send.row(0) == (
        sha(email.strip().lower()), sha(normalise_name(first_name)),
        sha(normalise_name(last_name)), meta.send.row(0)[3], sha(normalise_country(country)),
    )  # fmt: skip
    google = google_file(data, columns=columns)
    assert google.send.columns == ["Email"]  # no zip: the address columns cannot go
    assert "Google matches on them only together" in google.notes[0]
    assert google.send.height == 5000 - 2643


def opted_in(data: RunData) -> list[str]:
    frame = data.features.frame
    return frame.filter(pl.col("marketing_opt_in")).get_column("customer_id").to_list()


# --- a small file with every kind of problem --------------------------------------------------

CONTACTS = """\
customer_id,first_name,last_name,email,phone,city,postcode,country,opt_in
C1,Anna,Smith,  Anna.Smith@Example.COM ,07911 123456,London,SW1A 1AA,United Kingdom,yes
C2,Bob,Jones,not-an-email,+33 1 23 45 67 89,Paris,75001,France,yes
C3,Carl,Brown,,(212) 555-0123,New York,10001-1234,USA,yes
C4,Dora,White,anna.smith@example.com,,Leeds,LS1 4AP,UK,yes
C5,Eve,Black,eve@example.com,0612345678,Berlin,10115,Germany,no
C6,Finn,Grey,f.grey@gmail.com,0722 123456,Nairobi,00100,Kenya,yes
C7,,,,12,,,,yes
"""
EUROPE = {"name": "France", "rule": {"all": [{"field": "country", "op": "is", "value": "France"}]}}


@pytest.fixture(scope="module")
def contacts(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunData, dict[str, str]]:
    folder = tmp_path_factory.mktemp("contacts")
    with Project.open(folder / "contacts.db") as project:
        import_csv(project, folder, "customers", CONTACTS)
        definition = {"mode": "exclusive", "else": "Everyone else", "segments": [EUROPE]}
        project.create_segmentation("Places", "rules", definition)
        run_segmentation(project, "Places")
        data = latest_run(project, "Places")
        return data, stored_roles(project, data)


def test_invalid_missing_and_repeated_emails_are_listed(contacts: tuple[RunData, dict]) -> None:
    data, roles = contacts
    esp = esp_list(data, holdout_pct=0, columns=contact_columns(data, roles))
    assert esp.opted_out == 1  # C5
    assert esp.send.select("email", "customer_id").rows() == [
        ("anna.smith@example.com", "C1"),
        ("f.grey@gmail.com", "C6"),
    ]
    assert esp.invalid.rows() == [
        ("C2", "France", "not-an-email", "not a valid email address"),
        ("C3", "Everyone else", None, "no email"),
        ("C4", "Everyone else", "anna.smith@example.com", "same email as customer C1"),
        ("C7", "Everyone else", None, "no email"),
    ]


def test_meta_and_google_normalise_each_identifier(contacts: tuple[RunData, dict]) -> None:
    data, roles = contacts
    columns = contact_columns(data, roles)
    meta = meta_file(data, columns=columns)
    assert meta.send.columns == ["email", "phone", "fn", "ln", "zip", "ct", "country"]
    assert meta.send.row(0) == tuple(
        sha(v)
        for v in ("anna.smith@example.com", "447911123456", "anna", "smith", "sw1a1", "london",
                  "gb")
    )  # fmt: skip
    c3 = meta.send.row(2)  # no email; a US phone, ZIP+4 cut to 5 digits
    assert c3[:2] == (None, sha("12125550123")) and c3[4:] == (
        sha("10001"), sha("newyork"), sha("us"),
    )  # fmt: skip
    assert meta.invalid.rows() == [
        ("C7", "Everyone else", None, "12", "phone has no +country code and the country is unknown")
    ]
    assert "could not be put in international form" in meta.notes[0]  # C6's Kenyan number

    google = google_file(data, columns=columns)
    assert google.send.columns == list(GOOGLE_HEADERS)
    assert google.send.row(0) == (
        sha("anna.smith@example.com"), sha("+447911123456"), sha("anna"), sha("smith"), "gb",
        "SW1A 1AA",
    )  # fmt: skip
    assert google.send.row(4)[0] == sha("fgrey@gmail.com")  # gmail dots removed
    assert google.send.row(4)[4:] == ("ke", "00100")  # country and zip in clear


def test_the_files_are_written_side_by_side_and_read_back(
    contacts: tuple[RunData, dict], tmp_path: Path
) -> None:
    data, roles = contacts
    columns = contact_columns(data, roles)
    out = tmp_path / "spring.csv"
    result = export_audience(data, "esp", out, fields=["city"], columns=columns, seed=2)
    path, holdout, invalid = audience_paths(out)
    assert (result.path, result.holdout_path, result.invalid_path) == (path, holdout, invalid)
    assert holdout.name == "spring-holdout.csv" and invalid.name == "spring-invalid.csv"
    assert (result.sent, result.held_out, result.invalid, result.opted_out) == (2, 0, 4, 1)
    back = pl.read_csv(path)
    assert back.columns == ["email", "first_name", "last_name", "segment", "customer_id", "city"]
    assert pl.read_csv(holdout).columns == back.columns
    assert pl.read_csv(invalid).columns == ["customer_id", "segment", "email", "reason"]
    assert pl.read_csv(invalid).height == 4
    assert oct(path.stat().st_mode & 0o777) == "0o600"  # personal data: the owner only

    assert audience_targets("esp", out, 0) == [path, holdout, invalid]
    assert audience_targets("google", tmp_path / "g.csv") == [
        tmp_path / "g.csv",
        tmp_path / "g-invalid.csv",
    ]
    google = export_audience(data, "google", tmp_path / "g.csv", columns=columns)
    assert google.holdout_path is None and not (tmp_path / "g-holdout.csv").exists()
    assert pl.read_csv(tmp_path / "g.csv", infer_schema=False).columns == list(GOOGLE_HEADERS)
    held = export_audience(data, "meta", tmp_path / "m.csv", holdout_pct=50, columns=columns)
    # per segment: the 1 matchable customer in France and 2 of the 4 in Everyone else
    assert held.held_out == holdout_size(1, 50) + holdout_size(4, 50) == 3
    assert held.sent == 2
    assert pl.read_csv(tmp_path / "m-holdout.csv").columns == ["customer_id", "segment"]


def test_an_export_that_cannot_be_done_writes_nothing(
    contacts: tuple[RunData, dict], tmp_path: Path
) -> None:
    data, roles = contacts
    columns = contact_columns(data, roles)
    (tmp_path / "x-invalid.csv").write_text("keep\n", encoding="utf-8")
    with pytest.raises(ExportError, match=r"x-invalid\.csv already exists"):
        export_audience(data, "esp", tmp_path / "x.csv", columns=columns)
    with pytest.raises(AudienceError, match=r"list\.txt: audience files are CSV"):
        export_audience(data, "esp", tmp_path / "list.txt", columns=columns)
    with pytest.raises(AudienceError, match="the meta file has the platform's own columns"):
        export_audience(data, "meta", tmp_path / "y.csv", fields=["city"], columns=columns)
    no_email = dataclasses.replace(columns, email=None)
    with pytest.raises(AudienceError, match="the members have no email column"):
        export_audience(data, "esp", tmp_path / "z.csv", columns=no_email)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x-invalid.csv"]
    assert (tmp_path / "x-invalid.csv").read_text(encoding="utf-8") == "keep\n"
    done = export_audience(data, "esp", tmp_path / "x.csv", columns=columns, force=True)
    assert done.invalid == pl.read_csv(tmp_path / "x-invalid.csv").height == 4


def test_contact_problem_says_why_before_any_export() -> None:
    from segtui.core.audience import ContactColumns, contact_problem

    assert contact_problem("esp", ContactColumns(email="email")) is None
    assert "no email column" in (contact_problem("esp", ContactColumns(phone="phone")) or "")
    assert contact_problem("meta", ContactColumns(phone="phone")) is None
    names = ContactColumns(first_name="fn", last_name="ln")
    assert contact_problem("google", names) is None
    # A first name alone matches nobody.
    assert "to match on" in (contact_problem("google", ContactColumns(first_name="fn")) or "")
