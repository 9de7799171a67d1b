// Draws the measures' charts with the vendored Chart.js. Each <canvas data-chart="ID"> reads its
// data from the JSON block #ID (metrics/charts.py: words already in the page's language), so the
// page needs no inline script (Content Security Policy: script-src 'self').
(function () {
  "use strict";
  var INK = "#14365d", BAD = "#b00020", TARGET = "#2e7d32", GRID = "#e3e6ea";

  function number(spec, value) {
    if (value === null || value === undefined) return "—";
    var text = Math.abs(value) >= 100 ? Math.round(value).toLocaleString()
      : String(Math.round(value * 10) / 10);
    return spec.prefix + text + spec.suffix;
  }

  function lineConfig(spec) {
    var labels = spec.points.map(function (p) { return p[0]; });
    var values = spec.points.map(function (p) { return p[1]; });
    var colours = spec.bad.map(function (bad) { return bad ? BAD : INK; });
    var datasets = [{
      label: spec.series, data: values, borderColor: INK, backgroundColor: colours,
      pointBackgroundColor: colours, pointBorderColor: colours, pointRadius: 4, spanGaps: true,
    }];
    if (spec.target !== null) {
      datasets.push({
        label: spec.target_label + " " + number(spec, spec.target),
        data: values.map(function () { return spec.target; }), borderColor: TARGET,
        backgroundColor: TARGET, borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0,
      });
    }
    return {
      type: "line",
      data: { labels: labels, datasets: datasets },
      options: {
        scales: {
          x: {
            offset: true,  // a slot at each end: the last month's label is never cut
            title: { display: true, text: spec.x_axis },
            // Every step-th month counted back from the last, so the latest month always shows
            // (Chart.js's own autoSkip may drop it on a phone).
            ticks: { autoSkip: false, maxRotation: 0, callback: function (value, index, ticks) {
              var fit = Math.max(2, Math.floor(this.chart.width / 64));
              var step = Math.ceil(ticks.length / fit);
              return (ticks.length - 1 - index) % step === 0 ? this.getLabelForValue(value) : "";
            } },
            grid: { color: GRID },
          },
          y: {
            beginAtZero: true, grace: "10%", max: spec.max === null ? undefined : spec.max,
            title: { display: true, text: spec.axis },
            ticks: { callback: function (v) { return number(spec, v); }, maxTicksLimit: 6 },
            grid: { color: GRID },
          },
        },
      },
    };
  }

  function barsConfig(spec) {
    return {
      type: "bar",
      data: {
        labels: spec.points.map(function (p) { return p[0]; }),
        datasets: [{ label: spec.series, data: spec.points.map(function (p) { return p[1]; }),
                     backgroundColor: INK, maxBarThickness: 22 }],
      },
      options: {
        indexAxis: "y",
        scales: {
          x: { beginAtZero: true, title: { display: true, text: spec.x_axis },
               ticks: { precision: 0 }, grid: { color: GRID } },
          y: { grid: { display: false } },
        },
        plugins: { legend: { display: false } },
      },
    };
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || !window.Chart) return;
    var spec = JSON.parse(source.textContent);
    var config = spec.kind === "bars" ? barsConfig(spec) : lineConfig(spec);
    config.options.responsive = true;
    config.options.maintainAspectRatio = false;
    config.options.animation = false;
    config.options.locale = document.documentElement.lang || undefined;
    config.options.plugins = Object.assign({
      legend: { position: "bottom", labels: { boxWidth: 14, font: { size: 11 } } },
      tooltip: { callbacks: { label: function (item) {
        return item.dataset.label + ": " + number(spec, item.parsed[spec.kind === "bars" ? "x" : "y"]);
      } } },
    }, config.options.plugins || {});
    canvas.chart = new window.Chart(canvas, config);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
