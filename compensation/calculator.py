"""The compensation arithmetic of SPEC §5–§6, pure: plain values in, plain values out, no database.
Money is `Decimal` quantized to 0.01 CNY (half up, as a cashier rounds)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

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


@dataclass(frozen=True)
class CatalogItem:
    code: str
    name: str
    dimension: str
    value: Decimal
    order_share: Decimal | None = None
    variable: bool = False
    segments: frozenset[str] = frozenset()
    position: int = 0

    def value_for(self, *, order_amount: Decimal | None) -> Decimal:
        """A share of the repair order when the item is priced that way and the order is known,
        else the catalog value."""
        if self.order_share is not None and order_amount:
            return money(order_amount * self.order_share)
        return money(self.value)

    def suits(self, segment: str) -> bool:
        return not self.segments or segment in self.segments


@dataclass(frozen=True)
class Line:
    code: str
    name: str
    dimension: str
    value: Decimal


@dataclass(frozen=True)
class Factors:
    customer: Mapping[str, Decimal]
    severity: Mapping[str, Decimal]
    increments: Mapping[str, Decimal]


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
    """customer factor × severity factor × (1 + Σ increments of the case's flags) — seed 001
    工具2: VIP, severe, repeat repair, public complaint → 1.5 × 3 × 1.8 = 8.1."""
    flags = effective_flags(flags)
    customer_key = "vip" if vip or "vip" in flags else "regular"
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
    return Line(code=item.code, name=item.name, dimension=item.dimension, value=money(value))


def _fillable(item: CatalogItem) -> bool:
    """A variable material or convenience item can be sized to close a gap."""
    return item.variable and item.order_share is None and item.dimension != "emotional"


def _add_filler(*, catalog: list[CatalogItem], lines: list[Line], goal: Decimal) -> list[Line]:
    """Close the gap to the goal with a new fillable item; when every one is already in the
    option, the last fillable line grows instead."""
    gap = money(goal) - total(lines)
    if gap <= ZERO:
        return lines
    present = {line.code for line in lines}
    new = next((i for i in catalog if _fillable(i) and i.code not in present), None)
    if new:
        return lines + [line_of(new, gap)]
    fillable = {i.code for i in catalog if _fillable(i)}
    for n in range(len(lines) - 1, -1, -1):
        if lines[n].code in fillable:
            grown = replace(lines[n], value=lines[n].value + gap)
            return lines[:n] + [grown] + lines[n + 1:]
    return lines


def _first_new(*, catalog: list[CatalogItem], lines: list[Line], dimension: str,
               last: bool = False) -> CatalogItem | None:
    present = {line.code for line in lines}
    found = [i for i in catalog if i.dimension == dimension and i.code not in present]
    if not found:
        return None
    # Emotional items are ordered from a call to a senior visit: the surprise takes the highest.
    return max(found, key=lambda i: i.position) if last else found[0]


def build_options(*, base_lines: list[Line], catalog: list[CatalogItem], segment: str,
                  target: Decimal, expected_share: Decimal) -> dict[str, list[Line]]:
    """000 §2.1 three levels: basic = the base plan; expected = + apology + a moderate extra;
    surprise = all three dimensions, a senior apology, and value up to the target."""
    catalog = personalised(catalog, segment)
    by_code = {i.code: i for i in catalog}
    basic = sorted(base_lines, key=lambda line: _rank(by_code, line, segment))
    expected = list(basic)
    apology = _first_new(catalog=catalog, lines=expected, dimension="emotional")
    if apology:
        expected.append(line_of(apology, apology.value))
    basic_total = total(basic)
    if target > basic_total:
        expected = _add_filler(catalog=catalog, lines=expected,
                               goal=basic_total + (target - basic_total) * expected_share)
    surprise = list(expected)
    senior = _first_new(catalog=catalog, lines=surprise, dimension="emotional", last=True)
    if senior:
        surprise.append(line_of(senior, senior.value))
    for dimension in DIMENSIONS:
        if not any(line.dimension == dimension for line in surprise):
            item = _first_new(catalog=catalog, lines=surprise, dimension=dimension)
            if item:
                surprise.append(line_of(item, item.value))
    surprise = _add_filler(catalog=catalog, lines=surprise, goal=target)
    return {"basic": basic, "expected": expected, "surprise": surprise}


def _rank(by_code: Mapping[str, CatalogItem], line: Line, segment: str) -> tuple:
    item = by_code.get(line.code)
    if item is None:
        return (True, 0, line.code)
    return (not item.suits(segment), item.position, item.code)


def quote(*, factors: Factors, severity: str, vip: bool, flags: Iterable[str], segment: str,
          base_lines: list[Line], catalog: list[CatalogItem], guidance: Range,
          limits: Mapping[str, Decimal | None], expected_share: Decimal,
          loss_multiplier: Decimal, base_value: Decimal | None = None,
          customer_loss: Decimal | None = None) -> Quote:
    coef = coefficient(factors=factors, vip=vip, severity=severity, flags=flags)
    base = money(base_value) if base_value is not None else total(base_lines)
    target = target_value(base_value=base, coefficient=coef)
    tiers = build_options(base_lines=base_lines, catalog=catalog, segment=segment,
                          target=target, expected_share=expected_share)
    options = []
    for tier in TIERS:
        lines = tiers[tier]
        amount = total(lines)
        options.append(Option(
            tier=tier, lines=tuple(lines), total_value=amount,
            approver_role=approver_role_for(amount=amount, limits=limits),
            outside_range=not guidance.contains(amount),
            under_loss=under_loss(amount=amount, loss=customer_loss, multiplier=loss_multiplier),
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
