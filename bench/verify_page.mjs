// Driven by bench/verify_page_bench.py: times the verification page in Chromium and the JS
// verifier in Node. Prints JSON.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import crypto from "node:crypto";
import { chromium } from "playwright-core";
import { check, SnapshotRegistry } from "../site/js/verifier.js";
import { unhex } from "../site/js/cbor.js";
import { snapshotRecords } from "../site/js/records.js";

const [site, qrText, vectorsDir, lookupNumber, lookupId] = process.argv.slice(2);
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json" };
let sent = 0;
let sentByKind = {};  // the first visit's gzipped bytes by kind of file
const kindOf = (url) => url.includes("/snapshot/records/") ? "records" : url.includes("/snapshot/") ? "snapshot" : url.endsWith(".html") || url.endsWith("/") ? "page" : path.extname(url) || "other";
let recordsSent = 0;
const server = http.createServer((req, res) => {
  let file = path.join(site, decodeURIComponent(new URL(req.url, "http://x").pathname));
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
  if (!fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
  const raw = fs.readFileSync(file);
  // like GitHub Pages: an ETag, a 304 to a request that has it, gzip, ten minutes of HTTP caching
  const etag = `"${crypto.createHash("sha256").update(raw).digest("hex").slice(0, 16)}"`;
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304, { etag, "cache-control": "max-age=600" });
    res.end();
    return;
  }
  const body = zlib.gzipSync(raw, { level: 9 });
  sent += body.length;
  const kind = kindOf(new URL(req.url, "http://x").pathname);
  sentByKind[kind] = (sentByKind[kind] || 0) + body.length;
  if (process.env.LOG_SENT) fs.appendFileSync(process.env.LOG_SENT, `${body.length} ${req.url.slice(0, 90)}\n`);
  if (req.url.includes("/snapshot/records/")) recordsSent += body.length;
  res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream", "content-encoding": "gzip", "cache-control": "max-age=600", etag });
  res.end(body);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
const url = base + "/v/#" + qrText.split("#")[1];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const first = [], cached = [];
let firstBytes = 0;
let firstByKind = {};
for (let i = 0; i < 5; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  sent = 0;
  sentByKind = {};
  await page.goto(url, { waitUntil: "commit" });
  const t0 = await page.evaluate(() => performance.timeOrigin);
  await page.waitForFunction(() => document.getElementById("sc-verdict")?.textContent.includes("真实有效"), null, { timeout: 30000 });
  first.push(await page.evaluate(() => performance.now()));
  await page.waitForLoadState("networkidle");
  if (i === 0) { firstBytes = sent; firstByKind = { ...sentByKind }; }
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.waitForTimeout(300);
  await page.reload({ waitUntil: "commit" });
  await page.waitForFunction(() => document.getElementById("sc-verdict")?.textContent.includes("真实有效"), null, { timeout: 30000 });
  const navStart = await page.evaluate(() => performance.timing.loadEventEnd || performance.now());
  cached.push(await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    return performance.now() - (nav ? nav.domContentLoadedEventEnd : 0);
  }));
  await context.close();
}
// the lookup by typed number and ID number: click to verdict, first (records and the Argon2id
// chunk fetched) and then cached
const lookupFirst = [], lookupCached = [];
let lookupBytes = 0;
for (let i = 0; i < 5; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + "/v/", { waitUntil: "networkidle" });
  for (const round of [lookupFirst, lookupCached]) {
    recordsSent = 0;
    await page.evaluate(() => { document.getElementById("sc-lookup-box").open = true; document.getElementById("sc-result").textContent = ""; });
    await page.fill("#sc-lookup-number", lookupNumber);
    await page.fill("#sc-lookup-id", lookupId);
    const t0 = await page.evaluate(() => performance.now());
    await page.click("#sc-lookup-go");
    await page.waitForFunction(() => document.getElementById("sc-verdict")?.dataset.kind === "lookup-genuine", null, { timeout: 30000 });
    round.push((await page.evaluate(() => performance.now())) - t0);
    if (round === lookupFirst && i === 0) lookupBytes = recordsSent;
  }
  await context.close();
}
await browser.close();
server.close();

// the JS verifier in Node over 1,000 vector checks
const manifest = JSON.parse(fs.readFileSync(path.join(vectorsDir, "snapshot", "manifest.json")));
const registry = new SnapshotRegistry(Object.values(manifest.shards).map((s) => JSON.parse(fs.readFileSync(path.join(vectorsDir, "snapshot", s.path)))), { policy: manifest.records });
registry.records = snapshotRecords(async (p) => new Uint8Array(fs.readFileSync(path.join(vectorsDir, "snapshot", p))), registry);
// the credential vectors (parity.json, lookup.json and check-ids.json are other kinds of file)
const vectors = fs.readdirSync(vectorsDir).filter((f) => f.endsWith(".json")).map((f) => JSON.parse(fs.readFileSync(path.join(vectorsDir, f)))).filter((v) => typeof v.cose_hex === "string");
const jobs = [];
while (jobs.length < 1000) jobs.push(...vectors);
jobs.length = 1000;
// The first pass compiles the verifier and reads the records from disk: timed apart (cold), then
// five warm passes, of which the median (what a page checking one QR code after another sees).
const pass = async () => {
  const t0 = performance.now();
  for (const v of jobs) await check(unhex(v.cose_hex), registry, v.at);
  return (performance.now() - t0) / 1000;
};
const coldSeconds = await pass();
const warm = [];
for (let i = 0; i < 5; i++) warm.push(await pass());
console.log(JSON.stringify({ first_visit_ms: median(first), cached_after_load_ms: median(cached), first_visit_bytes_gzip: firstBytes, first_visit_by_kind: firstByKind,
  lookup_first_ms: median(lookupFirst), lookup_cached_ms: median(lookupCached), lookup_records_bytes_gzip: lookupBytes,
  node_checks_per_s_cold: 1000 / coldSeconds, node_checks_per_s: 1000 / median(warm) }));
