// The verification page in Chromium: what an employer sees after scanning a certificate's QR.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { chromium } from "playwright-core";

const SITE = process.env.SITE_DIR;
const SHOTS = process.env.SHOTS_DIR || "build/screenshots";
const CREDS = JSON.parse(fs.readFileSync(process.env.CREDENTIALS, "utf-8"));
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json" };
let server, base, browser;
const downloads = new Map();  // path -> how many times its body was sent (not counting 304s)
const foreign = [];

before(async () => {
  server = http.createServer((req, res) => {
    let file = path.join(SITE, decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
    // like GitHub Pages and GitLab Pages: an ETag, and a 304 to a request that already has it
    const body = fs.readFileSync(file);
    const etag = `"${crypto.createHash("sha256").update(body).digest("hex").slice(0, 16)}"`;
    if (req.headers["if-none-match"] === etag) { res.writeHead(304, { etag }); res.end(); return; }
    const at = new URL(req.url, "http://x").pathname;
    downloads.set(at, (downloads.get(at) || 0) + 1);
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream", etag });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"] });
});
after(async () => { await browser?.close(); server?.close(); });

async function verify(qrText, width) {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  await context.route("**/*", (route) => {
    if (new URL(route.request().url()).host !== new URL(base).host) { foreign.push(route.request().url()); return route.abort(); }
    return route.continue();
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const t0 = Date.now();
  await page.goto(base + "/v/#" + qrText.split("#")[1]);
  await page.waitForSelector("#sc-verdict");
  const ms = Date.now() - t0;
  return { page, context, errors, ms };
}

test("a genuine certificate from its QR fragment: verdict, certificate, every check", async () => {
  const { page, context, errors } = await verify(CREDS.genuine, 360);
  assert.deepEqual(errors, []);
  assert.match(await page.textContent("#sc-verdict"), /真实有效/);
  await page.waitForFunction(() => document.getElementById("sc-verify").dataset.ed25519);
  assert.equal(await page.$eval("#sc-verify", (e) => e.dataset.ed25519), "webcrypto");
  const statuses = await page.$$eval("#sc-checks li", (lis) => lis.map((li) => li.dataset.status));
  assert.deepEqual(statuses, Array(11).fill("passed"));
  const cert = await page.textContent(".sc-cert");
  for (const text of ["张小芳", "保育师", "五级/初级工", "Y000041039002245000001", "2024-06-28", "洛阳远川高级技工学校"]) assert.ok(cert.includes(text), text);
  assert.match(await page.textContent(".sc-asof"), /2026-11-21/);
  await page.fill("#sc-id-number", CREDS.id_number);
  await page.click("#sc-id-check");
  await page.waitForFunction(() => document.getElementById("sc-id-result").dataset.match !== undefined);
  assert.equal(await page.$eval("#sc-id-result", (e) => e.dataset.match), "true");
  await page.fill("#sc-id-number", "410102199909091246");
  await page.click("#sc-id-check");
  await page.waitForFunction(() => document.getElementById("sc-id-result").dataset.match === "false");
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, "verify-genuine-360.png"), fullPage: true });
  await context.close();
});

test("browsers without Ed25519 in WebCrypto verify with the pure-JS path, and agree", async () => {
  for (const [qrText, expected] of [[CREDS.genuine, /真实有效/], [CREDS.tampered, /伪造或被篡改/]]) {
    const context = await browser.newContext({ viewport: { width: 360, height: 800 } });
    await context.addInitScript(() => {
      const original = crypto.subtle.importKey.bind(crypto.subtle);
      crypto.subtle.importKey = (format, key, algorithm, ...rest) =>
        ((algorithm && (algorithm.name || algorithm)) === "Ed25519"
          ? Promise.reject(new DOMException("Ed25519 is not supported", "NotSupportedError"))
          : original(format, key, algorithm, ...rest));
    });
    const page = await context.newPage();
    await page.goto(base + "/v/#" + qrText.split("#")[1]);
    await page.waitForFunction(() => document.getElementById("sc-verify").dataset.ed25519);
    assert.equal(await page.$eval("#sc-verify", (e) => e.dataset.ed25519), "noble");
    assert.match(await page.textContent("#sc-verdict"), expected);
    await context.close();
  }
});

test("a tampered certificate is not genuine, and says which check failed", async () => {
  const { page, context, errors } = await verify(CREDS.tampered, 1280);
  assert.deepEqual(errors, []);
  assert.match(await page.textContent("#sc-verdict"), /伪造或被篡改/);
  assert.match(await page.textContent("#sc-verdict"), /Forged or altered/);
  const failed = await page.$$eval("#sc-checks li[data-status=failed]", (lis) => lis.map((li) => li.dataset.check));
  assert.deepEqual(failed, ["signature"]);
  // its content is not shown as a certificate: struck through, under a warning, no institution
  assert.match(await page.textContent(".sc-unverified-title"), /未经验证的声称内容/);
  assert.equal(await page.$eval(".sc-cert", (t) => t.classList.contains("sc-unverified")), true);
  assert.equal(await page.$eval("#sc-id", (e) => e.hidden), true);
  await page.screenshot({ path: path.join(SHOTS, "verify-tampered-1280.png"), fullPage: true });
  await context.close();
  assert.deepEqual(foreign, [], "requests to other hosts");
});

