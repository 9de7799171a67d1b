"""The search box: one query over case number, customer name, phone, plate, VIN and repair
order. The expressions are those the trigram indexes of migration 0012_vehicle_and_search
and the btree indexes of 0015_search_code_indexes cover on PostgreSQL; SQLite runs the same
LIKE without an index."""

import re

from django.db.models import Exists, F, Func, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Reverse, Upper
from django.db.models.lookups import Contains, In, StartsWith

from .models import Case, Customer, ServiceRecord

# Trigrams need three characters: a shorter query matches the start of a customer's name (a
# two-character Chinese name typed whole), which the index still serves.
MIN_CONTAINS = 3
MAX_QUERY = 100
CUSTOMER_FIELDS = ("name", "phone", "plate", "vin")
RECORD_FIELDS = ("order_number", "plate", "vin")
BROAD = 2000
NOTHING = Q(pk__in=[])
# Text shaped like a repair order or a case number, whole or its head or tail (RO00080029,
# SR261205-0080029, 6-0080029): letters, digits and the separators they use, with a digit.
CODE = re.compile(r"(?=.*\d)[A-Z0-9][A-Z0-9./_-]{5,}")

class SearchText(Func):
    """UPPER(a || ' ' || b …): spelled as in the migration, so that PostgreSQL uses the index."""

    arg_joiner = " || ' ' || "
    template = "UPPER(%(expressions)s)"
    output_field = TextField()


class AnyOf(In):
    """IN, as one array parameter on PostgreSQL, read through a sub-select: the planner then
    neither parses nor estimates each of up to 2 000 values (5 to 10 ms of planning), and reads
    the matching cases through the index on the column rather than walking the newest cases
    until it has a page of them (24 000 buffers for a common name's 1 100 customers)."""

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = "{" + ",".join(str(int(v)) for v in self.rhs) + "}"
        return f"{lhs} = ANY((SELECT %s::bigint[])::bigint[])", (*lhs_params, ids)


def _matching(model, fields: tuple[str, ...], lookup: str, text: str):
    return model.objects.alias(search=SearchText(*fields)).filter(**{f"search__{lookup}": text})


def _head_or_tail(field: str, text: str) -> Q:
    """The field begins or ends with the text: two btree look-ups where the trigram index reads
    the long lists of the trigrams every repair order or case number shares."""
    return (Q(StartsWith(Upper(field), text))
            | Q(StartsWith(Reverse(Upper(field)), text[::-1])))


def _cases_where(column: str, rows: QuerySet) -> Q:
    """Cases whose `column` is one of the rows: their ids when there are fewer than BROAD, which
    the case's indexes serve; else an EXISTS that PostgreSQL checks while it walks the newest
    cases, which fills a page at once when matches are that common."""
    ids = list(rows.order_by().values_list("pk", flat=True)[:BROAD])
    return _cases_among(column, rows, ids)


def _cases_among(column: str, rows: QuerySet, ids: list[int]) -> Q:
    if len(ids) >= BROAD:
        return Q(Exists(rows.filter(pk=OuterRef(column))))
    return Q(AnyOf(F(column), ids)) if ids else NOTHING


def search_normalize(q: str) -> str:
    return " ".join(q.split())[:MAX_QUERY].upper()


def case_search_q(q: str) -> Q:
    """Cases matching the search text, as a filter to combine with the user's scope. Three
    characters or more match anywhere; shorter text matches the start or end of a name.

    Text shaped like a repair order or case number is first looked up at the head and tail of
    those numbers (btree): a repair order or case number typed whole (with its letters) finds
    its cases alone; a head or tail finds those numbers' cases and the customers whose name,
    phone, plate or VIN holds the text. Only when no number of a kind begins or ends with the
    text is it looked for inside them (trigrams), as any other text is."""
    text = search_normalize(q)
    if not text:
        return Q()
    if len(text) < MIN_CONTAINS:
        # The start or the end of a name (a surname, a given name): the padding trigrams at a
        # word's edges still use the index.
        return _cases_where("customer_id", Customer.objects.alias(
            search=SearchText(*CUSTOMER_FIELDS)).filter(
            Q(search__startswith=text) | Q(search__contains=f"{text} ")))
    number = Q(Contains(SearchText("number"), text))
    record = None
    if CODE.fullmatch(text):
        cases = Case.objects.filter(_head_or_tail("number", text))
        orders = ServiceRecord.objects.filter(_head_or_tail("order_number", text))
        by_number = list(cases.order_by().values_list("pk", "number")[:BROAD])
        by_order = list(orders.order_by().values_list("pk", "order_number")[:BROAD])
        if by_number:
            number = _cases_among("pk", cases, [pk for pk, _ in by_number])
        if by_order:
            record = _cases_among("service_record_id", orders, [pk for pk, _ in by_order])
        if (any(c.isalpha() for c in text)
                and text in {n.upper() for _, n in by_number + by_order}):
            return (number if by_number else NOTHING) | (record or NOTHING)
    if record is None:
        record = _cases_where("service_record_id",
                              _matching(ServiceRecord, RECORD_FIELDS, "contains", text))
    return number | record | _cases_where(
        "customer_id", _matching(Customer, CUSTOMER_FIELDS, "contains", text))
