/* Offline after the first visit: pages are fetched fresh when there is signal and served from the
   cache when there is none; content-hashed media are cached for ever. No third-party requests. */
"use strict";
const PAGES = "guide-pages-v1", MEDIA = "guide-media-v1", ASSETS = "guide-assets-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function store(cacheName, request, response) {
  if (response.ok && response.type === "basic") {
    const copy = response.clone();
    caches.open(cacheName).then((cache) => cache.put(request, copy));
  }
  return response;
}

async function otherWidth(url) {
  // An image variant this device never fetched: any cached width of the same picture will do.
  const stem = url.pathname.replace(/-\d+\.(webp|jpg)$/, "-");
  const cache = await caches.open(MEDIA);
  for (const request of await cache.keys()) {
    if (new URL(request.url).pathname.startsWith(stem)) return cache.match(request);
  }
  return Response.error();
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || request.headers.has("range")) return;
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request)
        .then((response) => store(PAGES, request, response))
        .catch(() => caches.match(request, { ignoreSearch: true }).then((hit) => hit || Response.error()))
    );
  } else if (url.pathname.includes("/media/")) {
    event.respondWith(
      caches.match(request).then((hit) => hit || fetch(request).then((r) => store(MEDIA, request, r)).catch(() => otherWidth(url)))
    );
  } else {
    const network = fetch(request).then((response) => store(ASSETS, request, response));
    event.respondWith(caches.match(request).then((hit) => hit || network));
    event.waitUntil(network.catch(() => undefined));
  }
});
