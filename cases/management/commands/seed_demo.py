import time

from django.core.management.base import BaseCommand
from django.db import transaction

from cases.demo import cases_create, network_create, users_create
from cases.models import Case

DEFAULT_PASSWORD = "recovery-demo-2026"


class Command(BaseCommand):
    help = ("Load the demo network (HQ, 2 areas, 4 regions, stores S01–S08), users and four "
            "months of cases lived through by the product's own services.")

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD,
                            help=f"password of every demo user (default: {DEFAULT_PASSWORD})")
        parser.add_argument("--empty", action="store_true",
                            help="network and users only, no cases")

    def handle(self, *args, password, empty, **options):
        with transaction.atomic():
            nodes = network_create()
            users_create(nodes=nodes, password=password)
        if empty:
            self.stdout.write("Demo network and users ready (no cases).")
        elif Case.objects.exists():
            self.stdout.write("Cases already present; none added.")
        else:
            # Not one transaction: each step of the history commits as it did (the sweeps
            # refuse to run inside another transaction).
            started = time.monotonic()
            count = cases_create(nodes=nodes)
            self.stdout.write(f"Demo cases: {count} ({time.monotonic() - started:.0f} s)")
        self.stdout.write(
            f"Logins (password: {password}): advisor1, manager1, director1 (S01), regional1, "
            "area1, hq1, advisor2, manager2 (S02); admin (Django admin); integration (API)"
        )
