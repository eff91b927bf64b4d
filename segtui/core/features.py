"""Customer features: one row per customer, the attributes of the customers dataset joined with
behaviour computed from the transactions dataset, all relative to the analysis date.

``build_features`` is the pure part (frames in, frame out); ``customer_features`` reads the
project's datasets and keeps the result in a small per-process cache keyed on the datasets'
imports (id, time, source file hash, read options) and the analysis date, so a live preview
never recomputes the world and a new import or a changed analysis date always does.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import polars as pl

from segtui.core.model import ColumnInfo, DatasetInfo
from segtui.core.segment_model import (
    CUSTOMER_ID,
    CriteriaError,
    Features,
    FieldGroup,
    FieldInfo,
    FieldType,
)

if TYPE_CHECKING:
    from segtui.core.project import Project

# A text column with at most this many distinct values is a category (a pick list makes sense).
CATEGORY_MAX_LEVELS = 50
DAYS_PER_MONTH = 30.4375
TRUTHY = ("1", "y", "yes", "true", "t", "x")
FALSY = ("", "0", "n", "no", "false", "f", "none")

# Computed behavioural features, in display order: name -> (label, type, unit).
COMPUTED: dict[str, tuple[str, FieldType, str]] = {
    "orders": ("Orders", "number", "orders"),
    "total_spend": ("Total spend", "number", "money"),
    "avg_order_value": ("Average order value", "number", "money"),
    "first_order_date": ("First order date", "date", ""),
    "last_order_date": ("Last order date", "date", ""),
    "recency_days": ("Days since last order", "number", "days"),
    "tenure_days": ("Days since first order", "number", "days"),
    "orders_per_month": ("Orders per month", "number", "orders"),
    "distinct_categories": ("Distinct categories", "number", ""),
    "favourite_category": ("Favourite category", "category", ""),
    "favourite_channel": ("Favourite channel", "category", ""),
    "discount_share": ("Share of orders with a discount", "number", "share"),
    "returns_count": ("Returns", "number", ""),
    "returns_value": ("Value returned", "number", "money"),
}

_ROLE_GROUPS: dict[str, FieldGroup] = {
    "age": "demographic",
    "birth_year": "demographic",
    "birth_date": "demographic",
    "gender": "demographic",
    "income": "demographic",
    "country": "geographic",
    "region": "geographic",
    "city": "geographic",
    "postcode": "geographic",
    "interests": "psychographic",
    "signup_date": "behavioural",
    "channel": "behavioural",
    "opt_in": "behavioural",
}
_NAME_GROUPS: tuple[tuple[tuple[str, ...], FieldGroup], ...] = (
    (("age", "gender", "sex", "income", "marital", "education", "occupation", "household",
      "children", "job", "salary"), "demographic"),
    (("country", "region", "city", "state", "county", "postcode", "zip", "urban", "town",
      "location", "area"), "geographic"),
    (("interest", "lifestyle", "hobby", "hobbies", "value", "personality", "attitude",
      "persona", "life_stage", "lifestage"), "psychographic"),
    (("channel", "opt_in", "optin", "signup", "loyalty", "member", "tier", "subscri"),
     "behavioural"),
)  # fmt: skip
_TEXT_ROLES = ("email", "phone", "first_name", "last_name", "full_name", "postcode")


def _group_of(column: ColumnInfo) -> FieldGroup:
    if column.role in _ROLE_GROUPS:
        return _ROLE_GROUPS[column.role]
    name = column.name.lower()
    tokens = [t for t in re.split(r"[^a-z0-9]+", name) if t]
    joined = "_".join(tokens)

    def has(word: str) -> bool:
        # A word starts one of the name's parts ("age_band", "interests"), or spans parts
        # ("life_stage"); "usage" or "average_order_value" do not hold "age".
        return ("_" in word and word in joined) or any(t.startswith(word) for t in tokens)

    # The longest word found wins, so "life_stage" is psychographic, not "age" (demographic).
    found = [(len(word), group) for words, group in _NAME_GROUPS for word in words if has(word)]
    return max(found, key=lambda hit: hit[0])[1] if found else "other"


def _label_of(name: str) -> str:
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _attribute_fields(
    frame: pl.DataFrame, columns: list[ColumnInfo], dataset: str
) -> list[FieldInfo]:
    fields = []
    for column in columns:
        if column.name not in frame.columns or column.name == CUSTOMER_ID:
            continue
        dtype = frame.schema[column.name]
        field_type: FieldType
        if dtype.is_numeric():
            field_type = "number"
        elif dtype == pl.Boolean:
            field_type = "boolean"
        elif dtype == pl.Date:
            field_type = "date"
        elif column.role in _TEXT_ROLES:
            field_type = "text"
        else:
            distinct = frame.get_column(column.name).drop_nulls().n_unique()
            field_type = "category" if distinct <= CATEGORY_MAX_LEVELS else "text"
        fields.append(
            FieldInfo(
                name=column.name,
                label=_label_of(column.source_name or column.name),
                type=field_type,
                group=_group_of(column),
                dataset=dataset,
            )
        )
    return fields


def _truthy(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Whether a discount-like column says a discount was used (flag, amount or code)."""
    if dtype == pl.Boolean:
        return expr.fill_null(False)
    if dtype.is_numeric():
        return expr.fill_null(0) != 0
    text = expr.cast(pl.String).str.strip_chars().str.to_lowercase().fill_null("")
    return ~text.is_in(list(FALSY))


