"""Column roles and dataset kind: what each column means (customer id, email, order date,
amount...) and whether a file holds customers or transactions.

Roles are guessed from cleaned names with a priority list per role (an exact name beats a
partial one) and confirmed by the column's type and content (an amount must be numeric, an
email column must mostly hold "@"); a column of email addresses is found even without a name.
A column that describes a place rather than naming it ("city_type": urban/rural) is no place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from segtui.core.colnames import is_place_trait_name
from segtui.core.model import ColumnPlan, ColumnType, Kind, Role

_NUMERIC: tuple[ColumnType, ...] = ("integer", "decimal")
_DATED: tuple[ColumnType, ...] = ("date", "datetime")
_TEXT: tuple[ColumnType, ...] = ("text",)
_CODE: tuple[ColumnType, ...] = ("text", "integer")
_EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_COUNTISH = r"(^|_)(orders|count|cnt|qty|quantity|items|number|num|n|visits|transactions|days)($|_)"
_CONTENT_SAMPLE = 500
# Roles whose column names a place; "city_type" or "region_group" hold something else.
_PLACE_ROLES = frozenset({"country", "region", "city", "postcode"})


@dataclass(frozen=True)
class _Rule:
    role: Role
    exact: tuple[str, ...]  # names without underscores, best first
    partial: tuple[str, ...] = ()  # regexes on the cleaned name, best first
    types: tuple[ColumnType, ...] | None = None  # None: any type


_RULES: tuple[_Rule, ...] = (
    _Rule(
        "customer_id",
        ("customerid", "custid", "clientid", "clientnr", "clientno", "clientnumber", "customerno",
         "customernr", "customernumber", "custno", "custnr", "kundennummer", "kundennr", "kundenid",
         "kdnr", "memberid", "membernumber", "userid", "accountid", "accountnumber", "buyerid",
         "shopperid", "contactid", "customerkey", "customercode", "clientcode", "personid",
         "subscriberid", "householdid", "customer", "client", "cust", "kunde"),
        (r"(^|_)(customer|cust|client|member|buyer|shopper|kunden?)_?(id|nr|no|num|number|nummer"
         r"|key|code|ref)($|_)", r"(^|_)user_?id($|_)"),
        _CODE,
    ),
    _Rule(
        "email",
        ("email", "emailaddress", "mail", "eaddress", "emailadresse", "courriel", "contactemail",
         "customeremail", "emailid"),
        (r"e_?mail", r"(^|_)mail($|_)"),
        _TEXT,
    ),
    _Rule(
        "phone",
        ("phone", "phonenumber", "phoneno", "mobile", "mobilephone", "mobilenumber", "tel",
         "telephone", "telephonenumber", "cell", "cellphone", "msisdn", "telefon",
         "telefonnummer", "handy", "contactnumber"),
        (r"(^|_)(phone|mobile|tel|telephone|cell)($|_)",),
        _CODE,
    ),
    _Rule(
        "first_name",
        ("firstname", "givenname", "fname", "forename", "first", "vorname", "prenom"),
        (r"first_?name|given_?name|fore_?name",),
        _TEXT,
    ),
    _Rule(
        "last_name",
        ("lastname", "surname", "familyname", "lname", "last", "nachname", "nom"),
        (r"last_?name|sur_?name|family_?name",),
        _TEXT,
    ),
    _Rule(
        "full_name",
        ("name", "fullname", "customername", "clientname", "contactname", "membername",
         "displayname", "custname"),
        (r"full_?name|(customer|client|contact|member|cust)_?name",),
        _TEXT,
    ),
    _Rule(
        "order_id",
        ("orderid", "invoice", "invoiceno", "invoicenumber", "invoiceid", "invoicenr",
         "transactionid", "txnid", "transid", "orderno", "ordernumber", "ordernr", "orderref",
         "receiptid", "receiptno", "receiptnumber", "saleid", "salesid", "purchaseid",
         "bestellnummer", "rechnungsnummer", "basketid", "ticketid", "transaction", "order"),
        (r"(^|_)(order|invoice|transaction|txn|trans|receipt|sale|sales|purchase|basket)_?"
         r"(id|no|nr|num|number|ref|key|code)($|_)",),
        _CODE,
    ),
    _Rule(
        "order_date",
        ("orderdate", "date", "invoicedate", "purchasedate", "transactiondate", "txndate",
         "orderedat", "orderdatetime", "orderedon", "saledate", "salesdate", "purchasedat",
         "transdate", "invoicedatetime", "orderdt", "placedat", "bestelldatum",
         "rechnungsdatum", "datum", "datetime", "timestamp", "createdat", "created"),
        (r"(order|invoice|purchase|transaction|txn|trans|sale|sales)s?_?(date|time|datetime|at"
         r"|on|dt|timestamp)", r"^date_"),
        _DATED,
    ),
    _Rule(
        "amount",
        ("amount", "revenue", "total", "sales", "ordervalue", "netamount", "value", "spend",
         "totalamount", "ordertotal", "grandtotal", "totalprice", "linetotal", "salesamount",
         "net", "gross", "subtotal", "nettotal", "totalvalue", "totalspend", "orderamount",
         "saleamount", "amountpaid", "totalsales", "totalrevenue", "netsales", "grosssales",
         "transactionamount", "invoiceamount", "purchaseamount", "turnover", "umsatz", "betrag"),
        (r"amount|revenue|sales|spend|total|turnover",),
        _NUMERIC,
    ),
    _Rule(
        "unit_price",
        ("price", "unitprice", "itemprice", "priceeach", "unitcost", "priceperunit", "listprice",
         "saleprice", "sellingprice", "preis", "einzelpreis"),
        (r"unit_?(price|cost)", r"(^|_)price($|_)"),
        _NUMERIC,
    ),
    _Rule(
        "quantity",
        ("qty", "quantity", "units", "items", "itemcount", "numitems", "nitems",
         "quantityordered", "qtyordered", "unitssold", "pieces", "pcs", "menge", "anzahl", "count"),
        (r"(^|_)(qty|quantity|units|pcs)($|_)",),
        _NUMERIC,
    ),
    _Rule(
        "category",
        ("category", "productcategory", "productline", "department", "categories", "cat",
         "producttype", "itemcategory", "productgroup", "categoryname", "kategorie",
         "warengruppe", "subcategory"),
        (r"categor|department|product_?(line|type|group|family)",),
        _CODE,
    ),
    _Rule(
        "channel",
        ("channel", "source", "medium", "preferredchannel", "saleschannel", "orderchannel",
         "acquisitionchannel", "utmsource", "utmmedium", "platform", "ordersource", "leadsource",
         "touchpoint", "kanal"),
        (r"channel", r"(^|_)(source|medium)($|_)"),
        _TEXT,
    ),
    _Rule(
        "discount",
        ("discount", "discountused", "promo", "coupon", "promocode", "couponcode",
         "discountamount", "discountcode", "voucher", "vouchercode", "discountpct",
         "discountpercent", "discountrate", "promotion", "rabatt"),
        (r"discount|promo|coupon|voucher|rabatt",),
    ),
    _Rule(
        "country",
        ("country", "countrycode", "countryname", "land", "nation", "pays", "billingcountry",
         "shippingcountry", "countryiso"),
        (r"country",),
        _TEXT,
    ),
    _Rule(
        "region",
        ("region", "state", "province", "county", "stateprovince", "bundesland", "territory",
         "statecode", "regionname", "provincestate"),
        (r"(^|_)(region|province|county)($|_)", r"^(billing|shipping|customer|home)_?state$"),
        _TEXT,
    ),
    _Rule(
        "city",
        ("city", "town", "municipality", "locality", "ort", "stadt", "ville", "billingcity",
         "shippingcity"),
        (r"(^|_)(city|town)($|_)",),
        _TEXT,
    ),
    _Rule(
        "postcode",
        ("postcode", "zip", "zipcode", "postalcode", "postal", "plz", "postleitzahl",
         "codepostal", "billingzip", "shippingzip"),
        (r"zip|post_?code|postal",),
        _CODE,
    ),
    _Rule("age", ("age", "ageyears", "customerage", "ageinyears", "alter", "edad"),
          (r"(^|_)age($|_)",), _NUMERIC),
    _Rule(
        "birth_year",
        ("birthyear", "yearofbirth", "yob", "birthyr", "geburtsjahr"),
        (r"birth_?year|year_?of_?birth",),
        _NUMERIC,
    ),
    _Rule(
        "birth_date",
        ("birthdate", "dob", "dateofbirth", "birthday", "geburtsdatum", "bday"),
        (r"birth_?(date|day)|date_?of_?birth|(^|_)dob($|_)",),
        _DATED,
    ),
    _Rule("gender", ("gender", "sex", "geschlecht", "sexe"), (r"gender|(^|_)sex($|_)",), _TEXT),
    _Rule(
        "income",
        ("income", "incomeband", "salary", "householdincome", "annualincome", "incomebracket",
         "incomelevel", "incomerange", "incomegroup", "yearlyincome", "einkommen"),
        (r"income|salary",),
    ),
    _Rule(
        "interests",
        ("interests", "interest", "lifestyle", "tags", "hobbies", "hobby", "lifestyles",
         "preferences", "affinities", "segmenttags"),
        (r"interest|lifestyle|hobb|(^|_)tags?($|_)",),
        _TEXT,
    ),
    _Rule(
        "signup_date",
        ("signupdate", "signup", "signedup", "signedupat", "registered", "registeredat",
         "registrationdate", "registereddate", "joined", "joindate", "joinedat", "joineddate",
         "datejoined", "customersince", "membersince", "since", "firstseen", "accountcreated",
         "accountcreatedat", "createddate", "createdon", "createdat", "created"),
        (r"sign_?up|regist|join|member_?since|customer_?since|created",),
        _DATED,
    ),
    _Rule(
        "opt_in",
        ("optin", "marketingoptin", "consent", "subscribed", "newsletter", "emailoptin",
         "acceptsmarketing", "marketingconsent", "smsoptin", "gdprconsent", "subscriber",
         "permission", "marketingpermission", "emailconsent", "optedin", "issubscribed"),
        (r"opt_?in|consent|subscri|newsletter|accepts_?marketing",),
        ("boolean", "text", "integer"),
    ),
)  # fmt: skip
_CREATED = {"createdat", "created", "createdon", "createddate", "timestamp", "datetime"}
_BARE_IDS = {"id", "uid", "key"}


def _values(frame: pl.DataFrame, plan: ColumnPlan) -> pl.Series | None:
    """A sample of the column's non-blank values as text (the frame may be raw or typed)."""
    for name in (plan.name, plan.source_name):
        if name and name in frame.columns:
            values = frame.get_column(name).drop_nulls().head(_CONTENT_SAMPLE)
            return values.cast(pl.String, strict=False).drop_nulls()
    return None


