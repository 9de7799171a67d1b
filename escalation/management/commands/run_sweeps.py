from django.core.management.base import BaseCommand

from escalation.sweep import sweep


class Command(BaseCommand):
    help = "Run one SLA sweep: fire every missed deadline, then the warnings due (for cron users)."

    def handle(self, *args, **options):
        stats = sweep()
        self.stdout.write(
            f"escalated={stats.escalated} warned={stats.warned} failed={stats.failed} "
            f"lost={stats.lost} seconds={stats.seconds}"
        )
