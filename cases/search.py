"""The search box: one query over case number, customer name, phone, plate, VIN and repair
order. The expressions are those the trigram indexes of migration 0012_vehicle_and_search
cover on PostgreSQL; SQLite runs the same LIKE without an index."""

from django.db.models import Exists, Func, OuterRef, Q, TextField
from django.db.models.lookups import Contains

from .models import Customer, ServiceRecord

# Trigrams need three characters: a shorter query matches the start of a customer's name (a
# two-character Chinese name typed whole), which the index still serves.
MIN_CONTAINS = 3
MAX_QUERY = 100
CUSTOMER_FIELDS = ("name", "phone", "plate", "vin")
RECORD_FIELDS = ("order_number", "plate", "vin")
BROAD = 2000


class SearchText(Func):
    """UPPER(a || ' ' || b …): spelled as in the migration, so that PostgreSQL uses the index."""

    arg_joiner = " || ' ' || "
    template = "UPPER(%(expressions)s)"
    output_field = TextField()


def _matching(model, fields: tuple[str, ...], lookup: str, text: str):
    return model.objects.alias(search=SearchText(*fields)).filter(**{f"search__{lookup}": text})


def search_normalize(q: str) -> str:
    return " ".join(q.split())[:MAX_QUERY].upper()


def case_search_q(q: str) -> Q:
    """Cases matching the search text, as a filter to combine with the user's scope. Three
    characters or more match anywhere; shorter text matches the start or end of a name.

    The matching customers and visits are read first, up to BROAD of each: then the cases are
    one OR of three indexed conditions. Text that matches more (a common name, "138") gives
    EXISTS conditions instead, which PostgreSQL checks while it walks the newest cases: with
    that many matches the first page fills at once."""
    text = search_normalize(q)
    if not text:
        return Q()
    if len(text) < MIN_CONTAINS:
        # The start or the end of a name (a surname, a given name): the padding trigrams at a
        # word's edges still use the index.
        customers = Customer.objects.alias(search=SearchText(*CUSTOMER_FIELDS)).filter(
            Q(search__startswith=text) | Q(search__contains=f"{text} "))
        records = ServiceRecord.objects.none()
        number = Q(pk__in=[])
    else:
        customers = _matching(Customer, CUSTOMER_FIELDS, "contains", text)
        records = _matching(ServiceRecord, RECORD_FIELDS, "contains", text)
        number = Q(Contains(SearchText("number"), text))
    customer_ids = list(customers.order_by().values_list("pk", flat=True)[:BROAD])
    record_ids = list(records.order_by().values_list("pk", flat=True)[:BROAD])
    if len(customer_ids) < BROAD and len(record_ids) < BROAD:
        return number | Q(customer_id__in=customer_ids) | Q(service_record_id__in=record_ids)
    return (number | Exists(customers.filter(pk=OuterRef("customer_id")))
            | Exists(records.filter(pk=OuterRef("service_record_id"))))
