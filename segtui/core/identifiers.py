"""Customer identifiers normalised and hashed the way the ad platforms document it, so that
their SHA-256 of a person's email matches ours.

Meta — Custom Audiences from a customer file ("Hashing and normalizing data" in the Marketing
API docs, developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences, and
"How to format a customer list", facebook.com/business/help/2082575038703844): email trimmed
and lowercased; phone digits only with the country code, no "+" or leading zeros; fn/ln
lowercase letters only, no punctuation, special characters kept as UTF-8; ct lowercase letters
without spaces or punctuation; st the 2-letter code for US states, else lowercase letters
only; zip lowercase without spaces, US the first 5 digits, UK area/district/sector; country
the ISO 3166-1 alpha-2 code in lowercase; every value SHA-256, lowercase hex.

Google Ads — Customer Match ("Format your customer data file" and "Formatting guidelines for
uploading hashed data", support.google.com/google-ads/answer/7659867 and /7476159; the Google
Ads API's normalisation notes): email trimmed and lowercased, and for gmail.com and
googlemail.com addresses the dots before the "@" removed; phone in E.164 ("+" and country code)
before hashing; first and last name lowercase with extra spaces removed (no title such as
"Mr", no suffix such as "Jr", no punctuation in the last name); Country the ISO two-letter code
and Zip as written, both NOT hashed.

Functions take one value and return the normalised text, or None when nothing usable is left.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import TYPE_CHECKING, Literal

from segtui.core.countries import (
    DIALLING,
    US_STATE_CODES,
    US_STATES,
    ZERO_TRUNK_CALLING,
    Dialling,
    country_code,
    name_key,
)

if TYPE_CHECKING:
    import polars as pl

Platform = Literal["esp", "meta", "google"]

# An address an email service will accept: a dot-atom local part (RFC 5322 without quoted
# strings or comments), a domain of letter/digit labels and a top-level domain of letters (or
# an IDN "xn--" label). Letters beyond ASCII are allowed (RFC 6531). Rust regex syntax: polars
# checks a whole column at once.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\p{L}\p{N}]+"
_LABEL = r"[A-Za-z0-9\p{L}\p{N}]([A-Za-z0-9\p{L}\p{N}\-]*[A-Za-z0-9\p{L}\p{N}])?"
EMAIL_PATTERN = rf"^{_ATOM}(\.{_ATOM})*@({_LABEL}\.)+([A-Za-z\p{{L}}]{{2,}}|xn--[A-Za-z0-9\-]+)$"
_GMAIL = ("gmail.com", "googlemail.com")
# Google: "Don't include prefixes" (first name) and "Don't include suffixes" (last name).
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "madam"})
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "2nd", "3rd", "4th", "phd", "md"})
_EXTENSION = re.compile(r"\s*(?:ext\.?|extension|x|#)\s*\d+\s*$", re.IGNORECASE)
_UK_POSTCODE = re.compile(r"^([a-z]{1,2}[0-9][a-z0-9]?)([0-9])[a-z]{2}$")


def sha256_hex(text: str) -> str:
    """SHA-256 of the UTF-8 text as 64 lowercase hex digits (what both platforms expect)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None


# --- email ------------------------------------------------------------------------------------


def normalise_email(value: object, platform: Platform = "meta") -> str | None:
    """Trimmed and lowercased (Meta, Google and the ESP list). For Google, the dots before the
    "@" of a gmail.com or googlemail.com address are removed too, as its Customer Match and
    enhanced-conversions docs ask ("j.rees@gmail.com" -> "jrees@gmail.com"); nothing else is
    rewritten ("+tags" stay: neither platform asks to drop them)."""
    text = _text(value)
    if text is None:
        return None
    email = text.lower()
    if platform == "google":
        local, at, domain = email.rpartition("@")
        if at and domain in _GMAIL:
            email = f"{local.replace('.', '')}@{domain}"
    return email


def email_ok(column: pl.Expr) -> pl.Expr:
    """True where a (trimmed) text column holds a valid address, False where not or missing:
    EMAIL_PATTERN, at most 64 characters before the "@" and 254 in all."""
    import polars as pl

    local = column.str.extract(r"^(.*)@", 1)
    return (
        column.str.contains(EMAIL_PATTERN)
        & (local.str.len_chars() <= 64)
        & (column.str.len_chars() <= 254)
    ).fill_null(pl.lit(False))


def is_valid_email(value: object) -> bool:
    """One address checked like email_ok checks a column (no network, no DNS)."""
    import polars as pl

    text = _text(value)
    if text is None:
        return False
    return bool(pl.select(email_ok(pl.lit(text, dtype=pl.String))).item())


# --- phone ------------------------------------------------------------------------------------


