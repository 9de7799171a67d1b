// The attachment form: say which file was chosen (the inputs are hidden behind their buttons).
(function () {
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(".attach-form input[type=file]")) return;
    var form = input.form, chosen = form.querySelector(".chosen");
    form.querySelectorAll("input[type=file]").forEach(function (other) {
      if (other !== input) other.value = "";
    });
    chosen.textContent = input.files.length ? input.files[0].name : "";
  });
})();
