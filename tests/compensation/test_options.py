"""The three options, table-driven over failure type × severity × segment with the default
catalog (issue #20): built from items that fit, never a filler; basic < expected < surprise;
each in its guidance range or saying why."""

from decimal import Decimal as D

import pytest

from cases.models import FailureType, Segment, Severity
from compensation import calculator as calc
from compensation.models import BasePlanItem, CompensationPolicy, RemedyItem
from compensation.selectors import QuoteInput, quote_build, range_note_text
from tests.conftest import api_as

TYPES = ["time_delay", "service_quality", "property_damage", "attitude", "safety",
         "process_error"]
COMBINATIONS = [(t, s, g) for t in TYPES for s in Severity.values for g in Segment.values]


@pytest.fixture
def catalog(db):
    return {i.code: i for i in RemedyItem.objects.all()}


@pytest.mark.parametrize(("failure_type", "severity", "segment"), COMBINATIONS)
def test_options_grow_fit_and_explain_themselves(catalog, failure_type, severity, segment):
    quote = quote_build(data=QuoteInput(failure_type=failure_type, severity=severity,
                                        segment=segment, order_amount=D("600")))
    basic, expected, surprise = quote.options
    assert basic.total_value < expected.total_value < surprise.total_value
    plan_values = dict(BasePlanItem.objects.filter(
        plan__failure_type__code=failure_type, plan__severity=severity,
        value__isnull=False).values_list("item__code", "value"))
    for option in quote.options:
        codes = [line.code for line in option.lines]
        assert len(codes) == len(set(codes)), codes
        for line in option.lines:
            item = catalog[line.code]
            assert not item.fits or failure_type in item.fits, (option.tier, line.code)
            # Never sized to reach a number: a catalog value, its range, what was paid, or the
            # base plan's own value.
            allowed = {item.value, item.value_max, plan_values.get(line.code), D("600.00"),
                       D("0.00")}
            assert line.value in allowed, (option.tier, line.code, line.value)
        assert option.outside_range == bool(option.range_note)
        if option.outside_range:
            assert range_note_text(option=option, quote=quote)
    if severity != "crisis":
        added = {line.code for o in quote.options[1:] for line in o.lines} - {
            line.code for line in basic.lines}
        assert "senior_visit" not in added  # no executive's visit for a missed car wash
    assert sum(o.recommended for o in quote.options) == 1


def test_an_item_that_does_not_fit_is_left_out_even_from_the_base_plan(db):
    RemedyItem.objects.filter(code="car_wash").update(fits=["safety"])
    quote = quote_build(data=QuoteInput(failure_type="time_delay", severity="minor"))
    assert all(line.code != "car_wash" for o in quote.options for line in o.lines)


def test_the_recommendation_is_the_most_generous_option_the_budget_covers(db):
    quote = quote_build(data=QuoteInput(failure_type="attitude", severity="minor"))
    assert [o.recommended for o in quote.options] == [True, False, False]
    assert quote.target_value == quote.options[0].total_value


def test_the_multiplicative_scheme_is_data(org):
    policy = CompensationPolicy.current()
    policy.coefficient_scheme = "multiplicative"
    policy.save()
    body = api_as(org.manager1).post("/api/v1/compensation/quote/", {
        "failure_type": "service_quality", "severity": "severe", "vip": True,
        "flags": ["multiple_repair", "public_complaint"], "base_value": "2000"},
        format="json").json()
    assert body["coefficient"] == "5.4"  # 能力3: VIP ×1.5 × multiple repairs ×2.0 × public ×1.8
    assert body["target_value"] == "10800.00"


def test_failure_types_are_data(db):
    assert set(TYPES) <= set(FailureType.objects.values_list("code", flat=True))
    assert calc.ADDITIVE == CompensationPolicy.current().coefficient_scheme
