from django.core.management.base import BaseCommand

from metrics.facts import case_facts_rebuild


class Command(BaseCommand):
    help = "Recompute every case's fact row (after a bulk load that bypassed the services)."

    def handle(self, *args, **options):
        self.stdout.write(f"{case_facts_rebuild()} case facts rebuilt")
