import os
import threading
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from pytest_django.plugin import blocking_manager_key
from rest_framework.test import APIClient

from cases.demo import network_create, users_create
from recovery.config_cache import config_cache_clear

PASSWORD = "pw-for-tests"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres_only" in item.keywords:
            item.fixturenames.append("_postgres_required")


@pytest.fixture
def _postgres_required(request, db):
    if connection.vendor == "postgresql":
        return
    why = request.node.get_closest_marker("postgres_only").kwargs.get(
        "reason", "row locks, concurrency")
    reason = f"needs PostgreSQL ({why}); running on {connection.vendor}"
    if os.environ.get("REQUIRE_SERVICES"):
        pytest.fail(f"REQUIRE_SERVICES is set but this test {reason}")
    pytest.skip(reason)


_MIGRATED: dict[str, str] = {}


@pytest.fixture(scope="session")
def _migrated_rows(django_db_setup, django_db_blocker):
    """The rows the data migrations load (policies, lexicon, catalog, templates), as JSON,
    taken while the test database is still fresh."""
    with django_db_blocker.unblock():
        _MIGRATED["rows"] = connection.creation.serialize_db_to_string()
    return _MIGRATED["rows"]


@pytest.fixture(autouse=True)
def _capture_migrated_rows(request):
    if "django_db" in request.keywords or {"db", "transactional_db", "live_server"} & set(
            request.fixturenames):
        request.getfixturevalue("_migrated_rows")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """A transactional test's database is flushed afterwards, which also wipes what the data
    migrations loaded, whatever test runs next; put the rows back before any test starts, outside
    the test's own transaction, so every test starts from a migrated database."""
    rows = _MIGRATED.get("rows")
    if rows is None:
        return
    with item.config.stash[blocking_manager_key].unblock():
        from django.contrib.auth.models import Permission
        from django.contrib.contenttypes.models import ContentType

        from cases.models import FailureType

        try:
            if FailureType.objects.exists():
                return
            # The flush re-created these with new ids; the saved rows bring the old ones back.
            Permission.objects.all().delete()
            ContentType.objects.all().delete()
            ContentType.objects.clear_cache()
            connection.creation.deserialize_db_from_string(rows)
        finally:
            # After a browser test this can run in another async context than the test's, on
            # a connection of its own that nothing else closes: left open, it kept the test
            # database from being dropped at the end of the run. A module's data built in an
            # open transaction (the permission matrix) keeps its connection.
            if not connection.in_atomic_block:
                connection.close()


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Each test rolls back its configuration rows: no test may read another's from the cache.
    config_cache_clear()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Pages render without a collectstatic manifest.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture
def org(db):
    """The demo network (HQ, A1/A2, R1–R4, S01–S08) and its people, as in `seed_demo --empty`.
    Nodes by code (`org.S01`), users by username (`org.manager1`)."""
    nodes = network_create()
    users_create(nodes=nodes, password=PASSWORD)
    from org.models import User

    people = {u.username: u for u in User.objects.select_related("node")}
    return SimpleNamespace(**nodes, **people, nodes=nodes, users=people)


@pytest.fixture
def api():
    """An API client; `api.force_authenticate(user)` logs someone in."""
    return APIClient()


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def client_for(user) -> Client:
    """A browser-session client logged in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def run_concurrently(fn, *, times: int) -> list:
    """Call `fn` from `times` threads released together; each thread closes its own database
    connection. Returns what the calls returned."""
    barrier = threading.Barrier(times)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(fn())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
