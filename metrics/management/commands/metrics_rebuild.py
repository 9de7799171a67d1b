from django.core.management.base import BaseCommand

from metrics.facts import case_facts_rebuild
from metrics.tallies import tallies_rebuild


class Command(BaseCommand):
    help = ("Recompute every case's fact row and the tallies of the measures (after a bulk load "
            "that bypassed the services, or a change of TIME_ZONE).")

    def handle(self, *args, **options):
        self.stdout.write(f"{case_facts_rebuild()} case facts rebuilt")
        self.stdout.write(f"{tallies_rebuild()} tallies rebuilt")
