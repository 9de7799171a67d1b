"""Fault drills (issue 9): the real web server, Celery worker and beat run as subprocesses against
the test PostgreSQL database and a private Redis each drill starts, stops and restarts (the
machine's shared Redis is never touched). Each drill breaks one service and checks what a user
would notice: nothing stored is lost, and every message goes out — once, or, where a send was cut
short, again with the same key."""

import ast
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis
import time_machine
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from kombu import pools
from rest_framework.authtoken.models import Token

from cases.models import Case, CaseEvent, CaseEventKind
from escalation.models import Clock, Deadline, Escalation, SlaPolicy
from escalation.sweep import sweep
from notifications import outbox
from notifications.models import Delivery, DeliveryStatus, Notification, WebhookEndpoint
from recovery.celery import app
from tests.factories import open_case

ROOT = Path(__file__).resolve().parent.parent
REDIS_PORTS = range(6390, 6400)

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True),
              pytest.mark.timeout(120)]


def wait_until(predicate, *, timeout: float, what: str, interval: float = 0.2):
    """Poll until `predicate()` is truthy and return it; fail saying what never happened."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"after {timeout} s still waiting for {what}")
        time.sleep(interval)


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Stack:
    """The product's processes for one drill: a private Redis, gunicorn, Celery workers. Every
    process runs in its own session so `stop` can kill it with its children."""

    def __init__(self, tmp_path: Path):
        self.dir = tmp_path
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        self.redis_port = next(p for p in REDIS_PORTS if _port_free(p))
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.procs: list[subprocess.Popen] = []
        self.redis: subprocess.Popen | None = None
        db = connection.settings_dict  # the test database pytest-django made (test_<name>)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.faults_settings",
            "FAULTS_MAIL_DIR": str(self.mail_dir),
            "DATABASE_URL": (f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
                             f"{db['PORT'] or 5432}/{db['NAME']}"),
            "REDIS_URL": self.redis_url,
            "VAR_DIR": str(tmp_path / "var"),
            # The drill runs at any hour; quiet hours are tested in tests/notifications.
            "NOTIFY_QUIET_HOURS": "",
            "NOTIFY_PICKUP_GRACE_SECONDS": "1",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def _start(self, name: str, args: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(self.dir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(args, cwd=ROOT, env=env or self.env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        proc.log_file = log
        self.procs.append(proc)
        return proc

    def log(self, name: str) -> str:
        path = self.dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def redis_start(self, *, persist: bool = False) -> None:
        """`persist`: every write goes to an append-only file first (as the compose file's Redis
        keeps its data), so a restart brings back the queues and the unacknowledged messages."""
        aof = ["--appendonly", "yes", "--appendfsync", "always"] if persist else [
            "--appendonly", "no"]
        self.redis = self._start("redis", [
            "redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
            "--save", "", *aof, "--dir", str(self.dir)])
        wait_until(lambda: _redis_ping(self.redis_port), timeout=10, what="Redis to answer")

    def redis_client(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url)

    def redis_kill(self) -> None:
        self.kill(self.redis)
        wait_until(lambda: not _redis_ping(self.redis_port), timeout=10, what="Redis to stop")

    def web(self) -> str:
        port = _free_port()
        proc = self._start("web", [
            sys.executable, "-m", "gunicorn", "recovery.wsgi", "--bind", f"127.0.0.1:{port}",
            "--workers", "1", "--threads", "2", "--timeout", "60"])
        base = f"http://127.0.0.1:{port}"

        def up():
            assert proc.poll() is None, self.log("web")
            try:
                return urllib.request.urlopen(f"{base}/healthz", timeout=2).status == 200
            except OSError:
                return False

        wait_until(up, timeout=40, what="gunicorn to serve /healthz")
        return base

    def worker(self, name: str = "worker", *, beat: bool = False, pool: str = "prefork",
               concurrency: int = 1, **env) -> subprocess.Popen:
        args = [sys.executable, "-m", "celery", "-A", "recovery", "worker", "-Q", "celery,sweeps",
                f"--pool={pool}", f"--concurrency={concurrency}", "--loglevel=INFO",
                "-n", f"{name}@%h",
                "--without-gossip", "--without-mingle", "--without-heartbeat"]
        if beat:
            args += ["-B", "--schedule", str(self.dir / "celerybeat-schedule")]
        proc = self._start(name, args, env={**self.env, **env})

        def ready():
            assert proc.poll() is None, self.log(name)
            return " ready." in self.log(name)

        wait_until(ready, timeout=40, what=f"the Celery {name} to be ready")
        return proc

    def publish(self, task: str) -> None:
        """Send a task the way beat does (beat's schedule is tested in tests/escalation)."""
        with app.connection_for_write(self.redis_url) as conn:
            app.send_task(task, connection=conn)

    def kill(self, proc: subprocess.Popen | None, sig: int = signal.SIGKILL) -> None:
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)
        proc.log_file.close()

    def stop(self) -> None:
        for proc in reversed(self.procs):
            self.kill(proc, signal.SIGTERM if proc is not self.redis else signal.SIGKILL)

    def mails(self) -> Counter:
        """How many times each e-mail delivery key reached the mail folder."""
        keys = Counter()
        for path in self.mail_dir.iterdir():
            keys.update(re.findall(r"^X-Recovery-Delivery: (\S+)$", path.read_text(), re.M))
        return keys