def _share(values: pl.Series | None, pattern: str) -> float:
    if values is None or values.len() == 0:
        return 0.0
    return float(values.str.contains(pattern).mean() or 0.0)


def _name_score(rule: _Rule, name: str) -> int:
    if rule.role in _PLACE_ROLES and is_place_trait_name(name):
        return 0
    squashed = name.replace("_", "")
    if squashed in rule.exact:
        return 300 - rule.exact.index(squashed)
    for rank, pattern in enumerate(rule.partial):
        if re.search(pattern, name):
            if rule.role == "amount" and re.search(_COUNTISH, name):
                return 0
            return 200 - rank
    return 0


def _content_ok(rule: _Rule, plan: ColumnPlan, frame: pl.DataFrame) -> bool:
    if rule.types is not None and plan.type not in rule.types:
        return False
    if rule.role == "email":
        return _share(_values(frame, plan), "@") >= 0.5
    if rule.role == "customer_id" and plan.name.replace("_", "") in ("customer", "client"):
        return _share(_values(frame, plan), r"\s") <= 0.1  # ids, not people's names
    return True


def guess_roles(columns: list[ColumnPlan], frame: pl.DataFrame) -> None:
    """Set ``role`` on the columns recognised; one column per role; roles already set stay."""
    taken = {c.role for c in columns if c.role}
    candidates: list[tuple[int, int, Role, ColumnPlan]] = []
    for position, plan in enumerate(columns):
        if plan.role:
            continue
        for rule in _RULES:
            if rule.role in taken:
                continue
            score = _name_score(rule, plan.name)
            if score and _content_ok(rule, plan, frame):
                candidates.append((score, -position, rule.role, plan))
        if plan.type == "text" and _share(_values(frame, plan), _EMAIL_RE) >= 0.9:
            candidates.append((100, -position, "email", plan))
    for _score, _position, role, plan in sorted(candidates, key=lambda c: c[:2], reverse=True):
        if role not in taken and plan.role is None:
            plan.role = role
            taken.add(role)
    _fallbacks(columns, taken)


