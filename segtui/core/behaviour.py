"""Behaviour computed from a transactions dataset, one row per customer id: orders, spend,
average order value, first and last order, recency and tenure against the analysis date,
orders per month, categories, favourite category and channel, discounts and returns.

Pure polars (frames in, frame out); features.py joins it to the customers' attributes.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from segtui.core.segment_model import CUSTOMER_ID, FieldType

DAYS_PER_MONTH = 30.4375
FALSY = ("", "0", "n", "no", "false", "f", "none")
KEY = "__key"  # customers as small integers: grouping by them is faster than by text ids

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


def _truthy(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Whether a discount-like column says a discount was used (flag, amount or code)."""
    if dtype == pl.Boolean:
        return expr.fill_null(False)
    if dtype.is_numeric():
        return expr.fill_null(0) != 0
    text = expr.cast(pl.String).str.strip_chars().str.to_lowercase().fill_null("")
    return ~text.is_in(list(FALSY))


# Above this many (customer × value) cells, favourites are counted by polars instead of numpy.
DENSE_CELLS = 20_000_000


def _favourite(purchases: pl.DataFrame, column: str, out: str) -> pl.DataFrame:
    """The most frequent value per customer; ties go to the alphabetically first value, so it
    is stable. Values become their alphabetical rank, and with few enough (customer, value)
    cells one numpy bincount counts them all (several times faster than a polars group-by)."""
    import numpy as np

    levels = purchases.get_column(column).cast(pl.String).drop_nulls().unique().sort()
    ranks = purchases.select(
        KEY, pl.col(column).cast(pl.String).cast(pl.Enum(levels)).to_physical().alias("__rank")
    ).drop_nulls("__rank")
    width = max(len(levels), 1)
    customers = int(ranks.get_column(KEY).max() or 0) + 1
    if customers * width <= DENSE_CELLS:
        cells = ranks.get_column(KEY).to_numpy().astype(np.int64) * width + ranks.get_column(
            "__rank"
        ).to_numpy().astype(np.int64)
        counts = np.bincount(cells, minlength=customers * width).reshape(customers, width)
        seen = counts.max(axis=1) > 0
        best = counts.argmax(axis=1)  # the first maximum: the alphabetically first value
        return pl.DataFrame(
            {
                KEY: pl.Series(np.flatnonzero(seen), dtype=pl.UInt32),
                out: levels.gather(best[seen]),
            }
        )
    best_rows = (
        ranks.group_by(KEY, "__rank")
        .len()
        .sort(["len", "__rank"], descending=[True, False])
        .unique(KEY, keep="first")
    )
    return best_rows.select(KEY, levels.gather(best_rows.get_column("__rank")).alias(out))


def _dated(tx: pl.DataFrame, date: str | None, analysis_date: dt.date | None) -> pl.DataFrame:
    """The order date as __date; orders on or after the analysis date left out."""
    if not date:
        return tx.with_columns(pl.lit(None, dtype=pl.Date).alias("__date"))
    tx = tx.with_columns(pl.col(date).cast(pl.Date).alias("__date"))
    return tx.filter(pl.col("__date") < analysis_date) if analysis_date is not None else tx


def behaviour(
    transactions: pl.DataFrame, roles: dict[str, str], analysis_date: dt.date | None
) -> pl.DataFrame:
    """Computed features per customer id present in the transactions.

    ``roles`` maps role -> column (customer_id and amount required; order_date, order_id,
    category, channel, discount, is_return used when present). Orders on or after the analysis
    date are left out, so an earlier analysis date gives the picture as it was then.
    """
    tx = transactions.with_columns(
        pl.col(roles["customer_id"]).cast(pl.String).alias(CUSTOMER_ID),
        pl.col(roles["amount"]).cast(pl.Float64).alias("__amount"),
    ).with_columns(pl.col(CUSTOMER_ID).cast(pl.Categorical).to_physical().alias(KEY))
    tx = _dated(tx, roles.get("order_date"), analysis_date)
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
        pl.col(CUSTOMER_ID).first(),
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
    # Eager: on polars 2.x the lazy engine took about twice as long for this group-by.
    out = tx.group_by(KEY).agg(aggs)
    purchases = tx.filter(purchase)
    for role, name in (("category", "favourite_category"), ("channel", "favourite_channel")):
        column = roles.get(role)
        if column:
            out = out.join(_favourite(purchases, column, name), on=KEY, how="left")
        else:
            out = out.with_columns(pl.lit(None, dtype=pl.String).alias(name))
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
    return out.select(CUSTOMER_ID, *COMPUTED)