def phone_e164(value: object, country: str | None) -> tuple[str | None, str]:
    """(the number in E.164, "" ) or (None, why not). ``country`` is an ISO alpha-2 code (any
    case) used for numbers written without their +country code; without one (or for a country
    outside the dialling table) only numbers that carry it are kept.

    "+44 (0)7911 123456", "0044 7911 123456" and, for GB, "07911 123456", "7911 123456" and
    "447911123456" all give "+447911123456"; for the US "(212) 555-0123" gives "+12125550123".
    """
    text = _text(value)
    if text is None:
        return None, "no phone"
    text = _EXTENSION.sub("", text).replace("(0)", "")
    plus = text.startswith("+")
    digits = re.sub(r"\D", "", text)
    dialling = DIALLING.get((country or "").lower())
    if plus:
        number = digits
    elif digits.startswith("00"):
        number = digits[2:]
    elif digits.startswith("011") and dialling is not None and dialling.calling == "1":
        number = digits[3:]
    elif dialling is None:
        if country:
            return None, f"phone has no +country code (needed for {country.upper()} numbers)"
        return None, "phone has no +country code and the country is unknown"
    else:
        national = _national(digits, dialling)
        if national is None:
            return None, f"phone is not a valid {dialling.code.upper()} number"
        number = dialling.calling + national
    number = _drop_kept_trunk(number)
    if not 8 <= len(number) <= 15 or number.startswith("0"):
        return None, "phone is not a valid international number"
    return "+" + number, ""


def _national(digits: str, dialling: Dialling) -> str | None:
    """The national significant number of a number written without "+": after the trunk
    prefix, or as written when it has the right length, or after the calling code when it was
    written with it but without the "+" (preferred last: at home people write national
    numbers)."""
    fits = range(dialling.shortest, dialling.longest + 1)
    for trunk in dialling.trunk:
        if digits.startswith(trunk) and len(digits) - len(trunk) in fits:
            return digits[len(trunk) :]
    if len(digits) in fits:
        return digits
    rest = digits[len(dialling.calling) :]
    if digits.startswith(dialling.calling) and len(rest) in fits:
        return rest
    return None


def _drop_kept_trunk(number: str) -> str:
    """ "+44 07911..." -> "+447911...": a trunk 0 kept after the calling code is dialled by no
    one abroad, so it is dropped for the countries whose numbers never start with it."""
    for size in (1, 2, 3):
        if number[:size] in ZERO_TRUNK_CALLING and number[size : size + 1] == "0":
            return number[:size] + number[size + 1 :]
    return number


def normalise_phone(
    value: object, country: str | None, platform: Platform = "google"
) -> str | None:
    """E.164 for Google ("+447911123456"); Meta wants the same digits without the "+"
    ("447911123456": country code, no symbols, no leading zeros). None when the number cannot
    be put in that form (see phone_e164)."""
    number, _why = phone_e164(value, country)
    if number is None:
        return None
    return number[1:] if platform == "meta" else number


# --- names and places -------------------------------------------------------------------------


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalpha())


def normalise_name(value: object, platform: Platform = "meta", *, last: bool = False) -> str | None:
    """Meta fn/ln: lowercase letters only, accents kept (UTF-8), no spaces or punctuation
    ("Mary-Jane" -> "maryjane", "Zoë" -> "zoë"). Google: lowercase, spaces trimmed and single
    between words, a leading title ("Dr") or, in a last name, a trailing suffix ("Jr") and
    punctuation removed."""
    text = _text(value)
    if text is None:
        return None
    lowered = text.lower()
    if platform == "meta":
        return _letters(lowered) or None
    words = lowered.split()
    if last:
        words = [
            "".join(ch for ch in w if not unicodedata.category(ch).startswith("P")) for w in words
        ]
        words = [w for w in words if w]
        while len(words) > 1 and words[-1] in _SUFFIXES:
            words.pop()
    elif len(words) > 1 and words[0].rstrip(".") in _TITLES:
        words = words[1:]
    return " ".join(words) or None


def normalise_city(value: object) -> str | None:
    """Meta ct: lowercase letters only, no spaces, punctuation or digits ("St. Albans" ->
    "stalbans")."""
    text = _text(value)
    return None if text is None else _letters(text.lower()) or None


def normalise_state(value: object, country: str | None) -> str | None:
    """Meta st: a US state as its 2-letter code ("New York" -> "ny"); elsewhere lowercase
    letters only ("Île-de-France" -> "îledefrance")."""
    text = _text(value)
    if text is None:
        return None
    if (country or "").lower() in ("us", ""):
        key = name_key(text)
        if key in US_STATES:
            return US_STATES[key]
        if (country or "").lower() == "us" and key in US_STATE_CODES:
            return key
    return _letters(text.lower()) or None


def normalise_country(value: object) -> str | None:
    """ISO 3166-1 alpha-2 in lowercase ("United Kingdom" -> "gb", "FR" -> "fr"), for both
    platforms; None when the country cannot be told."""
    return country_code(value)


def normalise_postcode(
    value: object, country: str | None, platform: Platform = "meta"
) -> str | None:
    """Meta zip: lowercase without spaces; a US ZIP+4 cut to its first 5 digits; a UK postcode
    to area/district/sector ("SW1A 1AA" -> "sw1a1"). Google Zip: as written, trimmed, with
    single spaces (Google takes US 5-digit and ZIP+4 and international codes as they are)."""
    text = _text(value)
    if text is None:
        return None
    if platform != "meta":
        return " ".join(text.split())
    compact = re.sub(r"\s+", "", text.lower())
    country = (country or "").lower()
    if country == "us":
        match = re.match(r"^(\d{5})(-?\d{4})?$", compact)
        return match.group(1) if match else compact or None
    if country == "gb":
        match = _UK_POSTCODE.match(compact)
        return match.group(1) + match.group(2) if match else compact or None
    return compact or None
