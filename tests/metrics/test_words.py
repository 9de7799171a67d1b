"""Issue 21, "exports and pages show labels, not codes": the monthly review's CSV and XLSX, the
breakdowns and the drill-down name statuses, causes, failure types and re-score bands in the
language of the request."""

import csv
import re
from io import BytesIO

import pytest

from tests.conftest import client_for

# What each code of the February month reads as (tests/metrics/conftest.py).
WORDS = {
    "en": {"status": ["off target", "on target", "watched (no target)"],
           "cause": ["Process/system error", "Human negligence", "not analysed"],
           "type": ["Time delay", "unknown"], "band": "not re-scored", "unit": "hours",
           "store": "上海浦东服务中心"},
    "zh-hans": {"status": ["未达标", "达标", "监控（无目标）"],
                "cause": ["流程/系统错误", "人为疏忽", "未分析"],
                "type": ["等待时间过长/延误", "未知"], "band": "未改分", "unit": "小时",
                "store": "上海浦东服务中心"},
}
CODES = {"red", "green", "watched", "no_data", "none", "process_error", "human_negligence",
         "time_delay", "h", "S01"}


def _csv_cells(client, lang: str) -> list[str]:
    text = client.get(f"/metrics/review/?month=2026-02&format=csv&lang={lang}").content
    return [c for row in csv.reader(text.decode("utf-8-sig").splitlines()) for c in row]


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_review_exports_carry_labels_in_the_request_language(org, february, lang):
    client = client_for(org.manager1)
    words = WORDS[lang]
    expected = {*words["status"], *words["cause"], *words["type"], words["band"],
                words["unit"]}
    cells = _csv_cells(client, lang)
    assert expected <= set(cells), expected - set(cells)
    assert not CODES & set(cells)
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(BytesIO(client.get(
        f"/metrics/review/?month=2026-02&format=xlsx&lang={lang}").content)).active
    values = {c.value for row in sheet.iter_rows() for c in row}
    assert expected <= values and not CODES & values


def test_the_review_page_names_the_status_and_the_breakdowns(org, february):
    client = client_for(org.manager1)
    english = client.get("/metrics/review/?month=2026-02&lang=en").content.decode()
    assert "Time delay" in english and "Process/system error" in english
    assert "等待时间过长" not in english
    assert re.search(r'<td class="status-red">off target</td>', english)
    chinese = client.get("/metrics/review/?month=2026-02&lang=zh-hans").content.decode()
    assert "等待时间过长/延误" in chinese and "流程/系统错误" in chinese


@pytest.mark.parametrize(("query", "lang", "title"), [
    ("kpi=failure_type&key=time_delay", "en", "By failure type · Time delay"),
    ("kpi=failure_type&key=time_delay", "zh-hans", "按失误类型 · 等待时间过长/延误"),
    ("kpi=cause&key=process_error", "en", "By cause · Process/system error"),
    ("kpi=band&key=none", "zh-hans", "改后分 · 未改分"),
    ("kpi=sla_missed&key=contact", "en", "Deadline missed · First contact"),
    ("kpi=recovered", "en", "Recovered"),
])
def test_the_drill_down_says_what_its_cases_are_in_words(org, february, query, lang, title):
    page = client_for(org.manager1).get(
        f"/metrics/cases/?from=2026-02-01&to=2026-02-28&{query}&lang={lang}")
    heading = page.content.decode().split("<h1>")[1].split("</p>")[0]
    assert title in heading
    assert not re.search(r"failure_type|time_delay|process_error|sla_missed", heading)


def test_the_dashboard_breakdowns_read_in_english_on_an_english_page(org, february):
    html = client_for(org.manager1).get(
        "/metrics/?from=2026-02-01&to=2026-02-28&lang=en").content.decode()
    assert ">Time delay</a>" in html and ">Process/system error</a>" in html
    assert "等待时间过长" not in html.split("<main")[1]
