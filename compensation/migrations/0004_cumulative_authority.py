"""Authority per case and customer (issue #15.2, #20): each approval keeps what its decision
commits in all; the policy says how far back the customer's other offers count."""

from datetime import timedelta
from decimal import Decimal

import django.core.validators
from django.db import migrations, models
from django.db.models import F


def existing_cumulative(apps, schema_editor):
    # Requests made before this change were decided on their own amount.
    apps.get_model("compensation", "Approval").objects.update(cumulative_amount=F("amount"))


class Migration(migrations.Migration):
    dependencies = [("compensation", "0003_sweep_schedule")]

    operations = [
        migrations.AddField(
            model_name="approval",
            name="cumulative_amount",
            field=models.DecimalField(
                decimal_places=2, default=Decimal("0.00"), max_digits=12,
                validators=[django.core.validators.MinValueValidator(Decimal("0.00"))],
                verbose_name="cumulative amount (CNY)"),
        ),
        migrations.AddField(
            model_name="approval",
            name="change_reason",
            field=models.TextField(blank=True, verbose_name="reason for the change"),
        ),
        migrations.AddField(
            model_name="compensationpolicy",
            name="customer_window",
            field=models.DurationField(
                default=timedelta(days=365),
                help_text="Offers to the same customer on other cases within this time count "
                          "towards the authority an offer needs.",
                verbose_name="customer history window"),
        ),
        migrations.RunPython(existing_cumulative, migrations.RunPython.noop),
    ]
