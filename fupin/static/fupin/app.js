/* Small behaviours without inline handlers (the Content-Security-Policy allows no inline script). */
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    if (e.target.matches("select[data-autosubmit]")) e.target.form.submit();
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
