from django.core.management.base import BaseCommand

from metrics.facts import case_facts_rebuild
from metrics.summaries import summaries_rebuild


class Command(BaseCommand):
    help = ("Recompute every case's fact row and the daily deadline and escalation counts "
            "(after a bulk load that bypassed the services, or a change of TIME_ZONE).")

    def handle(self, *args, **options):
        self.stdout.write(f"{case_facts_rebuild()} case facts rebuilt")
        deadline_days, escalation_days = summaries_rebuild()
        self.stdout.write(f"{deadline_days} deadline days, {escalation_days} escalation days "
                          "rebuilt")