test("pasted text works too; garbage says it cannot verify", async () => {
  const { page, context } = await verify(CREDS.genuine, 1280);
  // the ID box is visible, right under the verdict, and a new check clears the old holder's answer
  const box = await page.$eval("#sc-id", (e) => {
    const s = getComputedStyle(e);
    return { border: s.borderTopWidth, background: s.backgroundColor, after: e.previousElementSibling?.id };
  });
  assert.notEqual(box.border, "0px");
  assert.notEqual(box.background, "rgba(0, 0, 0, 0)");
  assert.equal(box.after, "sc-verdict");
  await page.fill("#sc-id-number", CREDS.id_number);
  await page.click("#sc-id-check");
  await page.waitForFunction(() => document.getElementById("sc-id-result").dataset.match === "true");
  await page.click("summary");
  await page.fill("#sc-paste", "not a credential");
  await page.click("#sc-paste-go");
  await page.waitForFunction(() => document.getElementById("sc-verdict")?.className.includes("sc-unknown"));
  const idState = () => page.evaluate(() => {
    const e = document.getElementById("sc-id");
    if (!e || e.hidden || !e.offsetParent) return "not shown";
    return [e.querySelector("input").value, e.querySelector("#sc-id-result").textContent,
      e.querySelector("#sc-id-result").dataset.match ?? null];
  });
  assert.equal(await idState(), "not shown");
  await page.fill("#sc-paste", CREDS.genuine);
  await page.click("#sc-paste-go");
  await page.waitForFunction(() => document.getElementById("sc-verdict")?.textContent.includes("真实有效"));
  assert.deepEqual(await idState(), ["", "", null]);  // the earlier answer is gone
  await context.close();
});

test("a photo of the certificate (rotated, scaled, JPEG) verifies", async () => {
  const { page, context } = await verify(CREDS.tampered, 1280);
  await page.setInputFiles("#sc-upload", CREDS.photo);
  await page.waitForFunction(() => document.getElementById("sc-verdict")?.textContent.includes("真实有效"), null, { timeout: 20000 });
  assert.ok((await page.textContent(".sc-cert")).includes("张小芳"));
  await context.close();
});

test("the service worker's precache revalidates what the page loaded: nothing is downloaded twice", async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 800 } });
  const page = await context.newPage();
  downloads.clear();
  await page.goto(base + "/v/#" + CREDS.genuine.split("#")[1]);
  await page.waitForFunction(() => document.getElementById("sc-verdict")?.textContent.includes("真实有效"), null, { timeout: 20000 });
  await page.evaluate(() => navigator.serviceWorker.ready);  // installed: every listed file is cached
  const chunks = fs.readdirSync(path.join(SITE, "assets")).filter((f) => /^verify-.*\.js$/.test(f));
  assert.ok(chunks.length >= 2);
  for (const at of ["/v/", "/assets/verify.js", "/assets/extra.css", ...chunks.map((f) => "/assets/" + f)]) {
    assert.equal(downloads.get(at), 1, `${at} downloaded ${downloads.get(at) || 0} times`);
  }
  await context.close();
});

test("after one visit, verification, the ID check and a photo upload work with the network off", async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 800 } });
  const page = await context.newPage();
  const url = base + "/v/#" + CREDS.genuine.split("#")[1];
  await page.goto(url);
  await page.waitForSelector("#sc-verdict");
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.reload();  // now under the service worker, which caches what the page uses
  await page.waitForFunction(() => document.getElementById("sc-verdict")?.textContent.includes("真实有效"));
  await page.waitForTimeout(500);
  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector("#sc-verdict");
  assert.match(await page.textContent("#sc-verdict"), /真实有效/);
  // the ID check (Argon2id, loaded on demand: never used online here, so it came from the precache)
  await page.fill("#sc-id-number", CREDS.id_number);
  await page.click("#sc-id-check");
  await page.waitForFunction(() => document.getElementById("sc-id-result")?.dataset.match, null, { timeout: 20000 });
  assert.equal(await page.$eval("#sc-id-result", (e) => e.dataset.match), "true");
  // the photo upload (QR decoding, loaded on demand): a tampered credential, then a photo of the
  // genuine certificate
  await page.goto(url.replace(CREDS.genuine.split("#")[1], CREDS.tampered.split("#")[1]));
  await page.waitForFunction(() => document.getElementById("sc-verdict")?.className.includes("sc-forged"));
  await page.setInputFiles("#sc-upload", CREDS.photo);
  await page.waitForFunction(() => document.getElementById("sc-verdict")?.textContent.includes("真实有效"), null, { timeout: 20000 });
  assert.ok((await page.textContent(".sc-cert")).includes("张小芳"));
  await context.close();
});

