/* Offline after the first visit. Pages and unhashed files come from the network when there is
   signal (so a new build shows at once) and from the cache when there is none; content-hashed files
   (media, Material's bundles) never change, so they are served from the cache first. Narration is
   answered from the cache in the byte ranges audio players ask for; videos are left to the network. The first page, loaded before this
   worker ran, is kept when guide.js asks, with the plaque address that led to it. No third-party requests. */
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

/* Keeps a copy of a good answer; the worker stays alive until it is written (a phone may stop an idle
   worker as soon as it has answered, losing the copy). */
function store(event, cacheName, response) {
  if (response.ok && response.status === 200 && response.type === "basic") {
    const copy = response.clone();
    event.waitUntil(caches.open(cacheName).then((cache) => cache.put(event.request, copy)).catch(() => null));
  }
  return response;
}

function networkFirst(event, cacheName) {
  const request = event.request;
  return fetch(request).then((response) => store(event, cacheName, response)).catch(async () => {
    const url = new URL(request.url);
    const hit = await caches.match(request, { ignoreSearch: true });
    if (hit) return hit;
    // A printed plaque address has no trailing slash; its page was kept under the folder form. Send the
    // browser there, so the page's relative links resolve as they do online.
    const folder = url.origin + url.pathname + "/";
    if (!url.pathname.endsWith("/") && await caches.match(folder)) {
      return request.mode === "navigate" ? Response.redirect(folder + url.search, 302) : caches.match(folder);
    }
    return Response.error();
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

function cacheFor(url) {
  const path = new URL(url).pathname;
  if (path.includes("/media/")) return MEDIA;
  return path.endsWith("/") || path.endsWith(".html") ? PAGES : ASSETS;
}

function ownAddresses(list) { // only the site's own addresses are ever fetched into its caches
  return list.filter((address) => {
    try { return new URL(address, self.location.href).origin === self.location.origin; } catch (e) { return false; }
  });
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (Array.isArray(data.save)) data.save = ownAddresses(data.save);
  if (Array.isArray(data.keep)) data.keep = ownAddresses(data.keep);
  if (Array.isArray(data.save) && event.ports[0]) {
    // "Save this area for offline use": the page sends the list, the worker (which owns the caches) stores
    // it and answers whether all of it was stored.
    const reply = (ok) => event.ports[0].postMessage(ok);
    event.waitUntil(Promise.all(data.save.map((u) => caches.open(cacheFor(u)).then((c) => c.add(u))))
      .then(() => reply(true), () => reply(false)));
  } else if (Array.isArray(data.keep)) {
    // The page a visitor landed on before this worker ran, its files and the address that led there:
    // each kept if it can be, none needed by the others.
    event.waitUntil(Promise.all(data.keep.map((u) => caches.open(cacheFor(u)).then((c) => c.add(u)).catch(() => null))));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  // Videos are never stored: hundreds of megabytes a province over, and Safari plays them only from ranged
  // answers the host gives (206); the browser asks the network for them as if there were no worker.
  if (url.pathname.endsWith(".mp4")) return;
  // The form editor is for editors, online, always as published: never stored.
  if (url.pathname.includes("/admin/")) return;
  if (request.headers.has("range")) {
    if (url.pathname.includes("/media/")) event.respondWith(range(request));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(event, PAGES));
  } else if (HASHED.test(url.pathname)) {
    const cacheName = url.pathname.includes("/media/") ? MEDIA : ASSETS;
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request).then((r) => store(event, cacheName, r))
      .catch(() => (cacheName === MEDIA ? otherWidth(url) : Response.error()))));
  } else {
    event.respondWith(networkFirst(event, ASSETS));
  }
});
