"""Role guessing from names and content, and the customers/transactions decision."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from segtui.core.coltypes import plan_columns
from segtui.core.model import ColumnPlan, ReadOptions
from segtui.core.roles import guess_kind, guess_roles

SAMPLE_VALUES: dict[str, list] = {
    "text": ["a1", "b2", "c3"],
    "integer": [1, 2, 3],
    "decimal": [1.5, 2.5, 3.5],
    "date": [dt.date(2024, 1, 1), dt.date(2024, 1, 2), dt.date(2024, 1, 3)],
    "datetime": [dt.datetime(2024, 1, 1, 9), dt.datetime(2024, 1, 2, 9), None],
    "boolean": [True, False, True],
}


def columns_of(**types: str) -> tuple[list[ColumnPlan], pl.DataFrame]:
    """Plans with the given names and types, and a small frame of matching values."""
    plans = [ColumnPlan(name=name, source_name=name, type=kind) for name, kind in types.items()]  # type: ignore[arg-type]
    frame = pl.DataFrame({name: SAMPLE_VALUES[kind] for name, kind in types.items()})
    return plans, frame


def roles_of(**types: str) -> dict[str, str | None]:
    plans, frame = columns_of(**types)
    guess_roles(plans, frame)
    return {p.name: p.role for p in plans}


def planned(frame: pl.DataFrame) -> list[ColumnPlan]:
    plans = plan_columns(frame, ReadOptions())
    guess_roles(plans, frame)
    return plans


@pytest.mark.parametrize(
    "header", ["CustomerID", "Customer ID", "cust_id", "customer_id", "client_id", "ClientNr"]
)
def test_customer_id_spellings(header: str) -> None:
    frame = pl.DataFrame({header: ["1", "2"], "Other": ["x", "y"]})
    plans = planned(frame)
    assert plans[0].role == "customer_id"
    assert plans[1].role is None


def test_kundennummer_is_a_customer_id() -> None:
    assert roles_of(kundennummer="text")["kundennummer"] == "customer_id"


def test_bare_id_in_a_customers_file() -> None:
    assert roles_of(id="text", email="text")["id"] == "customer_id"


def test_bare_id_next_to_a_customer_id_is_left_alone() -> None:
    roles = roles_of(id="text", customer_id="text", order_date="date", amount="decimal")
    assert roles["customer_id"] == "customer_id"
    assert roles["id"] == "order_id"


def test_email_by_name_needs_at_signs() -> None:
    frame = pl.DataFrame({"email": ["a@x.com", "b@y.org"], "e_mail_sent": ["yes", "no"]})
    plans = planned(frame)
    assert [p.role for p in plans] == ["email", None]


def test_email_found_by_content() -> None:
    frame = pl.DataFrame({"contact": ["a@x.com", "b@y.org", "c@z.net"]})
    assert planned(frame)[0].role == "email"


@pytest.mark.parametrize(
    ("names", "roles"),
    [
        (["first_name", "last_name"], ["first_name", "last_name"]),
        (["firstname", "surname"], ["first_name", "last_name"]),
        (["given_name", "family_name"], ["first_name", "last_name"]),
        (["fname", "lname"], ["first_name", "last_name"]),
        (["forename", "name"], ["first_name", "full_name"]),
        (["full_name", "phone"], ["full_name", "phone"]),
    ],
)
def test_name_spellings(names: list[str], roles: list[str]) -> None:
    found = roles_of(**dict.fromkeys(names, "text"))
    assert [found[n] for n in names] == roles


@pytest.mark.parametrize(
    "name", ["order_id", "invoice", "invoice_no", "transaction_id", "order_number"]
)
def test_order_id_spellings(name: str) -> None:
    assert roles_of(**{name: "text"})[name] == "order_id"


@pytest.mark.parametrize(
    "name", ["order_date", "date", "invoice_date", "purchase_date", "transaction_date"]
)
def test_order_date_spellings(name: str) -> None:
    assert roles_of(**{name: "date", "amount": "decimal"})[name] == "order_date"


def test_order_date_must_be_a_date() -> None:
    assert roles_of(order_date="text")["order_date"] is None


@pytest.mark.parametrize(
    "name", ["amount", "revenue", "total", "sales", "order_value", "net_amount", "value", "spend"]
)
def test_amount_spellings(name: str) -> None:
    assert roles_of(**{name: "decimal"})[name] == "amount"


def test_amount_must_be_numeric_and_not_a_count() -> None:
    assert roles_of(amount="text")["amount"] is None
    assert roles_of(total_orders="integer")["total_orders"] is None


def test_price_quantity_and_total_price() -> None:
    roles = roles_of(unit_price="decimal", qty="integer", total_price="decimal")
    assert roles == {"unit_price": "unit_price", "qty": "quantity", "total_price": "amount"}
    assert roles_of(unitprice="decimal", units="integer") == {
        "unitprice": "unit_price",
        "units": "quantity",
    }


def test_one_column_per_role_exact_names_first() -> None:
    roles = roles_of(revenue="decimal", amount="decimal", sales_total="decimal")
    assert roles == {"revenue": None, "amount": "amount", "sales_total": None}


def test_roles_already_set_are_kept() -> None:
    plans, frame = columns_of(customer_id="text", account="text")
    plans[1].role = "customer_id"
    guess_roles(plans, frame)
    assert [p.role for p in plans] == [None, "customer_id"]


@pytest.mark.parametrize(
    ("name", "kind", "role"),
    [
        ("category", "text", "category"),
        ("product_category", "text", "category"),
        ("channel", "text", "channel"),
        ("source", "text", "channel"),
        ("preferred_channel", "text", "channel"),
        ("discount", "decimal", "discount"),
        ("discount_used", "boolean", "discount"),
        ("coupon", "text", "discount"),
        ("country", "text", "country"),
        ("region", "text", "region"),
        ("state", "text", "region"),
        ("province", "text", "region"),
        ("city", "text", "city"),
        ("town", "text", "city"),
        ("postcode", "text", "postcode"),
        ("zip", "text", "postcode"),
        ("postal_code", "text", "postcode"),
        ("age", "integer", "age"),
        ("birth_year", "integer", "birth_year"),
        ("year_of_birth", "integer", "birth_year"),
        ("dob", "date", "birth_date"),
        ("date_of_birth", "date", "birth_date"),
        ("gender", "text", "gender"),
        ("sex", "text", "gender"),
        ("income_band", "text", "income"),
        ("salary", "integer", "income"),
        ("interests", "text", "interests"),
        ("lifestyle", "text", "interests"),
        ("hobbies", "text", "interests"),
        ("signup_date", "date", "signup_date"),
        ("registered", "date", "signup_date"),
        ("joined", "date", "signup_date"),
        ("opt_in", "boolean", "opt_in"),
        ("marketing_opt_in", "boolean", "opt_in"),
        ("consent", "boolean", "opt_in"),
        ("subscribed", "boolean", "opt_in"),
    ],
)
def test_other_roles(name: str, kind: str, role: str) -> None:
    assert roles_of(**{name: kind})[name] == role


@pytest.mark.parametrize(
    "name", ["city_type", "city_size", "town_class", "region_group", "country_tier", "zip_band"]
)
def test_a_trait_of_a_place_is_not_the_place(name: str) -> None:
    assert roles_of(**{name: "text"})[name] is None


def test_the_demo_city_type_is_no_city() -> None:
    roles = roles_of(country="text", region="text", city_type="text", billing_city="text")
    assert roles == {
        "country": "country", "region": "region", "city_type": None, "billing_city": "city",
    }  # fmt: skip


def test_age_needs_numbers() -> None:
    assert roles_of(age_band="text")["age_band"] is None


def test_created_at_is_an_order_date_in_transactions_and_signup_for_customers() -> None:
    assert roles_of(created_at="datetime", amount="decimal")["created_at"] == "order_date"
    assert roles_of(created_at="datetime", email="text")["created_at"] == "signup_date"


def test_a_lone_date_in_a_sales_file_is_the_order_date() -> None:
    roles = roles_of(booked="date", amount="decimal", signup_date="date")
    assert roles["booked"] == "order_date"


# --- kind ----------------------------------------------------------------------------------


def test_repeating_customer_ids_with_orders_are_transactions() -> None:
    frame = pl.DataFrame(
        {
            "customer_id": ["C1", "C1", "C1", "C2", "C2", "C3"],
            "order_date": ["2024-01-0" + str(i) for i in range(1, 7)],
            "amount": ["10.5", "3", "8", "1", "2.25", "7"],
        }
    )
    plans = planned(frame)
    kind, reason = guess_kind(plans, frame)
    assert kind == "transactions"
    assert reason == (
        "customer_id repeats (2.0 rows per customer) and there is an order date and an amount"
    )


def test_one_row_per_customer_is_customers() -> None:
    frame = pl.DataFrame(
        {
            "Customer ID": ["C1", "C2", "C3"],
            "Email": ["a@x.com", "b@x.com", "c@x.com"],
            "Signup": ["2024-01-01", "2024-02-01", "2024-03-01"],
        }
    )
    plans = planned(frame)
    assert guess_kind(plans, frame) == ("customers", "one row per customer_id")


def test_orders_without_customer_ids_are_transactions() -> None:
    plans, frame = columns_of(order_date="date", amount="decimal")
    guess_roles(plans, frame)
    kind, reason = guess_kind(plans, frame)
    assert kind == "transactions"
    assert "order date and an amount" in reason


def test_no_ids_and_no_orders_is_customers() -> None:
    plans, frame = columns_of(first_name="text", country="text")
    guess_roles(plans, frame)
    assert guess_kind(plans, frame)[0] == "customers"


def test_each_customer_once_with_order_ids_is_transactions() -> None:
    plans, frame = columns_of(customer_id="text", order_id="text", order_date="date")
    guess_roles(plans, frame)
    kind, reason = guess_kind(plans, frame)
    assert kind == "transactions"
    assert reason.startswith("each customer_id appears once")
