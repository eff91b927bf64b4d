"""Audiences out of a run: the ESP list (who gets the email, with their merge fields), the
control group held out of the send, and the customers who cannot be sent to, listed rather than
silently dropped. The Meta and Google customer-match files are in audience_ads.py; both start
from the members prepared here.

Which member column holds the email, phone, names, place and marketing opt-in is decided in
contacts.py (contact_columns, from the stored roles or common names), the same detection the
playbook uses for the channels a draft may take; its names are re-exported here.

The holdout is drawn per segment from the customers who could be sent to, by the rank of
SHA-256("<seed>:<customer_id>"): the same seed gives the same control group whatever the order
of the rows, and round-half-up(n × pct / 100) customers of each segment are held out.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, get_args

# Re-exported (x as x): the ad files, the CLI and the Messaging screen import them from here.
from segtui.core.contacts import ContactColumns as ContactColumns
from segtui.core.contacts import contact_columns as contact_columns
from segtui.core.contacts import stored_roles as stored_roles
from segtui.core.export import ExportError
from segtui.core.identifiers import email_ok, sha256_hex
from segtui.core.run_data import SEGMENT
from segtui.core.segment_model import CUSTOMER_ID

if TYPE_CHECKING:
    import polars as pl

    from segtui.core.run_data import RunData

AudienceKind = Literal["esp", "meta", "google"]
AUDIENCE_KINDS: tuple[AudienceKind, ...] = get_args(AudienceKind)
# Emails carry a control group by default; an ad audience is usually uploaded whole.
DEFAULT_HOLDOUT: dict[str, float] = {"esp": 10.0, "meta": 0.0, "google": 0.0}
ESP_COLUMNS = ("email", "first_name", "last_name", SEGMENT, CUSTOMER_ID)
REASON = "reason"

# Opt-in values that mean yes; anything else, or nothing, is no: consent is given, not assumed.
_YES = frozenset(
    {"yes", "y", "true", "t", "1", "on", "x", "opted in", "opt-in", "optin", "opt in",
     "subscribed", "consent", "consented", "ja", "oui", "si", "sí"}
)  # fmt: skip


class AudienceError(ExportError):
    """An audience file cannot be made from these members (the message says what is missing)."""


def contact_problem(kind: str, columns: ContactColumns) -> str | None:
    """Why an audience of ``kind`` cannot be made from these contact columns (None: it can):
    the sentence esp_list and the ad files raise, for a dialog to show before any export."""
    if kind == "esp" and columns.email is None:
        return (
            "the members have no email column; mark one as email when importing the customers "
            "(or name it email) to make an ESP list."
        )
    if kind != "esp" and not (
        columns.email or columns.phone or (columns.first_name and columns.last_name)
    ):
        return (
            "the members have no email, phone or first and last name columns to match on; mark "
            "them when importing the customers (or name them email, phone, first_name)."
        )
    return None


# --- the holdout ------------------------------------------------------------------------------


def holdout_size(customers: int, pct: float) -> int:
    """How many of ``customers`` a holdout of ``pct`` % keeps back (rounded half up)."""
    check_holdout(pct)
    return math.floor(customers * pct / 100 + 0.5)


def check_holdout(pct: float) -> None:
    if not (isinstance(pct, int | float) and 0 <= pct <= 100) or math.isnan(pct):
        raise AudienceError(f"holdout {pct!r} % is out of range; give a percentage from 0 to 100.")


def _rank_keys(ids: pl.Series, seed: int) -> pl.Series:
    import polars as pl

    keys = [sha256_hex(f"{seed}:{i}") for i in ids.cast(pl.String).to_list()]
    return pl.Series("key", keys, dtype=pl.String)


def holdout_mask(ids: pl.Series, pct: float, seed: int) -> pl.Series:
    """True for the ids held out: the holdout_size(n, pct) with the smallest
    SHA-256("<seed>:<id>"). Independent of the order of ``ids``."""
    import polars as pl

    keep_back = holdout_size(ids.len(), pct)
    ranks = _rank_keys(ids, seed).rank("ordinal")
    return (
        (ranks <= keep_back).alias("holdout") if ids.len() else pl.Series("holdout", [], pl.Boolean)
    )


def holdout_split(ids: pl.Series, pct: float, seed: int) -> tuple[pl.Series, pl.Series]:
    """(sent, held out): the ids in their given order, split by holdout_mask."""
    mask = holdout_mask(ids, pct, seed)
    return ids.filter(~mask), ids.filter(mask)


def _holdout_by_segment(frame: pl.DataFrame, pct: float, seed: int) -> pl.Series:
    """holdout_mask applied within each segment (tag) of the frame, in the frame's order."""
    import polars as pl

    if frame.height == 0 or pct == 0:  # nothing to draw: spare hashing every id
        return pl.Series("holdout", [False] * frame.height, pl.Boolean)
    sizes = frame.group_by(SEGMENT).len()
    quota = {s: holdout_size(n, pct) for s, n in sizes.iter_rows()}
    ranked = (
        frame.select(SEGMENT)
        .with_columns(_rank_keys(frame.get_column(CUSTOMER_ID), seed).alias("key"))
        .with_columns(pl.col("key").rank("ordinal").over(SEGMENT).alias("r"))
    )
    limit = ranked.get_column(SEGMENT).replace_strict(quota, return_dtype=pl.Int64)
    return (ranked.get_column("r").cast(pl.Int64) <= limit).alias("holdout")


