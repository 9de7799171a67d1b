"""The rows the report reads: deadlines and escalations by their own store column (every writer
fills it, and the report cuts them to the caller's scope as it cuts the cases), and the tallies
the writers keep, which must always add up to what the live rows say."""

import dataclasses
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from escalation.models import Deadline, Escalation
from escalation.sweep import escalation_process_one, sweep
from metrics.models import Tally, TallyChange
from metrics.selectors import (
    Period,
    escalation_rows,
    metrics_report,
    metrics_sources,
    sla_rows,
    tallied,
)
from metrics.tallies import tallies_fold, tallies_rebuild
from recovery.celery import app
from tests.conftest import api_as
from tests.factories import open_case, sop_contact, sop_walk
from toolkit.models import TeamMember

from .conftest import at

URL = "/api/v1/metrics/"
FEB = {"from": "2026-02-01", "to": "2026-02-28"}


def stores_of(rows) -> set[tuple[int, int]]:
    return {(row.store_id, row.case.store_id) for row in rows.select_related("case")}


def assert_every_row_carries_its_cases_store():
    for rows in (Deadline.objects.all(), Escalation.objects.all()):
        assert rows.exists()
        assert all(mine == cases for mine, cases in stores_of(rows))


def lifecycle(org):
    """Cases through every writer of deadlines and escalations: intake (assembly written met),
    transitions meeting deadlines on time and late, resolve (follow-ups), reopen and close
    (cancelling), the sweep one by one and in batches."""
    t0 = at(2, 2)
    with time_machine.travel(t0, tick=False):
        first = open_case(store=org.S02, score=2)
        second = open_case(store=org.S01, score=2)
    actor = org.director1
    # resolve starts the follow-ups
    sop_walk(second, actor, ["contact", "propose", "start", "resolve"],
             at=t0 + timedelta(hours=1))
    sop_walk(second, org.manager1, ["reopen"],
             at=t0 + timedelta(hours=2))  # a fresh resolution window
    with time_machine.travel(t0 + timedelta(days=40), tick=False):
        assert escalation_process_one()  # one by one
        assert sweep().escalated > 1  # set-based batches
    third_t0 = at(2, 3)
    with time_machine.travel(third_t0, tick=False):
        third = open_case(store=org.S01, score=1)
    # late, not yet escalated: missed
    sop_walk(third, actor, ["contact", "propose", "start", "resolve"],
             at=third_t0 + timedelta(hours=3))
    sop_walk(third, actor, ["close"], outcome="recovered",
             at=third_t0 + timedelta(days=1))  # cancels the follow-ups before they fall due
    return first, second


def tallies():
    """Every non-zero tally, by node code."""
    return sorted((row.node.code, row.span, row.day, row.measure, row.key, row.count, row.value)
                  for row in Tally.objects.select_related("node")
                  if row.count or row.value)


def test_deadlines_and_escalations_carry_their_cases_store_through_every_writer(org):
    first, second = lifecycle(org)
    assert Escalation.objects.filter(case=first).exists()
    assert Escalation.objects.filter(case=second).exists()
    assert Deadline.objects.filter(case=second, kind="followup_3d").exists()
    assert Deadline.objects.filter(case=second, kind="resolution").count() == 2
    assert_every_row_carries_its_cases_store()


@pytest.mark.postgres_only
def test_the_writers_keep_the_tallies_as_a_rebuild_computes_them(org):
    lifecycle(org)
    assert TallyChange.objects.exists()
    tallies_fold()
    assert not TallyChange.objects.exists()
    kept = tallies()
    assert {row[0] for row in kept} == {"HQ", "A1", "R1", "S01", "A2", "R3", "S02"}
    assert {row[3] for row in kept} >= {"opened", "closed", "response", "sla", "escalated"}
    tallies_rebuild()
    assert tallies() == kept


