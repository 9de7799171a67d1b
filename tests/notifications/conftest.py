import pytest
from kombu import Connection, pools

from notifications import outbox
from recovery.celery import app

REDIS_TEST_URL = "redis://127.0.0.1:6379/13"
DEAD_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused


def _use_broker(url: str) -> None:
    # The Celery app caches its connection and producer pools (kombu's global ones); drop them
    # to switch brokers.
    app.conf.broker_url = url
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture(autouse=True)
def broker():
    """Tasks go to an in-memory broker unless a test switches: no files, no worker."""
    original = app.conf.broker_url
    outbox._broker_paused_until = 0.0
    _use_broker("memory://")
    yield _use_broker
    _use_broker(original)
    outbox._broker_paused_until = 0.0


@pytest.fixture
def redis_broker(broker):
    """The real Redis of the test environment (database 13), emptied before and after."""
    with Connection(REDIS_TEST_URL) as conn:
        try:
            conn.ensure_connection(max_retries=1)
        except Exception as exc:
            pytest.skip(f"Redis not reachable at {REDIS_TEST_URL}: {exc}")
        conn.default_channel.client.flushdb()
        broker(REDIS_TEST_URL)
        yield conn.default_channel.client
        conn.default_channel.client.flushdb()