# --- members ready for a list -----------------------------------------------------------------


@dataclass
class AudienceList:
    """An audience split three ways, plus the customers left out for lack of consent.

    ``send``: the rows of the file to upload (ESP: email, names, segment, customer id and the
    chosen fields; Meta and Google: their own headers). ``holdout``: the control group (ESP: the
    same columns as send; ads: customer_id and segment). ``invalid``: customer_id, segment, the
    contact values found and the reason each could not be used."""

    kind: AudienceKind
    send: pl.DataFrame
    holdout: pl.DataFrame
    invalid: pl.DataFrame
    opted_out: int = 0
    opt_in: str | None = None  # the opt-in column used; None: the data has none
    notes: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "sent": self.send.height,
            "held_out": self.holdout.height,
            "invalid": self.invalid.height,
            "opted_out": self.opted_out,
        }


def prepared_members(
    data: RunData,
    segments: Sequence[str] | None,
    columns: ContactColumns,
    extra: Sequence[str] = (),
) -> tuple[pl.DataFrame, int]:
    """(members, opted out): customer_id, segment and the contact and extra columns, one row
    per customer (an overlapping run's segments joined into one tag, "A, B"), without those
    who have not opted in when there is an opt-in column."""
    import polars as pl

    wanted = [*columns.used(), *extra]
    frame = data.members(segments, wanted)
    if data.overlapping and frame.height:
        frame = (
            frame.group_by(CUSTOMER_ID, maintain_order=True)
            .agg(pl.col(SEGMENT).str.join(", "), pl.exclude(SEGMENT).first())
            .select(frame.columns)
        )
    if columns.opt_in is None:
        return frame, 0
    consent = frame.select(_consented(frame, columns.opt_in)).to_series()
    opted_out = int((~consent).sum())
    return frame.filter(consent), opted_out


def _consented(frame: pl.DataFrame, column: str) -> pl.Expr:
    import polars as pl

    dtype = frame.schema[column]
    if dtype == pl.Boolean:
        yes = pl.col(column)
    elif dtype.is_numeric():
        yes = pl.col(column) != 0
    else:
        yes = pl.col(column).cast(pl.String).str.strip_chars().str.to_lowercase().is_in(_YES)
    return yes.fill_null(False).alias("consent")


def _clean_text(column: str | None) -> pl.Expr:
    import polars as pl

    if column is None:
        return pl.lit(None, dtype=pl.String)
    text = pl.col(column).cast(pl.String).str.strip_chars()
    return pl.when(text.str.len_chars() > 0).then(text)


# --- the ESP list -----------------------------------------------------------------------------


def esp_list(
    data: RunData,
    segments: Sequence[str] | None = None,
    fields: Sequence[str] = (),
    holdout_pct: float = DEFAULT_HOLDOUT["esp"],
    seed: int = 0,
    opt_in_column: str | None = None,
    *,
    columns: ContactColumns | None = None,
) -> AudienceList:
    """The ESP list of some segments (all when None): email (trimmed, lowercase), first_name,
    last_name, segment (the tag), customer_id and the chosen member ``fields``. Customers
    without an email, with an invalid one or with an email already on the list are in
    ``invalid`` with the reason; those who have not opted in (``opt_in_column``, else the
    detected one) are counted, not listed; the holdout comes out of the rest, per segment."""
    import polars as pl

    from segtui.core.export import _rounded_money, resolve_columns

    check_holdout(holdout_pct)
    columns = columns or contact_columns(data)
    if opt_in_column is not None:
        columns = dataclasses.replace(columns, opt_in=opt_in_column)
    problem = contact_problem("esp", columns)
    if problem is not None:
        raise AudienceError(problem)
    extra = [f for f in resolve_columns(data, fields) if f not in (CUSTOMER_ID, SEGMENT)]
    frame, opted_out = prepared_members(data, segments, columns, extra)
    email = _clean_text(columns.email)
    frame = frame.with_columns(
        email.alias("__raw"), email.str.to_lowercase().alias("__email")
    ).with_columns(email_ok(pl.col("__email")).alias("__ok"))
    first = pl.col(CUSTOMER_ID).first().over("__email")
    frame = frame.with_columns(
        pl.when(pl.col("__raw").is_null())
        .then(pl.lit("no email"))
        .when(~pl.col("__ok"))
        .then(pl.lit("not a valid email address"))
        .when(pl.col(CUSTOMER_ID) != first)
        .then(pl.lit("same email as customer ") + first)
        .alias(REASON)
    )
    invalid = frame.filter(pl.col(REASON).is_not_null()).select(
        CUSTOMER_ID, SEGMENT, pl.col("__raw").alias("email"), REASON
    )
    good = frame.filter(pl.col(REASON).is_null())
    names = [c for c in extra if c not in ESP_COLUMNS]
    rows = _rounded_money(
        data,
        good.select(
            pl.col("__email").alias("email"),
            _clean_text(columns.first_name).alias("first_name"),
            _clean_text(columns.last_name).alias("last_name"),
            SEGMENT,
            CUSTOMER_ID,
            *names,
        ),
    )
    send, holdout = split_holdout(rows, holdout_pct, seed)
    return AudienceList("esp", send, holdout, invalid, opted_out, columns.opt_in)


def split_holdout(rows: pl.DataFrame, pct: float, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(kept, held out) rows of a frame with customer_id and segment, per segment."""
    held = _holdout_by_segment(rows, pct, seed)
    return rows.filter(~held), rows.filter(held)
