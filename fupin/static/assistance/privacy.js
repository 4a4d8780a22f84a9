/* The phone's offline visit copy is cleared at 退出 and when another account signs in on the same phone
 * (issue 15, fin15). Loaded on every page (base.html). What the visit form (offline.js, sw.js) keeps:
 *   - the service worker's cache "fupin-visits-<version>" (the form's shell and its assets);
 *   - IndexedDB "fupin-visits": "meta" (households:<user id> — the cadre's household list, names and
 *     numbers) and "queue" (the visits logged on the phone, per account: 待发送, 已保存, 被拒绝).
 *
 * At 退出: the cache and the service worker go, every household list goes, and every visit already
 * sent or refused goes. A visit still 待发送 is never dropped: when the account has one, 退出 first shows
 * a warning with 先发送 (on the visit form: sends them now, then signs out when all went; elsewhere: opens
 * the form, which sends them when there is signal) and 仍然退出 (the unsent visits stay on the phone,
 * nothing else; they are sent when the same account signs in again and opens the form).
 *
 * When a page opens for another account than the last one on this phone, the same is cleared of the
 * other account (its unsent visits stay, hidden from this account: offline.js shows an account's own).
 * Any failure here (no IndexedDB, a private window) never stops the sign-out. */
(function () {
  "use strict";
  const me = document.body.dataset.userId || "";
  const OWNER = "fupin-offline-owner";

  function openExisting() {
    // The visit database if this phone has one (never created here: an upgrade is aborted).
    return new Promise((resolve) => {
      if (!window.indexedDB) { resolve(null); return; }
      let req;
      try { req = indexedDB.open("fupin-visits"); } catch (e) { resolve(null); return; }
      req.onupgradeneeded = () => { req.transaction.abort(); };
      req.onsuccess = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains("queue") || !db.objectStoreNames.contains("meta")) { db.close(); resolve(null); return; }
        resolve(db);
      };
      req.onerror = () => resolve(null);
      req.onblocked = () => resolve(null);
    });
  }

  function run(db, stores, fn) {
    return new Promise((resolve, reject) => {
      const t = db.transaction(stores, fn ? "readwrite" : "readonly");
      let out;
      const result = (fn || ((q) => q.getAll()))(...stores.map((s) => t.objectStore(s)));
      if (result && "onsuccess" in result) result.onsuccess = () => { out = result.result; };
      t.oncomplete = () => resolve(out);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  }

  async function queuedOf(user) {
    const db = await openExisting();
    if (!db) return 0;
    try {
      const items = (await run(db, ["queue"])) || [];
      return items.filter((i) => i.state === "queued" && String(i.user) === String(user)).length;
    } finally { db.close(); }
  }

  /* Clear the offline copy. ``keepUser``: an account whose household list stays (the one signing in);
   * null at 退出. Visits 待发送 always stay. */
  async function clearCopy(keepUser) {
    const db = await openExisting();
    if (db) {
      try {
        await run(db, ["queue", "meta"], (queue, meta) => {
          queue.getAll().onsuccess = (e) => {
            for (const i of e.target.result) {
              if (i.state === "queued") continue;
              if (keepUser !== null && String(i.user) === String(keepUser)) continue;
              queue.delete(i.client_id);
            }
          };
          meta.getAll().onsuccess = (e) => {
            for (const m of e.target.result) {
              if (keepUser !== null && m.key === `households:${keepUser}`) continue;
              meta.delete(m.key);
            }
          };
        });
      } finally { db.close(); }
    }
    if (window.caches) {
      const keys = await caches.keys();
      await Promise.all(keys.filter((k) => k.startsWith("fupin-visits-")).map((k) => caches.delete(k)));
    }
    if (navigator.serviceWorker && navigator.serviceWorker.getRegistrations) {
      const regs = await navigator.serviceWorker.getRegistrations();
      await Promise.all(regs.filter((r) => new URL(r.scope).pathname.startsWith("/assistance/")).map((r) => r.unregister()));
    }
  }

  // --- another account on this phone ------------------------------------------------------------------
  let owner = null;
  try { owner = localStorage.getItem(OWNER); } catch (e) { owner = null; }
  const switched = me && owner !== me
    ? clearCopy(me).catch(() => null).then(() => { try { localStorage.setItem(OWNER, me); } catch (e) { /* private */ } })
    : Promise.resolve();
  // The visit form waits for this before it reads or keeps anything (a kept copy of the last account).
  window.fupinOfflineReady = switched;

  // --- 退出 --------------------------------------------------------------------------------------------
  function dialogFor(form, count) {
    let dlg = document.getElementById("logout-warn");
    if (!dlg) {
      dlg = document.createElement("dialog");
      dlg.id = "logout-warn";
      dlg.className = "logout-warn";
      dlg.innerHTML = '<h2></h2><p class="lw-text"></p><p class="lw-state" role="status"></p>'
        + '<div class="lw-actions"><button type="button" class="btn primary" data-act="send">先发送</button>'
        + '<button type="button" class="btn" data-act="logout">仍然退出</button>'
        + '<button type="button" class="btn" data-act="cancel">取消</button></div>';
      document.body.append(dlg);
    }
    dlg.querySelector("h2").textContent = `本机还有 ${count} 条走访记录未发送`;
    dlg.querySelector(".lw-text").textContent = "这些记录只保存在这部手机上。请先发送（有信号时即可发送）；"
      + "若仍然退出，这些记录会保留在本机，其余离线内容（走访户名单、已发送的记录）会清除，您下次登录后打开“登记走访”即可发送。";
    dlg.querySelector(".lw-state").textContent = "";
    dlg.onclick = async (event) => {
      const act = event.target.dataset && event.target.dataset.act;
      if (act === "cancel") { dlg.close(); return; }
      if (act === "logout") { dlg.close(); await leave(form); return; }
      if (act === "send") {
        if (!window.fupinVisits) { location.href = form.dataset.visits; return; }
        dlg.querySelector(".lw-state").textContent = "正在发送…";
        await window.fupinVisits.sync();
        const left = await queuedOf(me);
        if (left === 0) { dlg.close(); await leave(form); return; }
        dlg.querySelector(".lw-state").textContent = `仍有 ${left} 条未能发送（无信号或登录已过期），可稍后再试。`;
      }
    };
    if (!dlg.open) dlg.showModal();
    return dlg;
  }

  async function leave(form) {
    try { await clearCopy(null); } catch (e) { /* the sign-out goes on */ }
    try { localStorage.removeItem(OWNER); } catch (e) { /* private */ }
    form.dataset.cleared = "1";
    form.submit();
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.matches || !form.matches("form[data-logout]") || form.dataset.cleared === "1") return;
    event.preventDefault();
    let count = 0;
    try { count = await queuedOf(me); } catch (e) { count = 0; }
    if (count > 0) dialogFor(form, count);
    else await leave(form);
  });
})();
