/* Offline after the first visit. Pages and unhashed files come from the network when there is
   signal (so a new build shows at once) and from the cache when there is none; content-hashed files
   (media, Material's bundles) never change, so they are served from the cache first. Narration is
   answered from the cache in the byte ranges audio players ask for. No third-party requests. */
"use strict";
const VERSION = "v2";
const PAGES = "guide-pages-" + VERSION, MEDIA = "guide-media-" + VERSION, ASSETS = "guide-assets-" + VERSION;
const HASHED = /(\/media\/|\.[0-9a-f]{8}\.min\.(js|css)$)/;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(
  caches.keys()
    .then((names) => Promise.all(names.filter((n) => n.startsWith("guide-") && ![PAGES, MEDIA, ASSETS].includes(n))
      .map((n) => caches.delete(n))))
    .then(() => self.clients.claim())
));

function store(cacheName, request, response) {
  if (response.ok && response.status === 200 && response.type === "basic") {
    const copy = response.clone();
    caches.open(cacheName).then((cache) => cache.put(request, copy));
  }
  return response;
}

function networkFirst(request, cacheName) {
  return fetch(request).then((response) => store(cacheName, request, response)).catch(async () => {
    const url = new URL(request.url);
    const hit = await caches.match(request, { ignoreSearch: true })
      || (!url.pathname.endsWith("/") && await caches.match(url.origin + url.pathname + "/"));
    return hit || Response.error();
  });
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

async function range(request) {
  const cached = await caches.match(request.url);
  if (!cached) return fetch(request);
  const body = await cached.blob();
  const [, first, last] = /bytes=(\d*)-(\d*)/.exec(request.headers.get("range")) || [];
  const start = first ? Number(first) : Math.max(0, body.size - Number(last || body.size));
  const end = first && last ? Math.min(Number(last), body.size - 1) : body.size - 1;
  return new Response(body.slice(start, end + 1), {
    status: 206,
    headers: {
      "Content-Type": cached.headers.get("Content-Type") || "audio/mpeg",
      "Content-Range": `bytes ${start}-${end}/${body.size}`,
      "Content-Length": String(end - start + 1),
      "Accept-Ranges": "bytes",
    },
  });
}

// "Save this area for offline use": the page sends the list, the worker (which owns the caches) stores it.
self.addEventListener("message", (event) => {
  const urls = event.data && event.data.save;
  if (!Array.isArray(urls) || !event.ports[0]) return;
  const reply = (ok) => event.ports[0].postMessage(ok);
  event.waitUntil(Promise.all(urls.map((u) => caches.open(u.includes("/media/") ? MEDIA : PAGES).then((c) => c.add(u))))
    .then(() => reply(true), () => reply(false)));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.headers.has("range")) {
    if (url.pathname.includes("/media/")) event.respondWith(range(request));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(request, PAGES));
  } else if (HASHED.test(url.pathname)) {
    const cacheName = url.pathname.includes("/media/") ? MEDIA : ASSETS;
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request).then((r) => store(cacheName, request, r))
      .catch(() => (cacheName === MEDIA ? otherWidth(url) : Response.error()))));
  } else {
    event.respondWith(networkFirst(request, ASSETS));
  }
});
