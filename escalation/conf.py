"""Settings of the escalation app, read from the environment (SLA windows and warning ratios are
data: `SlaPolicy` rows editable in the admin; the sweep interval is the beat schedule row)."""

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

# Back-off of a deadline the sweep failed on: first retry after RETRY_SECONDS, doubling, capped.
RETRY_SECONDS = env.int("ESCALATION_RETRY_SECONDS", default=60)
RETRY_MAX_SECONDS = env.int("ESCALATION_RETRY_MAX_SECONDS", default=3600)
# Deadlines one sweep claims per transaction and fires set-based: fewer commits and round trips;
# a transition on one of those cases waits at most for the batch (~0.3 s for 200).
SWEEP_BATCH = env.int("ESCALATION_SWEEP_BATCH", default=200)

if SWEEP_BATCH < 1:
    raise ImproperlyConfigured("ESCALATION_SWEEP_BATCH must be at least 1.")
if not 1 <= RETRY_SECONDS <= RETRY_MAX_SECONDS:
    raise ImproperlyConfigured(
        "Need 1 <= ESCALATION_RETRY_SECONDS <= ESCALATION_RETRY_MAX_SECONDS."
    )
