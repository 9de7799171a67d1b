"""The compensation arithmetic of SPEC §5–§6, pure: plain values in, plain values out, no database.
Money is `Decimal` quantized to 0.01 CNY (half up, as a cashier rounds)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from recovery.data_i18n import in_language

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest amount a money column holds (12 digits, 2 of them cents): every sum that is stored
# or shown is checked against it before use.
MAX_MONEY = Decimal("9999999999.99")
TIERS = ("basic", "expected", "surprise")
DIMENSIONS = ("material", "emotional", "convenience")
# Several earlier repairs are still one "repeat repair" increment (seed 001 工具2 "多次返修").
IMPLIED_FLAGS = {"multiple_repair": "repeat_repair"}


class UnknownKey(ValueError):
    """A severity or customer type the coefficient matrix has no row for."""


def money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


SEVERITIES = ("minor", "moderate", "severe", "crisis")


@dataclass(frozen=True)
class Costs:
    """What the customer paid: this visit's repair order and the earlier visits for the same
    problem (from the service records)."""

    this_visit: Decimal | None = None
    earlier: tuple[Decimal, ...] = ()

    @property
    def all_visits(self) -> Decimal | None:
        if self.this_visit is None and not self.earlier:
            return None
        return (self.this_visit or ZERO) + sum(self.earlier, ZERO)


@dataclass(frozen=True)
class CatalogItem:
    """One remedy. `level` is its layer of seed 000's 3 × 3 matrix (basic / expected /
    surprise); its value is fixed, a range (`value` to `value_max`), or a share of what the
    customer paid (this visit, or with `earlier_visits` every visit for the same problem).
    `fits` are the failure types it suits (empty: every type); `replaces` is the item it
    supersedes in a higher option (waiving every visit replaces waiving this one)."""

    code: str
    name: str
    dimension: str
    value: Decimal
    order_share: Decimal | None = None
    variable: bool = False
    segments: frozenset[str] = frozenset()
    position: int = 0
    level: str = "expected"
    value_max: Decimal | None = None
    earlier_visits: bool = False
    fits: frozenset[str] = frozenset()
    min_severity: str = ""
    replaces: str = ""
    name_en: str = ""

    @property
    def label(self) -> str:
        """The name in the page's language."""
        return in_language(self.name, self.name_en)

    def value_for(self, *, order_amount: Decimal | None = None, costs: Costs | None = None,
                  high: bool = False) -> Decimal:
        """A share of what the customer paid when the item is priced that way and the amount is
        known; else the range's top (`high`) or its bottom / the fixed value."""
        costs = costs or Costs(this_visit=order_amount)
        if self.order_share is not None:
            paid = costs.all_visits if self.earlier_visits else costs.this_visit
            if paid:
                return money(paid * self.order_share)
        if high and self.value_max is not None:
            return money(self.value_max)
        return money(self.value)

    def suits(self, segment: str) -> bool:
        return not self.segments or segment in self.segments

    def fits_case(self, *, failure_type: str, severity: str) -> bool:
        if self.fits and failure_type not in self.fits:
            return False
        return not self.min_severity or _rank_of(severity) >= _rank_of(self.min_severity)


