/* 走访离线表单的 service worker (issue 15). Served by fupin.assistance.views_visits.service_worker at
 * /assistance/sw.js (scope /assistance/), which fills in ASSETS (the form page and the static files it
 * loads, as this installation serves them) and VERSION (their digest).
 *
 * It keeps only the page shell and the assets: no household data (the household list and the queue
 * live in IndexedDB, per account: offline.js). Pages: network first, the kept copy without signal.
 * Static files: the kept copy first. Everything else (the API, other pages) goes to the network. */
"use strict";
const ASSETS = /*ASSETS*/[];
const VERSION = /*VERSION*/"dev";
const CACHE = "fupin-visits-" + VERSION;
const FORM = ASSETS[0];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(
    keys.filter((k) => k.startsWith("fupin-visits-") && k !== CACHE).map((k) => caches.delete(k))
  )).then(() => self.clients.claim()));
});

function keep(request, response) {
  // Only a complete page of our own: never a redirect (to the login page) or an error.
  if (response && response.ok && !response.redirected && response.type === "basic") {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === FORM) {
    // The form, whatever its ?household=: the page itself is the same shell.
    event.respondWith(fetch(request).then((r) => keep(new Request(FORM), r)).catch(
      () => caches.match(FORM).then((r) => r || Response.error())));
    return;
  }
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((r) => r || fetch(request).then((n) => keep(url.pathname, n))));
  }
});
