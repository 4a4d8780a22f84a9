/* Small behaviours without inline handlers (the Content-Security-Policy allows no inline script). */
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    if (e.target.matches("select[data-autosubmit]")) e.target.form.submit();
  });
  document.addEventListener("htmx:beforeRequest", function (e) {
    var el = e.detail.elt;
    if (el.classList && el.classList.contains("toggle")) el.textContent = "▾";
  });
})();