def _rounded(value):
    """Floats to 6 decimals (the tallies add seconds as decimals), all the way down."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _same(tallied_report, live_report):
    for name in ("kpis", "months", "rescore", "sla", "escalations", "by_failure_type",
                 "by_cause", "by_store"):
        assert _rounded(getattr(tallied_report, name)) == _rounded(getattr(live_report, name))


@pytest.mark.postgres_only
@pytest.mark.parametrize("username", ["hq1", "area1", "regional1", "manager1", "manager2"])
def test_the_report_from_the_tallies_equals_the_live_figures(org, february, username):
    lifecycle(org)
    user = getattr(org, username)
    period = Period(at(1, 20).date(), at(3, 31).date())  # a part month, a whole one, a part
    now = at(2, 20)
    with time_machine.travel(now, tick=False):
        sources = metrics_sources(user=user)
        assert sources.tally_nodes is not None
        live = metrics_report(sources=dataclasses.replace(sources, tally_nodes=None),
                              period=period, now=now)
        unfolded = metrics_report(sources=sources, period=period, now=now)
        tallies_fold()
        folded = metrics_report(sources=sources, period=period, now=now)
    _same(unfolded, live)
    _same(folded, live)
    assert live.kpis["success_rate"]["closed"] > 0 or username == "manager2"
    if username != "manager2":
        assert any(r["on_time"] for r in live.sla) and any(r["missed"] for r in live.sla)
        assert live.kpis["response_p90"]["value"] is not None


@pytest.mark.postgres_only
def test_the_p90_is_exact_however_many_cases_share_its_bucket(org):
    """Many response times in one 5-minute bucket: the tallies find the bucket, the value is
    read from the cases."""
    t0 = at(2, 2)
    for minutes in range(40):
        with time_machine.travel(t0, tick=False):
            case = open_case(store=org.S01, score=2)
        sop_contact(case, org.director1, at=t0 + timedelta(minutes=61, seconds=7 * minutes))
    period = Period(at(2, 1).date(), at(2, 28).date())
    with time_machine.travel(at(3, 1), tick=False):
        sources = metrics_sources(user=org.hq1)
        tallies_fold()
        report = metrics_report(sources=sources, period=period)
        live = metrics_report(sources=dataclasses.replace(sources, tally_nodes=None),
                              period=period)
    seconds = sorted(61 * 60 + 7 * m for m in range(40))
    position = 0.9 * 39
    expected = seconds[35] + (seconds[36] - seconds[35]) * (position - 35)
    assert report.kpis["response_p90"]["seconds"] == pytest.approx(expected)
    assert live.kpis["response_p90"]["seconds"] == pytest.approx(expected)


@pytest.mark.postgres_only
@pytest.mark.parametrize("username", ["hq1", "regional1", "manager1", "manager2"])
def test_sla_and_escalations_from_the_tallies_equal_the_live_figures(org, username):
    lifecycle(org)
    user = getattr(org, username)
    period = Period(at(2, 1).date(), at(3, 31).date())
    now = at(2, 20)
    with time_machine.travel(now, tick=False):
        sources = metrics_sources(user=user)
        t = tallied(sources.tally_nodes, period)
        live = sla_rows(dataclasses.replace(sources, tally_nodes=None), period, now=now)
        assert sla_rows(sources, period, now=now, t=t) == live
        fired = sources.escalations.filter(fired_at__date__gte=period.start)
        assert sum(r["count"] for r in escalation_rows(sources, period, t)) == fired.count()
    if username != "manager2":
        assert any(r["on_time"] for r in live) and any(r["missed"] for r in live)


@pytest.mark.postgres_only
def test_a_store_moved_to_another_region_moves_its_tallies(org, february, monkeypatch,
                                                           django_capture_on_commit_callbacks):
    monkeypatch.setitem(app.conf, "task_always_eager", True)  # the worker's rebuild, here
    period = Period(at(2, 1).date(), at(2, 28).date())

    def closed(node):
        sources = metrics_sources(user=org.hq1, node=node)
        return metrics_report(sources=sources, period=period).kpis["success_rate"]["closed"]

    assert (closed(org.R1), closed(org.R3)) == (5, 1)
    store = org.S02
    store.parent = org.R1
    with django_capture_on_commit_callbacks(execute=True):
        store.save()
    assert (closed(org.R1), closed(org.R3)) == (6, 0)


def test_another_time_zone_reads_the_rows_not_the_tallies(org):
    with timezone.override("UTC"):
        sources = metrics_sources(user=org.hq1)
    assert sources.tally_nodes is None


def test_a_row_created_without_its_store_takes_the_cases(org, february):
    rows = Deadline.objects.filter(case=february.c8)
    before = rows.count()
    Deadline.objects.create(case=february.c8, kind="plan", round=2, due_at=at(2, 13))
    Deadline.objects.bulk_create([Deadline(case=february.c8, kind="plan", round=3,
                                           due_at=at(2, 14))])
    assert rows.filter(store=org.S02).count() == before + 2


@pytest.mark.parametrize("team", [False, True])
def test_sla_and_escalations_follow_the_callers_scope_and_teams(org, february, team):
    if team:  # manager2 is on c2's recovery team, outside their store
        TeamMember.objects.create(case=february.c2, user=org.manager2, role="leader")
    body = api_as(org.manager2).get(URL, FEB).json()
    contact = next(r for r in body["sla"] if r["kind"] == "contact")
    # S02: c8 contacted after 1 h. c2 (S01) was contacted late and escalated.
    assert (contact["on_time"], contact["missed"]) == ((1, 1) if team else (1, 0))
    assert [r["count"] for r in body["escalations"]] == ([1] if team else [])


def test_a_node_filter_cuts_sla_and_escalations_to_that_store(org, february):
    def contact(**params):
        body = api_as(org.hq1).get(URL, {**FEB, **params}).json()
        row = next(r for r in body["sla"] if r["kind"] == "contact")
        return row["on_time"], row["missed"], len(body["escalations"])

    assert contact(node="S02") == (1, 0, 0)
    assert contact(node="S01") == (3, 3, 1)
    assert contact() == (4, 3, 1)


def test_the_schema_describes_the_metrics_response(org):
    schema = api_as(org.hq1).get("/api/schema/?format=json").json()
    ok = schema["paths"]["/api/v1/metrics/"]["get"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    components = schema["components"]["schemas"]
    body = components[ref]["properties"]
    assert {"period", "node", "kpis", "sla", "escalations", "by_failure_type", "by_cause",
            "by_store", "rescore", "months"} <= set(body)
    kpis = components[body["kpis"]["$ref"].rsplit("/", 1)[-1]]["properties"]
    assert set(kpis) == {"success_rate", "response_mean", "response_p90", "retention_rate",
                         "nps_conversion", "cost_per_recovery"}
    sla = components[body["sla"]["items"]["$ref"].rsplit("/", 1)[-1]]["properties"]
    assert {"kind", "label", "on_time", "missed", "compliance"} <= set(sla)


def test_beat_folds_the_tallies_every_ten_seconds(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="measures: fold tallies")
    assert (task.task, task.interval.every, task.interval.period) == (
        "metrics.tallies_fold", 10, "seconds")
    app.loader.import_default_modules()  # the worker's autodiscovery
    assert task.task in app.tasks


@pytest.mark.postgres_only
def test_the_fold_task_moves_changes_into_the_totals(org, february):
    from metrics.tasks import tallies_fold_task

    with time_machine.travel(at(3, 1), tick=False):
        open_case(store=org.S01, score=1)
    assert TallyChange.objects.exists()
    assert tallies_fold_task() > 0
    assert not TallyChange.objects.exists()
    opened = Tally.objects.get(node=org.HQ, span="m", day=at(3, 1).date(), measure="opened")
    assert opened.count == 1