def _favourite(tx: pl.LazyFrame, column: str, out: str) -> pl.LazyFrame:
    """The most frequent value per customer (ties broken alphabetically, so it is stable)."""
    return (
        tx.filter(pl.col(column).is_not_null())
        .group_by(CUSTOMER_ID, column)
        .len()
        .group_by(CUSTOMER_ID)
        .agg(pl.col(column).sort_by(["len", column], descending=[True, False]).first())
        .select(CUSTOMER_ID, pl.col(column).cast(pl.String).alias(out))
    )


def behaviour(
    transactions: pl.DataFrame, roles: dict[str, str], analysis_date: dt.date | None
) -> pl.DataFrame:
    """Computed features per customer id present in the transactions.

    ``roles`` maps role -> column (customer_id and amount required; order_date, order_id,
    category, channel, discount, is_return used when present). Orders on or after the analysis
    date are left out, so an earlier analysis date gives the picture as it was then.
    """
    amount = roles["amount"]
    date = roles.get("order_date")
    tx = transactions.with_columns(
        pl.col(roles["customer_id"]).cast(pl.String).alias(CUSTOMER_ID),
        pl.col(amount).cast(pl.Float64).alias("__amount"),
    )
    if date and analysis_date is not None:
        date_expr = pl.col(date)
        if tx.schema[date] != pl.Date:
            date_expr = date_expr.cast(pl.Date)
        tx = tx.with_columns(date_expr.alias("__date")).filter(pl.col("__date") < analysis_date)
    elif date:
        tx = tx.with_columns(pl.col(date).cast(pl.Date).alias("__date"))
    else:
        tx = tx.with_columns(pl.lit(None, dtype=pl.Date).alias("__date"))
    is_return = pl.col("__amount") < 0
    if "is_return" in tx.columns:
        is_return = is_return | pl.col("is_return").cast(pl.Boolean).fill_null(False)
    tx = tx.with_columns(is_return.alias("__return"))
    purchase = ~pl.col("__return")
    # Distinct orders by a 64-bit hash of the order id: counting distinct integers is several
    # times faster than distinct strings, and a collision among a customer's orders is ~never.
    order_id = roles.get("order_id")
    order_key = pl.col(order_id).hash() if order_id else pl.int_range(pl.len())
    discount = roles.get("discount")
    discounted = _truthy(pl.col(discount), tx.schema[discount]) if discount else pl.lit(False)
    category = roles.get("category")
    aggs: list[pl.Expr] = [
        order_key.filter(purchase).n_unique().alias("orders"),
        pl.col("__amount").sum().alias("total_spend"),
        pl.col("__amount").filter(purchase).sum().alias("__purchases"),
        pl.col("__date").filter(purchase).min().alias("first_order_date"),
        pl.col("__date").filter(purchase).max().alias("last_order_date"),
        (
            pl.col(category).filter(purchase).drop_nulls().n_unique()
            if category
            else pl.lit(0, dtype=pl.UInt32)
        ).alias("distinct_categories"),
        order_key.filter(purchase & discounted).n_unique().alias("__discounted"),
        pl.col("__return").sum().alias("returns_count"),
        (-pl.col("__amount").filter(pl.col("__return"))).sum().alias("returns_value"),
    ]
    lazy = tx.lazy()
    favourites = [
        _favourite(lazy.filter(purchase), roles[role], name)
        for role, name in (("category", "favourite_category"), ("channel", "favourite_channel"))
        if roles.get(role)
    ]
    out, *favourite_frames = pl.collect_all([lazy.group_by(CUSTOMER_ID).agg(aggs), *favourites])
    days_since = (
        (lambda c: (pl.lit(analysis_date) - pl.col(c)).dt.total_days())
        if analysis_date
        else (lambda c: pl.lit(None, dtype=pl.Int64))
    )
    orders = pl.col("orders").cast(pl.Int64)
    out = out.with_columns(
        orders.alias("orders"),
        pl.when(orders > 0).then(pl.col("__purchases") / orders).alias("avg_order_value"),
        days_since("last_order_date").cast(pl.Int64).alias("recency_days"),
        days_since("first_order_date").cast(pl.Int64).alias("tenure_days"),
        pl.col("distinct_categories").cast(pl.Int64),
        pl.when(orders > 0).then(pl.col("__discounted") / orders).alias("discount_share"),
        pl.col("returns_count").cast(pl.Int64),
    ).with_columns(
        (
            pl.col("orders")
            / pl.max_horizontal(pl.col("tenure_days") / DAYS_PER_MONTH, pl.lit(1.0))
        ).alias("orders_per_month"),
    )
    for favourite in favourite_frames:
        out = out.join(favourite, on=CUSTOMER_ID, how="left")
    for name in ("favourite_category", "favourite_channel"):
        if name not in out.columns:
            out = out.with_columns(pl.lit(None, dtype=pl.String).alias(name))
    return out.select(CUSTOMER_ID, *COMPUTED)