def _rank_of(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else 0


@dataclass(frozen=True)
class Line:
    code: str
    name: str
    dimension: str
    value: Decimal
    name_en: str = ""

    @property
    def label(self) -> str:
        """The name in the page's language (`name`, the catalog's Chinese, is what is stored)."""
        return in_language(self.name, self.name_en)


ADDITIVE, MULTIPLICATIVE = "additive", "multiplicative"


@dataclass(frozen=True)
class Factors:
    """Both coefficient schemes of seed 001 as data. Additive (工具2, the default): customer ×
    severity × (1 + Σ increments). Multiplicative (能力3): the product of the multipliers of the
    customer (`vip`) and of the case's flags; the base plan already depends on the severity."""

    customer: Mapping[str, Decimal]
    severity: Mapping[str, Decimal]
    increments: Mapping[str, Decimal]
    multipliers: Mapping[str, Decimal] = field(default_factory=dict)
    scheme: str = ADDITIVE


@dataclass(frozen=True)
class Range:
    minimum: Decimal
    maximum: Decimal | None

    def contains(self, amount: Decimal) -> bool:
        return amount >= self.minimum and (self.maximum is None or amount <= self.maximum)


@dataclass(frozen=True)
class Option:
    tier: str
    lines: tuple[Line, ...]
    total_value: Decimal
    approver_role: str | None
    outside_range: bool
    under_loss: bool
    recommended: bool = False
    # Why the option lies outside its guidance range, in plain words (empty when inside).
    range_note: str = ""


@dataclass(frozen=True)
class Quote:
    coefficient: Decimal
    base_value: Decimal
    target_value: Decimal
    range: Range
    options: tuple[Option, ...] = field(default_factory=tuple)


def effective_flags(flags: Iterable[str]) -> set[str]:
    flags = set(flags)
    return flags | {IMPLIED_FLAGS[f] for f in flags if f in IMPLIED_FLAGS}


def coefficient(*, factors: Factors, vip: bool, severity: str, flags: Iterable[str]) -> Decimal:
    """Additive: customer factor × severity factor × (1 + Σ increments of the case's flags) —
    seed 001 工具2: VIP, severe, repeat repair, public complaint → 1.5 × 3 × 1.8 = 8.1.
    Multiplicative: Π multipliers — seed 001 能力3: VIP ×1.5, multiple repairs ×2.0 → 3.0."""
    flags = effective_flags(flags)
    is_vip = vip or "vip" in flags
    if factors.scheme == MULTIPLICATIVE:
        keys = ({"vip"} if is_vip else set()) | flags
        product = Decimal(1)
        for key in sorted(keys):
            product *= factors.multipliers.get(key, Decimal(1))
        return product
    customer_key = "vip" if is_vip else "regular"
    try:
        customer = factors.customer[customer_key]
        severity_factor = factors.severity[severity]
    except KeyError as exc:
        raise UnknownKey(str(exc)) from exc
    increments = sum((factors.increments.get(f, ZERO) for f in sorted(flags)), ZERO)
    return customer * severity_factor * (1 + increments)


def target_value(*, base_value: Decimal, coefficient: Decimal) -> Decimal:
    return money(base_value * coefficient)


def covers(limit: Decimal | None, amount: Decimal) -> bool:
    """None is "no limit"; a limit covers an amount equal to it."""
    return limit is None or amount <= limit


def approver_role_for(*, amount: Decimal, limits: Mapping[str, Decimal | None]) -> str | None:
    """The lowest role (limits are given in rank order) whose limit covers the amount."""
    return next((role for role, limit in limits.items() if covers(limit, amount)), None)


def under_loss(*, amount: Decimal, loss: Decimal | None, multiplier: Decimal) -> bool:
    """001 原则1: an offer should be at least `multiplier` × the customer's loss."""
    return loss is not None and amount < money(loss * multiplier)


def too_large(amount: Decimal) -> bool:
    return amount > MAX_MONEY


def quote_too_large(q: "Quote") -> bool:
    return too_large(q.target_value) or any(
        too_large(o.total_value) or any(too_large(line.value) for line in o.lines)
        for o in q.options)


def total(lines: Iterable[Line]) -> Decimal:
    return money(sum((line.value for line in lines), ZERO))


def personalised(items: Iterable[CatalogItem], segment: str) -> list[CatalogItem]:
    """000 principle 5: items that suit the customer's segment come first (business: time
    savers, price-sensitive: vouchers and discounts, high-end: exclusive service)."""
    return sorted(items, key=lambda i: (not i.suits(segment), i.position, i.code))


def line_of(item: CatalogItem, value: Decimal) -> Line:
    return Line(code=item.code, name=item.name, dimension=item.dimension, value=money(value),
                name_en=item.name_en)


LEVELS = {"basic": 0, "expected": 1, "surprise": 2}


def _at_most(item: CatalogItem, tier: str) -> bool:
    return LEVELS.get(item.level, 1) <= LEVELS[tier]


def _apology(*, catalog: list[CatalogItem], lines: list[Line], tier: str) -> list[Line]:
    """The most senior apology the tier allows (apologies are ordered from a call to a senior
    visit), replacing a lesser one."""
    emotional = [i for i in catalog if i.dimension == "emotional" and _at_most(i, tier)]
    if not emotional:
        return lines
    best = max(emotional, key=lambda i: i.position)
    positions = {i.code: i.position for i in catalog}
    present = [x for x in lines if x.dimension == "emotional"]
    if any(positions.get(x.code, -1) >= best.position for x in present):
        return lines
    kept = [x for x in lines if x.dimension != "emotional"]
    return kept + [line_of(best, ZERO)]


def _extra(*, catalog: list[CatalogItem], lines: list[Line], levels: set[str], costs: Costs,
           dimension: str | None = None, high: bool = False) -> CatalogItem | None:
    """The first item (segment first, then position) of the given levels that is worth
    something, is not in the option yet and neither supersedes nor is superseded by an item in
    it."""
    present = {x.code for x in lines}
    superseded = {i.replaces for i in catalog if i.code in present and i.replaces}
    for item in catalog:
        if (item.dimension != "emotional" and item.level in levels
                and item.code not in present and item.code not in superseded
                and item.replaces not in present
                and (dimension is None or item.dimension == dimension)
                and item.value_for(costs=costs, high=high) > ZERO):
            return item
    return None


def _upgrades(*, catalog: list[CatalogItem], lines: list[Line], costs: Costs,
              target: Decimal) -> list[Line]:
    """Items of a higher option replace what they supersede when worth more (waiving every
    visit for the problem instead of this one; a warranty instead of a maintenance); a range
    item takes the top of its range while the option stays within the budget."""
    by_code = {i.code: i for i in catalog}
    upgraded = list(lines)
    for n, line in enumerate(lines):
        present = {x.code for x in upgraded}
        better = next((i for i in catalog if i.replaces == line.code
                       and i.code not in present), None)
        item = better or by_code.get(line.code)
        if item is None or (better is None and item.value_max is None):
            continue
        room = target - total(upgraded) + line.value
        top = item.value_for(costs=costs, high=True)
        value = top if top <= room else item.value_for(costs=costs)
        if value > line.value:
            upgraded[n] = line_of(item, value)
    return upgraded


def build_options(*, base_lines: list[Line], catalog: list[CatalogItem], segment: str,
                  target: Decimal, costs: Costs = Costs()) -> dict[str, list[Line]]:
    """000 §2.1 three levels from items that fit the case (the catalog given is already
    filtered to them), never a filler sized to reach a number:
    basic = the base plan; expected = + a sincere apology + one moderate extra from a
    dimension the plan lacks (convenience first); surprise = upgrades of what the plan gives
    (wider waivers, longer warranty, range tops), the most senior apology the severity allows,
    and one surprise item per material and convenience dimension while the total stays within
    the budget (base value × coefficient). Each is worth more than the one before."""
    catalog = personalised(catalog, segment)
    basic = sorted(base_lines, key=lambda line: _rank(catalog, line))
    expected = _apology(catalog=catalog, lines=list(basic), tier="expected")
    lacking = [d for d in ("convenience", "material")
               if not any(x.dimension == d for x in expected)]
    tries = [({"expected"}, d) for d in lacking] + [({"expected"}, None),
                                                    ({"basic", "expected"}, None)]
    for levels, dimension in tries:
        item = _extra(catalog=catalog, lines=expected, levels=levels, costs=costs,
                      dimension=dimension)
        if item is not None:
            expected.append(line_of(item, item.value_for(costs=costs)))
            break
    surprise = _apology(catalog=catalog, lines=_upgrades(catalog=catalog, lines=expected,
                                                         costs=costs, target=target),
                        tier="surprise")
    for dimension in ("material", "convenience"):
        item = _extra(catalog=catalog, lines=surprise, levels={"surprise"}, costs=costs,
                      dimension=dimension, high=True)
        value = item.value_for(costs=costs, high=True) if item else ZERO
        if item is not None and total(surprise) + value <= target:
            surprise.append(line_of(item, value))
    if total(surprise) <= total(expected):
        # The budget allows no surprise item: the first one still makes the option worth more.
        item = (_extra(catalog=catalog, lines=surprise, levels={"surprise"}, costs=costs,
                       high=True)
                or _extra(catalog=catalog, lines=surprise, levels=set(LEVELS), costs=costs,
                          high=True))
        if item is not None:
            surprise.append(line_of(item, item.value_for(costs=costs)))
    return {"basic": basic, "expected": expected, "surprise": surprise}


def _rank(catalog: list[CatalogItem], line: Line) -> int:
    order = {i.code: n for n, i in enumerate(catalog)}
    return order.get(line.code, len(order))


def range_note(*, amount: Decimal, guidance: Range, target: Decimal) -> str:
    """Why an option lies outside the guidance range (000 §2.3), as a code the caller words in
    the user's language; "" inside it."""
    if guidance.contains(amount):
        return ""
    if amount < guidance.minimum:
        return "below"  # the items that fit this failure add up to less
    return "above_within_budget" if amount <= target else "above_budget"


def quote(*, factors: Factors, severity: str, vip: bool, flags: Iterable[str], segment: str,
          base_lines: list[Line], catalog: list[CatalogItem], guidance: Range,
          limits: Mapping[str, Decimal | None], loss_multiplier: Decimal,
          base_value: Decimal | None = None, customer_loss: Decimal | None = None,
          costs: Costs = Costs()) -> Quote:
    coef = coefficient(factors=factors, vip=vip, severity=severity, flags=flags)
    base = money(base_value) if base_value is not None else total(base_lines)
    target = target_value(base_value=base, coefficient=coef)
    tiers = build_options(base_lines=base_lines, catalog=catalog, segment=segment,
                          target=target, costs=costs)
    totals = {tier: total(lines) for tier, lines in tiers.items()}
    # The budget picks the recommendation: the most generous option it covers (the basic one
    # when none is covered).
    recommended = next((t for t in reversed(TIERS) if totals[t] <= target), "basic")
    options = []
    for tier in TIERS:
        amount = totals[tier]
        options.append(Option(
            tier=tier, lines=tuple(tiers[tier]), total_value=amount,
            approver_role=approver_role_for(amount=amount, limits=limits),
            outside_range=not guidance.contains(amount),
            under_loss=under_loss(amount=amount, loss=customer_loss, multiplier=loss_multiplier),
            recommended=tier == recommended,
            range_note=range_note(amount=amount, guidance=guidance, target=target),
        ))
    return Quote(coefficient=coef, base_value=base, target_value=target, range=guidance,
                 options=tuple(options))


def rescale(lines: list[Line], new_total: Decimal) -> list[Line]:
    """Spread a changed offer total over its lines in proportion, so the lines still add up
    to the total to the cent; the rounding remainder goes to the largest line."""
    new_total = money(new_total)
    old_total = total(lines)
    if not lines:
        return lines
    if old_total == ZERO:
        return [replace(lines[0], value=new_total)] + [replace(x, value=ZERO) for x in lines[1:]]
    scaled = [replace(x, value=money(x.value * new_total / old_total)) for x in lines]
    largest = max(range(len(scaled)), key=lambda i: scaled[i].value)
    remainder = new_total - total(scaled)
    scaled[largest] = replace(scaled[largest], value=scaled[largest].value + remainder)
    return scaled
