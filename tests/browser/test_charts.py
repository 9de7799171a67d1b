"""The measures' charts on a phone (issue 21, "charts with axes and labels"): Chart.js draws each
KPI month by month with its y-axis titled in the unit, the months on the x-axis with the last
one whole, in the page's language, at 375 px without scrolling sideways."""

import pytest
from playwright.sync_api import expect

from tests.metrics.conftest import february  # noqa: F401  (the month every figure is known of)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERIOD = "from=2026-02-01&to=2026-02-28"

# What Chart.js drew for one canvas: axis titles, the tick labels it kept, the data, and where
# the last month's label ends (to be inside the canvas).
DRAWN = """id => {
  const chart = document.getElementById(id).chart;
  const x = chart.scales.x, y = chart.scales.y;
  const shown = x.ticks.map((t, i) => [t.label, i]).filter(([label]) => label);
  const [label, last] = shown[shown.length - 1];
  chart.ctx.font = Chart.helpers.toFont(x.options.ticks.font).string;
  return {
    y_title: y.options.title.text, x_title: x.options.title.text,
    y_ticks: y.ticks.map(t => t.label), x_labels: shown.map(([label]) => label),
    last_label: label, last_label_end: x.getPixelForTick(last)
      + chart.ctx.measureText(label).width / 2, canvas_width: chart.width,
    data: chart.data.datasets[0].data, datasets: chart.data.datasets.map(d => d.label),
  };
}"""


@pytest.mark.parametrize(("lang", "axis", "target"), [("en", "Percent (%)", "Target 80%"),
                                                      ("zh-hans", "百分比（%）", "目标 80%")])
def test_kpi_charts_have_axes_units_and_whole_labels_at_375_px(org, february,  # noqa: F811
                                                                browser, live_server, login,
                                                                screenshots, lang, axis, target):
    phone = browser.new_page(viewport={"width": 375, "height": 800})
    errors = []
    phone.on("console", lambda m: errors.append(m.text)
             if "Content Security Policy" in m.text else None)
    phone.on("pageerror", lambda e: errors.append(str(e)))
    login(phone, "manager1")
    phone.goto(f"{live_server.url}/metrics/?{PERIOD}&lang={lang}")
    canvas = phone.locator("#chart-success_rate")
    expect(canvas).to_be_visible()
    phone.wait_for_function("document.getElementById('chart-success_rate').chart")
    drawn = phone.evaluate(DRAWN, "chart-success_rate")
    assert drawn["y_title"] == axis
    assert all(t.endswith("%") for t in drawn["y_ticks"]) and len(drawn["y_ticks"]) >= 3
    assert drawn["data"][-2:] == [100.0, 60.0]  # January, February (tests/metrics/conftest.py)
    assert drawn["last_label"] == "2026-02" and len(drawn["x_labels"]) >= 3
    assert drawn["last_label_end"] <= drawn["canvas_width"]
    assert target in drawn["datasets"]
    hours = phone.evaluate(DRAWN, "chart-response_mean")
    assert all(t.endswith(" h" if lang == "en" else "小时") for t in hours["y_ticks"])
    bars = phone.evaluate("document.getElementById('chart-types').chart.data.labels")
    assert ("Time delay" if lang == "en" else "等待时间过长/延误") in bars
    screenshots(phone, f"metrics-charts-375-{lang}")
    assert not errors, errors  # no script error, nothing refused by the CSP
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_the_review_and_the_drill_down_fit_a_phone(org, february, browser,  # noqa: F811
                                                   live_server, login, screenshots):
    phone = browser.new_page(viewport={"width": 375, "height": 800})
    login(phone, "manager1")
    for name, path in (("review", "/metrics/review/?month=2026-02&lang=en"),
                       ("drill", f"/metrics/cases/?{PERIOD}&kpi=failure_type&key=time_delay"
                                 "&lang=en")):
        phone.goto(f"{live_server.url}{path}")
        screenshots(phone, f"metrics-{name}-375")
        assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    expect(phone.locator("main p").first).to_contain_text("By failure type · Time delay")
