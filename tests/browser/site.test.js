// Browser tests of the built site: Playwright drives Debian's Chromium against a local server.
// Run by tests/integration/test_browser.py, which builds the site and sets SITE_DIR, SHOTS_DIR.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

const SITE = process.env.SITE_DIR;
const SHOTS = process.env.SHOTS_DIR || "build/screenshots";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
  ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png", ".xml": "application/xml" };

let server, base, browser;
const foreign = [];

before(async () => {
  assert.ok(SITE && fs.existsSync(SITE), "SITE_DIR must point to a built site");
  fs.mkdirSync(SHOTS, { recursive: true });
  server = http.createServer((req, res) => {
    let file = path.join(SITE, decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!file.startsWith(path.resolve(SITE)) || !fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function open(url, width) {
  const context = await browser.newContext({ viewport: { width, height: width < 500 ? 740 : 900 } });
  await context.route("**/*", (route) => {
    const host = new URL(route.request().url()).host;
    if (host !== new URL(base).host) { foreign.push(route.request().url()); return route.abort(); }
    return route.continue();
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(base + url, { waitUntil: "networkidle" });
  return { page, context, errors };
}

const PAGES = [["home", "/"], ["directory", "/directory/"], ["institution", "/i/Y000041019001/"],
  ["province", "/directory/41/"], ["occupations", "/occupations/"], ["revoked", "/revoked/"], ["spec", "/spec/"],
  ["notices", "/notices/"], ["batch", "/b/Y000041019001/2026-1/"]];

for (const width of [360, 1280]) {
  test(`pages render at ${width}px without leaving the site`, async () => {
    for (const [name, url] of PAGES) {
      const { page, context, errors } = await open(url, width);
      assert.deepEqual(errors, [], `${url}: script errors`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${url} at ${width}px is ${overflow}px too wide`);
      await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: false });
      await context.close();
    }
    assert.deepEqual(foreign, [], "requests to other hosts");
  });
}

test("every table is readable on a 390px phone: no column cut off or hidden sideways", async () => {
  const tables = [["/i/Y000041019001/", 5], ["/b/Y000041019001/2026-1/", 3], ["/o/4-03-02-01/", 1],
    ["/occupations/", 1], ["/revoked/", 1], ["/notices/", 1]];
  for (const [url, count] of tables) {
    const { page, context } = await open(url, 390);
    const found = await page.evaluate(() => [...document.querySelectorAll("table")].map((t) => ({
      sideways: t.scrollWidth - t.clientWidth,
      cut: [...t.querySelectorAll("td")].filter((td) => td.getBoundingClientRect().right > window.innerWidth || td.scrollWidth > td.clientWidth + 1).length,
      labelled: [...t.querySelectorAll("tbody tr")].every((tr) => tr.children.length < 3 ||
        [...tr.children].every((td) => getComputedStyle(td, "::before").content.replace(/"/g, "") === td.dataset.label)),
    })));
    assert.equal(found.length, count, `${url}: tables`);
    for (const [i, t] of found.entries()) {
      assert.equal(t.sideways, 0, `${url} table ${i + 1} scrolls sideways by ${t.sideways}px`);
      assert.equal(t.cut, 0, `${url} table ${i + 1} has ${t.cut} cells cut off`);
      assert.ok(t.labelled, `${url} table ${i + 1}: a cell without its column's heading`);
    }
    if (url.startsWith("/i/")) {
      await page.locator("table").nth(1).scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SHOTS, "institution-scope-390.png") });
    }
    await context.close();
  }
});

test("the directory finds institutions by a Chinese substring and filters them", async () => {
  const { page, context } = await open("/directory/", 1280);
  await page.waitForFunction(() => !document.getElementById("count").textContent.includes("Loading"));
  await page.fill("#q", "烹调");
  const names = await page.$$eval("#results li a", (as) => as.map((a) => a.textContent));
  assert.ok(names.some((n) => n.includes("郑州青禾技师学院")), names.join(", "));
  assert.ok(names.some((n) => n.includes("大连海味烹饪")), names.join(", "));
  await page.selectOption("#province", "21");
  const liaoning = await page.$$eval("#results li a", (as) => as.map((a) => a.textContent));
  assert.deepEqual(liaoning, ["大连海味烹饪职业技能评价中心"]);
  await page.selectOption("#province", "");
  await page.fill("#q", "");
  await page.selectOption("#status", "");
  const all = await page.$$eval("#results li", (lis) => lis.length);
  assert.equal(all, 14);
  const cooking = await page.$eval("#occupation", (s) => [...s.options].find((o) => o.textContent.includes("4-03-02-01")).value);
  await page.selectOption("#occupation", cooking);
  await page.selectOption("#level", "1");
  const chefs = await page.$$eval("#results li a", (as) => as.map((a) => a.textContent));
  assert.deepEqual(chefs, ["大连海味烹饪职业技能评价中心"]);  // only one may certify 中式烹调师 at level 1
  await page.selectOption("#occupation", "");
  await page.selectOption("#level", "");
  await page.selectOption("#status", "withdrawn");
  assert.equal(await page.$$eval("#results li", (lis) => lis.length), 1);
  await page.click("#results li a");
  await page.waitForURL(/\/i\/Y000021011001\/$/);
  assert.match(await page.textContent("h1"), /北方重型机械集团沈阳分公司/);
  await context.close();
  assert.deepEqual(foreign, []);
});

test("the header search finds pages in Chinese (jieba) and institutions by name fragment, city and occupation", async () => {
  const { page, context, errors } = await open("/", 390);
  const search = async (q) => {
    if (!(await page.isVisible("[data-md-component=search-query]"))) await page.click("label.md-header__button[for=__search]");
    await page.fill("[data-md-component=search-query]", q);
    await page.press("[data-md-component=search-query]", "End");  // Material searches on keyup
    await page.waitForFunction((query) => {
      const meta = document.querySelector(".md-search-result__meta").textContent;
      const box = document.querySelector(".sc-search-institutions");
      return !/初始化|键入/.test(meta) && box && !box.hidden && box.dataset.query === query;
    }, q);
    return {
      institutions: await page.$$eval(".sc-search-institutions li a", (as) => as.map((a) => a.textContent)),
      pages: await page.$$eval(".md-search-result__item h1, .md-search-result__item h2", (hs) => hs.map((h) => h.textContent.replace(/\u200b/g, "").trim())),
    };
  };
  // an occupation: the occupation index (its name segmented: 中式|烹调师) and who certifies it
  const cooking = await search("烹调");
  assert.ok(cooking.pages.some((t) => t.startsWith("职业索引")), cooking.pages.join(" | "));
  assert.ok(cooking.institutions.includes("郑州青禾技师学院职业技能等级认定中心"), cooking.institutions.join(", "));
  await page.screenshot({ path: path.join(SHOTS, "search-390.png") });
  // a page by a Chinese word inside a longer text
  const verify = await search("核验");
  assert.ok(verify.pages.some((t) => t.includes("证书核验")), verify.pages.join(" | "));
  // a fragment of a name, and a city
  assert.deepEqual((await search("远川")).institutions, ["洛阳远川高级技工学校职业技能等级认定中心"]);
  assert.deepEqual((await search("洛阳")).institutions, ["洛阳远川高级技工学校职业技能等级认定中心"]);
  const many = await search("技能");
  assert.equal(many.institutions.length, 8);
  const more = await page.getAttribute(".sc-search-institutions > a", "href");
  await page.goto(more);
  await page.waitForFunction(() => !document.getElementById("count").textContent.includes("Loading"));
  assert.equal(await page.inputValue("#q"), "技能");
  assert.match(await page.textContent("#count"), /共 14 家/);
  assert.deepEqual(errors, []);
  await context.close();
  assert.deepEqual(foreign, []);
});

test("an open 公示: listed on the notices page, linked from the institution, its list on its page", async () => {
  const { page, context, errors } = await open("/notices/", 390);
  assert.deepEqual(errors, []);
  const listed = await page.textContent("main");
  assert.ok(listed.includes("Y000041019001/2026-1") && listed.includes("公示中"), listed);
  await page.click("a[href$='b/Y000041019001/2026-1/']");
  await page.waitForURL(/\/b\/Y000041019001\/2026-1\/$/);
  const text = await page.textContent("main");
  for (const t of ["公示中", "2026-11-17 至 2026-11-23", "王公示", "1996-03", "郑州东风机械有限公司", "李文清", "0371-5550 1001"]) {
    assert.ok(text.includes(t), t);
  }
  assert.ok(!/99[0-9]{15}/.test(text), "no whole ID number");
  await page.screenshot({ path: path.join(SHOTS, "notice-390.png"), fullPage: true });
  await page.goto(base + "/i/Y000041019001/");
  assert.ok((await page.textContent("main")).includes("认定批次 Batches"));
  assert.equal(await page.$$eval("a[href$='b/Y000041019001/2026-1/']", (as) => as.length), 1);
  await context.close();
});
