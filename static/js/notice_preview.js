// Live preview of a notice as it is typed: one paragraph per line, text only (never HTML).
(function () {
  var form = document.querySelector("[data-notice-editor]");
  if (!form) return;
  var title = form.querySelector("[data-preview-title]");
  var body = form.querySelector("[data-preview-body]");
  var titleOut = document.querySelector("[data-preview-title-out]");
  var bodyOut = document.querySelector("[data-preview-body-out]");
  function render() {
    titleOut.textContent = title.value;
    bodyOut.replaceChildren();
    body.value.split("\n").forEach(function (line) {
      if (!line.trim()) return;
      var p = document.createElement("p");
      p.textContent = line;
      bodyOut.appendChild(p);
    });
  }
  title.addEventListener("input", render);
  body.addEventListener("input", render);
})();

// "Copy" next to the social-media text.
(function () {
  var button = document.querySelector("[data-copy]");
  var source = document.querySelector("[data-copy-source]");
  if (!button || !source) return;
  button.addEventListener("click", function () {
    source.select();
    if (navigator.clipboard) navigator.clipboard.writeText(source.value);
    else document.execCommand("copy");
  });
})();
