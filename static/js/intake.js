// Intake form: show the fields that fit each content row's kind, and add rows on demand.
// Without JavaScript every field stays visible and three rows are offered.
(function () {
  var box = document.querySelector("[data-contents]");
  if (!box) return;

  function sync(row) {
    var kind = row.querySelector("[data-kind]").value;
    row.querySelectorAll("[data-for]").forEach(function (field) {
      var show = field.getAttribute("data-for").split(" ").indexOf(kind) !== -1;
      field.hidden = !show;
    });
  }

  function renumber(row, index) {
    row.querySelectorAll("[id], [name], [for], [aria-describedby]").forEach(function (el) {
      ["id", "name", "for", "aria-describedby"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(/^c-\d+-/, "c-" + index + "-"));
      });
    });
  }

  box.querySelectorAll("[data-row]").forEach(function (row) {
    sync(row);
    row.querySelector("[data-kind]").addEventListener("change", function () { sync(row); });
  });

  var add = box.querySelector("[data-add-row]");
  add.hidden = false;
  add.addEventListener("click", function () {
    var rows = box.querySelectorAll("[data-row]");
    var fresh = rows[rows.length - 1].cloneNode(true);
    renumber(fresh, rows.length);
    fresh.querySelectorAll("input").forEach(function (input) {
      if (input.type === "checkbox") input.checked = false; else input.value = "";
      input.removeAttribute("aria-invalid");
    });
    fresh.querySelectorAll(".error-text").forEach(function (p) { p.remove(); });
    fresh.querySelectorAll(".has-error").forEach(function (f) { f.classList.remove("has-error"); });
    add.before(fresh);
    fresh.querySelector("[data-kind]").addEventListener("change", function () { sync(fresh); });
    sync(fresh);
    fresh.querySelector("[data-kind]").focus();
  });
})();
