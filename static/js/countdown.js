// Live countdowns in words ("剩 2小时5分" / "2 h 5 min left", "超时 3天4小时" / "overdue 3 d 4 h"):
// amber in the last half hour, red once overdue.
(function () {
  var loaded = new Date();
  var zh = (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0;
  function span(ms) {
    var s = Math.abs(Math.round(ms / 1000)), d = Math.floor(s / 86400),
        h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (zh) {
      if (d) return d + "天" + (h ? h + "小时" : "");
      if (h) return h + "小时" + (m ? m + "分" : "");
      return m + "分钟";
    }
    if (d) return d + " d" + (h ? " " + h + " h" : "");
    if (h) return h + " h" + (m ? " " + m + " min" : "");
    return m + " min";
  }
  function words(ms) {
    if (ms < 0) return (zh ? "超时 " : "overdue ") + span(ms);
    return zh ? "剩 " + span(ms) : span(ms) + " left";
  }
  function tick() {
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      // A business-hours SLA: the server worked out the open time left; it runs down from the
      // page's load while the store is open and stands still while it is closed.
      var running = el.dataset.running === "1" ? new Date() - loaded : 0;
      var left = el.dataset.clock === "business"
        ? Number(el.dataset.left) * 1000 - running
        : new Date(el.dataset.due) - new Date();
      el.textContent = words(left);
      el.classList.toggle("red", left < 0);
      el.classList.toggle("amber", left >= 0 && left < 30 * 60 * 1000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 30000); });
})();
