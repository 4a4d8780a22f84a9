/* Small behaviours without inline handlers (the Content-Security-Policy allows no inline script). */
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    if (e.target.matches("select[data-autosubmit]")) e.target.form.submit();
    // Bulk actions (the household list): "select all on this page", the count and the buttons.
    var all = e.target.closest("[data-select-all]");
    if (all) {
      document.querySelectorAll('input[type=checkbox][name="' + all.dataset.selectAll + '"]').forEach(function (box) {
        box.checked = all.checked;
      });
    }
    if (all || (e.target.form && e.target.form.id === "bulk-form")) {
      var n = document.querySelectorAll('input[name="ids"][form="bulk-form"]:checked').length;
      document.querySelectorAll("[data-selected-count]").forEach(function (el) { el.textContent = n; });
      document.querySelectorAll("#bulk-form [data-needs-selection]").forEach(function (b) { b.disabled = n === 0; });
    }
  });
  // Enter on a focused tree toggle opens it like a click (htmx trigger filters would need eval,
  // which the Content-Security-Policy forbids).
  document.addEventListener("keyup", function (e) {
    if (e.key === "Enter" && e.target.matches(".toggle[hx-get]")) e.target.click();
  });
  // A further member's row on the registration form: removed rows are simply not posted.
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-remove-row]");
    if (button) button.closest(".member-row").remove();
  });
  document.addEventListener("htmx:beforeRequest", function (e) {
    var el = e.detail.elt;
    if (el.classList && el.classList.contains("toggle")) el.textContent = "▾";
  });
})();
