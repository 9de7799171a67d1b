"""Settings of the compensation app read from the environment (12-factor). Business numbers
(limits, factors, windows) are rows in the database instead, editable in the admin."""

import environ

env = environ.Env()

# Upper bound of approvals one sweep escalates, so a huge backlog cannot hold a worker forever;
# the next beat run carries on.
SWEEP_MAX_ITEMS = env.int("COMPENSATION_SWEEP_MAX_ITEMS", default=1000)
if SWEEP_MAX_ITEMS < 1:
    raise environ.ImproperlyConfigured("COMPENSATION_SWEEP_MAX_ITEMS must be at least 1.")
