"""Which member columns hold a customer's contact data: email, phone, names, street address,
place and marketing opt-in. The one detection behind the audience files (audience.py,
audience_ads.py) and the channels a suggested draft may use (playbook_facts.py).

A column is found by the role stored with the customers dataset (stored_roles), else by a
common name. Either way it must hold some values (an empty column reaches nobody), a name or
address must be text, and a place must name the place: "city_type" (urban/rural) or
"region_group" is not where a customer lives, even in a project whose import called it a city.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from segtui.core.colnames import is_place_trait_name

if TYPE_CHECKING:
    from segtui.core.project import Project
    from segtui.core.run_data import RunData

# Common names (underscores removed, best first) per contact role when the stored roles say
# nothing.
_NAMES: dict[str, tuple[str, ...]] = {
    "email": ("email", "emailaddress", "mail", "eaddress", "customeremail", "contactemail"),
    "phone": ("phone", "phonenumber", "mobile", "mobilephone", "mobilenumber", "telephone",
              "tel", "cell", "cellphone", "msisdn", "sms"),
    "first_name": ("firstname", "givenname", "forename", "fname", "first", "vorname", "prenom"),
    "last_name": ("lastname", "surname", "familyname", "lname", "last", "nachname", "nom"),
    "city": ("city", "town", "billingcity", "shippingcity", "ort", "stadt", "ville"),
    "region": ("state", "region", "province", "county", "stateprovince", "statecode"),
    "postcode": ("postcode", "zip", "zipcode", "postalcode", "postal", "plz", "billingzip"),
    "country": ("country", "countrycode", "countryname", "billingcountry", "shippingcountry"),
    "opt_in": ("marketingoptin", "optin", "emailoptin", "marketingconsent", "consent",
               "acceptsmarketing", "subscribed", "newsletter", "emailconsent", "optedin"),
    # No import role marks a street address, so its names are the only way to find it.
    "address": ("address", "streetaddress", "address1", "addressline1", "addressline",
                "street", "addr", "addr1", "mailingaddress", "postaladdress", "homeaddress",
                "billingaddress", "billingaddress1", "shippingaddress", "shippingaddress1",
                "adresse", "anschrift", "strasse"),
}  # fmt: skip
_PLACES = frozenset({"city", "region", "postcode", "country"})
# Roles whose values are words: a number or a yes/no column by that name is something else
# (an "email" flag, a "city" code). Phone numbers and postcodes may have been read as numbers.
_TEXT_ONLY = frozenset({"email", "first_name", "last_name", "city", "region", "country", "address"})


@dataclass(frozen=True)
class ContactColumns:
    """The member columns that hold each piece of contact data (None: the data has none)."""

    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    country: str | None = None
    opt_in: str | None = None
    address: str | None = None  # the street address (a postal mailing needs it)

    def used(self) -> list[str]:
        return list(dict.fromkeys(c for c in vars(self).values() if c))


def stored_roles(project: Project, data: RunData) -> dict[str, str]:
    """Role -> column of the customers dataset the run's features came from ({} if none)."""
    name = data.features.customers_dataset
    if not name or not project.has_dataset(name):
        return {}
    return {c.role: c.name for c in project.dataset(name).columns if c.role}


def contact_columns(data: RunData, roles: Mapping[str, str] | None = None) -> ContactColumns:
    """The contact columns among the run's member columns: the stored role first (also when
    features renamed the column "<name>_attr"), else the first column with a common name;
    only columns that hold some values, of a fitting type, and (places) not a place's trait."""
    available = set(data.member_columns())
    squashed: dict[str, str] = {}
    for column in data.member_columns():  # the first of two spellings ("e_mail", "email") wins
        squashed.setdefault(column.replace("_", "").casefold(), column)
    found: dict[str, str | None] = {}
    for role, names in _NAMES.items():
        column = (roles or {}).get(role)
        candidates = [column, f"{column}_attr"] if column else []
        candidates += [squashed[n] for n in names if n in squashed]
        found[role] = next(
            (c for c in candidates if c in available and _holds(data, role, c)), None
        )
    return ContactColumns(**found)


def _holds(data: RunData, role: str, column: str) -> bool:
    """True when ``column`` can hold this role's contact data for some member."""
    import polars as pl

    if role in _PLACES and is_place_trait_name(column):
        return False
    frame = data.features.frame
    if column not in frame.columns:  # customer_id, segment, scores: never contact data
        return False
    values = frame.get_column(column)
    if values.len() and values.null_count() == values.len():
        return False
    if role in _TEXT_ONLY:
        return values.dtype in (pl.String, pl.Categorical, pl.Enum)
    if role == "phone" or role == "postcode":
        return values.dtype in (pl.String, pl.Categorical, pl.Enum) or values.dtype.is_integer()
    return True