def _use_broker(url: str) -> None:
    # The Celery app caches its connection and producer pools; drop them to switch brokers.
    app.conf.broker_url = app.conf.broker_write_url = url
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def stack(tmp_path, org, _postgres_required):
    """A private Redis and the product's processes; this process enqueues to that Redis too."""
    if not shutil.which("redis-server"):
        reason = "needs redis-server on the PATH to start a private Redis"
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail(f"REQUIRE_SERVICES is set but this drill {reason}")
        pytest.skip(reason)
    original = app.conf.broker_url
    stack = Stack(tmp_path)
    try:
        stack.redis_start()
        _use_broker(stack.redis_url)
        yield stack
    finally:
        stack.stop()
        _use_broker(original)


def _token(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


def post_json(url: str, body: dict, *, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {"error": exc.read().decode(errors="replace")[:500]}


def post_low_score(base: str, *, token: str, n: int, score: int = 3) -> tuple[int, dict]:
    return post_json(f"{base}/api/v1/survey-responses/", {
        "source": "dms", "external_id": f"drill-{n}", "store": "S01", "score": score,
        "comment": "修了三次还没好",
        "customer": {"external_id": f"drill-c-{n}", "name": f"客户{n}"},
    }, token=token)


def _email_keys(cases) -> set[str]:
    return set(Delivery.objects.filter(notification__case__in=cases, channel="email")
               .values_list("key", flat=True))


def _all_sent(cases) -> bool:
    deliveries = Delivery.objects.filter(notification__case__in=cases)
    return deliveries.exists() and not deliveries.exclude(status=DeliveryStatus.SENT).exists()


def test_redis_down_while_surveys_arrive_loses_nothing_and_sends_each_mail_once_after(
        stack, org):
    base = stack.web()
    stack.worker()
    token = _token(org.integration)
    status, _body = post_low_score(base, token=token, n=0)
    assert status == 201
    first = Case.objects.get()
    wait_until(lambda: _all_sent([first]), timeout=30, what="the first case's mails")

    stack.redis_kill()
    answers = [post_low_score(base, token=token, n=n) for n in range(1, 6)]

    assert [status for status, _ in answers] == [201] * 5, answers
    during = Case.objects.exclude(pk=first.pk)
    assert during.count() == 5
    assert Notification.objects.filter(case__in=during).count() == 10  # manager and director
    assert not Delivery.objects.filter(notification__case__in=during,
                                       status=DeliveryStatus.SENT).exists()

    stack.redis_start()  # same port, empty: whatever was queued before is gone
    stack.publish("notifications.tasks.deliveries_pickup")
    wait_until(lambda: _all_sent(during), timeout=45, what="the deliveries stored while Redis "
               "was down\n" + stack.log("worker")[-3000:])

    mails = stack.mails()
    assert set(mails) == _email_keys(Case.objects.all())
    assert set(mails.values()) == {1}


class SlowHook:
    """A webhook receiver on a local port. It records the delivery key of every request and
    holds the first one open until released, so a drill can kill the worker mid-send; with
    `hold_first=False` it answers each request after `delay` seconds."""

    def __init__(self, *, hold_first: bool = True, delay: float = 0.0):
        self.keys: list[str] = []
        self.arrived = threading.Event()
        self.release = threading.Event()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                hook.keys.append(self.headers["Idempotency-Key"])
                time.sleep(delay)
                if hold_first and len(hook.keys) == 1:
                    hook.arrived.set()
                    hook.release.wait(30)
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b"{}")
                except OSError:
                    pass  # the sender died meanwhile

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook():
    hook = SlowHook()
    yield hook
    hook.close()


def _task_ids(log: str, task: str) -> list[str]:
    return re.findall(rf"Task {re.escape(task)}\[([0-9a-f-]+)\] received", log)


def _pool_process(worker: subprocess.Popen) -> int:
    """The prefork child that runs the tasks of a `--concurrency=1` worker."""
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    [pid] = children
    return int(pid)


@pytest.mark.parametrize("victim", ["pool process", "whole worker"])
def test_worker_killed_mid_send_runs_again_and_the_delivery_succeeds_once(
        stack, org, hook, victim):
    WebhookEndpoint.objects.create(name="drill", node=org.S01, kind="generic", url=hook.url)
    # Short stale-claim and visibility windows stand in for the production 10 min and 1 h.
    quick = {"NOTIFY_STALE_CLAIM_SECONDS": "3", "CELERY_VISIBILITY_TIMEOUT": "3"}
    worker = stack.worker("worker1", **quick)

    case = open_case(store=org.S01, score=3)  # committed: the deliveries go to the worker
    webhook = Delivery.objects.get(notification__case=case, channel="webhook")
    assert hook.arrived.wait(30), stack.log("worker1")[-3000:]
    [killed_task] = _task_ids(stack.log("worker1"), "notifications.tasks.deliver")[-1:]
    if victim == "pool process":
        # The worker sees its child die and hands the message back to the broker at once
        # (task_reject_on_worker_lost); a new child runs it again.
        os.kill(_pool_process(worker), signal.SIGKILL)
        rerun = "worker1"
    else:
        stack.kill(worker)  # kill -9 the worker with its pool while the request is open
        # The broker still holds the message the dead worker took and never acknowledged; a
        # worker that starts after the visibility timeout gets it back.
        [(_tag, taken_at)] = stack.redis_client().zrange("unacked_index", 0, -1,
                                                         withscores=True)
        wait_until(lambda: time.time() - taken_at > 3.5, timeout=10,
                   what="the visibility timeout")
        stack.worker("worker2", **quick)
        rerun = "worker2"
    hook.release.set()

    def sent():
        stack.publish("notifications.tasks.deliveries_pickup")  # beat's 30 s tick, sped up
        webhook.refresh_from_db()
        return webhook.status == DeliveryStatus.SENT

    wait_until(sent, timeout=40, interval=1, what="the webhook to be sent again\n"
               + stack.log(rerun)[-3000:])
    # The killed task runs again (acks_late), and the claim on the row keeps that run from
    # sending a second success.
    runs = 2 if rerun == "worker1" else 1
    wait_until(lambda: _task_ids(stack.log(rerun), "notifications.tasks.deliver")
               .count(killed_task) == runs, timeout=20, what="the killed task to run again")

    assert [a.ok for a in webhook.attempt_log.all()] == [True]
    assert webhook.attempts == 2
    # The first request had reached the receiver before the kill: at-least-once, with the
    # delivery key the receiver drops the repeat by.
    assert hook.keys == [webhook.key, webhook.key]
    # The e-mails sent before the kill are not sent again.
    mails = stack.mails()
    assert set(mails) == _email_keys([case]) and set(mails.values()) == {1}


def _deliver_tasks(stack: Stack) -> list[str]:
    return _task_ids(stack.log("worker"), "notifications.tasks.deliver")


@pytest.mark.timeout(300)
@pytest.mark.parametrize("pool", ["threads", "prefork"])  # bin/run's, the compose file's
def test_redis_stopped_while_tasks_are_in_flight_three_times_loses_nothing(stack, org, pool):
    """Issue 15: Redis stopped within ~100 ms of a delivery task arriving, while the worker
    holds it, made the worker exit ("Unrecoverable error: AttributeError", the cause is in
    recovery/celery.py) and left the deliveries queued after it pending for good."""
    hook = SlowHook(hold_first=False, delay=0.1)  # each task stays in flight a while
    WebhookEndpoint.objects.create(name="drill", node=org.S01, kind="generic", url=hook.url)
    stack.redis_kill()
    stack.redis_start(persist=True)  # Redis keeps its data across the outage, as in compose
    # A task the outage cut short leaves its claim; the pick-up takes it over after this.
    worker = stack.worker(pool=pool, concurrency=4, NOTIFY_STALE_CLAIM_SECONDS="5")
    rng = random.Random(15)
    try:
        for outage in range(3):
            _use_broker(stack.redis_url)  # this process drops its connections to the old Redis
            outbox._broker_paused_until = 0.0  # and enqueues again after the outage
            before = len(_deliver_tasks(stack))
            cases = [open_case(store=org.S01, score=3) for _ in range(8)]  # 1 task each
            wait_until(lambda before=before: len(_deliver_tasks(stack)) > before, timeout=20,
                       interval=0.01, what="a delivery task to arrive")
            time.sleep(rng.uniform(0, 0.1))
            stack.redis_kill()
            time.sleep(2)  # the worker sees the connection drop and tries to reconnect
            stack.redis_start(persist=True)

            def all_sent(cases=cases):
                assert worker.poll() is None, "worker exited:\n" + stack.log("worker")[-4000:]
                stack.publish("notifications.tasks.deliveries_pickup")  # beat's tick, sped up
                return _all_sent(cases)

            wait_until(all_sent, timeout=60, interval=1, what=f"outage {outage + 1}: every "
                       "delivery sent\n" + stack.log("worker")[-4000:])
    finally:
        hook.close()

    # Nothing lost: every delivery of every case was sent, each at least once.
    deliveries = Delivery.objects.filter(notification__case__in=Case.objects.all())
    assert deliveries.count() == deliveries.filter(status=DeliveryStatus.SENT).count() > 3 * 8
    mails = stack.mails()
    hooks = Counter(hook.keys)
    assert set(mails) == _email_keys(Case.objects.all())
    assert set(hooks) == set(deliveries.filter(channel="webhook").values_list("key", flat=True))
    # At-least-once: a send the outage cut short may go out again, with the same key.
    repeats = {key: n for key, n in (mails + hooks).items() if n > 1}
    print(f"\n3 Redis outages: {len(mails)} e-mails, {len(hooks)} webhooks sent; "
          f"repeated (same key): {repeats or 'none'}")


def _terminate_other_backends() -> int:
    """What a PostgreSQL restart looks like to its clients: every other session of this
    database is cut."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) "
                       "FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


def _get_json(url: str, *, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_postgres_restart_is_survived_by_the_running_web_server_worker_and_beat(stack, org):
    # Beat reads its schedule from the database at every tick; the sweep runs every 2 s here.
    every_2s = IntervalSchedule.objects.create(every=2, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.filter(name="escalation sweep").update(interval=every_2s)
    base = stack.web()
    stack.worker(beat=True)
    token = _token(org.integration)
    assert [post_low_score(base, token=token, n=n)[0] for n in range(4)] == [201] * 4
    before = list(Case.objects.all())
    wait_until(lambda: _all_sent(before), timeout=30, what="the first cases' mails")

    def sweeps_sent():
        return stack.log("worker").count("Sending due task escalation sweep")

    sent = sweeps_sent()
    # The web server, beat and the worker keep their connections (CONN_MAX_AGE).
    assert _terminate_other_backends() >= 3

    # CONN_HEALTH_CHECKS: each request, and each task, checks its connection first and
    # reconnects: no failure.
    statuses = [post_low_score(base, token=token, n=n)[0] for n in range(4, 10)]
    statuses += [_get_json(f"{base}/api/v1/cases/", token=token) for _ in range(4)]
    assert statuses == [201] * 6 + [200] * 4, stack.log("web")[-3000:]
    after = Case.objects.exclude(pk__in=[c.pk for c in before])
    assert after.count() == 6
    wait_until(lambda: _all_sent(after), timeout=30,
               what="the worker to deliver after the restart\n" + stack.log("worker")[-3000:])
    mails = stack.mails()
    assert set(mails) == _email_keys(Case.objects.all()) and set(mails.values()) == {1}

    # Two more ticks: at least one read the schedule over a new connection.
    wait_until(lambda: sweeps_sent() >= sent + 2, timeout=20,
               what="beat to keep scheduling\n" + stack.log("worker")[-3000:])


def _sweep_results(log: str) -> list[dict]:
    return [ast.literal_eval(found) for found in re.findall(
        r"Task escalation\.sweep\[[0-9a-f-]+\] succeeded in [\d.]+s: (\{[^}]*\})", log)]


def _warnings() -> Counter:
    """How many times each deadline (case, kind) was warned about."""
    return Counter((e.case_id, e.data["deadline"])
                   for e in CaseEvent.objects.filter(kind=CaseEventKind.WARNED))


def test_beat_down_for_an_hour_fires_each_missed_deadline_once_when_it_is_back(stack, org):
    # The drill runs on the machine's real clock, whatever the day and hour: the SLA counts
    # wall time here, so the deadlines fall due in the hour beat is down (store calendars have
    # tests of their own).
    for policy in SlaPolicy.objects.exclude(clock=Clock.WALL):
        policy.clock = Clock.WALL
        policy.save()
    now = timezone.now()
    gap = timedelta(hours=1)
    with time_machine.travel(now - gap, tick=False):
        # Three cases open when beat ran its last sweep and stopped, an hour ago (T0 before):
        # 90 min — contact warned at that sweep, due 30 min into the outage;
        # 3 h 45 min — contact escalated and plan warned then, plan due 15 min into the outage;
        # 50 min — contact warning point 40 min into the outage, due 10 min after it.
        cases = [open_case(store=org.S01, score=5, responded_at=now - gap - minutes)
                 for minutes in (timedelta(minutes=90), timedelta(hours=3, minutes=45),
                                 timedelta(minutes=50))]
        last = sweep()
    assert (last.escalated, last.warned) == (1, 2)
    fired_before = set(Escalation.objects.values_list("deadline_id", flat=True))
    warned_before = _warnings()
    missed = set(Deadline.objects.filter(escalated_at=None, met_at=None, due_at__lte=now)
                 .values_list("pk", flat=True))
    assert len(missed) == 2
    # Beat's own record says the same: every periodic task last ran an hour ago.
    PeriodicTask.objects.filter(enabled=True).update(last_run_at=now - gap)

    stack.worker(beat=True)

    [first] = wait_until(lambda: _sweep_results(stack.log("worker")), timeout=40,
                         what="beat to send the missed sweep\n" + stack.log("worker")[-3000:])
    assert (first["escalated"], first["warned"], first["failed"]) == (2, 1, 0)
    stack.publish("escalation.sweep")  # the next tick
    second = wait_until(lambda: _sweep_results(stack.log("worker"))[1:], timeout=30,
                        what="the second sweep")[0]
    assert (second["escalated"], second["warned"]) == (0, 0)

    fired = Counter(Escalation.objects.values_list("deadline_id", flat=True))
    assert set(fired) == fired_before | missed and set(fired.values()) == {1}
    warned = _warnings()
    assert set(warned.values()) == {1}
    assert warned - warned_before == Counter({(cases[2].pk, "contact"): 1})
    assert Notification.objects.filter(kind="warned", case=cases[0]).count() == 1
