// The claimant signs on a canvas with finger, pen or mouse; the drawing goes to the server as a PNG.
(function () {
  var canvas = document.querySelector("[data-signature-canvas]");
  if (!canvas) return;
  var field = document.querySelector("[data-signature-field]");
  var clear = document.querySelector("[data-signature-clear]");
  var form = canvas.closest("form");
  var context = canvas.getContext("2d");
  var drawing = false;
  var inked = false;
  var last = null;

  context.lineWidth = 3;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.strokeStyle = "#111";

  function point(event) {
    var r = canvas.getBoundingClientRect();
    return {
      x: (event.clientX - r.left) * (canvas.width / r.width),
      y: (event.clientY - r.top) * (canvas.height / r.height)
    };
  }
  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    drawing = true;
    last = point(event);
    context.beginPath();
    context.arc(last.x, last.y, 1.2, 0, Math.PI * 2);
    context.fill();
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) return;
    var p = point(event);
    context.beginPath();
    context.moveTo(last.x, last.y);
    context.lineTo(p.x, p.y);
    context.stroke();
    last = p;
    inked = true;
  });
  function stop() {
    if (drawing && inked) field.value = canvas.toDataURL("image/png");
    drawing = false;
  }
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  clear.addEventListener("click", function () {
    context.clearRect(0, 0, canvas.width, canvas.height);
    field.value = "";
    inked = false;
  });
  // A check of the ID reloads the page: the signature comes after it, so nothing is lost.
  if (form) form.addEventListener("submit", stop);
})();
