// Print buttons: inline handlers are not allowed by the content security policy.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
