/* The responsive page layout (no library; the Content-Security-Policy allows no inline script).
   Up to 1260 px the menu, the account and 退出 fold behind the 菜单 button; wide tables scroll
   sideways inside their own box instead of widening the page. */
(function () {
  "use strict";
  var bar = document.getElementById("topbar");
  var toggle = bar && bar.querySelector(".menu-toggle");
  if (toggle) {
    var set = function (open) {
      bar.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    };
    toggle.addEventListener("click", function () { set(!bar.classList.contains("open")); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && bar.classList.contains("open")) { set(false); toggle.focus(); }
    });
    document.addEventListener("click", function (e) {
      if (bar.classList.contains("open") && !bar.contains(e.target)) set(false);
    });
  }
  // Every data table in a box of its own that scrolls sideways, also those htmx swaps in.
  function wrapTables(root) {
    var tables = (root || document).querySelectorAll("table.data");
    for (var i = 0; i < tables.length; i++) {
      var t = tables[i];
      if (t.parentElement && t.parentElement.classList.contains("scroll-x")) continue;
      var box = document.createElement("div");
      box.className = "scroll-x";
      t.parentNode.insertBefore(box, t);
      box.appendChild(t);
    }
  }
  wrapTables(document);
  document.addEventListener("htmx:afterSettle", function (e) { wrapTables(document); });
})();
