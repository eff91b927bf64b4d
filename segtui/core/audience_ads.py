"""Customer-match files for the ad platforms: Meta (Custom Audiences from a customer file) and
Google Ads (Customer Match), each with the headers and the normalisation and SHA-256 hashing
its documentation gives (see identifiers.py for the rules and where they are written down).

A customer is in the file when there is something the platform can match on: a valid email, a
phone number that can be put in international form, or (Meta) first and last name with a
postcode or city, (Google) first and last name with country and zip. The others are listed in
``invalid`` with the reason. Columns the data has nothing for are left out, not sent empty.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from segtui.core.audience import (
    DEFAULT_HOLDOUT,
    REASON,
    AudienceError,
    AudienceList,
    ContactColumns,
    check_holdout,
    contact_columns,
    contact_problem,
    prepared_members,
    split_holdout,
)
from segtui.core.identifiers import (
    Platform,
    email_ok,
    normalise_city,
    normalise_country,
    normalise_email,
    normalise_name,
    normalise_postcode,
    normalise_state,
    phone_e164,
    sha256_hex,
)
from segtui.core.run_data import SEGMENT
from segtui.core.segment_model import CUSTOMER_ID

if TYPE_CHECKING:
    import polars as pl

    from segtui.core.run_data import RunData

# Meta's customer-list headers, in the order of its template.
META_HEADERS = ("email", "phone", "fn", "ln", "zip", "ct", "st", "country")
# Google's, exactly as its template spells them (English, capitalised).
GOOGLE_HEADERS = ("Email", "Phone", "First Name", "Last Name", "Country", "Zip")


def meta_file(
    data: RunData,
    segments: Sequence[str] | None = None,
    *,
    holdout_pct: float = DEFAULT_HOLDOUT["meta"],
    seed: int = 0,
    columns: ContactColumns | None = None,
    default_country: str | None = None,
) -> AudienceList:
    """Meta's customer list: email, phone, fn, ln, zip, ct, st, country (those the data has),
    every value normalised and SHA-256 hashed."""
    return _ad_audience(data, "meta", segments, holdout_pct, seed, columns, default_country)


def google_file(
    data: RunData,
    segments: Sequence[str] | None = None,
    *,
    holdout_pct: float = DEFAULT_HOLDOUT["google"],
    seed: int = 0,
    columns: ContactColumns | None = None,
    default_country: str | None = None,
) -> AudienceList:
    """Google's Customer Match file: Email, Phone, First Name, Last Name (normalised, SHA-256)
    and Country, Zip (plain). The four address columns come together or not at all: Google
    matches on them only as a set, and a file with some of them is refused."""
    return _ad_audience(data, "google", segments, holdout_pct, seed, columns, default_country)


def _ad_audience(
    data: RunData,
    platform: Platform,
    segments: Sequence[str] | None,
    holdout_pct: float,
    seed: int,
    columns: ContactColumns | None,
    default_country: str | None,
) -> AudienceList:
    import polars as pl

    check_holdout(holdout_pct)
    cols = columns or contact_columns(data)
    problem = contact_problem(platform, cols)
    if problem is not None:
        raise AudienceError(problem)
    default = None
    if default_country:
        default = normalise_country(default_country)
        if default is None:
            raise AudienceError(
                f"default country {default_country!r} is not a country name or ISO code; "
                "give one such as GB or France."
            )
    notes: list[str] = []
    frame, opted_out = prepared_members(data, segments, cols)
    # Only what goes in the file is normalised (Google takes no city or state, and names and
    # zip only as the full address set).
    used = dataclasses.replace(cols, city=None, region=None) if platform == "google" else cols
    if platform == "google" and not _google_address(cols, default is not None):
        used = dataclasses.replace(used, first_name=None, last_name=None, postcode=None)
    got = _normalised(frame, used, platform, default)
    usable = _matchable(got, cols, platform, default is not None)
    out = _platform_columns(got, cols, platform, default is not None, notes)
    rows = pl.DataFrame(
        {CUSTOMER_ID: frame.get_column(CUSTOMER_ID), SEGMENT: frame.get_column(SEGMENT), **out},
        schema_overrides={name: pl.String for name in out},
    )
    reasons = [_reason(got, i, cols, platform) for i, ok in enumerate(usable) if not ok]
    invalid = frame.filter(~pl.Series(usable, dtype=pl.Boolean)).select(
        CUSTOMER_ID,
        SEGMENT,
        *([_raw_text(cols.email, "email")] if cols.email else []),
        *([_raw_text(cols.phone, "phone")] if cols.phone else []),
        pl.Series(REASON, reasons, dtype=pl.String),
    )
    _note_dropped_phones(got, usable, notes)
    send, holdout = split_holdout(
        rows.filter(pl.Series(usable, dtype=pl.Boolean)), holdout_pct, seed
    )
    return AudienceList(
        platform,
        send.drop(CUSTOMER_ID, SEGMENT),
        holdout.select(CUSTOMER_ID, SEGMENT),
        invalid,
        opted_out,
        cols.opt_in,
        notes,
    )


def _raw_text(column: str, name: str) -> pl.Expr:
    import polars as pl

    return pl.col(column).cast(pl.String).str.strip_chars().alias(name)


def _values(frame: pl.DataFrame, column: str | None) -> list[Any]:
    return frame.get_column(column).to_list() if column else [None] * frame.height


def _each(normalise: Callable[..., Any], *columns: list[Any]) -> list[Any]:
    """normalise applied row by row to the values of ``columns``, once per distinct
    combination (countries, regions and first names repeat a lot: at a million rows this is
    most of the time)."""
    done: dict[tuple[Any, ...], Any] = {}
    out = []
    for values in zip(*columns, strict=True):
        if values not in done:
            done[values] = normalise(*values)
        out.append(done[values])
    return out


def _normalised(
    frame: pl.DataFrame, cols: ContactColumns, platform: Platform, default: str | None
) -> dict[str, list[Any]]:
    """Per row: every identifier normalised for the platform (None where missing or unusable),
    the phone problem, and the raw email and phone."""
    import polars as pl

    def each(normalise: Callable[..., Any], column: str | None, *more: list[Any]) -> list[Any]:
        if column is None:
            return [None] * frame.height
        return _each(normalise, frame.get_column(column).to_list(), *more)

    countries = [c or default for c in each(normalise_country, cols.country)]
    valid = (
        frame.select(
            email_ok(pl.col(cols.email).cast(pl.String).str.strip_chars().str.to_lowercase())
        )
        .to_series()
        .to_list()
        if cols.email
        else [False] * frame.height
    )
    raw_email = _values(frame, cols.email)
    phones = (
        each(
            lambda v, c: phone_e164(v, c) if v is not None and str(v).strip() else (None, ""),
            cols.phone,
            countries,
        )
        if cols.phone
        else [(None, "")] * frame.height
    )
    return {
        "country": countries,
        "raw_email": raw_email,
        "email": [
            normalise_email(v, platform) if ok else None
            for v, ok in zip(raw_email, valid, strict=True)
        ],
        # Meta: the E.164 digits without the "+"; Google: E.164 as it is
        "phone": [p[1:] if p and platform == "meta" else p for p, _ in phones],
        "phone_problem": [why for _, why in phones],
        "fn": each(lambda v: normalise_name(v, platform), cols.first_name),
        "ln": each(lambda v: normalise_name(v, platform, last=True), cols.last_name),
        "ct": each(normalise_city, cols.city),
        "st": each(normalise_state, cols.region, countries),
        "zip": each(lambda v, c: normalise_postcode(v, c, platform), cols.postcode, countries),
    }


def _google_address(cols: ContactColumns, has_default: bool) -> bool:
    return bool(
        cols.first_name and cols.last_name and cols.postcode and (cols.country or has_default)
    )


def _matchable(
    got: dict[str, list[Any]], cols: ContactColumns, platform: Platform, has_default: bool
) -> list[bool]:
    address = _google_address(cols, has_default)
    usable = []
    for i in range(len(got["email"])):
        name = bool(got["fn"][i] and got["ln"][i])
        if platform == "meta":
            place = name and bool(got["zip"][i] or got["ct"][i])
        else:
            place = address and name and bool(got["country"][i] and got["zip"][i])
        usable.append(bool(got["email"][i] or got["phone"][i] or place))
    return usable


def _platform_columns(
    got: dict[str, list[Any]],
    cols: ContactColumns,
    platform: Platform,
    has_default: bool,
    notes: list[str],
) -> dict[str, list[str | None]]:
    """The file's columns in the platform's order, hashed where it asks for hashes."""

    def hashed(values: list[Any], *, distinct: bool = False) -> list[str | None]:
        if distinct:  # emails and phones: nothing to gain from remembering
            return [sha256_hex(v) if v else None for v in values]
        return _each(lambda v: sha256_hex(v) if v else None, values)

    have_country = bool(cols.country) or has_default
    if platform == "meta":
        sources = {
            "email": cols.email, "phone": cols.phone, "fn": cols.first_name,
            "ln": cols.last_name, "zip": cols.postcode, "ct": cols.city, "st": cols.region,
            "country": cols.country or ("default" if has_default else None),
        }  # fmt: skip
        keys = {"email": "email", "phone": "phone", "fn": "fn", "ln": "ln", "zip": "zip",
                "ct": "ct", "st": "st", "country": "country"}  # fmt: skip
        return {
            h: hashed(got[keys[h]], distinct=h in ("email", "phone"))
            for h in META_HEADERS
            if sources[h]
        }
    out: dict[str, list[str | None]] = {}
    if cols.email:
        out["Email"] = hashed(got["email"], distinct=True)
    if cols.phone:
        out["Phone"] = hashed(got["phone"], distinct=True)
    if _google_address(cols, has_default):
        out["First Name"] = hashed(got["fn"])
        out["Last Name"] = hashed(got["ln"])
        out["Country"] = got["country"]  # Google: country and zip are not hashed
        out["Zip"] = got["zip"]
    elif cols.first_name or cols.last_name or have_country or cols.postcode:
        missing = [
            label
            for label, present in (
                ("first name", cols.first_name), ("last name", cols.last_name),
                ("country", have_country), ("zip/postcode", cols.postcode),
            )
            if not present
        ]  # fmt: skip
        notes.append(
            "First Name, Last Name, Country and Zip are left out: Google matches on them only "
            f"together and the data has no {' or '.join(missing)} column."
        )
    return out


def _reason(got: dict[str, list[Any]], i: int, cols: ContactColumns, platform: Platform) -> str:
    problems = []
    if cols.email and got["raw_email"][i] is not None and str(got["raw_email"][i]).strip():
        problems.append("email is not a valid address")
    if got["phone_problem"][i]:
        problems.append(got["phone_problem"][i])
    if problems:
        return "; ".join(problems)
    if platform == "meta":
        return "no email, phone, or first and last name with a postcode or city to match on"
    return "no email, phone, or first and last name with a country and zip to match on"


def _note_dropped_phones(got: dict[str, list[Any]], usable: list[bool], notes: list[str]) -> None:
    """Phones that could not be used on rows that matched on something else."""
    dropped = [p for p, ok in zip(got["phone_problem"], usable, strict=True) if p and ok]
    if dropped:
        numbers = "phone number" if len(dropped) == 1 else "phone numbers"
        notes.append(
            f"{len(dropped):,} {numbers} could not be put in international form and "
            f"{'is' if len(dropped) == 1 else 'are'} left empty ({dropped[0]})."
        )
