// The case page opens on the next step with its other sections folded: a link to a section
// (#offers, a redirect back to #contacts) opens it, and so does a form in it that came back with
// an error.
(function () {
  function open(hash) {
    var target = hash && hash.length > 1 && document.getElementById(hash.slice(1));
    var fold = target && (target.tagName === "DETAILS" ? target : target.closest("details"));
    if (!fold) return;
    fold.open = true;
    target.scrollIntoView({block: "start"});
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("details.fold").forEach(function (fold) {
      if (fold.querySelector(".error, .errorlist, .has-error")) fold.open = true;
    });
    open(location.hash);
  });
  window.addEventListener("hashchange", function () { open(location.hash); });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#']");
    if (link) open(link.getAttribute("href"));
  });
})();
