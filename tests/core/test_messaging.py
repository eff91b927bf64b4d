"""Message drafts as data and their templates: a draft reads back from its JSON and refuses bad
values with a message naming the field; merge fields render with fallbacks, unknown fields and
syntax errors point at the place, the sandbox refuses tricks; channel limits count SMS
segments and subject lengths."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from segtui.core.messaging import (
    Draft,
    MessagingError,
    Offer,
    Variant,
    check_limits,
    check_template,
    discount_text,
    next_variant_name,
    parse_discount,
    render,
    render_checked,
    sms_count,
)

WHERE = "Champions, variant A, subject"
CONTEXT = {
    "first_name": "Freya",
    "last_name": "Patel",
    "email": "freya@example.com",
    "total_spend": 1234.5,
    "segment_name": "Champions",
    "currency": "£",
}


def _draft(**changes: object) -> Draft:
    values: dict[str, object] = {
        "segment": "Champions",
        "goal": "reward",
        "channel": "email",
        "offer": Offer("Early access to the sale", "percent", 15.0, "VIP15"),
        "variants": [
            Variant("A", "Thank you, {{ first_name | default('there') }}", "Body A"),
            Variant("B", "A gift for you", "Body B"),
        ],
        "cta": "Shop the sale",
        "send_note": "Tuesday 10:00",
        "holdout_pct": 10.0,
        "notes": "",
        "source": "playbook 'Champions'",
    }
    return Draft(**(values | changes))  # type: ignore[arg-type]


# --- the draft and its JSON ------------------------------------------------------------------


def test_a_draft_reads_back_from_its_json_unchanged() -> None:
    draft = _draft()
    text = json.dumps(draft.to_json())
    assert Draft.from_json(json.loads(text)) == draft


def test_from_json_files_the_draft_under_the_given_segment() -> None:
    assert Draft.from_json(_draft().to_json(), segment="VIPs").segment == "VIPs"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"goal": "win-back"}, "goal 'win-back' is not known; use one of win back"),
        ({"channel": "fax"}, "channel 'fax' is not known"),
        ({"holdout_pct": 60}, "holdout 60% is out of range; keep 0 to 50%"),
        ({"holdout_pct": -1}, "holdout -1% is out of range"),
        ({"holdout_pct": "ten"}, "holdout_pct must be a number"),
        ({"variants": []}, "at least one variant"),
        ({"variants": "A"}, "variants must be a list"),
        ({"colour": "red"}, "'colour' is not a draft field"),
        ({"offer": {"discount_kind": "percent", "discount": 150}}, "at most 100"),
        ({"offer": {"discount": 5}}, "percent or an amount"),
        ({"offer": {"discount_kind": "amount"}}, "give the amount discount a value"),
    ],
)
def test_from_json_refuses_bad_values_in_one_sentence(
    change: dict[str, object], message: str
) -> None:
    data = _draft().to_json() | change
    with pytest.raises(MessagingError, match=message) as caught:
        Draft.from_json(data)
    text = str(caught.value)
    assert text.startswith("draft for 'Champions'")
    assert "\n" not in text


def test_variants_need_distinct_names_and_the_next_name_is_free() -> None:
    with pytest.raises(MessagingError, match="two variants are named 'a'"):
        _draft(variants=[Variant("A"), Variant("a")])
    assert next_variant_name(_draft()) == "C"


def test_an_offer_describes_itself() -> None:
    assert Offer("Free delivery", "amount", 5.0, "SHIP5").describe("£") == (
        "Free delivery · £5.00 off · code SHIP5"
    )


# --- rendering -------------------------------------------------------------------------------


def test_a_missing_first_name_falls_back_to_there() -> None:
    template = 'Hi {{ first_name | default("there") }}, thanks for {{ total_spend | money }}'
    assert render(template, CONTEXT, where=WHERE) == "Hi Freya, thanks for £1,234"
    for empty in (None, "", "   "):
        context = CONTEXT | {"first_name": empty}
        assert render(template, context, where=WHERE) == "Hi there, thanks for £1,234"


def test_a_missing_field_without_fallback_renders_empty_and_is_reported() -> None:
    text, empty = render_checked(
        "Hi {{ first_name }}!", CONTEXT | {"first_name": None}, where=WHERE
    )
    assert (text, empty) == ("Hi !", ["first_name"])


def test_plain_text_is_not_escaped() -> None:
    context = CONTEXT | {"last_name": "O'Brien & <Sons>"}
    assert render("{{ last_name }}", context, where=WHERE) == "O'Brien & <Sons>"


def test_an_unknown_field_is_named_with_close_matches_and_its_place() -> None:
    with pytest.raises(MessagingError) as caught:
        render("Hello\n  {{ frist_name }}", CONTEXT, where=WHERE)
    assert str(caught.value) == (
        "Champions, variant A, subject: unknown field 'frist_name' at line 2, column 6; "
        "did you mean 'first_name' or 'last_name'?"
    )


def test_close_matches_ignore_case_and_find_fields_containing_the_name() -> None:
    with pytest.raises(MessagingError, match=r"did you mean 'segment_name'\?"):
        render("{{ SEGMENT_NAME }}", CONTEXT, where=WHERE)
    with pytest.raises(MessagingError, match=r"did you mean 'total_spend'\?"):
        render("{{ spend }}", CONTEXT, where=WHERE)
    with pytest.raises(MessagingError, match=r"'zzz' at line 1, column 4; pick one from the"):
        render("{{ zzz }}", CONTEXT, where=WHERE)


def test_an_unknown_field_is_refused_even_with_a_fallback() -> None:
    with pytest.raises(MessagingError, match="unknown field 'nickname'"):
        render('{{ nickname | default("you") }}', CONTEXT, where=WHERE)


def test_a_syntax_error_names_the_place_and_the_snippet() -> None:
    with pytest.raises(MessagingError) as caught:
        render("Dear customer,\nHi {{ first_name }", CONTEXT, where=WHERE)
    message = str(caught.value)
    assert message.startswith(f"{WHERE}: unexpected '}}' at line 2, column 4")
    assert "near '{{ first_name }'" in message


def test_an_unclosed_quote_points_at_the_quote() -> None:
    with pytest.raises(MessagingError, match=r"line 1, column 28 \(near '\"there\) }}'\)"):
        render('Hi {{ first_name | default("there) }}', CONTEXT, where=WHERE)


def test_an_unclosed_block_points_at_its_opening_tag() -> None:
    template = "Hi\n{% if total_spend %}big spender\n\nBye"
    with pytest.raises(MessagingError) as caught:
        render(template, CONTEXT, where=WHERE)
    assert "the {% if %} is never closed at line 2, column 1" in str(caught.value)
    assert "add {% endif %}" in str(caught.value)


def test_a_misspelt_filter_suggests_the_right_one() -> None:
    with pytest.raises(MessagingError, match=r"unknown filter 'defualt' at line 1.*'default'\?"):
        render('{{ first_name | defualt("there") }}', CONTEXT, where=WHERE)


def test_check_template_parses_without_rendering() -> None:
    check_template("{{ first_name | upper }}", {"first_name"}, where=WHERE)
    with pytest.raises(MessagingError, match="unknown field 'email'"):
        check_template("{{ email }}", {"first_name"}, where=WHERE)


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__ }}",
        "{{ first_name.__class__.__mro__[1].__subclasses__() }}",
        "{{ first_name.__init__.__globals__ }}",
        "{{ first_name | attr('__class__') }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ lipsum.__globals__['os'] }}",
        "{{ range.__self__ }}",
        "{{ self._TemplateReference__context }}",
    ],
)
def test_the_sandbox_refuses_attribute_tricks(template: str) -> None:
    with pytest.raises(MessagingError) as caught:
        render(template, CONTEXT, where=WHERE)
    message = str(caught.value)
    assert message.startswith(WHERE)
    assert "\n" not in message
    assert "class" not in message.split("not allowed")[-1]  # no object leaked into the text


def test_the_sandbox_refuses_huge_repeats_and_powers() -> None:
    with pytest.raises(MessagingError, match="text longer than 10,000"):
        render("{{ 'x' * 10000000 }}", CONTEXT, where=WHERE)
    with pytest.raises(MessagingError, match="power above 100"):
        render("{{ 9 ** 99999999 }}", CONTEXT, where=WHERE)
    assert render("{{ '-' * 3 }}", CONTEXT, where=WHERE) == "---"


def test_a_filter_that_cannot_take_the_value_is_a_clear_message() -> None:
    with pytest.raises(MessagingError, match=r"cannot render it for this customer.*filters"):
        render("{{ last_name | round }}", CONTEXT, where=WHERE)
    with pytest.raises(MessagingError, match=r"first_name is empty for this customer"):
        render("{{ first_name.upper() }}", CONTEXT | {"first_name": None}, where=WHERE)


def test_importing_messaging_does_not_load_jinja2() -> None:
    code = "import sys, segtui.core.messaging; print('jinja2' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


# --- channel limits --------------------------------------------------------------------------


def test_sms_counts_gsm_characters_and_segments() -> None:
    assert sms_count("a" * 160).segments == 1
    assert sms_count("a" * 161).segments == 2
    assert sms_count("a" * 306).segments == 2
    assert sms_count("a" * 307).segments == 3
    assert sms_count("€" * 80).length == 160  # extension characters take two places
    assert sms_count("€" * 81).segments == 2


def test_one_character_outside_gsm_makes_a_message_hold_70() -> None:
    count = sms_count("Thanks, we’ve saved you a seat")  # a curly apostrophe
    assert (count.encoding, count.first_outside) == ("UCS-2", "’")
    assert sms_count("é" * 70).encoding == "GSM-7"  # é is in the GSM alphabet
    assert sms_count("ê" * 70).segments == 1
    assert sms_count("ê" * 71).segments == 2
    assert sms_count("ê" * 134).segments == 2
    assert sms_count("ê" * 135).segments == 3
    assert sms_count("😀" * 35).segments == 1  # an emoji takes two units


def test_sms_limits_report_the_segments() -> None:
    [single] = check_limits("sms", "", "a" * 160)
    assert (single.ok, single.limit, single.segments) == (True, 160, 1)
    [long] = check_limits("sms", "", "ê" * 100)
    assert (long.ok, long.limit, long.segments, long.length) == (False, 70, 2, 100)
    assert "'ê' is not in the GSM alphabet" in long.note
    limits = check_limits("sms", "Subject", "hi")
    assert [(limit.what, limit.ok) for limit in limits] == [("SMS text", True), ("subject", True)]
    assert "no subject" in limits[1].note


def test_email_subject_length_is_checked() -> None:
    [fine] = check_limits("email", "x" * 60, "body")
    assert fine.ok
    [long] = check_limits("email", "x" * 61, "body")
    assert (long.ok, long.length, long.limit) == (False, 61, 60)
    assert "60 characters" in long.note
    [blank] = check_limits("email", " ", "body")
    assert not blank.ok


def test_ad_social_and_direct_mail_limits() -> None:
    headline, text = check_limits("ad", "h" * 41, "t" * 125)
    assert (headline.what, headline.ok, text.what, text.ok) == (
        "headline",
        False,
        "primary text",
        True,
    )
    [post] = check_limits("social", "", "p" * 281)
    assert (post.limit, post.ok) == (280, False)
    assert check_limits("direct mail", "s" * 500, "b" * 5000) == []


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("20%", "percent", 20.0),
        (" 12.5 % ", "percent", 12.5),
        ("5", "amount", 5.0),
        ("£5.50", "amount", 5.5),
        ("1,000", "amount", 1000.0),
        ("5,50", "amount", 5.5),
        ("12,5 %", "percent", 12.5),
        ("5 €", "amount", 5.0),
        ("EUR 5", "amount", 5.0),
        ("£1 250", "amount", 1250.0),
        ("", "", None),
    ],
)
def test_a_discount_reads_as_people_type_it(typed: str, kind: str, value: float | None) -> None:
    assert parse_discount(typed, "£") == (kind, value)
    if value is not None:
        offer = Offer(discount_kind=kind, discount=value)  # type: ignore[arg-type]
        assert parse_discount(discount_text(offer, "£"), "£") == (kind, value)


@pytest.mark.parametrize("typed", ["twenty", "0", "-5%", "150%", "£", "nan"])
def test_a_discount_that_cannot_be_read_says_how_to_write_it(typed: str) -> None:
    with pytest.raises(MessagingError, match="discount"):
        parse_discount(typed, "£")


def test_discount_text_groups_thousands_only_for_reading() -> None:
    offer = Offer(discount_kind="amount", discount=1250.0)
    assert discount_text(offer, "€") == "€1250"
    assert discount_text(offer, "€", grouped=True) == "€1,250"
