from datetime import timedelta

from django.core.management.base import BaseCommand

from notifications.outbox import deliveries_due, delivery_attempt


class Command(BaseCommand):
    help = ("Send every due notification delivery now, in this process (no worker needed): "
            "for cron users, the demo without Redis and after an outage.")

    def handle(self, *args, **options):
        sent = 0
        while ids := deliveries_due(grace=timedelta(0)):
            tried = sum(delivery_attempt(delivery_id=pk) for pk in ids)
            sent += tried
            if not tried:
                break
        self.stdout.write(f"{sent} deliveries tried")
