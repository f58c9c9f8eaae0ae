// Every test vector on the verification page at phone size (390 × 844), on the day the vector is
// checked: the page gives the verdict Python gives (tests/integration/test_browser.py writes
// VERDICTS: each vector's QR fragment, date, verdict kind and title) and a screenshot of each is
// kept in build/screenshots/verdict-<vector>-390.png for people to look at.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

const SITE = process.env.SITE_DIR;
const SHOTS = process.env.SHOTS_DIR || "build/screenshots";
const CASES = JSON.parse(fs.readFileSync(process.env.VERDICTS, "utf-8"));
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json" };
let server, base, browser;

before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  server = http.createServer((req, res) => {
    let file = path.join(SITE, decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
});
after(async () => { await browser?.close(); server?.close(); });

test(`every vector's verdict at 390 × 844 matches Python's (${CASES.length} vectors)`, async () => {
  const wrong = [];
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, serviceWorkers: "block" });
  for (const c of CASES) {
    const page = await context.newPage();
    const noon = Date.parse(`${c.at}T12:00:00+08:00`);
    await page.addInitScript((t) => { const real = Date.now; const offset = t - real(); Date.now = () => real() + offset; }, noon);
    await page.goto(`${base}/v/#${c.fragment}`);
    await page.waitForSelector("#sc-verdict", { timeout: 20000 });
    const shown = await page.$eval("#sc-verdict", (e) => ({ kind: e.dataset.kind || "cannot-verify", text: e.textContent }));
    if (shown.kind !== c.kind || !shown.text.includes(c.title)) wrong.push(`${c.name}: page ${shown.kind} "${shown.text.slice(0, 60)}", Python ${c.kind} "${c.title}"`);
    // the verdict is the first thing on the screen: its top is inside the first screenful
    const top = await page.$eval("#sc-verdict", (e) => e.getBoundingClientRect().top + window.scrollY);
    if (top > 600) wrong.push(`${c.name}: the verdict starts ${Math.round(top)}px down the page`);
    await page.screenshot({ path: path.join(SHOTS, `verdict-${c.name}-390.png`) });
    await page.close();
  }
  await context.close();
  assert.deepEqual(wrong, []);
});
