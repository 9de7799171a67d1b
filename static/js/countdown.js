// Live countdowns: amber in the last quarter of an hour's margin, red once overdue.
(function () {
  var loaded = new Date();
  function fmt(ms) {
    var s = Math.abs(Math.round(ms / 1000)), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (ms < 0 ? "-" : "") + h + "h" + String(m).padStart(2, "0") + "m";
  }
  function tick() {
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      // A business-hours SLA: the server worked out the open time left; it runs down from the
      // page's load while the store is open and stands still while it is closed.
      var running = el.dataset.running === "1" ? new Date() - loaded : 0;
      var left = el.dataset.clock === "business"
        ? Number(el.dataset.left) * 1000 - running
        : new Date(el.dataset.due) - new Date();
      el.textContent = fmt(left);
      el.classList.toggle("red", left < 0);
      el.classList.toggle("amber", left >= 0 && left < 30 * 60 * 1000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 30000); });
})();
