"""The fact rows the measures read stay equal to the live figures when the services change a
case: closed, re-scored, reopened, compensation issued, root cause recorded, a later visit."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from cases.models import Case
from cases.services import case_rescore, case_transition, service_record_upsert
from compensation.models import Offer, OfferLine, RemedyItem
from compensation.services import compensation_issue
from metrics.facts import COLUMNS, case_facts_rebuild, live_facts
from metrics.models import CaseFact
from tests.conftest import api_as
from tests.factories import sop_prepare
from tests.metrics.conftest import NOW, at, make_case
from toolkit.services import root_cause_set

FEB = {"from": "2026-02-01", "to": "2026-02-28"}


def live_rows() -> dict[int, dict]:
    return {row["f_case_id"]: {name: row[f"f_{name}"] for name in COLUMNS}
            for row in live_facts(Case.objects.all())}


def fact_rows() -> dict[int, dict]:
    return {row["case_id"]: row for row in CaseFact.objects.values(*COLUMNS)}


def report(user) -> dict:
    response = api_as(user).get("/api/v1/metrics/", FEB)
    assert response.status_code == 200, response.content
    return response.json()


def assert_facts_are_live(org) -> dict:
    """Every fact row equals its live computation, and the figures read from the maintained
    facts equal those read after recomputing every fact from the source tables."""
    assert fact_rows() == live_rows()
    kept = report(org.hq1), report(org.manager1)
    case_facts_rebuild()
    assert (report(org.hq1), report(org.manager1)) == kept
    return kept[1]


@pytest.fixture
def case(org):
    return make_case(store=org.S01, actor=org.director1, t0=at(2, 2), contact=timedelta(hours=1))


def close(case, actor, **extra):
    for name in ("propose", "start", "resolve"):
        sop_prepare(case, name, actor)
        case_transition(case_id=case.pk, name=name, actor=actor, at=at(2, 4))
    sop_prepare(case, "close", actor, outcome=extra.get("outcome"), at=at(2, 5))
    case_transition(case_id=case.pk, name="close", actor=actor, at=at(2, 5), **extra)


def test_a_case_opened_and_contacted_has_its_fact(org, case):
    with time_machine.travel(NOW, tick=False):
        body = assert_facts_are_live(org)
    assert body["kpis"]["response_mean"]["seconds"] == pytest.approx(3600)
    assert body["kpis"]["success_rate"]["closed"] == 0


def test_closing_a_case_updates_its_fact(org, case):
    close(case, org.director1, outcome="recovered")
    with time_machine.travel(NOW, tick=False):
        body = assert_facts_are_live(org)
    assert (body["kpis"]["success_rate"]["recovered"], body["kpis"]["success_rate"]["closed"]) \
        == (1, 1)


def test_rescoring_a_closed_case_moves_it_to_its_band(org, case):
    close(case, org.director1, outcome="recovered")
    case_rescore(case=Case.objects.get(pk=case.pk), score=10, at=at(2, 6), actor=org.director1)
    with time_machine.travel(NOW, tick=False):
        body = assert_facts_are_live(org)
    assert body["kpis"]["nps_conversion"]["promoters"] == 1
    assert CaseFact.objects.get(case=case).band == "9-10"


def test_reopening_a_case_takes_it_out_of_the_closed_figures(org, case):
    close(case, org.director1, outcome="lost")
    case_transition(case_id=case.pk, name="reopen", actor=org.director1, at=at(2, 7),
                    reason="客户再次投诉")
    with time_machine.travel(NOW, tick=False):
        body = assert_facts_are_live(org)
    assert body["kpis"]["success_rate"]["closed"] == 0
    assert CaseFact.objects.get(case=case).closed_at is None


def test_issued_compensation_counts_in_the_cost(org, case):
    item = RemedyItem.objects.first()
    offer = Offer.objects.create(case=case, tier="expected", status="approved",
                                 proposed_value=Decimal("150"), total_value=Decimal("150"),
                                 proposed_by=org.director1)
    OfferLine.objects.create(offer=offer, item=item, code=item.code, name=item.name,
                             dimension=item.dimension, value=Decimal("150"))
    compensation_issue(offer_id=offer.pk, actor=org.director1)
    close(case, org.director1, outcome="recovered")
    with time_machine.travel(NOW, tick=False):
        body = assert_facts_are_live(org)
    assert body["kpis"]["cost_per_recovery"]["total"] == 150.0


def test_a_root_cause_and_a_later_visit_reach_the_facts(org, case):
    close(case, org.director1, outcome="retained")
    root_cause_set(case_id=case.pk, actor=org.director1, category="process_error",
                   whys=["why"])
    service_record_upsert(store=org.S01, customer=case.customer, order_number="later-1",
                          visit_at=at(2, 20))
    with time_machine.travel(NOW, tick=False):
        body = assert_facts_are_live(org)
    assert body["kpis"]["retention_rate"]["retained"] == 1
    assert [row["key"] for row in body["by_cause"]] == ["process_error"]


def test_a_case_just_opened_by_intake_or_incident_has_its_live_fact(org):
    api_as(org.integration).post("/api/v1/survey-responses/", {
        "source": "dms", "external_id": "r1", "store": "S01", "score": 4, "comment": "太慢了",
        "customer": {"external_id": "c1", "name": "赵先生"}}, format="json")
    api_as(org.advisor1).post("/api/v1/cases/", {
        "failure_type": "attitude", "description": "态度差", "customer": {"name": "钱女士"}},
        format="json")
    assert Case.objects.count() == 2
    assert fact_rows() == live_rows()
