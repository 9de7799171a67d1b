"""The pure arithmetic, table-driven over every factor (SPEC §5, seed 001 工具2)."""

from decimal import Decimal as D

import pytest

from compensation import calculator as calc

FACTORS = calc.Factors(
    customer={"regular": D("1.0"), "vip": D("1.5")},
    severity={"minor": D("1"), "moderate": D("2"), "severe": D("3"), "crisis": D("5")},
    increments={"repeat_repair": D("0.5"), "public_complaint": D("0.3"),
                "media_exposure": D("1.0"), "safety": D("1.0"), "lawsuit": D("1.0")},
)
LIMITS = {"advisor": D("500"), "service_manager": D("2000"), "center_director": D("2000"),
          "regional_director": D("5000"), "area_director": None, "hq": None}


@pytest.mark.parametrize(("vip", "severity", "flags", "expected"), [
    # customer factor
    (False, "minor", [], "1"),
    (True, "minor", [], "1.5"),
    # severity factor
    (False, "moderate", [], "2"),
    (False, "severe", [], "3"),
    (False, "crisis", [], "5"),
    # each increment alone
    (False, "minor", ["repeat_repair"], "1.5"),
    (False, "minor", ["public_complaint"], "1.3"),
    (False, "minor", ["media_exposure"], "2"),
    (False, "minor", ["safety"], "2"),
    (False, "minor", ["lawsuit"], "2"),
    # flags without an increment change nothing; multiple repairs count once as a repeat
    (False, "minor", ["onsite_complaint", "refund_request"], "1"),
    (False, "minor", ["multiple_repair"], "1.5"),
    (False, "minor", ["repeat_repair", "multiple_repair"], "1.5"),
    # the "vip" case flag makes a VIP like the customer profile does
    (False, "minor", ["vip"], "1.5"),
    # seed 001 工具2 worked example: 1.5 × 3 × (1 + 0.5 + 0.3)
    (True, "severe", ["repeat_repair", "public_complaint"], "8.1"),
    # everything at once: 1.5 × 5 × (1 + 0.5 + 0.3 + 1 + 1 + 1)
    (True, "crisis", ["repeat_repair", "public_complaint", "media_exposure", "safety",
                      "lawsuit"], "36"),
])
def test_coefficient_multiplies_customer_severity_and_increments(vip, severity, flags,
                                                                 expected):
    result = calc.coefficient(factors=FACTORS, vip=vip, severity=severity, flags=flags)
    assert isinstance(result, D)
    assert result == D(expected)


def test_worked_example_coefficient_is_exactly_8_1():
    coef = calc.coefficient(factors=FACTORS, vip=True, severity="severe",
                            flags=["repeat_repair", "public_complaint"])
    assert coef == D("8.1")
    assert calc.target_value(base_value=D("2000"), coefficient=coef) == D("16200.00")


def test_unknown_severity_is_refused():
    with pytest.raises(calc.UnknownKey):
        calc.coefficient(factors=FACTORS, vip=False, severity="apocalyptic", flags=[])


@pytest.mark.parametrize(("value", "expected"), [
    ("0.005", "0.01"), ("0.004", "0.00"), ("99.995", "100.00"), ("1.115", "1.12"),
    ("2.675", "2.68"), ("10", "10.00"),
])
def test_money_rounds_half_up_to_the_cent(value, expected):
    assert str(calc.money(D(value))) == expected


@pytest.mark.parametrize(("base", "coef", "expected"), [
    ("333.33", "1.5", "500.00"),   # 499.995 rounds up
    ("333.33", "1.3", "433.33"),   # 433.329
    ("100.01", "8.1", "810.08"),   # 810.081
    ("0.01", "0.5", "0.01"),       # 0.005 rounds up
])
def test_target_value_is_rounded_to_the_cent(base, coef, expected):
    target = calc.target_value(base_value=D(base), coefficient=D(coef))
    assert target == D(expected) and target.as_tuple().exponent == -2


@pytest.mark.parametrize(("amount", "role"), [
    ("0", "advisor"), ("499", "advisor"), ("500", "advisor"), ("500.01", "service_manager"),
    ("501", "service_manager"), ("1999", "service_manager"), ("2000", "service_manager"),
    ("2001", "regional_director"), ("4999", "regional_director"),
    ("5000", "regional_director"), ("5001", "area_director"), ("1000000", "area_director"),
])
def test_approver_role_is_the_lowest_whose_limit_covers_the_amount(amount, role):
    assert calc.approver_role_for(amount=D(amount), limits=LIMITS) == role


@pytest.mark.parametrize(("amount", "loss", "flagged"), [
    ("999.99", "500", True), ("1000", "500", False), ("0", None, False),
])
def test_offer_under_twice_the_loss_is_flagged(amount, loss, flagged):
    assert calc.under_loss(amount=D(amount), loss=D(loss) if loss else None,
                           multiplier=D("2")) is flagged


@pytest.mark.parametrize(("amount", "inside"), [("99.99", False), ("100", True),
                                                ("300", True), ("300.01", False)])
def test_guidance_range_bounds_are_inclusive(amount, inside):
    assert calc.Range(minimum=D("100"), maximum=D("300")).contains(D(amount)) is inside


def test_a_range_without_a_cap_never_flags_high_values():
    assert calc.Range(minimum=D("0"), maximum=None).contains(D("99999999"))


def _item(code, dimension, value, position, *, level="expected", segments=(), **kw):
    return calc.CatalogItem(code=code, name=code, dimension=dimension, value=D(value),
                            segments=frozenset(segments), position=position, level=level, **kw)


