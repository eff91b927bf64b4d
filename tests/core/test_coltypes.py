"""Column typing: names, the type rules and their quirks, overrides, and reject accounting."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from segtui.core.coltypes import clean_column_names, convert_columns, plan_columns
from segtui.core.errors import IngestError
from segtui.core.model import ColumnPlan, ReadOptions


def text_frame(**columns: list[str | None]) -> pl.DataFrame:
    return pl.DataFrame(columns, schema={name: pl.String for name in columns})


def plans_of(frame: pl.DataFrame, options: ReadOptions | None = None) -> dict[str, ColumnPlan]:
    return {p.name: p for p in plan_columns(frame, options or ReadOptions())}


def plan_of(values: list[str | None], name: str = "x", **options: object) -> ColumnPlan:
    frame = text_frame(**{name: values})
    return plan_columns(frame, ReadOptions(**options))[0]  # type: ignore[arg-type]


def convert(frame: pl.DataFrame, options: ReadOptions | None = None):
    plans = plan_columns(frame, options or ReadOptions())
    lines = pl.Series(range(2, frame.height + 2))
    typed, rejects = convert_columns(frame, lines, plans)
    assert typed.height + rejects.height == frame.height
    return typed, rejects


def typed_values(values: list[str | None], name: str = "x", **options: object) -> list:
    frame = text_frame(**{name: values})
    typed, rejects = convert(frame, ReadOptions(**options))  # type: ignore[arg-type]
    assert rejects.height == 0, rejects.to_dicts()
    plan = plan_columns(frame, ReadOptions(**options))[0]  # type: ignore[arg-type]
    return typed.get_column(plan.name).to_list()


# --- names ---------------------------------------------------------------------------------


def test_names_become_snake_case_ascii() -> None:
    names = ["Customer ID", "Order Date (UTC)", "Müller", "Straße", "Discount %"]
    assert clean_column_names(names) == [
        "customer_id",
        "order_date_utc",
        "muller",
        "strasse",
        "discount_pct",
    ]


def test_camel_case_headers_are_split() -> None:
    assert clean_column_names(["CustomerID", "InvoiceDate", "UnitPrice", "ID"]) == [
        "customer_id",
        "invoice_date",
        "unit_price",
        "id",
    ]


def test_blank_and_digit_leading_names() -> None:
    assert clean_column_names(["a", "", "  ", "2nd address"]) == [
        "a",
        "column_2",
        "column_3",
        "c_2nd_address",
    ]


def test_names_are_made_unique() -> None:
    assert clean_column_names(["Name", "name", "NAME ", "name_2"]) == [
        "name",
        "name_2",
        "name_3",
        "name_2_2",
    ]


# --- integers ------------------------------------------------------------------------------


def test_plain_integers() -> None:
    plan = plan_of(["12", "-3", "+7", "0"])
    assert plan.type == "integer"
    assert typed_values(["12", "-3", "+7", "0"]) == [12, -3, 7, 0]


def test_integers_with_thousands_separators() -> None:
    plan = plan_of(["1,234", "12", "1,000,000"])
    assert (plan.type, plan.decimal_comma) == ("integer", False)
    assert "thousands separators" in plan.detail
    assert typed_values(["1,234", "12", "1,000,000"]) == [1234, 12, 1_000_000]


def test_integers_with_dot_thousands_in_a_decimal_comma_file() -> None:
    frame = text_frame(qty=["1.234", "2.500", "7"], price=["12,50", "3,99", "1,5"])
    plans = plans_of(frame)
    assert plans["qty"].type == "integer" and plans["qty"].decimal_comma
    typed, _ = convert(frame)
    assert typed.get_column("qty").to_list() == [1234, 2500, 7]


def test_currency_symbols_and_codes_are_stripped() -> None:
    values = ["$12", "€ 1,234", "12 EUR", "USD 7", " £5 "]
    plan = plan_of(values, name="spend")
    assert plan.type == "integer"
    assert "€" in plan.detail and "USD" in plan.detail and "stripped" in plan.detail
    assert typed_values(values, name="spend") == [12, 1234, 12, 7, 5]
    assert typed_values(["US$12", "R$ 3", "usd 4"], name="spend") == [12, 3, 4]


def test_other_letters_are_not_stripped() -> None:
    values = ["12", "a12", "C12", "12x"] + [str(i) for i in range(10)]
    assert plan_of(values, name="spend").type == "text"


def test_accounting_negatives() -> None:
    plan = plan_of(["(12)", "30", "(1,200.50)"])
    assert plan.type == "decimal"
    assert "(12) read as -12" in plan.detail
    assert typed_values(["(12)", "30", "(1,200.50)"]) == [-12.0, 30.0, -1200.5]


# --- decimals ------------------------------------------------------------------------------


def test_decimals_with_point() -> None:
    values = ["12.50", "€1,234.56", "-0.5", "1e3"]
    plan = plan_of(values)
    assert (plan.type, plan.decimal_comma) == ("decimal", False)
    assert typed_values(values) == [12.5, 1234.56, -0.5, 1000.0]


def test_decimal_comma_is_detected_from_content() -> None:
    values = ["1.234,56", "12,5", "-0,25", "3"]
    plan = plan_of(values)
    assert (plan.type, plan.decimal_comma) == ("decimal", True)
    assert "decimal comma" in plan.detail
    assert typed_values(values) == [1234.56, 12.5, -0.25, 3.0]


def test_decimal_comma_option_wins() -> None:
    # "1.234" alone reads as one point two three four; the user says the file uses commas
    assert plan_of(["1.234", "2.5"]).type == "decimal"
    plan = plan_of(["1.234", "2.500"], decimal_comma=True)
    assert (plan.type, plan.decimal_comma) == ("integer", True)
    assert typed_values(["1.234", "2.500"], decimal_comma=True) == [1234, 2500]
    assert plan_of(["12,5", "3,25"], decimal_comma=False).type == "text"


def test_integers_and_fractions_together_are_decimal() -> None:
    values = [str(i) for i in range(99)] + ["2.5"]
    assert plan_of(values).type == "decimal"


def test_whole_floats_written_with_point_zero_stay_decimal() -> None:
    assert plan_of(["12.0", "3.0"]).type == "decimal"


# --- booleans ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["yes", "No", "YES"], [True, False, True]),
        (["true", "False", "TRUE"], [True, False, True]),
        (["y", "n", "Y"], [True, False, True]),
        (["t", "f", "T"], [True, False, True]),
    ],
)
def test_yes_no_words_are_booleans(values: list[str], expected: list[bool]) -> None:
    assert plan_of(values).type == "boolean"
    assert typed_values(values) == expected


@pytest.mark.parametrize(
    "name", ["is_vip", "has_app", "opt_in", "optin", "newsletter", "discount_used", "sub_flag"]
)
def test_zero_one_is_boolean_for_flag_names(name: str) -> None:
    assert plan_of(["0", "1", "1"], name=name).type == "boolean"
    assert typed_values(["0", "1", "1"], name=name) == [False, True, True]


def test_zero_one_is_integer_for_other_names() -> None:
    assert plan_of(["0", "1", "1"], name="quantity").type == "integer"


def test_single_letters_need_both_answers_or_a_flag_name() -> None:
    assert plan_of(["F", "F", "F"], name="gender").type == "text"
    assert plan_of(["F", "M", "F"], name="gender").type == "text"
    assert plan_of(["y", "y"], name="is_member").type == "boolean"


# --- dates and date-times -------------------------------------------------------------------


def test_iso_dates() -> None:
    plan = plan_of(["2024-03-05", "2024-12-31"])
    assert (plan.type, plan.date_format) == ("date", "%Y-%m-%d")
    assert typed_values(["2024-03-05", "2024-12-31"]) == [
        dt.date(2024, 3, 5),
        dt.date(2024, 12, 31),
    ]


@pytest.mark.parametrize(
    ("value", "fmt"),
    [
        ("2024-03-05T14:30:00", "%Y-%m-%dT%H:%M:%S"),
        ("2024-03-05 14:30", "%Y-%m-%d %H:%M"),
        ("2024-03-05 14:30:00", "%Y-%m-%d %H:%M:%S"),
    ],
)
def test_iso_datetimes(value: str, fmt: str) -> None:
    plan = plan_of([value, value.replace("14:30", "09:05")])
    assert (plan.type, plan.date_format) == ("datetime", fmt)
    assert typed_values([value])[0] == dt.datetime(2024, 3, 5, 14, 30)


def test_datetimes_with_utc_offsets_are_stored_as_utc() -> None:
    values = ["2024-03-05T14:30:00Z", "2024-03-05T14:30:00+02:00"]
    plan = plan_of(values)
    assert plan.type == "datetime"
    assert typed_values(values) == [
        dt.datetime(2024, 3, 5, 14, 30),
        dt.datetime(2024, 3, 5, 12, 30),
    ]


def test_datetimes_all_at_midnight_are_dates() -> None:
    plan = plan_of(["2024-03-05 00:00:00", "2024-03-06 00:00:00"])
    assert plan.type == "date"
    assert typed_values(["2024-03-05 00:00:00"]) == [dt.date(2024, 3, 5)]


@pytest.mark.parametrize(
    ("values", "fmt"),
    [
        (["05/03/2024", "13/03/2024"], "%d/%m/%Y"),
        (["05-03-2024", "13-03-2024"], "%d-%m-%Y"),
        (["05.03.2024", "13.03.2024"], "%d.%m.%Y"),
        (["03/05/2024", "03/13/2024"], "%m/%d/%Y"),
    ],
)
def test_day_and_month_first_dates(values: list[str], fmt: str) -> None:
    plan = plan_of(values)
    assert (plan.type, plan.date_format) == ("date", fmt)
    assert typed_values(values)[0] == dt.date(2024, 3, 5)


def test_ambiguous_dates_are_day_first_and_say_so() -> None:
    plan = plan_of(["05/03/2024", "01/02/2024"])
    assert plan.date_format == "%d/%m/%Y"
    assert "dd/mm/yyyy" in plan.detail and "could also be mm/dd/yyyy" in plan.detail


@pytest.mark.parametrize(
    ("values", "fmt"),
    [(["5-Mar-24", "17-Nov-23"], "%d-%b-%y"), (["05-Mar-2024", "17-NOV-2023"], "%d-%b-%Y")],
)
def test_dates_with_month_names(values: list[str], fmt: str) -> None:
    plan = plan_of(values)
    assert (plan.type, plan.date_format) == ("date", fmt)
    assert typed_values(values)[0] == dt.date(2024, 3, 5)


def test_compact_dates_with_a_date_name() -> None:
    plan = plan_of(["20240305", "20231117"], name="order_date")
    assert (plan.type, plan.date_format) == ("date", "%Y%m%d")
    assert typed_values(["20240305"], name="order_date") == [dt.date(2024, 3, 5)]


def test_compact_dates_without_a_date_name_when_all_are_valid() -> None:
    assert plan_of(["20240305", "19991231"], name="when").type == "date"
    assert plan_of(["12345678", "20240305"], name="reading").type == "integer"


def test_excel_serials_in_text_with_a_date_name() -> None:
    plan = plan_of(["45000", "45351"], name="order_date")
    assert (plan.type, plan.date_format) == ("date", "excel")
    assert typed_values(["45000"], name="order_date") == [dt.date(2023, 3, 15)]
    assert plan_of(["45000", "45351"], name="amount").type == "integer"


def test_excel_serials_in_an_xlsx_number_column() -> None:
    frame = pl.DataFrame({"signup": [45000.0, 45351.0], "spend": [45000.0, 45351.0]})
    plans = plans_of(frame)
    assert (plans["signup"].type, plans["signup"].date_format) == ("date", "excel")
    assert plans["spend"].type == "decimal"
    typed, _ = convert(frame)
    assert typed.get_column("signup").to_list() == [dt.date(2023, 3, 15), dt.date(2024, 2, 29)]


# --- identifiers stay text -----------------------------------------------------------------


def test_leading_zeros_are_kept_as_text() -> None:
    plan = plan_of(["00123", "4567", "0099"], name="code_value")
    assert plan.type == "text"
    assert "leading zeros" in plan.detail


@pytest.mark.parametrize(
    "name", ["customer_id", "zip", "postal_code", "phone", "mobile", "sku", "ean", "iban", "tel"]
)
def test_identifier_names_stay_text(name: str) -> None:
    plan = plan_of(["123", "456", "789"], name=name)
    assert plan.type == "text"
    assert typed_values(["123", "456"], name=name) == ["123", "456"]


def test_phone_numbers_stay_text_whatever_the_name() -> None:
    values = ["+44 20 7946 0958", "+1 (555) 123-4567", "+4930123456"]
    assert plan_of(values, name="contact").type == "text"


def test_letter_ids_are_text() -> None:
    assert plan_of(["C0001", "C0002"], name="ref").type == "text"


def test_identifier_names_keep_typed_numbers_as_text() -> None:
    frame = pl.DataFrame({"customer_id": [1, 2], "client_id": [3.0, 4.0]})
    typed, _ = convert(frame)
    assert typed.get_column("customer_id").to_list() == ["1", "2"]
    assert typed.get_column("client_id").to_list() == ["3", "4"]


# --- blanks, thresholds --------------------------------------------------------------------


def test_blank_cells_are_missing_not_text() -> None:
    frame = text_frame(qty=["1", None, "3", "  ", "N/A"])
    plan = plans_of(frame)["qty"]
    assert plan.type == "integer"
    assert plan.missing == 3
    typed, rejects = convert(frame)
    assert rejects.height == 0
    assert typed.get_column("qty").to_list() == [1, None, 3, None, None]


def test_a_few_bad_values_make_rejects_not_text() -> None:
    values = [str(i) for i in range(60)] + ["abc"]
    plan = plan_of(values, name="amount")
    assert plan.type == "integer"
    assert "1 value is not a whole number" in plan.detail


def test_mixed_text_stays_text() -> None:
    values = ["12", "small", "34", "large", "56", "n/a please", "78", "9"]
    assert plan_of(values, name="size").type == "text"
    assert plan_of(["Books", "Toys", "Garden"], name="category").type == "text"


def test_all_blank_column_is_text() -> None:
    assert plan_of([None, None]).type == "text"


# --- typed sources -------------------------------------------------------------------------


def test_typed_columns_keep_their_types() -> None:
    frame = pl.DataFrame(
        {
            "n": [1, 2],
            "f": [1.0, 2.0],
            "b": [True, False],
            "d": [dt.date(2024, 1, 1), None],
            "t": [dt.datetime(2024, 1, 1, 12), None],
            "is_vip": [0, 1],
        }
    )
    plans = plans_of(frame)
    assert [plans[c].type for c in frame.columns] == [
        "integer",
        "decimal",
        "boolean",
        "date",
        "datetime",
        "boolean",
    ]
    typed, _ = convert(frame)
    assert typed.schema["t"] == pl.Datetime("us")
    assert typed.get_column("is_vip").to_list() == [False, True]


# --- overrides -----------------------------------------------------------------------------


def test_type_override_by_cleaned_or_source_name() -> None:
    frame = text_frame(**{"Postal Code": ["123", "456"], "Score": ["1", "2"]})
    plans = plans_of(frame, ReadOptions(types={"postal_code": "integer", "Score": "text"}))
    assert plans["postal_code"].type == "integer"
    assert plans["score"].type == "text"
    assert "set by you" in plans["score"].detail


def test_date_format_override_wins() -> None:
    frame = text_frame(order_date=["05/03/2024", "01/02/2024"])
    options = ReadOptions(date_formats={"order_date": "%m/%d/%Y"})
    plan = plans_of(frame, options)["order_date"]
    assert (plan.type, plan.date_format) == ("date", "%m/%d/%Y")
    typed, _ = convert(frame, options)
    assert typed.get_column("order_date").to_list()[0] == dt.date(2024, 5, 3)


def test_date_format_override_can_be_written_as_shown() -> None:
    frame = text_frame(order_date=["05/03/2024 14:30", "01/02/2024 09:00"])
    options = ReadOptions(date_formats={"order_date": "mm/dd/yyyy hh:mm"})
    plan = plans_of(frame, options)["order_date"]
    assert (plan.type, plan.date_format) == ("datetime", "%m/%d/%Y %H:%M")


def test_unknown_type_override_is_a_clear_error() -> None:
    with pytest.raises(IngestError, match="column x: type 'number' is not known"):
        plan_of(["1"], types={"x": "number"})


def test_forced_type_keeps_its_type_and_rejects_the_rest() -> None:
    frame = text_frame(code=["1", "x", "y"])
    options = ReadOptions(types={"code": "integer"})
    assert plans_of(frame, options)["code"].type == "integer"
    typed, rejects = convert(frame, options)
    assert typed.height == 1 and rejects.height == 2


# --- checking every row --------------------------------------------------------------------


def test_fractions_beyond_the_sample_make_the_column_decimal() -> None:
    values = [str(i % 90) for i in range(10_001)]
    values[4_999] = "2.5"  # the sample takes every 5th row
    plan = plan_of(values)
    assert plan.type == "decimal"
    assert typed_values(values)[4_999] == 2.5


def test_leading_zeros_beyond_the_sample_keep_text() -> None:
    values = [str(i % 90 + 1) for i in range(10_001)]
    values[4_999] = "007"
    assert plan_of(values).type == "text"


def test_many_bad_values_beyond_the_sample_make_text() -> None:
    values = [str(i) if i % 5 == 0 else "abc" if i % 7 == 0 else "1" for i in range(10_001)]
    plan = plan_of(values)
    assert plan.type == "text"
    assert "kept as text" in plan.detail


# --- convert_columns -----------------------------------------------------------------------


def test_convert_types_and_line_column() -> None:
    frame = text_frame(
        id=["A1", "A2"],
        qty=["1", "2"],
        price=["1.5", "2"],
        is_vip=["yes", "no"],
        day=["2024-03-05", "2024-03-06"],
        at=["2024-03-05 10:00", "2024-03-06 11:00"],
    )
    typed, rejects = convert(frame)
    assert typed.columns[0] == "__line"
    assert typed.schema == {
        "__line": pl.Int64,
        "id": pl.String,
        "qty": pl.Int64,
        "price": pl.Float64,
        "is_vip": pl.Boolean,
        "day": pl.Date,
        "at": pl.Datetime("us"),
    }
    assert typed.get_column("__line").to_list() == [2, 3]
    assert rejects.schema == {
        "line": pl.Int64,
        "column": pl.String,
        "reason": pl.String,
        "raw": pl.String,
    }


def test_rejects_are_accounted_for_with_reasons_people_understand() -> None:
    n = 100
    amounts = [f"{i}.50" for i in range(n)]
    dates = [f"{(i % 28) + 1:02d}/03/2024" for i in range(n)]
    quantities = [str(i % 5) for i in range(n)]
    amounts[10] = "abc"
    dates[20] = "31/02/2024"
    quantities[30] = "2.5"
    amounts[40], dates[40] = "xyz", "bad"  # two failures: the first column is named
    frame = text_frame(amount=amounts, order_date=dates, quantity=quantities)
    # left alone, one fraction makes quantity a decimal column; the user says whole numbers
    typed, rejects = convert(frame, ReadOptions(types={"quantity": "integer"}))
    assert (typed.height, rejects.height) == (96, 4)
    by_line = {r["line"]: r for r in rejects.to_dicts()}
    assert by_line[12]["column"] == "amount"
    assert by_line[12]["reason"] == "amount: 'abc' is not a number"
    assert by_line[22]["reason"] == ("order_date: '31/02/2024' is not a date in format dd/mm/yyyy")
    assert by_line[32]["reason"] == "quantity: '2.5' is not a whole number"
    assert by_line[42]["column"] == "amount"
    assert by_line[12]["raw"] == "amount=abc; order_date=11/03/2024; quantity=0"
    assert 12 not in typed.get_column("__line").to_list()


def test_convert_empty_frame() -> None:
    frame = text_frame(a=[], b=[])
    typed, rejects = convert(frame)
    assert typed.height == 0 and rejects.height == 0
    assert typed.columns == ["__line", "a", "b"]


def test_convert_rejects_lines_that_do_not_match() -> None:
    frame = text_frame(a=["1"])
    plans = plan_columns(frame, ReadOptions())
    with pytest.raises(ValueError, match="lines"):
        convert_columns(frame, pl.Series([1, 2]), plans)
