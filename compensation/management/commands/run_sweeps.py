from django.core.management.base import BaseCommand

from compensation.sweep import approvals_sweep
from escalation.sweep import sweep


class Command(BaseCommand):
    help = ("Run one sweep for cron users: fire every missed SLA deadline and the warnings due, "
            "then move every overdue approval one role up.")

    def handle(self, *args, **options):
        stats = sweep()
        approvals = approvals_sweep()
        self.stdout.write(
            f"escalated={stats.escalated} warned={stats.warned} failed={stats.failed} "
            f"lost={stats.lost} approvals_escalated={approvals} seconds={stats.seconds}"
        )
