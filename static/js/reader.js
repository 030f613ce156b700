// Intake: read the photographed document and fill a content row, for the officer to check.
// Uncertain fields are left empty with what they could be; nothing is saved until the form is.
(function () {
  var box = document.querySelector("[data-reader]");
  if (!box) return;
  var labels = JSON.parse(box.getAttribute("data-labels"));
  var file = box.querySelector("[data-document]");
  var button = box.querySelector("[data-read]");
  var panel = box.querySelector("[data-reading]");
  var flag = box.querySelector("[data-reading-flag]");
  var confirm = box.querySelector("[data-reading-confirm]");
  var form = box.closest("form");
  var FIELDS = {
    id_card: ["holder_name", "id_number"],
    bank_card: ["holder_name", "card_number", "card_last4", "bank"],
    deposit_slip: ["holder_name", "bank", "amount"]
  };

  button.hidden = false;
  button.disabled = !file.files.length;
  file.addEventListener("change", function () { button.disabled = !file.files.length; });

  function say(text) {
    panel.textContent = "";
    var p = document.createElement("p");
    p.textContent = text;
    panel.appendChild(p);
  }

  function freeRow() {
    var rows = form.querySelectorAll("[data-row]");
    for (var i = 0; i < rows.length; i++) {
      if (!rows[i].querySelector("[data-kind]").value) return rows[i];
    }
    form.querySelector("[data-add-row]").click();
    rows = form.querySelectorAll("[data-row]");
    return rows[rows.length - 1];
  }

  function input(row, name) {
    return row.querySelector("[name$='-" + name + "']");
  }

  function note(field, text) {
    var old = field.parentNode.querySelector(".reading-note");
    if (old) old.remove();
    if (!text) return;
    var p = document.createElement("p");
    p.className = "reading-note";
    p.textContent = text;
    field.parentNode.appendChild(p);
  }

  function shown(name, reading) {
    if (reading.uncertain) {
      var could = (reading.alternatives || []).join(" / ");
      return labels.uncertain + (could ? " (" + labels.could_be + " " + could + ")" : "");
    }
    var value = name === "sex" ? labels[reading.value] || reading.value : reading.value;
    return value + (reading.repaired ? " (" + labels.repaired + ")" : "");
  }

  function fill(result) {
    var wanted = FIELDS[result.kind];
    if (!wanted) { say(labels.unknown); return; }
    var row = freeRow();
    var kind = row.querySelector("[data-kind]");
    kind.value = result.kind;
    kind.dispatchEvent(new Event("change"));
    panel.textContent = "";
    var title = document.createElement("p");
    title.textContent = labels[result.kind] + " · " + labels.filled;
    panel.appendChild(title);
    var list = document.createElement("dl");
    Object.keys(result.fields).forEach(function (name) {
      var reading = result.fields[name];
      var dt = document.createElement("dt");
      dt.textContent = labels[name] || name;
      var dd = document.createElement("dd");
      dd.textContent = shown(name, reading);
      if (reading.uncertain) dd.className = "uncertain";
      list.appendChild(dt);
      list.appendChild(dd);
      var field = wanted.indexOf(name) !== -1 ? input(row, name) : null;
      if (!field) return;
      field.value = reading.uncertain ? "" : reading.value;
      field.classList.add("from-reading");
      note(field, reading.uncertain ? shown(name, reading) : "");
    });
    panel.appendChild(list);
    flag.value = "1";
    confirm.hidden = false;
    confirm.querySelector("input").checked = false;
    confirm.querySelector("input").focus();
  }

  button.addEventListener("click", function () {
    if (!file.files.length) return;
    var body = new FormData();
    body.append("image", file.files[0]);
    button.disabled = true;
    say(labels.reading);
    fetch(box.getAttribute("data-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": form.querySelector("[name='_csrf_token']").value }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (answer) {
      if (answer.ok) fill(answer.data); else say(answer.data.error || labels.failed);
    }).catch(function () {
      say(labels.failed);
    }).then(function () {
      button.disabled = !file.files.length;
    });
  });
})();
