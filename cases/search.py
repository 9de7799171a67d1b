"""The search box: one query over case number, customer name, phone, plate, VIN and repair
order. The expressions are those the trigram indexes of migration 0005 cover on PostgreSQL;
SQLite runs the same LIKE without an index."""

from django.db.models import Func, Q, TextField

from .models import Case, Customer, ServiceRecord

# Trigrams need three characters: a shorter query matches the start of a customer's name (a
# two-character Chinese name typed whole), which the index still serves.
MIN_CONTAINS = 3
MAX_QUERY = 100


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
    """Cases matching the search text, as a filter to combine with the user's scope."""
    text = search_normalize(q)
    if not text:
        return Q()
    if len(text) < MIN_CONTAINS:
        customers = _matching(Customer, ("name", "phone", "plate", "vin"), "startswith", text)
        return Q(pk__in=Case.objects.filter(customer__in=customers.values("pk")).values("pk"))
    customers = _matching(Customer, ("name", "phone", "plate", "vin"), "contains", text)
    records = _matching(ServiceRecord, ("order_number", "plate", "vin"), "contains", text)
    # A union of three indexed look-ups: an OR across the joins would read every case.
    ids = _matching(Case, ("number",), "contains", text).values("pk").union(
        Case.objects.filter(customer__in=customers.values("pk")).values("pk"),
        Case.objects.filter(service_record__in=records.values("pk")).values("pk"),
    )
    return Q(pk__in=ids)
