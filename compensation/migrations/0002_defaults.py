"""SPEC §5–§6 defaults: catalog, base plans (seed 000 §2.2, 001 能力3), coefficient matrix
(001 工具2), guidance ranges (000 §2.3), authority limits (000 §4.1) and the policy row."""

from datetime import timedelta
from decimal import Decimal as D

from django.db import migrations

ALL = []
# code, name, English name, dimension, value, share of the repair order, variable, segments
CATALOG = [
    ("waive_fee", "免除本次维修费", "Waive this repair order", "material", D("500"), D("1.00"),
     True, ["price_sensitive", "business", "regular"]),
    ("refund", "退还费用", "Refund", "material", D("500"), D("1.00"), True, ["price_sensitive"]),
    ("voucher", "代金券", "Voucher", "material", D("100"), None, True,
     ["price_sensitive", "regular"]),
    ("discount", "下次维修8折", "Discount on the next visit", "material", D("200"), None, True,
     ["price_sensitive"]),
    ("car_wash", "洗车券", "Car wash voucher", "material", D("50"), None, False,
     ["price_sensitive", "regular"]),
    ("free_maintenance", "免费保养", "Free maintenance", "material", D("800"), None, True,
     ["regular", "price_sensitive", "business"]),
    ("extended_warranty", "延长质保", "Extended warranty", "material", D("2000"), None, True,
     ["high_end", "regular"]),
    ("gift", "精致礼品", "Gift", "material", D("200"), None, True, ["high_end", "regular"]),
    ("loaner_car", "代步车", "Loaner car", "convenience", D("300"), None, True,
     ["business", "high_end"]),
    ("pickup_delivery", "上门取送车", "Pick-up and delivery", "convenience", D("200"), None,
     False, ["business", "high_end"]),
    ("priority_lane", "VIP优先通道", "Priority lane", "convenience", D("100"), None, False,
     ["business", "high_end"]),
    ("dedicated_advisor", "专属服务顾问", "Dedicated advisor", "convenience", D("300"), None,
     False, ["high_end", "business"]),
    # Emotional items cost nothing in cash; they are ordered from a call to a senior visit.
    ("apology_call", "电话致歉", "Apology by phone", "emotional", D("0"), None, False, ALL),
    ("apology_letter", "书面道歉信", "Apology letter", "emotional", D("0"), None, False, ALL),
    ("apology_visit", "当面/登门致歉", "Apology in person", "emotional", D("0"), None, False,
     ALL),
    ("senior_visit", "高层登门拜访", "Senior management visit", "emotional", D("0"), None,
     False, ["high_end"]),
]

# (failure type, severity): [(item, value or None for the catalog value)]
PLANS = {
    # 000 §2.2 type 1; 001 能力3 "等待时间 · 中等: 道歉+免本次费用+下次8折".
    ("time_delay", "minor"): [("apology_call", None), ("car_wash", None)],
    ("time_delay", "moderate"): [("apology_call", None), ("waive_fee", None),
                                 ("discount", None)],
    ("time_delay", "severe"): [("apology_visit", None), ("waive_fee", None),
                               ("voucher", D("200")), ("priority_lane", None),
                               ("loaner_car", None)],
    ("time_delay", "crisis"): [("senior_visit", None), ("waive_fee", None),
                               ("voucher", D("500")), ("loaner_car", None),
                               ("dedicated_advisor", None)],
    # 000 §2.2 type 2; 001 能力3 "一次返修 · 中等", "多次返修 · 严重".
    ("service_quality", "minor"): [("apology_call", None), ("waive_fee", None)],
    ("service_quality", "moderate"): [("apology_call", None), ("waive_fee", None),
                                      ("loaner_car", None), ("free_maintenance", None)],
    ("service_quality", "severe"): [("apology_visit", None), ("waive_fee", None),
                                    ("extended_warranty", D("1500")), ("priority_lane", None)],
    ("service_quality", "crisis"): [("senior_visit", None), ("refund", None),
                                    ("extended_warranty", D("5000")),
                                    ("free_maintenance", None), ("dedicated_advisor", None)],
    # 000 §2.2 type 3.
    ("property_damage", "minor"): [("apology_call", None), ("refund", None)],
    ("property_damage", "moderate"): [("apology_visit", None), ("refund", None),
                                      ("voucher", D("500")), ("free_maintenance", None)],
    ("property_damage", "severe"): [("senior_visit", None), ("refund", None),
                                    ("loaner_car", None), ("free_maintenance", D("2000"))],
    ("property_damage", "crisis"): [("senior_visit", None), ("refund", None),
                                    ("loaner_car", None), ("free_maintenance", D("3000")),
                                    ("extended_warranty", None), ("dedicated_advisor", None)],
    # 000 §2.2 type 4; 001 能力3 "服务态度 · 轻微: 道歉+100元代金券".
    ("attitude", "minor"): [("apology_call", None), ("voucher", D("100"))],
    ("attitude", "moderate"): [("apology_visit", None), ("apology_letter", None),
                               ("voucher", D("100"))],
    ("attitude", "severe"): [("senior_visit", None), ("voucher", D("300")), ("gift", None),
                             ("dedicated_advisor", None)],
    ("attitude", "crisis"): [("senior_visit", None), ("apology_letter", None),
                             ("voucher", D("500")), ("gift", D("500")),
                             ("dedicated_advisor", None), ("priority_lane", None)],
    # 001 能力3 "安全问题 · 严重: 免全部费用+1年延保+高层道歉".
    ("safety", "minor"): [("apology_call", None), ("waive_fee", None)],
    ("safety", "moderate"): [("apology_visit", None), ("waive_fee", None),
                             ("loaner_car", None)],
    ("safety", "severe"): [("senior_visit", None), ("waive_fee", None),
                           ("extended_warranty", D("2500"))],
    ("safety", "crisis"): [("senior_visit", None), ("refund", None),
                           ("extended_warranty", D("5000")), ("loaner_car", None),
                           ("dedicated_advisor", None), ("free_maintenance", None)],
    ("process_error", "minor"): [("apology_call", None), ("car_wash", None)],
    ("process_error", "moderate"): [("apology_call", None), ("discount", None),
                                    ("voucher", D("200"))],
    ("process_error", "severe"): [("apology_visit", None), ("waive_fee", None),
                                  ("voucher", D("300")), ("priority_lane", None)],
    ("process_error", "crisis"): [("senior_visit", None), ("refund", None),
                                  ("voucher", D("500")), ("dedicated_advisor", None)],
}

