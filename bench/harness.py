"""Shared parts of the HTTP benchmarks: start the product (gunicorn, Celery worker, beat) on the
database and Redis of the environment, send requests open loop, read figures and memory."""

import asyncio
import gc
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765


def database_prepare():
    """Check the services, migrate, empty the cases and make the demo network and its people
    (once); returns the integration user. Needs django.setup() done."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from demo.seed import network_create, users_create
    from org.models import User

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own and REDIS_URL.")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cases_case, cases_customer, cases_surveyresponse, "
                       "notifications_notification RESTART IDENTITY CASCADE")
    if not User.objects.filter(username="integration").exists():
        users_create(nodes=network_create(), password="bench-password")
    return User.objects.get(username="integration")


def product_start(*, web_workers: int, web_threads: int, worker_concurrency: int,
                  beat: bool) -> dict[str, subprocess.Popen]:
    """The web server, a worker (both queues) and, when asked, beat, each in its own process
    group so that their memory can be read and they can be stopped together."""
    env = {**os.environ, "DEBUG": "false", "LOG_LEVEL": "WARNING"}
    bin_dir = Path(sys.executable).parent
    commands = {
        "web": [str(bin_dir / "gunicorn"), "recovery.wsgi", "--bind", f"127.0.0.1:{PORT}",
                "--workers", str(web_workers), "--threads", str(web_threads),
                "--log-level", "warning"],
        "worker": [str(bin_dir / "celery"), "-A", "recovery", "worker", "-Q", "celery,sweeps",
                   "--pool=threads", f"--concurrency={worker_concurrency}",
                   "--loglevel=WARNING", "--without-heartbeat", "--without-mingle",
                   "--without-gossip"],
    }
    if beat:
        commands["beat"] = [str(bin_dir / "celery"), "-A", "recovery", "beat",
                            "--loglevel=WARNING"]
    procs = {name: subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
             for name, cmd in commands.items()}
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
            time.sleep(3)  # let the worker connect to Redis too
            return procs
        except OSError:
            time.sleep(0.2)
    product_stop(procs)
    sys.exit("The web server did not start.")


def product_stop(procs: dict[str, subprocess.Popen]) -> None:
    for p in procs.values():
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for p in procs.values():
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a worker stuck past its graceful timeout
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(timeout=30)


def memory_mib(procs: dict[str, subprocess.Popen]) -> list[tuple[str, int, float, float]]:
    """(role, pid, resident MiB now, peak resident MiB) of every process in each group."""
    rows = []
    for name, p in procs.items():
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                status = (entry / "status").read_text()
            except OSError:
                continue
            pgid = int(stat.rsplit(")", 1)[1].split()[2])
            if pgid != p.pid:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            rss, peak = (int(fields.get(key, "0 kB").split()[0]) / 1024
                         for key in ("VmRSS", "VmHWM"))
            role = name if int(entry.name) == p.pid else f"{name} (child)"
            rows.append((role, int(entry.name), rss, peak))
    return sorted(rows)


def _group_cpu(pgid: int) -> float:
    """CPU seconds (user + system) of the live processes of a process group."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _database_backends_cpu() -> float:
    """CPU seconds of the PostgreSQL backends connected to this database now (their scheduler
    count; PostgreSQL must run on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()")
        pids = [row[0] for row in cursor.fetchall()]
    total = 0.0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
        except OSError:
            continue
    return total


def cpu_read(procs: dict[str, subprocess.Popen]) -> dict[str, float]:
    """CPU seconds so far of each role, of this client and of the database's backends: read
    before and after a run, the difference per request is the run's cost whatever else the
    machine is doing (a loaded machine inflates it somewhat: caches are shared)."""
    figures = {name: _group_cpu(p.pid) for name, p in procs.items()}
    own = os.times()
    figures["client"] = own.user + own.system
    figures["postgresql"] = _database_backends_cpu()
    return figures


def cpu_report(before: dict[str, float], after: dict[str, float], requests: int) -> None:
    """CPU milliseconds per request, by role. Backends that ended during the run are not
    counted, so the PostgreSQL figure is a floor."""
    parts = {name: (after[name] - before.get(name, 0.0)) * 1000 / requests for name in after}
    print("CPU per request (ms): " + ", ".join(f"{name} {ms:.2f}" for name, ms in parts.items())
          + f"; total {sum(parts.values()):.2f}")


def request_bytes(*, path: str, raw: bytes, headers: dict) -> bytes:
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\n{head}"
            f"Content-Length: {len(raw)}\r\n\r\n").encode() + raw


class _Closed(Exception):
    """The connection ended without an answer."""


class _Connections:
    """Keep-alive HTTP/1.1 connections to the server, reused as they come back free."""

    def __init__(self):
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post(self, request: bytes) -> int:
        """The status of a request (`request_bytes`), or 0 when no answer came (refused, reset,
        or none within 30 s). A kept connection that ends without an answer (the server closes
        idle ones) is the one case tried again, once, on a new connection; the intake is
        idempotent on its external id."""
        if self.idle:
            try:
                return await self._exchange(*self.idle.pop(), request=request)
            except _Closed:
                pass
            except TimeoutError:
                return 0
        try:
            connection = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", PORT),
                                                timeout=30)
            return await self._exchange(*connection, request=request)
        except (_Closed, TimeoutError, OSError):
            return 0

    async def _exchange(self, reader, writer, *, request: bytes) -> int:
        try:
            writer.write(request)
            status, keep = await asyncio.wait_for(_response_read(reader), timeout=30)
        except TimeoutError:
            writer.close()
            raise
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
            writer.close()
            raise _Closed from exc
        if keep:
            self.idle.append((reader, writer))
        else:
            writer.close()
        return status


async def _response_read(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """(status, whether the connection can carry the next request) of one response, its body
    read. Only a body of known length leaves the connection usable."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    fields = {name.strip().lower(): value.strip()
              for name, _sep, value in (line.partition(":") for line in head[1:] if line)}
    length = fields.get("content-length")
    if length is None or "transfer-encoding" in fields:
        return status, False
    await reader.readexactly(int(length))
    return status, fields.get("connection", "").lower() != "close"


