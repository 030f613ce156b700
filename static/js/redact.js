// Draw boxes over a photo with mouse or finger; their relative coordinates go to the server.
(function () {
  var stage = document.querySelector("[data-redact]");
  if (!stage) return;
  var image = stage.querySelector("img");
  var field = document.querySelector("[data-boxes]");
  var count = document.querySelector("[data-count]");
  var boxes = [];
  var start = null;
  var drawing = null;

  function rel(event) {
    var r = image.getBoundingClientRect();
    return {
      x: Math.min(Math.max((event.clientX - r.left) / r.width, 0), 1),
      y: Math.min(Math.max((event.clientY - r.top) / r.height, 0), 1)
    };
  }
  function place(el, b) {
    el.style.left = b[0] * 100 + "%";
    el.style.top = b[1] * 100 + "%";
    el.style.width = (b[2] - b[0]) * 100 + "%";
    el.style.height = (b[3] - b[1]) * 100 + "%";
  }
  function save() {
    field.value = JSON.stringify(boxes);
    count.textContent = boxes.length ? boxes.length + " ▭" : "";
  }
  stage.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    stage.setPointerCapture(event.pointerId);
    start = rel(event);
    drawing = document.createElement("div");
    drawing.className = "redact-box";
    stage.appendChild(drawing);
  });
  stage.addEventListener("pointermove", function (event) {
    if (!start) return;
    var p = rel(event);
    place(drawing, [Math.min(start.x, p.x), Math.min(start.y, p.y), Math.max(start.x, p.x), Math.max(start.y, p.y)]);
  });
  stage.addEventListener("pointerup", function (event) {
    if (!start) return;
    var p = rel(event);
    var b = [Math.min(start.x, p.x), Math.min(start.y, p.y), Math.max(start.x, p.x), Math.max(start.y, p.y)];
    start = null;
    if (b[2] - b[0] < 0.01 || b[3] - b[1] < 0.01) { drawing.remove(); return; }
    place(drawing, b);
    boxes.push(b.map(function (v) { return Math.round(v * 10000) / 10000; }));
    save();
  });
  document.querySelector("[data-undo]").addEventListener("click", function () {
    var last = stage.querySelectorAll(".redact-box");
    if (!boxes.length || !last.length) return;
    boxes.pop();
    last[last.length - 1].remove();
    save();
  });
  save();
})();
