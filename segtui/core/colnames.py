"""Column names: cleaning headers into safe, unique snake_case names, and reading hints from them.

The hints ("looks like an identifier", "looks like a yes/no flag", "looks like a date") steer type
detection in ``coltypes`` and role guessing in ``roles``; they work on cleaned names only.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode decomposition does not fold to ASCII on its own.
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "TH",
        "ı": "i",
    }
)
# Symbols that carry meaning in a header ("Discount %", "Order #").
_SYMBOLS = {"%": " pct ", "#": " no ", "&": " and ", "@": " at ", "+": " plus "}

_CAMEL_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def ascii_fold(text: str) -> str:
    """ "Müller" -> "Muller", "Straße" -> "Strasse"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def _clean_one(name: str) -> str:
    text = ascii_fold(str(name).strip())
    for symbol, word in _SYMBOLS.items():
        text = text.replace(symbol, word)
    # CamelCase headers ("CustomerID", "InvoiceDate") become words; all-caps stay one word.
    text = _CAMEL_ACRONYM.sub(r"\1_\2", text)
    text = _CAMEL_LOWER_UPPER.sub(r"\1_\2", text)
    return _NOT_WORD.sub("_", text.lower()).strip("_")


def clean_column_names(names: list[str]) -> list[str]:
    """Snake_case, ASCII, unique names: "Customer ID" -> "customer_id", blank -> "column_3"."""
    cleaned: list[str] = []
    for position, name in enumerate(names, start=1):
        base = _clean_one(name) if name is not None else ""
        if not base:
            base = f"column_{position}"
        elif base[0].isdigit():
            base = f"c_{base}"
        cleaned.append(base)
    taken: set[str] = set()
    unique: list[str] = []
    for base in cleaned:
        candidate, suffix = base, 2
        while candidate in taken:
            candidate, suffix = f"{base}_{suffix}", suffix + 1
        taken.add(candidate)
        unique.append(candidate)
    return unique


def name_tokens(name: str) -> list[str]:
    return [token for token in name.split("_") if token]


# --- hints -------------------------------------------------------------------------------------

_ID_TOKENS = {
    "id", "ids", "uuid", "guid", "zip", "zipcode", "postal", "postcode", "plz", "phone",
    "mobile", "tel", "telephone", "cell", "cellphone", "fax", "msisdn", "sku", "ean", "upc",
    "gtin", "isbn", "iban", "bic", "swift", "ssn", "vat", "barcode",
}  # fmt: skip
# Words that make an identifier when they follow another word: "invoice_no", "order_number".
_ID_SUFFIX_TOKENS = {"no", "nr", "num", "number", "nummer", "code", "key", "ref", "reference"}
_ID_COMPOUND = re.compile(
    r"^(customer|cust|client|user|member|account|acct|order|invoice|inv|transaction|txn|trans|"
    r"product|prod|item|article|session|contact|person|visitor|subscriber|household|store|shop|"
    r"campaign|kunden|kd|bestell|rechnungs|artikel)(id|nr|no|num|number|nummer|code|key|ref)$"
)


def is_identifier_name(name: str) -> bool:
    """Names of identifiers: "customer_id", "zip", "phone", "invoice_no", "clientnr"."""
    tokens = name_tokens(name)
    if not tokens:
        return False
    if any(token in _ID_TOKENS or _ID_COMPOUND.match(token) for token in tokens):
        return True
    return len(tokens) > 1 and tokens[-1] in _ID_SUFFIX_TOKENS


_FLAG_TOKENS = {
    "flag", "optin", "optout", "subscribed", "unsubscribed", "active", "inactive", "newsletter",
    "consent", "vip", "churned", "verified", "bounced", "converted", "gdpr", "returning",
    "member", "subscriber", "used", "enabled", "disabled", "deleted", "blocked", "valid",
}  # fmt: skip
_FLAG_PREFIXES = ("is", "has", "was", "can", "did", "accepts", "allow", "allows", "wants")


def is_flag_name(name: str) -> bool:
    """Names of yes/no flags: "is_vip", "has_app", "opt_in", "newsletter", "discount_used"."""
    tokens = name_tokens(name)
    if not tokens:
        return False
    squashed = "".join(tokens)
    if tokens[0] in _FLAG_PREFIXES and len(tokens) > 1:
        return True
    if "optin" in squashed or "optout" in squashed:
        return True
    return any(token in _FLAG_TOKENS for token in tokens)


_DATE_TOKENS = {
    "date", "dates", "dt", "timestamp", "ts", "datetime", "signup", "signed",
    "joined", "join", "registered", "registration", "created", "updated", "modified", "dob",
    "birth", "birthday", "birthdate", "since", "ordered", "purchased", "expiry", "expires",
    "expiration", "datum",
}  # fmt: skip


def is_dateish_name(name: str) -> bool:
    """Names of dates: "order_date", "signup", "created_at", "dob", "invoicedate"."""
    tokens = name_tokens(name)
    if any(token in _DATE_TOKENS for token in tokens):
        return True
    return any(token.endswith(("date", "datum")) for token in tokens)


_MEASURE_TOKENS = {
    "amount", "amt", "revenue", "price", "total", "sales", "spend", "spent", "value", "cost",
    "qty", "quantity", "units", "age", "income", "salary", "net", "gross", "subtotal", "paid",
}  # fmt: skip


def is_measure_name(name: str) -> bool:
    """Names that promise numbers: "amount", "unit_price", "Qty", "order_total", "age"."""
    return any(token in _MEASURE_TOKENS for token in name_tokens(name))


# Words that make a place column describe the place rather than name it: "city_type"
# (urban/suburban/rural), "city_size", "region_group", "country_tier".
_PLACE_TRAIT_TOKENS = {
    "type", "types", "kind", "class", "classification", "category", "cat", "group", "grp",
    "size", "band", "tier", "level", "rank", "segment", "cluster", "population", "density",
}  # fmt: skip


def is_place_trait_name(name: str) -> bool:
    """Names of a trait of a place, not the place: "city_type", "region_group", "town_size"."""
    return any(token in _PLACE_TRAIT_TOKENS for token in re.split(r"[^a-z0-9]+", name.casefold()))