def fire(*, rate: float, seconds: int, request_for) -> dict[str, tuple[float, float, int]]:
    """Send `rate` requests a second, open loop: each is scheduled at its time whatever the
    server's backlog, and its latency counts from that time, so a slow server cannot hide its
    queue. One thread (asyncio) sends them all, so the client's own threads do not compete
    with the server's for the 2 cores and add no waiting of their own to the figures.
    `request_for(i)` gives (key, path, body dict, headers or a function of the body that
    gives them). Returns key → (scheduled, answered, status)."""
    return fire_prepared(rate=rate, prepared=requests_prepare(
        count=int(rate * seconds), request_for=request_for))


def requests_prepare(*, count: int, request_for) -> list[tuple[str, bytes]]:
    """Every request encoded (and signed) before the first is sent, so that during the run the
    client's share of the cores is the sending only."""
    prepared = []
    for i in range(count):
        key, path, body, headers = request_for(i)
        raw = json.dumps(body).encode()
        prepared.append((key, request_bytes(
            path=path, raw=raw, headers=headers(raw) if callable(headers) else headers)))
    return prepared


def fire_prepared(*, rate: float, prepared: list[tuple[str, bytes]]):
    """Without the client's cyclic garbage collector while it sends: its full collections over
    the run's tens of thousands of tasks held the one sending thread for up to a quarter of a
    second, and every request due meanwhile went late, counted as the server's latency."""
    gc.collect()
    gc.disable()
    try:
        return asyncio.run(_fire(rate=rate, prepared=prepared))
    finally:
        gc.enable()


async def _fire(*, rate, prepared):
    results: dict[str, tuple[float, float, int]] = {}
    connections = _Connections()
    begin = time.time() + 0.5

    async def one(key: str, request: bytes, scheduled: float) -> None:
        status = await connections.post(request)
        results[key] = (scheduled, time.time(), status)

    tasks = []
    for i, (key, request) in enumerate(prepared):
        scheduled = begin + i / rate
        await asyncio.sleep(max(0.0, scheduled - time.time()))
        tasks.append(asyncio.create_task(one(key, request, scheduled)))
    await asyncio.gather(*tasks)
    for _reader, writer in connections.idle:
        writer.close()
    return results


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(name: str, values: list[float], unit: str = "s") -> None:
    scale = 1000 if unit == "ms" else 1
    f = lambda v: f"{v * scale:7.1f}{unit}" if unit == "ms" else f"{v:6.3f}s"  # noqa: E731
    print(f"{name:<36} n={len(values):6d}  p50={f(pct(values, .50))}  "
          f"p95={f(pct(values, .95))}  p99={f(pct(values, .99))}  max={f(max(values))}  "
          f"mean={f(statistics.fmean(values))}")