FACTORS = [
    ("customer", "regular", D("1.0")), ("customer", "vip", D("1.5")),
    ("severity", "minor", D("1")), ("severity", "moderate", D("2")),
    ("severity", "severe", D("3")), ("severity", "crisis", D("5")),
    ("increment", "repeat_repair", D("0.5")), ("increment", "public_complaint", D("0.3")),
    ("increment", "media_exposure", D("1.0")), ("increment", "safety", D("1.0")),
    ("increment", "lawsuit", D("1.0")),
]

RANGES = [("minor", D("100"), D("300")), ("moderate", D("500"), D("1500")),
          ("severe", D("2000"), D("5000")), ("crisis", D("0"), None)]

LIMITS = [
    ("advisor", D("500"), None),
    ("service_manager", D("2000"), timedelta(hours=2)),
    ("center_director", D("2000"), timedelta(hours=2)),
    ("regional_director", D("5000"), timedelta(hours=6)),
    ("area_director", None, timedelta(hours=6)),
    ("hq", None, timedelta(hours=6)),
]


def load(apps, schema_editor):
    RemedyItem = apps.get_model("compensation", "RemedyItem")
    BasePlan = apps.get_model("compensation", "BasePlan")
    BasePlanItem = apps.get_model("compensation", "BasePlanItem")
    CoefficientFactor = apps.get_model("compensation", "CoefficientFactor")
    GuidanceRange = apps.get_model("compensation", "GuidanceRange")
    AuthorityLimit = apps.get_model("compensation", "AuthorityLimit")
    CompensationPolicy = apps.get_model("compensation", "CompensationPolicy")
    FailureType = apps.get_model("cases", "FailureType")
    items = {}
    for position, (code, name, name_en, dimension, value, share, variable, segments) in \
            enumerate(CATALOG, start=1):
        items[code], _ = RemedyItem.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "dimension": dimension, "value": value,
            "order_share": share, "variable": variable, "segments": segments,
            "position": position,
        })
    types = {t.code: t for t in FailureType.objects.all()}
    for (type_code, severity), lines in PLANS.items():
        if type_code not in types:
            continue
        plan, created = BasePlan.objects.get_or_create(failure_type=types[type_code],
                                                       severity=severity)
        if created:
            BasePlanItem.objects.bulk_create(
                BasePlanItem(plan=plan, item=items[code], value=value, position=n)
                for n, (code, value) in enumerate(lines)
            )
    for kind, key, value in FACTORS:
        CoefficientFactor.objects.get_or_create(kind=kind, key=key, defaults={"value": value})
    for severity, minimum, maximum in RANGES:
        GuidanceRange.objects.get_or_create(severity=severity, defaults={
            "minimum": minimum, "maximum": maximum})
    for role, limit, window in LIMITS:
        AuthorityLimit.objects.get_or_create(role=role, defaults={
            "limit": limit, "decision_window": window})
    CompensationPolicy.objects.get_or_create(pk=1, defaults={
        "loss_multiplier": D("2"), "expected_share": D("0.5"),
        "fallback_failure_type": types.get("service_quality"),
        "retry_delay": timedelta(minutes=5),
    })


class Migration(migrations.Migration):
    dependencies = [("compensation", "0001_initial"), ("cases", "0003_defaults")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
