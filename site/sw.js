// Service worker of the verification page: after one visit, certificates verify with the network
// off. It serves and caches only what the build listed (PRECACHE: the page and every script,
// stylesheet and chunk it can load, written in by credentials/site/build.py) and the registry
// snapshot's files (the manifest, province shards and the issuance records' index and shards as
// lookups read them); every other request goes to the network untouched. Same-origin GETs only.
const PRECACHE = [/* the build writes the list here */];
const VERSION = "/* the build writes a digest of the listed files here */";
const CACHE = `skillcert-${VERSION}`;
const SNAPSHOT = /\/snapshot\/(manifest\.json|manifest\.sig\.json|[0-9A-Za-z_-]{1,64}\.json|records\/[YS][0-9]{12}\/(index|[0-9]{3}-[0-9]{1,4})\.json)$/;

const scope = () => new URL(self.registration.scope);
const listed = (url) => PRECACHE.some((p) => new URL(p, scope()).href === url.href);
const snapshotFile = (url) => url.pathname.startsWith(scope().pathname) && SNAPSHOT.test(url.pathname);

self.addEventListener("install", (event) => {
  // "no-cache": each file is checked with the server (If-None-Match), so what the page has just
  // loaded comes from the HTTP cache on a 304, not downloaded twice, and nothing stale is kept
  const requests = PRECACHE.map((p) => new Request(new URL(p, scope()).href, { cache: "no-cache" }));
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(requests)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("skillcert") && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  url.hash = "";
  url.search = "";
  if (!listed(url) && !snapshotFile(url)) return;  // not ours to keep: the network as usual
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok && response.type === "basic") {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(url.href, copy));
        }
        return response;
      })
      .catch(() => caches.match(url.href).then((hit) => hit || Promise.reject(new TypeError("offline and not cached")))),
  );
});