def _fill_no_orders(frame: pl.DataFrame) -> pl.DataFrame:
    """Customers with no orders: counts and sums are 0, dates and recency stay missing."""
    zero = ["orders", "total_spend", "distinct_categories", "returns_count", "returns_value",
            "orders_per_month"]  # fmt: skip
    return frame.with_columns(pl.col(name).fill_null(0) for name in zero)


def build_features(
    customers: pl.DataFrame | None,
    customer_columns: list[ColumnInfo],
    transactions: pl.DataFrame | None,
    tx_roles: dict[str, str],
    analysis_date: dt.date | None,
    *,
    customers_dataset: str | None = None,
    transactions_dataset: str | None = None,
) -> Features:
    """One row per customer. ``customers`` already has its id column named customer_id."""
    notes: list[str] = []
    fields: list[FieldInfo] = []
    if customers is not None:
        base = customers.with_columns(pl.col(CUSTOMER_ID).cast(pl.String))
        clashes = [c for c in base.columns if c in COMPUTED]
        if clashes and transactions is not None:
            base = base.rename({c: f"{c}_attr" for c in clashes})
            customer_columns = [
                ColumnInfo(f"{c.name}_attr", c.type, c.role, c.source_name or c.name)
                if c.name in clashes
                else c
                for c in customer_columns
            ]
        for column in base.columns:
            if base.schema[column] == pl.Datetime:
                base = base.with_columns(pl.col(column).cast(pl.Date))
        fields.extend(_attribute_fields(base, customer_columns, customers_dataset or ""))
    else:
        base = None
    if transactions is not None:
        computed = behaviour(transactions, tx_roles, analysis_date)
        if base is None:
            frame = computed
        else:
            known = base.select(CUSTOMER_ID)
            unknown = computed.join(known, on=CUSTOMER_ID, how="anti")
            if unknown.height:
                notes.append(
                    f"{unknown.height:,} customer ids in {transactions_dataset} "
                    f"({int(unknown['orders'].sum()):,} orders) are not in "
                    f"{customers_dataset}; they are left out."
                )
            frame = base.join(computed, on=CUSTOMER_ID, how="left")
        frame = _fill_no_orders(frame)
        fields.extend(
            FieldInfo(name, label, type_, "behavioural", computed=True, unit=unit)  # type: ignore[arg-type]
            for name, (label, type_, unit) in COMPUTED.items()
        )
    elif base is not None:
        frame = base
    else:
        raise CriteriaError(
            "this project has no data yet; import a customers or transactions file first."
        )
    return Features(
        frame=frame,
        fields=fields,
        analysis_date=analysis_date,
        customers_dataset=customers_dataset,
        transactions_dataset=transactions_dataset,
        notes=notes,
    )


