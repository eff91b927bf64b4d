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

from segtui.core.behaviour import COMPUTED, behaviour
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


def _copies(project: Project) -> tuple[Any, ...]:
    """The datasets' columnar copies and when each was made. A copy is dropped (by trigger)
    when another tool changes a data table and remade with a new time on the next read, so
    this changes whenever the rows may have."""
    with project.reading() as conn:
        return tuple(conn.execute("SELECT dataset_id, made_at FROM segtui_dataset_copies"))


def features_key(
    project: Project,
    chosen: tuple[DatasetInfo | None, DatasetInfo | None] | None = None,
) -> tuple[Any, ...]:
    """What the cache compares: the chosen datasets' imports, the analysis date, the copies
    (the copies last)."""
    customers, transactions = chosen or chosen_datasets(project)
    return (
        str(project.path.resolve()),
        _dataset_key(customers),
        _dataset_key(transactions),
        project.settings().analysis_date,
        _copies(project),
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
    customers_info, tx_info = chosen = chosen_datasets(project)
    key = features_key(project, chosen)
    with _CACHE_LOCK:
        if not refresh and key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    started = time.perf_counter()
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
    # Reading may have remade a columnar copy (a new made_at): file the features under the
    # copies as they are now (the rest of the key is what they were computed from).
    key = (*key[:-1], _copies(project))
    features.key = key
    features.seconds = time.perf_counter() - started
    with _CACHE_LOCK:
        _CACHE[key] = features
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return features
