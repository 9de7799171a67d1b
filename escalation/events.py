"""What this app tells the apps above it (`metrics` counts SLA compliance), by registration,
as `cases.events` does for case events."""

from cases.events import Hook

from .models import Deadline

# Deadlines that have just stopped waiting (written met, met, escalated or cancelled), carrying
# their new times; each settles once.
deadlines_settled: Hook[Deadline] = Hook("deadlines_settled")