test("the camera path: a fake camera pointed at the printed QR code", async () => {
  const cam = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream", `--use-file-for-fake-video-capture=${CREDS.video}`] });
  try {
    const context = await cam.newContext({ viewport: { width: 360, height: 800 }, permissions: ["camera"] });
    const page = await context.newPage();
    await page.goto(base + "/v/");
    await page.click("#sc-camera");
    await page.waitForFunction(() => document.getElementById("sc-verdict")?.textContent.includes("真实有效"), null, { timeout: 30000 });
    await page.screenshot({ path: path.join(SHOTS, "verify-camera-360.png") });
  } finally {
    await cam.close();
  }
});

test("registry data past its valid-until is never a plain genuine; an older snapshot is refused", async () => {
  // stale: the phone's clock is 30 days after the build
  let context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await context.addInitScript(() => {
    const shift = 30 * 86400000;
    const now = Date.now;
    Date.now = () => now() + shift;
  });
  let page = await context.newPage();
  await page.goto(base + "/v/#" + CREDS.genuine.split("#")[1]);
  await page.waitForSelector("#sc-verdict");
  assert.equal(await page.$eval("#sc-verdict", (e) => e.dataset.kind), "stale");
  assert.match(await page.textContent("#sc-verdict"), /目录数据已过期/);
  assert.doesNotMatch(await page.textContent("#sc-verdict"), /真实有效/);
  await page.screenshot({ path: path.join(SHOTS, "verify-stale-390.png"), fullPage: true });
  await context.close();
  // replayed: this device has already seen a newer snapshot
  context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await context.addInitScript(() => localStorage.setItem("skillcert.snapshot.newest", "2099-01-01"));
  page = await context.newPage();
  await page.goto(base + "/v/#" + CREDS.genuine.split("#")[1]);
  await page.waitForSelector("#sc-verdict");
  assert.match(await page.$eval("#sc-verdict", (e) => e.className), /sc-unknown/);
  assert.match(await page.textContent("#sc-verdict"), /比本机已见过的（2099-01-01）旧/);
  await context.close();
});

// --- the lookup by certificate number and ID number (no QR code) --------------------------------

async function lookUp(page, number, idNumber) {
  await page.evaluate(() => { document.getElementById("sc-lookup-box").open = true; });
  await page.fill("#sc-lookup-number", number);
  await page.fill("#sc-lookup-id", idNumber);
  await page.click("#sc-lookup-go");
  await page.waitForFunction(() => (document.getElementById("sc-verdict")?.dataset.kind || "").startsWith("lookup-"), null, { timeout: 20000 });
  return page.$eval("#sc-verdict", (e) => e.dataset.kind);
}

test("lookup by number and ID number: found, not found, revoked, and a pasted number leads there", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(base + "/v/");
  assert.equal(await lookUp(page, "Y000041039002 245000001", CREDS.id_number), "lookup-genuine");
  const found = await page.textContent("#sc-lookup-result");
  for (const text of ["保育师", "五级/初级工", "2024-06-28", "洛阳远川高级技工学校", "legacy-2024-07-01"]) assert.ok(found.includes(text), text);
  assert.ok(!found.includes(CREDS.id_number) && !found.includes("张小芳"), "the record holds no holder");
  await page.screenshot({ path: path.join(SHOTS, "lookup-genuine-390.png"), fullPage: true });
  assert.equal(await lookUp(page, "Y000041039002245000001", "410102199909091246"), "lookup-not-found");
  assert.match(await page.textContent("#sc-verdict"), /未查到/);
  assert.equal(await lookUp(page, CREDS.revoked_number, CREDS.id_number), "lookup-revoked");
  assert.match(await page.textContent("#sc-verdict"), /已注销/);
  await page.screenshot({ path: path.join(SHOTS, "lookup-revoked-390.png"), fullPage: true });
  // a certificate number pasted where a QR text goes: the page leads to the lookup
  await page.click(".sc-paste-box summary");
  await page.fill("#sc-paste", "Y000041039002245000001");
  await page.click("#sc-paste-go");
  await page.waitForFunction(() => document.getElementById("sc-lookup-box").open);
  assert.equal(await page.inputValue("#sc-lookup-number"), "Y000041039002245000001");
  assert.match(await page.textContent("#sc-verdict"), /证书编号/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("after one visit, the lookup works with the network off", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(base + "/v/");
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.reload();
  assert.equal(await lookUp(page, "Y000041039002245000001", CREDS.id_number), "lookup-genuine");
  await page.waitForTimeout(500);
  await context.setOffline(true);
  await page.reload();
  assert.equal(await lookUp(page, "Y000041039002245000001", CREDS.id_number), "lookup-genuine");
  await context.close();
});
