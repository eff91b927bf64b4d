"""Rule segments: operators by field type (missing values included), relative dates against a
fixed analysis date, nested groups, exclusive and overlapping runs, segment-of-segment,
validation messages, descriptions, JSON, tree edits, live preview, overlap and pick lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from segtui.core.rules import (
    OPERATORS,
    Condition,
    Group,
    SegmentRef,
    iter_nodes,
    node_at,
    node_from_json,
    node_to_json,
    op_needs_value,
    with_added,
    with_moved,
    with_removed,
    with_replaced,
)
from segtui.core.rules_compile import compile_node
from segtui.core.rules_run import (
    RuleSegment,
    RuleSegmentation,
    assign,
    field_values,
    overlap_matrix,
    preview,
)
from segtui.core.rules_text import describe
from segtui.core.rules_values import parse_value, shift_back
from segtui.core.segment_model import CriteriaError, Features, FieldInfo

AD = dt.date(2026, 10, 1)
D = dt.date

FIELDS = [
    FieldInfo("age", "Age", "number", "demographic"),
    FieldInfo("orders", "Orders", "number", "behavioural", True, "orders"),
    FieldInfo("total_spend", "Total spend", "number", "behavioural", True, "money"),
    FieldInfo("recency_days", "Days since last order", "number", "behavioural", True, "days"),
    FieldInfo("tenure_days", "Tenure", "number", "behavioural", True, "days"),
    FieldInfo("discount_share", "Discount share", "number", "behavioural", True, "share"),
    FieldInfo("nps_score", "NPS score", "number", "other"),
    FieldInfo("country", "Country", "category", "geographic"),
    FieldInfo("gender", "Gender", "category", "demographic"),
    FieldInfo("interests", "Interests", "text", "psychographic"),
    FieldInfo("email", "Email", "text", "other"),
    FieldInfo("last_order_date", "Last order date", "date", "behavioural", True),
    FieldInfo("signup_date", "Signup date", "date", "other"),
    FieldInfo("marketing_opt_in", "Marketing opt-in", "boolean", "other"),
]
BY_NAME = {info.name: info for info in FIELDS}

FRAME = pl.DataFrame(
    {
        "customer_id": ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"],
        "age": [25, 34, 35, None, 18, 60, 30, 24],
        "orders": [1, 2, 5, 0, 3, 10, None, 1],
        "total_spend": [1234.5, 80.0, 0.0, None, 99.99, 5000.0, 10.0, None],
        "recency_days": [10, 100, None, 1, 30, 700, 365, None],
        "tenure_days": [400, 30, None, 800, 60, 2000, 5, None],
        "discount_share": [0.1, 0.5, None, 0.0, 1.0, 0.25, None, None],
        "nps_score": [9, 7, None, 10, 3, 8, 9, 0],
        "country": ["France", "United Kingdom", None, "Spain", " France ", "Germany", "france", ""],
        "gender": ["F", "M", "F", None, "M", "F", "X", "M"],
        "interests": [
            "outdoors|fitness",
            "Fitness",
            None,
            "parenting|cooking",
            "",
            "travel|outdoors",
            "  ",
            "cooking",
        ],
        "email": [
            *("ann@shop.fr", "bob@mail.co.uk", None, "CAT@shop.fr"),
            *("dan@x.com", "eve@y.de", " fred@shop.fr", ""),
        ],
        "last_order_date": [
            D(2026, 7, 3),
            D(2026, 7, 2),
            None,
            D(2026, 10, 1),
            D(2026, 10, 2),
            D(2024, 1, 15),
            D(2026, 9, 17),
            None,
        ],
        "signup_date": [
            D(2024, 3, 31),
            D(2026, 8, 31),
            None,
            D(2025, 9, 30),
            D(2026, 9, 17),
            D(2020, 2, 29),
            D(2026, 9, 16),
            D(2025, 10, 1),
        ],
        "marketing_opt_in": [True, False, None, None, True, False, True, None],
    },
    schema_overrides={"age": pl.Int64, "orders": pl.Int64, "nps_score": pl.Int64},
)
ALL = [f"c{i}" for i in range(1, 9)]


def features(frame: pl.DataFrame = FRAME, analysis_date: dt.date | None = AD) -> Features:
    return Features(frame, FIELDS, analysis_date, "customers", "orders")


def leaf(field: str, op: str, value: Any = None) -> dict[str, Any]:
    data: dict[str, Any] = {"field": field, "op": op}
    if value is not None:
        data["value"] = value
    return data


def matching(
    rule: dict[str, Any],
    frame: pl.DataFrame = FRAME,
    analysis_date: dt.date | None = AD,
    members: Any = None,
) -> list[str]:
    node = node_from_json(rule, BY_NAME, "segment 'Test'")
    expr = compile_node(node, BY_NAME, analysis_date, members, where="segment 'Test'")
    mask = frame.select(expr.alias("m"))["m"]
    assert mask.dtype == pl.Boolean and mask.null_count() == 0
    return frame.filter(mask)["customer_id"].to_list()


def not_matching(rule: dict[str, Any]) -> list[str]:
    return [cid for cid in ALL if cid not in matching(rule)]


# --- operators by field type ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("=", 25, ["c1"]),
        ("!=", 25, ["c2", "c3", "c5", "c6", "c7", "c8"]),  # c4 (unknown age) is not matched
        ("<", 25, ["c5", "c8"]),
        ("<=", 25, ["c1", "c5", "c8"]),
        (">", 34, ["c3", "c6"]),
        (">=", 34, ["c2", "c3", "c6"]),
        ("between", [25, 34], ["c1", "c2", "c7"]),
        ("is_empty", None, ["c4"]),
        ("is_not_empty", None, ["c1", "c2", "c3", "c5", "c6", "c7", "c8"]),
    ],
)
def test_number_operators(op: str, value: Any, expected: list[str]) -> None:
    assert matching(leaf("age", op, value)) == expected


def test_number_operators_on_decimals_and_nan_counts_as_missing() -> None:
    assert matching(leaf("total_spend", ">=", 99.99)) == ["c1", "c5", "c6"]
    assert matching(leaf("total_spend", "<", 50)) == ["c3", "c7"]
    frame = pl.DataFrame({"customer_id": ["a", "b", "c"], "total_spend": [1.0, float("nan"), None]})
    assert matching(leaf("total_spend", ">", 0), frame) == ["a"]
    assert matching(leaf("total_spend", "is_empty"), frame) == ["b", "c"]


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("is", "France", ["c1", "c5"]),  # trimmed, but case matters: "france" is another value
        ("is_not", "France", ["c2", "c4", "c6", "c7"]),  # unknown (c3) and blank (c8) are not
        ("in", ["France", "Spain"], ["c1", "c4", "c5"]),
        ("not_in", ["France", "Spain"], ["c2", "c6", "c7"]),
        ("contains", "FRAN", ["c1", "c5", "c7"]),
        ("starts_with", "fr", ["c1", "c5", "c7"]),
        ("starts_with", "uni", ["c2"]),
        ("is_empty", None, ["c3", "c8"]),
        ("is_not_empty", None, ["c1", "c2", "c4", "c5", "c6", "c7"]),
    ],
)
def test_category_operators(op: str, value: Any, expected: list[str]) -> None:
    assert matching(leaf("country", op, value)) == expected


def test_text_operators() -> None:
    assert matching(leaf("interests", "contains", "fitness")) == ["c1", "c2"]
    assert matching(leaf("interests", "is_empty")) == ["c3", "c5", "c7"]
    assert matching(leaf("email", "starts_with", "FRED")) == ["c7"]
    assert matching(leaf("email", "contains", "@shop.fr")) == ["c1", "c4", "c7"]
    assert matching(leaf("email", "is", "dan@x.com")) == ["c5"]


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("before", "2026-07-03", ["c2", "c6"]),
        ("after", "2026-07-03", ["c4", "c5", "c7"]),
        ("between", ["2026-07-03", "2026-10-01"], ["c1", "c4", "c7"]),
        # in the last 90 days: 2026-07-03 .. 2026-10-01 (the analysis date) inclusive
        ("in_last", {"n": 90, "unit": "days"}, ["c1", "c4", "c7"]),
        ("more_than_ago", {"n": 90, "unit": "days"}, ["c2", "c6"]),
        ("in_last", {"n": 2, "unit": "weeks"}, ["c4", "c7"]),
        ("more_than_ago", {"n": 2, "unit": "weeks"}, ["c1", "c2", "c6"]),
        ("in_last", {"n": 3, "unit": "months"}, ["c1", "c2", "c4", "c7"]),
        ("more_than_ago", {"n": 2, "unit": "years"}, ["c6"]),
        ("is_empty", None, ["c3", "c8"]),
        ("is_not_empty", None, ["c1", "c2", "c4", "c5", "c6", "c7"]),
    ],
)
def test_date_operators(op: str, value: Any, expected: list[str]) -> None:
    assert matching(leaf("last_order_date", op, value)) == expected


def test_calendar_months_clamp_the_day() -> None:
    assert shift_back(D(2026, 3, 31), 1, "months") == D(2026, 2, 28)
    assert shift_back(D(2028, 3, 31), 1, "months") == D(2028, 2, 29)
    assert shift_back(D(2026, 1, 31), 2, "months") == D(2025, 11, 30)
    assert shift_back(D(2028, 2, 29), 1, "years") == D(2027, 2, 28)
    assert shift_back(D(2026, 10, 1), 3, "weeks") == D(2026, 9, 10)
    frame = pl.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "signup_date": [D(2028, 2, 28), D(2028, 2, 29), D(2028, 3, 1)],
        }
    )
    month = {"n": 1, "unit": "months"}
    assert matching(leaf("signup_date", "in_last", month), frame, D(2028, 3, 31)) == ["b", "c"]
    assert matching(leaf("signup_date", "more_than_ago", month), frame, D(2028, 3, 31)) == ["a"]


def test_relative_dates_need_the_analysis_date() -> None:
    with pytest.raises(CriteriaError) as error:
        matching({"all": [leaf("signup_date", "in_last", {"n": 3, "unit": "months"})]}, FRAME, None)
    message = str(error.value)
    assert message.startswith("segment 'Test', condition 1: Signup date")
    assert "set the project's analysis date" in message and "\n" not in message
    assert matching(leaf("signup_date", "before", "2021-01-01"), FRAME, None) == ["c6"]


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        ("is_true", ["c1", "c5", "c7"]),
        ("is_false", ["c2", "c6"]),
        ("is_empty", ["c3", "c4", "c8"]),
        ("is_not_empty", ["c1", "c2", "c5", "c6", "c7"]),
    ],
)
def test_boolean_operators(op: str, expected: list[str]) -> None:
    assert matching(leaf("marketing_opt_in", op)) == expected


SAMPLE_VALUES = {
    ("number", "between"): [1, 2],
    ("number", "other"): 1,
    ("date", "between"): ["2025-01-01", "2026-01-01"],
    ("date", "in_last"): {"n": 1, "unit": "days"},
    ("date", "more_than_ago"): {"n": 1, "unit": "days"},
    ("date", "other"): "2025-01-01",
    ("category", "in"): ["France"],
    ("category", "not_in"): ["France"],
    ("category", "other"): "France",
}
FIELD_OF_TYPE = {
    "number": "age",
    "date": "signup_date",
    "category": "country",
    "text": "email",
    "boolean": "marketing_opt_in",
}


@pytest.mark.parametrize(
    ("field_type", "op"), [(kind, op) for kind, ops in OPERATORS.items() for op, _label in ops]
)
def test_every_offered_operator_compiles_and_never_gives_null(field_type: str, op: str) -> None:
    kind = "category" if field_type == "text" else field_type
    value = SAMPLE_VALUES.get((kind, op), SAMPLE_VALUES.get((kind, "other")))
    rule = leaf(FIELD_OF_TYPE[field_type], op, value if op_needs_value(op) else None)
    assert len(matching(rule)) <= len(ALL)  # matching() checks Boolean and no nulls


def test_op_needs_value() -> None:
    assert op_needs_value("between") and op_needs_value("in_last") and op_needs_value("is")
    assert not op_needs_value("is_empty") and not op_needs_value("is_true")
    assert not op_needs_value("in_segment")


# --- groups and segment of segment ---------------------------------------------------------


def test_nested_groups() -> None:
    young_french_or_frequent = {
        "all": [
            leaf("age", ">=", 25),
            {"any": [leaf("country", "is", "France"), leaf("orders", ">=", 5)]},
        ]
    }
    assert matching(young_french_or_frequent) == ["c1", "c3", "c6"]
    # "none of" matches customers whose country is unknown; "is not" does not
    assert matching({"not": [leaf("country", "is", "France")]}) == not_matching(
        leaf("country", "is", "France")
    )
    assert len(matching({"not": [leaf("country", "is", "France")]})) == 6
    assert matching({"not": [leaf("country", "is", "France"), leaf("age", "<", 25)]}) == [
        "c2",
        "c3",
        "c4",
        "c6",
        "c7",
    ]
    deep = {"any": [{"not": [{"all": [leaf("age", ">=", 25), leaf("gender", "is", "F")]}]}]}
    assert matching(deep) == ["c2", "c4", "c5", "c7", "c8"]


def test_segment_of_segment() -> None:
    calls: list[tuple[str, str]] = []

    def members(segmentation: str, segment: str) -> list[str]:
        calls.append((segmentation, segment))
        return ["c1", "c2", "zz"] if (segmentation, segment) == ("RFM", "Champions") else []

    ref = {"op": "in_segment", "segmentation": "RFM", "segment": "Champions"}
    assert matching(ref, members=members) == ["c1", "c2"]
    not_ref = {**ref, "op": "not_in_segment"}
    assert matching(not_ref, members=members) == ["c3", "c4", "c5", "c6", "c7", "c8"]
    assert matching({**ref, "segment": "Loyal"}, members=members) == []
    with pytest.raises(CriteriaError, match="segments of other segmentations cannot be used"):
        matching(ref)

    calls.clear()
    segmentation = RuleSegmentation.from_json(
        {
            "mode": "exclusive",
            "segments": [
                {"name": "Champs 30+", "rule": {"all": [ref, leaf("age", ">=", 30)]}},
                {"name": "Other champs", "rule": {"all": [ref]}},
            ],
        },
        BY_NAME,
    )
    result = assign(features(), segmentation, members)
    assert dict(result.assignments.iter_rows())["c1"] == "Other champs"
    assert dict(result.assignments.iter_rows())["c2"] == "Champs 30+"
    assert calls == [("RFM", "Champions")]  # asked once per run


# --- validation ----------------------------------------------------------------------------


def rejected(rule: Any, where: str = "segment 'Young repeaters'", **kwargs: Any) -> str:
    with pytest.raises(CriteriaError) as error:
        node_from_json(rule, BY_NAME, where, **kwargs)
    message = str(error.value)
    assert "\n" not in message
    return message


def test_validation_messages_name_the_segment_condition_and_field() -> None:
    rule = {"all": [leaf("age", ">=", 18), {"any": [leaf("agee", "=", 1)]}]}
    assert rejected(rule) == (
        "segment 'Young repeaters', condition 2.1: field 'agee' is not a field of this project; "
        "pick one from the list."
    )
    assert rejected({"all": [leaf("age", "contains", "x")]}) == (
        "segment 'Young repeaters', condition 1: operator 'contains' does not apply to a number "
        "field (Age); use one of =, ≠, <, ≤, >, ≥, between, is empty, is not empty."
    )
    assert rejected({"all": [leaf("age", ">", "abc")]}) == (
        "segment 'Young repeaters', condition 1: value 'abc' for Age is not a number"
    )
    assert rejected({"all": [leaf("age", ">", 1), {"any": []}]}) == (
        "segment 'Young repeaters', condition 2: group 'any' is empty; "
        "add a condition or delete the group"
    )
    assert rejected({"all": []}) == (
        "segment 'Young repeaters' has no conditions; add one or delete the segment"
    )
    assert "between needs two values for Age, low then high" in rejected(
        {"all": [leaf("age", "between", [25])]}
    )
    assert "low then high (not 34 then 25)" in rejected({"all": [leaf("age", "between", [34, 25])]})
    assert "for Signup date is not a date; write it as yyyy-mm-dd" in rejected(
        leaf("signup_date", "before", "2026-13-01")
    )
    assert "for Last order date is not a period" in rejected(
        leaf("last_order_date", "in_last", {"n": 3, "unit": "fortnights"})
    )
    assert "Last order date must be at least 1 day" in rejected(
        leaf("last_order_date", "in_last", {"n": 0, "unit": "days"})
    )
    assert "Country is any of needs at least one value" in rejected(leaf("country", "in", []))
    assert "Email contains needs a value" in rejected(leaf("email", "contains", "  "))
    assert "in_segment needs a segmentation and a segment" in rejected(
        {"op": "in_segment", "segmentation": "RFM"}
    )
    assert "condition 1: expected a group" in rejected({"all": ["age > 3"]})
    assert "a group has exactly one key" in rejected({"all": [], "any": []})
    assert "has no field" in rejected({"all": [{"op": "="}]})
    assert rejected(leaf("agee", "=", 1), where="").startswith("Field 'agee' is not a field")


def test_editor_may_keep_empty_groups() -> None:
    node = node_from_json({"all": [{"any": []}]}, BY_NAME, "segment 'X'", allow_empty=True)
    assert node == Group("all", (Group("any", ()),))


def segmentation_json(mode: str = "exclusive", **extra: Any) -> dict[str, Any]:
    return {
        "mode": mode,
        "else": "Everyone else",
        "segments": [
            {"name": "Young", "rule": {"all": [leaf("age", "between", [18, 30])]}},
            {"name": "France", "rule": {"all": [leaf("country", "in", ["France"])]}},
            {"name": "Repeat", "rule": {"all": [leaf("orders", ">=", 2)]}},
        ],
        **extra,
    }


def segmentation_rejected(data: Any, **kwargs: Any) -> str:
    with pytest.raises(CriteriaError) as error:
        RuleSegmentation.from_json(data, BY_NAME, **kwargs)
    assert "\n" not in str(error.value)
    return str(error.value)


def test_segmentation_validation() -> None:
    data = segmentation_json()
    data["segments"][2]["name"] = "young "
    assert segmentation_rejected(data) == "two segments are named 'young'; rename one of them"
    data["segments"][2]["name"] = " "
    assert segmentation_rejected(data) == "segment 3 has no name; type one"
    assert segmentation_rejected(segmentation_json(**{"else": "FRANCE"})) == (
        "the segment for everyone else is named 'FRANCE' like another segment; rename one of them"
    )
    assert segmentation_rejected({"mode": "exclusive", "segments": []}) == (
        "the segmentation has no segments; add at least one to run it"
    )
    assert "mode 'both' is not known" in segmentation_rejected(segmentation_json("both"))
    data = segmentation_json()
    data["segments"][1]["rule"] = {"all": []}
    assert segmentation_rejected(data) == (
        "segment 'France' has no conditions; add one or delete the segment"
    )
    # the editor can load and store work in progress, but it does not run
    draft = RuleSegmentation.from_json(data, BY_NAME, allow_empty=True)
    with pytest.raises(CriteriaError, match="segment 'France' has no conditions"):
        assign(features(), draft)
    empty = RuleSegmentation.from_json({"mode": "overlapping"}, BY_NAME, allow_empty=True)
    assert empty.segments == [] and empty.segment_names == []
    # a segmentation built in code is checked when it runs
    built = RuleSegmentation("exclusive", [RuleSegment("A", Condition("agee", "=", 1))])
    with pytest.raises(CriteriaError, match="segment 'A': field 'agee' is not a field"):
        assign(features(), built)


# --- descriptions --------------------------------------------------------------------------


def described(rule: dict[str, Any]) -> str:
    return describe(node_from_json(rule, BY_NAME, "segment 'X'"), BY_NAME)


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (
            {
                "all": [
                    leaf("age", "between", [25, 34]),
                    leaf("orders", ">=", 2),
                    leaf("last_order_date", "in_last", {"n": 90, "unit": "days"}),
                ]
            },
            "Age 25–34 and at least 2 orders and last order in the last 90 days",
        ),
        (
            leaf("country", "in", ["United Kingdom", "France"]),
            "Country is United Kingdom or France",
        ),
        (leaf("country", "in", ["A", "B", "C"]), "Country is A, B or C"),
        (leaf("country", "not_in", ["France", "Spain"]), "Country is neither France nor Spain"),
        (leaf("country", "not_in", ["A", "B", "C"]), "Country is none of A, B, C"),
        (leaf("country", "is_not", "France"), "Country is not France"),
        ({"not": [leaf("gender", "is", "F")]}, "None of (gender is F)"),
        (
            {"not": [leaf("gender", "is", "F"), leaf("age", "<", 18)]},
            "None of (gender is F; age < 18)",
        ),
        (
            {"op": "in_segment", "segmentation": "RFM", "segment": "Champions"},
            "In segment Champions of RFM",
        ),
        (
            {
                "all": [
                    leaf("age", ">=", 18),
                    {"op": "not_in_segment", "segmentation": "RFM", "segment": "Lost"},
                ]
            },
            "Age ≥ 18 and not in segment Lost of RFM",
        ),
        (
            {
                "all": [
                    leaf("age", ">=", 18),
                    {"any": [leaf("country", "is", "France"), leaf("country", "is", "Spain")]},
                    {"all": [leaf("nps_score", ">=", 9)]},
                ]
            },
            "Age ≥ 18 and (country is France or country is Spain) and NPS score ≥ 9",
        ),
        (leaf("total_spend", ">=", 1000), "Total spend ≥ 1,000.00"),
        (leaf("total_spend", "between", [99.5, 12345]), "Total spend 99.50–12,345.00"),
        (leaf("discount_share", ">=", 0.25), "Discount share ≥ 25%"),
        (leaf("orders", "=", 1), "Exactly 1 order"),
        (leaf("orders", "<", 3), "Fewer than 3 orders"),
        (leaf("orders", "between", [2, 5]), "2–5 orders"),
        (leaf("orders", "!=", 1), "Orders is not 1"),
        (leaf("recency_days", "<=", 30), "Last order at most 30 days ago"),
        (leaf("tenure_days", ">=", 365), "Tenure ≥ 365 days"),
        (leaf("age", "=", 30), "Age is 30"),
        (leaf("age", "is_empty"), "Age is empty"),
        (leaf("interests", "contains", "fitness"), 'Interests contains "fitness"'),
        (leaf("email", "starts_with", "ann"), 'Email starts with "ann"'),
        (leaf("signup_date", "before", "2025-01-31"), "Signup before 31 Jan 2025"),
        (
            leaf("signup_date", "between", ["2025-01-01", "2025-03-31"]),
            "Signup between 1 Jan 2025 and 31 Mar 2025",
        ),
        (leaf("signup_date", "in_last", {"n": 1, "unit": "months"}), "Signup in the last month"),
        (
            leaf("signup_date", "more_than_ago", {"n": 1, "unit": "years"}),
            "Signup more than 1 year ago",
        ),
        (leaf("signup_date", "is_not_empty"), "Signup date is not empty"),
        (leaf("marketing_opt_in", "is_true"), "Marketing opt-in is true"),
    ],
)
def test_describe(rule: dict[str, Any], text: str) -> None:
    assert described(rule) == text


def test_describe_groups_of_one_need_no_parentheses() -> None:
    either = {"any": [leaf("country", "is", "France"), leaf("age", "<", 18)]}
    assert described({"all": [either]}) == "Country is France or age < 18"
    assert described({"all": [leaf("orders", ">", 1), {"all": [either]}]}) == (
        "More than 1 order and (country is France or age < 18)"
    )


def test_describe_half_built_and_stale_rules() -> None:
    assert describe(Group("all", ()), BY_NAME) == "No conditions yet"
    assert describe(Condition("gone", "=", 3), BY_NAME) == "Gone = 3"


# --- values typed in the editor ------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "op", "text", "value"),
    [
        ("age", "between", "25-34", [25, 34]),
        ("age", "between", "25 34", [25, 34]),
        ("age", "between", "25 to 34", [25, 34]),
        ("age", "between", "between 25 and 34", [25, 34]),
        ("age", "between", "25–34", [25, 34]),
        ("age", "between", "-5-3", [-5, 3]),
        ("age", ">=", " 18 ", 18),
        ("total_spend", ">=", "£1,234.50", 1234.5),
        ("total_spend", ">=", "2,5", 2.5),
        ("total_spend", "between", "1,000 - 2,000", [1000, 2000]),
        ("discount_share", ">=", "30%", 0.3),
        ("discount_share", ">=", "30", 0.3),
        ("discount_share", ">=", "0.3", 0.3),
        ("last_order_date", "in_last", "90 days", {"n": 90, "unit": "days"}),
        ("last_order_date", "in_last", "90", {"n": 90, "unit": "days"}),
        ("last_order_date", "in_last", "2w", {"n": 2, "unit": "weeks"}),
        ("last_order_date", "more_than_ago", "3 Months", {"n": 3, "unit": "months"}),
        ("last_order_date", "more_than_ago", "1 year ago", {"n": 1, "unit": "years"}),
        ("signup_date", "before", "2025-01-31", "2025-01-31"),
        ("signup_date", "after", "31 Jan 2025", "2025-01-31"),
        ("signup_date", "between", "2025-01-01 to 2025-03-31", ["2025-01-01", "2025-03-31"]),
        ("signup_date", "between", "2025-01-01 2025-03-31", ["2025-01-01", "2025-03-31"]),
        ("country", "in", "France, Spain , France,", ["France", "Spain"]),
        ("country", "is", "  France ", "France"),
        ("country", "is_empty", "whatever", None),
    ],
)
def test_parse_value(field: str, op: str, text: str, value: Any) -> None:
    assert parse_value(BY_NAME[field], op, text) == value


@pytest.mark.parametrize(
    ("field", "op", "text", "message"),
    [
        ("age", ">", "abc", "value 'abc' for Age is not a number"),
        ("age", "between", "25", "between needs two values for Age, low then high"),
        ("age", "between", "34-25", "low then high"),
        ("last_order_date", "in_last", "soon", "'soon' for Last order date is not a period"),
        ("signup_date", "before", "31/01/2025", "is not a date; write it as yyyy-mm-dd"),
        ("country", "in", " , ", "needs at least one value"),
    ],
)
def test_parse_value_refuses_clearly(field: str, op: str, text: str, message: str) -> None:
    with pytest.raises(CriteriaError, match=message):
        parse_value(BY_NAME[field], op, text)


# --- JSON ----------------------------------------------------------------------------------


def test_json_round_trip_and_normalisation() -> None:
    rule = {
        "all": [
            leaf("age", "between", [25, 34]),
            {"any": [leaf("country", "in", ["France", "Spain"]), leaf("orders", ">=", 2)]},
            {"not": [leaf("marketing_opt_in", "is_false")]},
            leaf("last_order_date", "in_last", {"n": 90, "unit": "days"}),
            {"op": "not_in_segment", "segmentation": "RFM", "segment": "Lost"},
        ]
    }
    node = node_from_json(rule, BY_NAME)
    assert node_to_json(node) == rule
    assert node_from_json(node_to_json(node), BY_NAME) == node
    loose = {
        "all": [
            leaf("age", ">=", "18"),
            leaf("total_spend", ">", 100.0),
            leaf("signup_date", "after", D(2025, 1, 1)),
            leaf("country", "in", "France"),
            leaf("age", "is_empty", 3),
        ]
    }
    assert node_to_json(node_from_json(loose, BY_NAME)) == {
        "all": [
            leaf("age", ">=", 18),
            leaf("total_spend", ">", 100),
            leaf("signup_date", "after", "2025-01-01"),
            leaf("country", "in", ["France"]),
            leaf("age", "is_empty"),
        ]
    }


def test_segmentation_json_round_trip() -> None:
    data = segmentation_json()
    segmentation = RuleSegmentation.from_json(data, BY_NAME)
    assert segmentation.to_json() == data
    assert segmentation.segment_names == ["Young", "France", "Repeat", "Everyone else"]
    overlapping = RuleSegmentation.from_json(segmentation_json("overlapping"), BY_NAME)
    assert "else" not in overlapping.to_json()
    assert overlapping.segment_names == ["Young", "France", "Repeat"]


# --- tree edits ----------------------------------------------------------------------------

A = Condition("age", ">=", 18)
B = Condition("country", "is", "France")
C = Condition("orders", ">=", 2)
E = Condition("gender", "is", "F")
ROOT = Group("all", (A, Group("any", (B, C))))


def test_tree_edits_return_new_trees() -> None:
    assert node_at(ROOT, (1, 0)) == B and node_at(ROOT, ()) == ROOT
    added = with_added(ROOT, (1,), E)
    assert added == Group("all", (A, Group("any", (B, C, E))))
    assert with_added(ROOT, (), E, index=0) == Group("all", (E, A, Group("any", (B, C))))
    assert with_removed(ROOT, (1, 0)) == Group("all", (A, Group("any", (C,))))
    assert with_replaced(ROOT, (0,), E) == Group("all", (E, Group("any", (B, C))))
    assert with_replaced(ROOT, (), E) == E
    moved, path = with_moved(ROOT, (0,), 1)
    assert moved == Group("all", (Group("any", (B, C)), A)) and path == (1,)
    assert with_moved(ROOT, (1, 1), -5) == (Group("all", (A, Group("any", (C, B)))), (1, 0))
    assert node_at(ROOT, (1,)) == Group("any", (B, C))  # the edits left the original alone
    with pytest.raises(IndexError):
        node_at(ROOT, (1, 2))
    with pytest.raises(ValueError):
        with_added(ROOT, (0,), E)
    with pytest.raises(ValueError):
        with_removed(ROOT, ())


def test_iter_nodes_in_display_order() -> None:
    assert [(path, depth) for path, _node, depth in iter_nodes(ROOT)] == [
        ((), 0),
        ((0,), 1),
        ((1,), 1),
        ((1, 0), 2),
        ((1, 1), 2),
    ]
    assert [node for _path, node, _depth in iter_nodes(ROOT)][3] == B


# --- running, preview, overlap, pick lists -------------------------------------------------


def test_exclusive_first_match_wins_and_everyone_else() -> None:
    segmentation = RuleSegmentation.from_json(segmentation_json(), BY_NAME)
    result = assign(features(), segmentation)
    assert dict(result.assignments.iter_rows()) == {
        "c1": "Young",
        "c2": "Repeat",
        "c3": "Repeat",
        "c4": "Everyone else",
        "c5": "Young",
        "c6": "Repeat",
        "c7": "Young",
        "c8": "Young",
    }
    assert result.assignments.schema == pl.Schema({"customer_id": pl.String, "segment": pl.String})
    assert result.segments == ["Young", "France", "Repeat", "Everyone else"]
    assert result.details["mode"] == "exclusive"
    assert result.details["matched"] == {"Young": 4, "France": 2, "Repeat": 4}
    assert result.details["assigned"] == {"Young": 4, "France": 0, "Repeat": 3, "Everyone else": 1}
    assert result.details["descriptions"]["Repeat"] == "At least 2 orders"
    assert result.warnings == [
        "segment 'France' matched 2 customers but earlier segments took all of them; "
        "move it up or narrow the earlier ones"
    ]


def test_overlapping_gives_a_row_per_segment_and_none_for_the_unmatched() -> None:
    segmentation = RuleSegmentation.from_json(segmentation_json("overlapping"), BY_NAME)
    result = assign(features(), segmentation)
    rows = sorted(result.assignments.iter_rows())
    assert rows == [
        ("c1", "France"),
        ("c1", "Young"),
        ("c2", "Repeat"),
        ("c3", "Repeat"),
        ("c5", "France"),
        ("c5", "Repeat"),
        ("c5", "Young"),
        ("c6", "Repeat"),
        ("c7", "Young"),
        ("c8", "Young"),
    ]
    assert result.segments == ["Young", "France", "Repeat"]
    assert result.details["matched"] == {"Young": 4, "France": 2, "Repeat": 4}
    assert result.warnings == []


@pytest.mark.parametrize("mode", ["exclusive", "overlapping"])
def test_preview_counts_agree_with_assign(mode: str) -> None:
    segmentation = RuleSegmentation.from_json(segmentation_json(mode), BY_NAME)
    shown = preview(features(), segmentation)
    result = assign(features(), segmentation)
    sizes = dict(result.assignments.group_by("segment").len().iter_rows())
    assert shown.total == 8
    assert [s.matched for s in shown.segments] == [4, 2, 4]
    assert [s.assigned for s in shown.segments] == [
        sizes.get(n, 0) for n in ("Young", "France", "Repeat")
    ]
    assert shown.everyone_else == 1
    if mode == "exclusive":
        assert [s.assigned for s in shown.segments] == [4, 0, 3]
        assert [s.share for s in shown.segments] == [0.5, 0.0, 0.375]
        assert shown.else_name == "Everyone else" and sizes["Everyone else"] == 1
    else:
        assert shown.else_name is None
    assert shown.everyone_else_share == 0.125


def test_preview_node_counts_and_half_built_rules() -> None:
    rule = {
        "all": [
            leaf("age", ">=", 25),
            {"any": [leaf("country", "is", "France"), leaf("orders", ">=", 5), {"all": []}]},
        ]
    }
    data = {
        "mode": "exclusive",
        "segments": [
            {"name": "Draft", "rule": {"all": []}},
            {"name": "Mixed", "rule": rule},
        ],
    }
    segmentation = RuleSegmentation.from_json(data, BY_NAME, allow_empty=True)
    shown = preview(features(), segmentation, node_counts_for=1)
    assert shown.segments[0].matched == 0 and shown.segments[0].empty
    assert shown.segments[1].matched == 3 and not shown.segments[1].empty
    assert shown.node_counts == {(): 3, (0,): 5, (1,): 4, (1, 0): 2, (1, 1): 2}
    assert shown.everyone_else == 5


def test_overlap_matrix() -> None:
    segmentation = RuleSegmentation.from_json(segmentation_json(), BY_NAME)
    matrix = overlap_matrix(features(), segmentation)
    assert matrix.columns == ["segment", "Young", "France", "Repeat"]
    assert matrix.rows() == [
        ("Young", 4, 2, 1),
        ("France", 2, 2, 1),
        ("Repeat", 1, 1, 4),
    ]


def test_field_values() -> None:
    data = features()
    assert field_values(data, "country") == [
        ("France", 2),
        ("Germany", 1),
        ("Spain", 1),
        ("United Kingdom", 1),
        ("france", 1),
    ]
    assert field_values(data, "interests") == [
        ("cooking", 2),
        ("outdoors", 2),
        ("Fitness", 1),
        ("fitness", 1),
        ("parenting", 1),
        ("travel", 1),
    ]
    assert field_values(data, "interests", limit=2) == [("cooking", 2), ("outdoors", 2)]
    assert field_values(data, "orders", limit=2) == [("1", 2), ("0", 1)]
    assert field_values(data, "marketing_opt_in") == [("true", 3), ("false", 2)]
    with pytest.raises(CriteriaError, match="field 'nope'"):
        field_values(data, "nope")


def test_rule_segment_is_frozen_data() -> None:
    segment = RuleSegment("VIP", SegmentRef("RFM", "Champions"))
    assert node_to_json(segment.rule) == {
        "op": "in_segment",
        "segmentation": "RFM",
        "segment": "Champions",
    }


def test_preview_of_segments_without_conditions_counts_everyone_as_else() -> None:
    frame = pl.DataFrame({"customer_id": ["a", "b", "c"], "age": [20, 30, 40]})
    fields = {"age": FieldInfo("age", "Age", "number", "demographic")}
    features = Features(frame, list(fields.values()), dt.date(2026, 10, 1), "c", None)
    seg = RuleSegmentation.from_json(
        {"mode": "exclusive", "segments": [{"name": "A", "rule": {"all": []}}]},
        fields,
        allow_empty=True,
    )
    result = preview(features, seg)
    assert result.total == 3
    assert result.everyone_else == 3
    assert [s.matched for s in result.segments] == [0]