def _fallbacks(columns: list[ColumnPlan], taken: set[str]) -> None:
    """Context rules that names alone cannot settle."""
    free = [c for c in columns if c.role is None]
    by_role = {c.role: c for c in columns if c.role}
    bare_id = next((c for c in free if c.name in _BARE_IDS and c.type in _CODE), None)
    if bare_id is not None:
        # "id" keys a customers file, or the orders of a file with order dates
        role: Role | None = None
        if "order_date" in taken:
            role = "order_id" if "order_id" not in taken else None
        elif "customer_id" not in taken:
            role = "customer_id"
        if role is not None:
            bare_id.role = role
            taken.add(role)
    dated = by_role.get("order_date")
    is_sale = "amount" in taken or "order_id" in taken or "unit_price" in taken
    created = dated is not None and dated.name.replace("_", "") in _CREATED
    if created and not is_sale and "signup_date" not in taken:
        # "created_at" in a customers file is when the customer joined
        dated.role = "signup_date"  # type: ignore[union-attr]
        taken.discard("order_date")
        taken.add("signup_date")
    if "order_date" not in taken and is_sale:
        others = ("birth", "dob", "sign", "regist", "join", "since", "created")
        dates = [
            c
            for c in columns
            if c.role is None and c.type in _DATED and not any(w in c.name for w in others)
        ]
        if len(dates) == 1:
            dates[0].role = "order_date"
            taken.add("order_date")


