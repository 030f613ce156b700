// On wide screens the navigation is always shown; on phones it folds into the "Menu" toggle.
(function () {
  var menu = document.querySelector("details.menu");
  if (!menu) return;
  var wide = window.matchMedia("(min-width: 48rem)");
  document.documentElement.classList.add("js");
  function sync() { menu.open = wide.matches; }
  wide.addEventListener("change", sync);
  sync();
})();
