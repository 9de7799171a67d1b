"""Offers from real values (issue #20): each catalog item says which layer of seed 000's 3 × 3
matrix it belongs to, which failure types it fits (000 §2.2), its value range, what it supersedes;
waiving every visit for a repeated problem is an item; the multiplicative coefficient scheme
(001 能力3) is data beside the additive one (工具2, the default); the base plan of a severe
service-quality failure is 工具2's (waive this repair + the next maintenance)."""

from decimal import Decimal
from decimal import Decimal as D

import django.core.validators
from django.db import migrations, models


REPAIRS = ["time_delay", "service_quality", "property_damage", "safety"]
# code: (level, top of the range, fits (empty = every type), from severity, replaces)
ITEMS = {
    "waive_fee": ("basic", None, ["time_delay", "service_quality", "safety", "process_error"],
                  "", ""),
    "refund": ("basic", None, ["property_damage", "process_error", "service_quality", "safety"],
               "", ""),
    "voucher": ("expected", D("500"),
                ["time_delay", "property_damage", "attitude", "process_error"], "", ""),
    "discount": ("expected", None, ["time_delay", "process_error"], "", ""),
    "car_wash": ("basic", None, ["time_delay", "service_quality", "attitude", "process_error"],
                 "", ""),
    "free_maintenance": ("expected", None, ["service_quality", "property_damage", "safety"],
                         "", ""),
    "extended_warranty": ("surprise", D("5000"), ["service_quality", "property_damage", "safety"],
                          "", "free_maintenance"),
    "gift": ("surprise", D("500"), [], "", ""),
    "loaner_car": ("expected", None, REPAIRS, "", ""),
    "pickup_delivery": ("expected", None, REPAIRS, "", ""),
    "priority_lane": ("surprise", None, REPAIRS + ["process_error"], "", ""),
    "dedicated_advisor": ("surprise", None, [], "", ""),
    "apology_call": ("basic", None, [], "", ""),
    "apology_letter": ("expected", None, [], "", ""),
    "apology_visit": ("expected", None, [], "", ""),
    "senior_visit": ("surprise", None, [], "crisis", ""),
}
# Ranges start where the catalog value is: a voucher ¥100–500, a gift ¥100–500 (000 §4.2).
BOTTOM = {"gift": D("100")}
# 001 工具2: "免除本次及前两次所有费用".
REPEAT_FEES = ("waive_repeat_fees", "免除本次及此前同一问题的费用",
               "Waive this and the earlier visits' fees for the problem")
# 001 能力3 "调整系数".
MULTIPLIERS = [("vip", D("1.5")), ("multiple_repair", D("2.0")), ("public_complaint", D("1.8")),
               ("media_exposure", D("3.0")), ("safety", D("5.0"))]


def load(apps, schema_editor):
    RemedyItem = apps.get_model("compensation", "RemedyItem")
    BasePlan = apps.get_model("compensation", "BasePlan")
    BasePlanItem = apps.get_model("compensation", "BasePlanItem")
    CoefficientFactor = apps.get_model("compensation", "CoefficientFactor")
    for code, (level, top, fits, min_severity, replaces) in ITEMS.items():
        changes = {"level": level, "value_max": top, "fits": fits, "min_severity": min_severity,
                   "replaces": replaces}
        if code in BOTTOM:
            changes["value"] = BOTTOM[code]
        RemedyItem.objects.filter(code=code).update(**changes)
    waive = RemedyItem.objects.filter(code="waive_fee").first()
    code, name, name_en = REPEAT_FEES
    RemedyItem.objects.get_or_create(code=code, defaults={
        "name": name, "name_en": name_en, "dimension": "material", "value": D("500"),
        "order_share": D("1.00"), "variable": True, "earlier_visits": True,
        "segments": ["price_sensitive", "business", "regular", "high_end"],
        "level": "surprise", "fits": ["service_quality", "safety"], "replaces": "waive_fee",
        "position": (waive.position if waive else 1),
    })
    for key, value in MULTIPLIERS:
        CoefficientFactor.objects.get_or_create(kind="multiplier", key=key,
                                                defaults={"value": value})
    plan = BasePlan.objects.filter(failure_type__code="service_quality",
                                   severity="severe").first()
    items = {i.code: i for i in RemedyItem.objects.filter(
        code__in=["waive_fee", "free_maintenance"])}
    if plan is not None and len(items) == 2:
        plan.items.all().delete()
        BasePlanItem.objects.bulk_create([
            BasePlanItem(plan=plan, item=items["waive_fee"], position=0),
            BasePlanItem(plan=plan, item=items["free_maintenance"], position=1),
        ])
    # The dedicated advisor is attitude's surprise (000 §2.2 type 4), and the priority lane
    # does not fit it: neither belongs in the basic option.
    BasePlanItem.objects.filter(plan__failure_type__code="attitude", plan__severity="crisis",
                                item__code__in=["dedicated_advisor", "priority_lane"]).delete()



class Migration(migrations.Migration):

    dependencies = [
        ('compensation', '0004_cumulative_authority'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='compensationpolicy',
            name='expected_share',
        ),
        migrations.AddField(
            model_name='compensationpolicy',
            name='coefficient_scheme',
            field=models.CharField(choices=[('additive', 'Customer × severity × (1 + increments) (seed 001 工具2)'), ('multiplicative', 'Product of the multipliers (seed 001 能力3)')], default='additive', max_length=14, verbose_name='coefficient scheme'),
        ),
        migrations.AddField(
            model_name='remedyitem',
            name='earlier_visits',
            field=models.BooleanField(default=False, help_text='Valued from the order share of this visit and every earlier visit of the customer for the same problem.', verbose_name='includes earlier visits'),
        ),
        migrations.AddField(
            model_name='remedyitem',
            name='fits',
            field=models.JSONField(blank=True, default=list, help_text='Codes of the failure types this item suits; empty = every type.', verbose_name='fits failure types'),
        ),
        migrations.AddField(
            model_name='remedyitem',
            name='level',
            field=models.CharField(choices=[('basic', 'Basic'), ('expected', 'Expected'), ('surprise', 'Surprise')], default='expected', help_text="The lowest option this item belongs to (seed 000's 3 × 3 matrix).", max_length=10, verbose_name='level'),
        ),
        migrations.AddField(
            model_name='remedyitem',
            name='min_severity',
            field=models.CharField(blank=True, choices=[('minor', 'Minor'), ('moderate', 'Moderate'), ('severe', 'Severe'), ('crisis', 'Crisis')], help_text='The generator offers this item only from this severity up.', max_length=10, verbose_name='from severity'),
        ),
        migrations.AddField(
            model_name='remedyitem',
            name='replaces',
            field=models.SlugField(blank=True, help_text='Code of the item this one supersedes in a higher option.', max_length=40, verbose_name='replaces'),
        ),
        migrations.AddField(
            model_name='remedyitem',
            name='value_max',
            field=models.DecimalField(blank=True, decimal_places=2, help_text='Set for a range: the value is its bottom, this its top (taken by the surprise option).', max_digits=12, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0.00'))], verbose_name='top of the value range (CNY)'),
        ),
        migrations.AlterField(
            model_name='coefficientfactor',
            name='kind',
            field=models.CharField(choices=[('customer', 'Customer factor'), ('severity', 'Severity factor'), ('increment', 'Special increment'), ('multiplier', 'Multiplier (multiplicative scheme)')], max_length=10, verbose_name='kind'),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