# --- reading the project ---------------------------------------------------------------------

_TX_ROLES = ("customer_id", "amount", "order_date", "order_id", "category", "channel", "discount")
_CACHE: OrderedDict[tuple[Any, ...], Features] = OrderedDict()
_CACHE_SIZE = 2
_CACHE_LOCK = threading.Lock()


def chosen_datasets(project: Project) -> tuple[DatasetInfo | None, DatasetInfo | None]:
    """The customers and transactions datasets features are built from: the first of each
    kind (the oldest import), as listed on the Home screen."""
    customers = transactions = None
    for info in project.datasets():
        if info.kind == "customers" and customers is None:
            customers = info
        elif info.kind == "transactions" and transactions is None:
            transactions = info
    return customers, transactions


def _dataset_key(info: DatasetInfo | None) -> tuple[Any, ...] | None:
    """What tells one import of a dataset from another. The id and the import time alone do
    not: a re-import (replace) in the same second gets the same id and time. The source file's
    hash and the options it was read with do: the same file read the same way gives the same
    rows."""
    if info is None:
        return None
    options = json.dumps(info.options, sort_keys=True, default=str)
    return (info.id, info.imported_at, info.source_sha256, info.rows, options)


def features_key(project: Project) -> tuple[Any, ...]:
    customers, transactions = chosen_datasets(project)
    with project.reading() as conn:
        # A copy is dropped (by trigger) when another tool changes a data table, and remade
        # with a new time on the next read: the key changes, so the features are rebuilt.
        copies = tuple(conn.execute("SELECT dataset_id, made_at FROM segtui_dataset_copies"))
    return (
        str(project.path.resolve()),
        _dataset_key(customers),
        _dataset_key(transactions),
        project.settings().analysis_date,
        copies,
    )


def _read_customers(project: Project, info: DatasetInfo) -> tuple[pl.DataFrame, list[ColumnInfo]]:
    id_column = info.role_column("customer_id")
    if id_column is None:
        raise CriteriaError(
            f"dataset {info.name} has no customer id column; re-import it and mark one."
        )
    frame = project.read_dataset(info.name)
    frame = frame.drop(CUSTOMER_ID, strict=False) if id_column != CUSTOMER_ID else frame
    frame = frame.rename({id_column: CUSTOMER_ID})
    columns = [c for c in info.columns if c.name not in (id_column, CUSTOMER_ID)]
    return frame, columns


def _transaction_roles(info: DatasetInfo) -> dict[str, str]:
    roles = {role: info.role_column(role) for role in _TX_ROLES}
    if not roles["customer_id"] or not roles["amount"]:
        missing = "customer id" if not roles["customer_id"] else "amount"
        raise CriteriaError(
            f"dataset {info.name} has no {missing} column, so no behaviour can be computed; "
            "re-import it and mark that column's role."
        )
    return {role: column for role, column in roles.items() if column}


def customer_features(project: Project, *, refresh: bool = False) -> Features:
    """The project's customer features, from the cache when nothing they depend on changed."""
    key = features_key(project)
    with _CACHE_LOCK:
        if not refresh and key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    started = time.perf_counter()
    customers_info, tx_info = chosen_datasets(project)
    customers = None
    columns: list[ColumnInfo] = []
    if customers_info is not None:
        customers, columns = _read_customers(project, customers_info)
    transactions = None
    roles: dict[str, str] = {}
    if tx_info is not None:
        roles = _transaction_roles(tx_info)
        wanted = [*roles.values()]
        if any(c.name == "is_return" for c in tx_info.columns):
            wanted.append("is_return")
        transactions = project.read_dataset(tx_info.name, wanted)
    features = build_features(
        customers,
        columns,
        transactions,
        roles,
        key[3],
        customers_dataset=customers_info.name if customers_info else None,
        transactions_dataset=tx_info.name if tx_info else None,
    )
    # Reading may have remade a columnar copy (a new made_at): file it under the key as it is now.
    key = features_key(project)
    features.key = key
    features.seconds = time.perf_counter() - started
    with _CACHE_LOCK:
        _CACHE[key] = features
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return features
