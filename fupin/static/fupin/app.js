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
  // 出生日期 and 性别 from the ID number as it is typed (the member form; the server does the same on
  // saving, fupin.registry.forms.MemberForm.clean). A date or sex the user typed is left alone: only a
  // blank one, or one that came from the number as it was before, follows the number.
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  function fromId(raw) {
    var n = String(raw || "").replace(/\s+/g, "").toUpperCase();
    if (n.length === 20 || n.length === 22) n = n.slice(0, 18);  // 残疾人证: the holder's number + 2/4
    var y, md, sexDigit;
    if (/^\d{17}[\dX]$/.test(n)) {
      var sum = 0;
      for (var i = 0; i < 17; i++) sum += Number(n[i]) * WEIGHTS[i];
      if ("10X98765432"[sum % 11] !== n[17]) return null;
      y = n.slice(6, 10); md = n.slice(10, 14); sexDigit = n[16];
    } else if (/^\d{15}$/.test(n)) {
      y = "19" + n.slice(6, 8); md = n.slice(8, 12); sexDigit = n[14];
    } else {
      return null;
    }
    var date = y + "-" + md.slice(0, 2) + "-" + md.slice(2);
    var d = new Date(date + "T00:00:00Z");
    if (isNaN(d) || d.toISOString().slice(0, 10) !== date) return null;
    return {birth: date, sex: Number(sexDigit) % 2 ? "1" : "2"};
  }
  function idFields(input) {
    var prefix = input.name.slice(0, input.name.length - "id_number".length);
    var form = input.form;
    return form && {birth: form.elements[prefix + "birth_date"], sex: form.elements[prefix + "sex"]};
  }
  function fillFromId(input) {
    var fields = idFields(input);
    if (!fields) return;
    // "before" is the last valid number: while a number is retyped digit by digit it is invalid in between.
    var now = fromId(input.value), before = fromId(input.dataset.idBefore);
    if (!now) return;
    input.dataset.idBefore = input.value;
    var filled = false;
    [["birth", now.birth, before && before.birth], ["sex", now.sex, before && before.sex]].forEach(function (f) {
      var el = fields[f[0]];
      if (!el || el.value === f[1]) return;
      if (el.value === "" || el.value === f[2]) { el.value = f[1]; filled = true; }
    });
    if (filled) {
      var note = input.parentNode.querySelector(".id-note");
      if (!note) {
        note = document.createElement("div");
        note.className = "help id-note";
        note.setAttribute("role", "status");
        input.parentNode.insertBefore(note, input.nextSibling);
      }
      note.textContent = input.dataset.idNote || "";
    }
  }
  document.querySelectorAll("input[data-id-fill]").forEach(function (input) {
    input.dataset.idBefore = input.value;
  });
  document.addEventListener("input", function (e) {
    if (e.target.matches("input[data-id-fill]")) fillFromId(e.target);
  });
  // A further member's row on the registration form: removed rows are simply not posted.
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-remove-row]");
    if (button) button.closest(".member-row, .cond-row").remove();
  });
  // A field shown only for one choice of a select (the 行业部门 account's department on the accounts page, the
  // 到户类 asset's household on the asset form): hidden — and not posted — while another is chosen; without
  // script it stays visible (the server ignores the department for other roles, refuses a household).
  function roleOnly() {
    document.querySelectorAll("[data-role-only]").forEach(function (el) {
      var select = document.getElementById(el.dataset.roleSelect);
      if (!select) return;
      el.hidden = select.value !== el.dataset.roleOnly;
      el.querySelectorAll("select, input").forEach(function (field) { field.disabled = el.hidden; });
    });
  }
  roleOnly();
  document.addEventListener("change", function (e) {
    if (e.target.matches("select[id]") && document.querySelector('[data-role-select="' + e.target.id + '"]')) roleOnly();
  });
  // A text box over a long select (the allocation form: hundreds of projects) keeps only the options whose
  // text holds every word typed — the chosen one and the blank one always stay. Without JavaScript the box
  // belongs to a GET form that narrows the options on the server; with it, Enter does not leave the page.
  function filterSelect(input) {
    var select = document.getElementById(input.dataset.filterSelect);
    if (!select) return;
    if (!select.fupinOptions) select.fupinOptions = Array.prototype.slice.call(select.options);
    var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var chosen = select.value, shown = 0;
    while (select.options.length) select.remove(0);
    select.fupinOptions.forEach(function (o) {
      var text = o.text.toLowerCase();
      var hit = words.every(function (w) { return text.indexOf(w) >= 0; });
      if (hit || !o.value || o.value === chosen) select.add(o);
      if (hit && o.value) shown++;
    });
    select.value = chosen;
    // the matches shown as an open list while a search is typed (a plain drop-down again once cleared)
    if (words.length && shown > 0) select.size = Math.min(shown + 1, 8);
    else select.removeAttribute("size");
    var count = document.getElementById(input.dataset.filterSelect + "-found");
    if (count) count.textContent = words.length ? (count.dataset.template || "{n}").replace("{n}", shown) : "";
  }
  document.addEventListener("input", function (e) {
    if (e.target.matches("input[data-filter-select]")) filterSelect(e.target);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.matches("input[data-filter-select]")) {
      e.preventDefault();
      var select = document.getElementById(e.target.dataset.filterSelect);
      if (select) select.focus();
    }
  });
  document.addEventListener("htmx:beforeRequest", function (e) {
    var el = e.detail.elt;
    if (el.classList && el.classList.contains("toggle")) el.textContent = "▾";
  });
  // A link's #anchor that sits in a part loaded after the page opened (a project's money trail, #payment-…):
  // once that part is in, go to it and mark it, as the browser would have done had it been there at first.
  document.addEventListener("htmx:afterSettle", function (e) {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id || document.documentElement.dataset.anchorReached === id) return;
    var target = document.getElementById(id);
    if (target && e.detail.elt.contains(target)) {
      document.documentElement.dataset.anchorReached = id;
      target.classList.add("anchored");
      target.scrollIntoView({block: "center"});
    }
  });
})();
