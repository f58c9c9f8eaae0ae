// Service worker: keeps the verification page, its script and the registry snapshot on the device,
// so that after one visit certificates verify with the network off. Same-origin GET requests go
// to the network first and fall back to the cache; every successful answer refreshes the cache.
const CACHE = "skillcert-v1";
// The page and its script (the HTTP cache usually has them already: "force-cache" avoids a second
// download); the registry data the page used is put into the cache by the page itself.
const CORE = ["v/", "assets/verify.js", "assets/extra.css"];

self.addEventListener("install", (event) => {
  const base = self.registration.scope;
  const requests = CORE.map((p) => new Request(new URL(p, base).href, { cache: "force-cache" }));
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(requests)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() => caches.match(request, { ignoreSearch: true }).then((hit) => hit || Promise.reject(new TypeError("offline and not cached")))),
  );
});
