"""Process-wide knobs of the customer's page, from the environment (the link's lifetime and the
visit times are business settings: admin → Customer page policy)."""

import environ

env = environ.Env()

# Requests a minute to the customer's pages: from one address, and with one link.
RATE_PER_IP = env.int("PORTAL_RATE_PER_IP", default=60)
RATE_PER_TOKEN = env.int("PORTAL_RATE_PER_TOKEN", default=30)