def _role_column(columns: list[ColumnPlan], role: str) -> ColumnPlan | None:
    return next((c for c in columns if c.role == role), None)


def guess_kind(columns: list[ColumnPlan], frame: pl.DataFrame) -> tuple[Kind, str]:
    """("transactions" | "customers", the reason in plain words)."""
    roles = {c.role for c in columns if c.role}
    dated = "order_date" in roles
    money = bool(roles & {"amount", "unit_price"})
    order = "order_id" in roles
    evidence = []
    if dated:
        evidence.append("an order date")
    if money:
        evidence.append("an amount" if "amount" in roles else "a unit price")
    if order and not (dated and money):
        evidence.append("an order id")
    said = " and ".join(evidence)
    sale_like = dated and (money or order)
    id_plan = _role_column(columns, "customer_id")
    ids = None
    if id_plan is not None:
        for name in (id_plan.name, id_plan.source_name):
            if name in frame.columns:
                ids = frame.get_column(name).drop_nulls()
                break
    if id_plan is None or ids is None or ids.len() == 0:
        if sale_like:
            return "transactions", f"there is {said} (no customer id column found)"
        return "customers", "no order date with an amount or order id, so one row per customer"
    rows, distinct = ids.len(), ids.n_unique()
    ratio = rows / distinct
    name = id_plan.name
    if rows > distinct and sale_like:
        reason = f"{name} repeats ({ratio:.1f} rows per customer)"
        return "transactions", f"{reason} and there is {said}" if said else reason
    personal = bool(roles & {"email", "first_name", "last_name", "full_name", "signup_date"})
    if sale_like and order and not personal:
        return "transactions", f"each {name} appears once, but there is {said}"
    if rows > distinct:
        return "customers", f"{name} is almost unique ({ratio:.2f} rows per customer)"
    return "customers", f"one row per {name}"