CATALOG = [
    _item("waive_fee", "material", "500", 1, level="basic", order_share=D("1.00")),
    _item("waive_all", "material", "500", 1, level="surprise", order_share=D("1.00"),
          earlier_visits=True, replaces="waive_fee"),
    _item("voucher", "material", "100", 2, value_max=D("500"),
          segments={"price_sensitive", "regular"}),
    _item("maintenance", "material", "800", 3),
    _item("warranty", "material", "2000", 4, level="surprise", value_max=D("5000"),
          replaces="maintenance"),
    _item("gift", "material", "100", 5, level="surprise", value_max=D("500"),
          segments={"high_end"}),
    _item("loaner_car", "convenience", "300", 6, segments={"business", "high_end"}),
    _item("pickup", "convenience", "200", 7, segments={"price_sensitive"}),
    _item("priority_lane", "convenience", "100", 8, level="surprise"),
    _item("apology_call", "emotional", "0", 9, level="basic"),
    _item("apology_visit", "emotional", "0", 10),
    _item("senior_visit", "emotional", "0", 11, level="surprise"),
]
FITS = {i.code: i for i in CATALOG}


ONE_VISIT = calc.Costs(this_visit=D("800"))


def _quote(*, segment="regular", vip=False, severity="moderate", flags=(), loss=None,
           base_value=None, costs=ONE_VISIT):
    base = [calc.line_of(FITS["waive_fee"], D("800")),
            calc.line_of(FITS["maintenance"], D("800"))]
    return calc.quote(
        factors=FACTORS, severity=severity, vip=vip, flags=flags, segment=segment,
        base_lines=base, catalog=CATALOG, guidance=calc.Range(D("500"), D("1500")),
        limits=LIMITS, loss_multiplier=D("2"), base_value=base_value, customer_loss=loss,
        costs=costs,
    )


def _codes(option):
    return [line.code for line in option.lines]


def test_three_options_from_real_items_never_padded_to_the_target():
    quote = _quote(costs=calc.Costs(this_visit=D("800"), earlier=(D("800"),)))
    basic, expected, surprise = quote.options
    assert quote.target_value == D("3200.00")  # 1600 × 2
    assert _codes(basic) == ["waive_fee", "maintenance"]
    # + the most senior apology of the expected level + a convenience extra
    assert _codes(expected) == ["waive_fee", "maintenance", "apology_visit", "loaner_car"]
    assert expected.total_value == D("1900.00")
    # waiving both visits replaces waiving this one; the warranty replaces the maintenance at
    # the bottom of its range (its top would pass the budget); the senior visit; the gift and
    # the lane do not fit in the budget any more
    assert _codes(surprise) == ["waive_all", "warranty", "loaner_car", "senior_visit"]
    assert surprise.total_value == D("3900.00")
    assert [o.recommended for o in quote.options] == [False, True, False]
    assert [o.range_note for o in quote.options] == ["above_within_budget",
                                                     "above_within_budget", "above_budget"]


def test_a_generous_budget_takes_range_tops_and_one_surprise_per_dimension():
    surprise = _quote(vip=True, severity="crisis", flags=["media_exposure"]).options[2]
    assert _codes(surprise) == ["waive_fee", "warranty", "loaner_car", "senior_visit", "gift",
                                "priority_lane"]
    assert surprise.lines[1].value == D("5000.00") and surprise.lines[4].value == D("500.00")
    assert surprise.recommended


def test_base_value_overrides_the_plan_total_for_the_target():
    assert _quote(base_value=D("100")).target_value == D("200.00")


def test_options_under_twice_the_customer_loss_are_flagged():
    flags = [o.under_loss for o in _quote(loss=D("900")).options]
    assert flags == [True, False, False]


@pytest.mark.parametrize(("segment", "extra"), [
    ("business", "loaner_car"),
    ("price_sensitive", "pickup"),
    ("high_end", "loaner_car"),
    ("regular", "loaner_car"),
])
def test_personalisation_picks_the_extra_the_segment_values(segment, extra):
    assert _codes(_quote(segment=segment).options[1])[-1] == extra


def test_segment_items_come_first_in_every_option():
    basic = _quote(segment="high_end").options[0]
    assert _codes(basic) == ["waive_fee", "maintenance"]


def test_the_multiplicative_scheme_multiplies_the_flags_multipliers():
    factors = calc.Factors(customer={}, severity={}, increments={}, scheme=calc.MULTIPLICATIVE,
                           multipliers={"vip": D("1.5"), "multiple_repair": D("2.0"),
                                        "public_complaint": D("1.8"), "media_exposure": D("3.0"),
                                        "safety": D("5.0")})
    assert calc.coefficient(factors=factors, vip=True, severity="severe",
                            flags=["multiple_repair", "public_complaint"]) == D("5.4")
    assert calc.coefficient(factors=factors, vip=False, severity="minor", flags=[]) == 1
    assert calc.coefficient(factors=factors, vip=False, severity="minor",
                            flags=["safety", "lawsuit"]) == D("5.0")


@pytest.mark.parametrize(("values", "new_total"), [
    (["100.00", "200.00", "0.00"], "1000.00"),
    (["33.33", "33.33", "33.34"], "10.00"),
    (["0.00", "0.00"], "50.00"),
])
def test_rescaled_lines_add_up_to_the_new_total_to_the_cent(values, new_total):
    lines = [calc.Line(f"x{n}", "x", "material", D(v)) for n, v in enumerate(values)]
    scaled = calc.rescale(lines, D(new_total))
    assert calc.total(scaled) == D(new_total)
    assert all(line.value.as_tuple().exponent == -2 for line in scaled)
