"""GET /api/v1/metrics/ on the hand-built February of conftest.py."""

import pytest

from tests.conftest import api_as

URL = "/api/v1/metrics/"
FEB = {"from": "2026-02-01", "to": "2026-02-28"}


def get(user, **params):
    return api_as(user).get(URL, {**FEB, **params})


@pytest.fixture
def store_report(org, february):
    response = get(org.manager1)
    assert response.status_code == 200, response.content
    return response.json()


def test_recovery_success_rate_is_recovered_over_closed(store_report):
    kpi = store_report["kpis"]["success_rate"]
    assert (kpi["recovered"], kpi["closed"], kpi["value"]) == (3, 5, 60.0)
    assert (kpi["target"], kpi["status"]) == (80.0, "red")


def test_response_time_mean_and_p90_from_t0_to_first_contact(store_report):
    mean, p90 = store_report["kpis"]["response_mean"], store_report["kpis"]["response_p90"]
    assert (mean["opened"], mean["contacted"]) == (6, 5)
    assert mean["value"] == 2.3  # (1 + 3 + 0.5 + 5 + 2) / 5 hours
    assert mean["seconds"] == pytest.approx(2.3 * 3600, abs=1)
    assert p90["value"] == 4.2  # 3 h + 0.6 × (5 h − 3 h)
    assert mean["status"] == p90["status"] == "red"


def test_retention_counts_only_visits_after_resolution(store_report):
    kpi = store_report["kpis"]["retention_rate"]
    assert (kpi["retained"], kpi["closed"], kpi["value"]) == (2, 5, 40.0)


def test_nps_conversion_is_rescored_nine_or_ten_over_closed(store_report):
    kpi = store_report["kpis"]["nps_conversion"]
    assert (kpi["promoters"], kpi["closed"], kpi["value"], kpi["status"]) == (3, 5, 60.0,
                                                                              "green")


def test_cost_per_recovery_is_issued_compensation_of_closed_cases_over_them(store_report):
    kpi = store_report["kpis"]["cost_per_recovery"]
    assert (kpi["total"], kpi["closed"], kpi["value"], kpi["status"]) == (300.0, 5, 60.0,
                                                                          "watched")


def test_sla_compliance_per_deadline_kind(store_report):
    contact = next(r for r in store_report["sla"] if r["kind"] == "contact")
    # on time: c1, c3, c5 (met exactly at 2 h); missed: c2, c4 late, c6 never contacted
    assert (contact["on_time"], contact["missed"], contact["compliance"]) == (3, 3, 50.0)


def test_escalations_by_kind_with_the_kinds_translated_label(store_report):
    assert store_report["escalations"] == [{"kind": "contact", "label": "首次联系", "count": 1}]


def test_sla_rows_carry_the_kinds_translated_label(store_report):
    labels = {r["kind"]: r["label"] for r in store_report["sla"]}
    assert labels["contact"] == "首次联系"


def test_cases_by_cause_failure_type_and_store(store_report):
    causes = {r["key"]: r for r in store_report["by_cause"]}
    assert {k: (r["opened"], r["closed"], r["recovered"]) for k, r in causes.items()} == {
        "process_error": (2, 2, 2), "human_negligence": (1, 1, 0), None: (3, 2, 1)}
    types = {r["key"]: r["opened"] for r in store_report["by_failure_type"]}
    assert types["time_delay"] == 1
    assert [(r["key"], r["opened"], r["closed"]) for r in store_report["by_store"]] == [
        ("S01", 6, 5)]


def test_rescore_table_of_seed_001(store_report):
    bands = {r["band"]: r for r in store_report["rescore"]}
    top = bands["9-10"]
    assert (top["cases"], top["share"], top["score_before"], top["score_after"]) == (
        3, 60.0, 3.3, 9.7)
    assert top["churn"] == 66.7  # only c1 came back
    assert (bands["7-8"]["cases"], bands["7-8"]["churn"]) == (1, 0.0)
    assert (bands["none"]["cases"], bands["none"]["score_after"]) == (1, None)
    assert bands["5-6"]["cases"] == bands["0-4"]["cases"] == 0


def test_months_split_the_period(org, february):
    body = get(org.manager1, **{"from": "2026-01-01"}).json()
    months = {m["month"]: m["kpis"] for m in body["months"]}
    assert list(months) == ["2026-01", "2026-02"]
    assert months["2026-01"]["success_rate"]["closed"] == 1
    assert months["2026-01"]["response_mean"]["value"] == 5.5  # c0 1 h, c7 10 h
    assert months["2026-02"]["success_rate"]["closed"] == 5
    assert body["kpis"]["success_rate"]["closed"] == 6


# ---------------------------------------------------------------- scoping


def test_hq_sees_the_whole_network_and_can_pick_a_store(org, february):
    assert get(org.hq1).json()["kpis"]["success_rate"]["closed"] == 6
    s02 = get(org.hq1, node="S02").json()
    assert s02["kpis"]["success_rate"]["closed"] == 1
    assert s02["kpis"]["nps_conversion"]["value"] == 100.0
    assert s02["node"]["code"] == "S02"


def test_regional_director_sees_only_the_region(org, february):
    assert get(org.regional1).json()["kpis"]["success_rate"]["closed"] == 5


def test_a_node_outside_the_scope_is_forbidden(org, february):
    assert get(org.manager1, node="S02").status_code == 403
    assert get(org.manager2, node="HQ").status_code == 403


def test_an_unknown_node_is_a_bad_request(org):
    response = get(org.hq1, node="NOPE")
    assert response.status_code == 400
    assert "node" in response.json()


def test_anonymous_is_refused(db):
    from rest_framework.test import APIClient

    assert APIClient().get(URL).status_code in (401, 403)


# ---------------------------------------------------------------- input and empty periods


@pytest.mark.parametrize("params, field", [
    ({"from": "2026-13-01"}, "from"), ({"to": "yesterday"}, "to"),
    ({"from": "2026-03-01", "to": "2026-02-01"}, "from"),
])
def test_bad_dates_answer_400_with_field_errors(org, params, field):
    response = api_as(org.hq1).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_an_empty_period_has_no_figures_and_no_errors(org, february):
    body = get(org.hq1, **{"from": "2025-06-01", "to": "2025-06-30"}).json()
    for kpi in body["kpis"].values():
        assert kpi["value"] is None
        assert kpi["status"] == "no_data"
    assert body["kpis"]["success_rate"]["closed"] == 0
    assert body["sla"] == body["escalations"] == body["by_store"] == []
    assert all(r["cases"] == 0 and r["share"] is None for r in body["rescore"])


def test_default_period_is_the_last_30_days(org, february):
    body = api_as(org.hq1).get(URL).json()
    assert body["period"] == {"from": "2026-02-09", "to": "2026-03-10"}


def test_metrics_take_a_fixed_number_of_queries(org, february, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        assert get(org.hq1).status_code == 200
