/* 登记走访, with or without signal (issue 15). The page (assistance/visit_form.html) is kept by the
 * service worker (sw.js); this script keeps the household list and the queue of visits in IndexedDB,
 * per account, and sends the queue to /api/visits/ when the phone is online.
 *
 * Exactly once: each visit gets a client id (a UUID) when it is logged; the server stores a client id
 * once and answers a repeated send with the stored visit (200), so a retry after a lost answer, a
 * reload or a second tab never makes a second visit.
 *
 * CSRF: the API is called with the signed-in session, so each send carries the CSRF token read at
 * send time (Django's csrftoken cookie, else the token of the page). A session that expired while
 * offline answers 401/403 "not signed in" or "csrf_failed": the visit stays queued (待发送) and the
 * page asks to sign in again; it is never marked refused for that. Only a refusal about the visit
 * itself (400, 404 the household is not yours, 403 your role may not) marks it 被拒绝, with the
 * server's reason. */
(function () {
  "use strict";
  const root = document.getElementById("visit-app");
  if (!root) return;
  const cfg = JSON.parse(document.getElementById("visit-config").textContent);
  const $ = (sel) => root.querySelector(sel);
  const form = $("#visit-form");
  const select = $("#v-household");
  const cadreRow = $("#v-cadre-row");
  const cadreSelect = $("#v-cadre");
  const list = $("#queue");
  const net = $("#net-state");
  const notice = $("#sync-notice");
  const LABEL = {queued: "待发送", sending: "发送中", sent: "已保存", refused: "被拒绝"};
  let households = [];
  let syncing = false;
  let confirmed = false;  // the server said this page's account is the one signed in

  // --- IndexedDB --------------------------------------------------------------------------------
  function openDb() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open("fupin-visits", 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore("queue", {keyPath: "client_id"});
        db.createObjectStore("meta", {keyPath: "key"});
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  const dbReady = openDb();
  async function tx(store, mode, fn) {
    const db = await dbReady;
    return new Promise((resolve, reject) => {
      const t = db.transaction(store, mode);
      const s = t.objectStore(store);
      let out;
      Promise.resolve(fn(s)).then((r) => { out = r; });
      t.oncomplete = () => resolve(out);
      t.onerror = () => reject(t.error);
    });
  }
  const reqP = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  const putItem = (item) => tx("queue", "readwrite", (s) => s.put(item));
  async function allItems() {
    const items = await tx("queue", "readonly", (s) => reqP(s.getAll()));
    return (items || []).filter((i) => i.user === cfg.user).sort((a, b) => a.created.localeCompare(b.created));
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // --- the household list --------------------------------------------------------------------------
  function fillHouseholds(wanted) {
    const keep = wanted || select.value;
    select.replaceChildren(new Option("请选择走访户", ""));
    for (const h of households) {
      const tail = h.due ? (h.last_visit ? "（走访已到期）" : "（从未走访）") : "";
      select.add(new Option(`${h.head_name} · ${h.number} · ${h.village}${tail}`, String(h.id)));
    }
    if (keep && households.some((h) => String(h.id) === String(keep))) select.value = String(keep);
    $("#hh-count").textContent = String(households.length);
    fillCadres();
  }
  function fillCadres() {
    const h = households.find((x) => String(x.id) === select.value);
    const cadres = (h && h.cadres) || (cfg.own_cadre ? [cfg.own_cadre] : []);
    cadreSelect.replaceChildren(...cadres.map((c) => new Option(c.name, String(c.id))));
    cadreRow.hidden = cadres.length <= 1;
  }
  async function loadHouseholds() {
    const wanted = new URLSearchParams(location.search).get("household");
    const key = `households:${cfg.user}`;
    try {
      const url = cfg.households + (wanted ? `?household=${encodeURIComponent(wanted)}` : "");
      const r = await fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}});
      if (!r.ok || r.redirected) throw new Error(String(r.status));
      const data = await r.json();
      if (data.user !== cfg.user) { location.reload(); return; }  // a kept page of another account
      confirmed = true;
      households = data.households;
      await tx("meta", "readwrite", (s) => s.put({key, households, saved: new Date().toISOString()}));
      $("#hh-source").textContent = "已更新";
    } catch (e) {
      const kept = await tx("meta", "readonly", (s) => reqP(s.get(key)));
      households = kept ? kept.households : [];
      $("#hh-source").textContent = kept ? `离线副本（${new Date(kept.saved).toLocaleDateString("zh-CN")}）`
        : "无离线副本：请先在有信号时打开本页";
    }
    fillHouseholds(wanted);
  }

  // --- the queue -----------------------------------------------------------------------------------
  function row(item) {
    const li = document.createElement("li");
    li.className = `qitem ${item.state}`;
    li.dataset.state = item.state;
    li.dataset.clientId = item.client_id;
    const head = document.createElement("div");
    head.className = "qhead";
    const badge = document.createElement("span");
    badge.className = `qstate ${item.state}`;
    badge.textContent = LABEL[item.state] || item.state;
    const title = document.createElement("b");
    title.textContent = `${item.on} ${item.label}`;
    head.append(badge, title);
    li.append(head);
    const body = document.createElement("div");
    body.className = "qbody";
    let text = item.purpose;
    if (item.photos && item.photos.length) text += ` · 照片 ${item.photos.length} 张`;
    body.textContent = text;
    li.append(body);
    if (item.reason) {
      const reason = document.createElement("div");
      reason.className = "qreason";
      reason.textContent = item.reason;
      li.append(reason);
    }
    return li;
  }
  async function render() {
    const items = await allItems();
    list.replaceChildren(...items.slice().reverse().map(row));
    const queued = items.filter((i) => i.state === "queued").length;
    $("#queued-count").textContent = String(queued);
    const refused = items.filter((i) => i.state === "refused").length;
    if (queued === 0 && items.length && $("#save-state").textContent) {
      $("#save-state").textContent = refused ? `有 ${refused} 条被拒绝，见下方原因` : "本机记录均已发送";
    }
    $("#queue-empty").hidden = items.length > 0;
  }

  function csrfToken() {
    const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  function reasonOf(body) {
    const err = body && body.error;
    if (!err) return "服务器拒绝了该记录";
    const parts = [];
    for (const msgs of Object.values(err.fields || {})) parts.push(...[].concat(msgs).map(String));
    return parts.length ? parts.join("；") : err.message;
  }

  async function sendOne(item) {
    const payload = {household: item.household, client_id: item.client_id, on: item.on, purpose: item.purpose,
                     findings: item.findings, help_given: item.help_given, follow_up: item.follow_up};
    if (item.cadre) payload.cadre = item.cadre;
    if (item.latitude !== null && item.longitude !== null) { payload.latitude = item.latitude; payload.longitude = item.longitude; }
    const headers = {"Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken()};
    const r = await fetch(cfg.api, {method: "POST", credentials: "same-origin", headers, body: JSON.stringify(payload)});
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    const code = body && body.error && body.error.code;
    if (r.status === 401 || (r.status === 403 && (code === "csrf_failed" || code === "not_authenticated"))) {
      return "login";
    }
    if (r.status >= 500 || r.status === 429) return "later";
    if (r.status === 400 || r.status === 403 || r.status === 404 || r.status === 409) {
      item.state = "refused"; item.reason = reasonOf(body);
      await putItem(item);
      return "done";
    }
    if (r.status !== 200 && r.status !== 201) return "later";
    item.visit = body.id;
    // The photos, each sent once more on a retry: the server keeps one copy per picture and visit.
    for (const [i, blob] of (item.photos || []).entries()) {
      if ((item.photos_sent || 0) > i) continue;
      const data = new FormData();
      data.append("file", blob, blob.name || `photo-${i + 1}.jpg`);
      const p = await fetch(`${cfg.api}${body.id}/photos/`, {method: "POST", credentials: "same-origin",
        headers: {"X-CSRFToken": csrfToken(), Accept: "application/json"}, body: data});
      if (p.status >= 500 || p.status === 429) return "later";
      let pb = null;
      if (!p.ok) { try { pb = await p.json(); } catch (e) { pb = null; } }
      const pcode = pb && pb.error && pb.error.code;
      if (p.status === 401 || (p.status === 403 && (pcode === "csrf_failed" || pcode === "not_authenticated"))) return "login";
      if (!p.ok) item.reason = `照片${i + 1}未保存：${reasonOf(pb)}`;
      item.photos_sent = i + 1;
      await putItem(item);
    }
    item.state = "sent";
    item.sent_at = new Date().toISOString();
    await putItem(item);
    return "done";
  }

  async function sync() {
    if (syncing || !navigator.onLine || !confirmed) return;
    syncing = true;
    notice.hidden = true;
    try {
      for (const item of await allItems()) {
        if (item.state !== "queued") continue;
        let outcome;
        try { outcome = await sendOne(item); } catch (e) { outcome = "later"; }
        if (outcome === "login") {
          notice.textContent = "登录已过期：请重新登录，待发送的走访记录会保留并在登录后发送。";
          notice.hidden = false;
          break;
        }
        if (outcome === "later") break;
        await render();
      }
    } finally {
      syncing = false;
      await render();
    }
  }

  function showNet() {
    net.textContent = navigator.onLine ? "在线" : "离线：记录先保存在手机上，有信号后自动发送";
    net.className = navigator.onLine ? "net on" : "net off";
  }

  // --- the form -------------------------------------------------------------------------------------
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const h = households.find((x) => String(x.id) === select.value);
    const errors = [];
    if (!h) errors.push("请选择走访户");
    if (!form.on.value) errors.push("请填写走访日期");
    if (!form.purpose.value.trim()) errors.push("请填写走访事由");
    const photos = Array.from(form.photos.files || []);
    if (photos.length > cfg.max_photos) errors.push(`每条走访记录最多 ${cfg.max_photos} 张照片`);
    const box = $("#form-errors");
    box.textContent = errors.join("；");
    box.hidden = errors.length === 0;
    if (errors.length) return;
    const lat = form.latitude.value, lon = form.longitude.value;
    const item = {
      client_id: uuid(), user: cfg.user, household: h.id, label: `${h.head_name}（${h.number}）`,
      cadre: cadreSelect.value ? Number(cadreSelect.value) : null, on: form.on.value,
      purpose: form.purpose.value.trim(), findings: form.findings.value.trim(), help_given: form.help_given.value.trim(),
      follow_up: form.follow_up.value.trim(), latitude: lat ? Number(lat) : null, longitude: lon ? Number(lon) : null,
      photos, photos_sent: 0, state: "queued", reason: "", created: new Date().toISOString(),
    };
    // The form is locked while the visit is written to the phone (IndexedDB, with its photos: it may take
    // a moment): what is typed meanwhile would be cleared with the saved visit.
    const controls = Array.from(form.elements).filter((el) => !el.disabled);
    controls.forEach((el) => { el.disabled = true; });
    try {
      await putItem(item);
    } finally {
      controls.forEach((el) => { el.disabled = false; });
    }
    $("#save-state").textContent = navigator.onLine ? "已保存在本机，正在发送…" : "已保存在本机（待发送），有信号后自动发送";
    const keepDate = form.on.value;
    form.reset();
    form.on.value = keepDate;
    $("#geo-state").textContent = "";
    fillCadres();
    await render();
    sync();
  });
  select.addEventListener("change", fillCadres);
  $("#sync-now").addEventListener("click", () => sync());
  $("#clear-sent").addEventListener("click", async () => {
    const sent = (await allItems()).filter((i) => i.state === "sent");
    await tx("queue", "readwrite", (s) => { for (const i of sent) s.delete(i.client_id); });
    await render();
  });
  $("#geo").addEventListener("click", () => {
    const state = $("#geo-state");
    if (!navigator.geolocation) { state.textContent = "本设备不支持定位"; return; }
    state.textContent = "定位中…";
    navigator.geolocation.getCurrentPosition((pos) => {
      form.latitude.value = pos.coords.latitude.toFixed(6);
      form.longitude.value = pos.coords.longitude.toFixed(6);
      state.textContent = `已定位（精度约 ${Math.round(pos.coords.accuracy)} 米）`;
    }, () => { state.textContent = "未能定位（可不填）"; }, {timeout: 15000, maximumAge: 600000});
  });
  window.addEventListener("online", async () => { showNet(); await loadHouseholds(); sync(); });
  window.addEventListener("offline", showNet);
  setInterval(() => { if (navigator.onLine) sync(); }, 60000);  // a send that failed (server busy) is retried

  // 退出 on this page may send the queue first (privacy.js)
  window.fupinVisits = {sync};
  showNet();
  // privacy.js first clears what another account left on this phone (its household list, the kept pages)
  Promise.resolve(window.fupinOfflineReady).then(() => {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(cfg.sw, {scope: cfg.scope}).then(() => {
        root.dataset.sw = "registered";
      }).catch(() => { root.dataset.sw = "failed"; });
    }
    return Promise.all([loadHouseholds(), render()]);
  }).then(() => { root.dataset.ready = "true"; sync(); });
})();
