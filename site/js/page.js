// The verification page (/v/): reads the credential from the URL fragment (what a phone camera
// opens from the QR code) or from pasted text, checks the registry snapshot's signature with the
// bureau key built into the page, and shows the verdict, the certificate and every check.
// Nothing leaves the browser.
import * as ed from "@noble/ed25519";
// jsQR and Argon2id are loaded only when the camera, a picture or the ID box is used.
import { check, ed25519Backend, fromQrText, Malformed, parseCredential, shardName, SNAPSHOT_FORMAT, SnapshotRegistry, verifyEd25519 } from "./verifier.js";
import { TITLES, describe, LEVELS, ID_TYPES, problemText, verdict, contentVerified, UNVERIFIED, lookupVerdict } from "./wording.js";
import { lookup, snapshotRecords, typedNumber } from "./records.js";

const $ = (id) => document.getElementById(id);
const root = document.getElementById("sc-verify");
const BUREAU_KEY = root.dataset.bureauKey;
const SNAPSHOT = new URL(root.dataset.snapshot, document.baseURI).href;
const textEncoder = new TextEncoder();

async function fetchBytes(url) {
  let r;
  try {
    r = await fetch(url);
  } catch {
    throw new Error("离线且尚未缓存这部分目录数据，请联网后再试一次。Offline, and this part of the registry data is not cached yet: connect once and try again.");
  }
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

let manifestPromise = null;
async function manifest() {
  manifestPromise ||= (async () => {
    const raw = await fetchBytes(SNAPSHOT + "manifest.json");
    const sigBytes = await fetchBytes(SNAPSHOT + "manifest.sig.json");
    const sig = JSON.parse(new TextDecoder().decode(sigBytes));
    // the same strict, cofactorless Ed25519 as for credentials (libsodium's rules)
    const ok = await verifyEd25519(BUREAU_KEY, raw, ed.etc.hexToBytes(String(sig.signature)));
    if (!ok) throw new Error("registry snapshot signature does not verify");
    const m = JSON.parse(new TextDecoder().decode(raw));
    if (m.format !== SNAPSHOT_FORMAT) {
      throw new Error(`目录快照的格式（${m.format}）与本页面不符，请联网刷新页面。The registry snapshot's format (${m.format}) is not this page's: reload the page online.`);
    }
    return m;
  })();
  return manifestPromise;
}

// The one shard that holds institution ``number.slice(0, 13)`` (none: no shard can hold it).
async function shardFor(m, number) {
  const name = shardName(m, number);
  if (name === null) return [];
  const info = m.shards[name];
  const data = await fetchBytes(SNAPSHOT + info.path);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  if (ed.etc.bytesToHex(digest) !== info.sha256) throw new Error("registry snapshot shard is altered");
  return [JSON.parse(new TextDecoder().decode(data))];
}

function today() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);  // China (UTC+8)
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

// The ID-number box: moved under the verdict of each credential (so it is kept by reference: it is
// out of the document while no credential is shown).
const idBox = $("sc-id");
const idInput = idBox.querySelector("#sc-id-number");
const idCheck = idBox.querySelector("#sc-id-check");
const idResult = idBox.querySelector("#sc-id-result");

// The manifest this device has seen last: an older one (a replayed snapshot that would bring back a
// revoked certificate) is refused.
const NEWEST = "skillcert.snapshot.newest";
function checkNotReplayed(m) {
  let seen = null;
  try { seen = localStorage.getItem(NEWEST); } catch { /* storage off: nothing remembered */ }
  if (seen && m.date < seen) {
    throw new Error(`目录快照（${m.date}）比本机已见过的（${seen}）旧，可能是重放的旧数据，不能据此核验。The registry snapshot (${m.date}) is older than one this device has seen (${seen}): possibly replayed old data.`);
  }
  try { if (!seen || m.date > seen) localStorage.setItem(NEWEST, m.date); } catch { /* storage off */ }
}

function render(report, m, registry, { origin = null } = {}) {
  const out = $("sc-result");
  out.textContent = "";
  const staleAsOf = today() > m.valid_until ? m.date : null;
  const found = verdict(report, { staleAsOf });
  const tone = { genuine: "genuine", stale: "stale", unconfirmed: "stale" }[found.kind] || "forged";
  out.append(el("div", { class: `sc-verdict sc-${tone}`, id: "sc-verdict", "data-kind": found.kind },
    el("strong", {}, found.title[0]), el("span", {}, found.title[1]),
    el("p", { class: "sc-advice" }, `${found.advice[0]} ${found.advice[1]}`)));
  if (origin && origin !== location.origin) {
    out.append(el("p", { class: "sc-warning", id: "sc-foreign" },
      `⚠️ 该二维码指向的网站不是本站（${origin}），请只信任本站的核验结果。This QR code points to another site (${origin}): trust only this site's verdict.`));
  }
  const c = report.credential;
  const verified = contentVerified(report);
  idBox.hidden = true;
  idInput.value = "";
  idResult.textContent = "";
  delete idResult.dataset.match;
  if (c) {
    const inst = report.institution;
    const occName = registry.occupations.get(c.occupation) || "";
    const rows = [
      ["姓名", "Name", c.holder],
      ["证件类型", "ID Type", ID_TYPES[c.idType] || String(c.idType)],
      ["职业名称", "Occupation", `${occName} (${c.occupation})`],
      ["工种/职业方向", "Job", c.job || "--"],
      ["职业技能等级", "Skill Level", LEVELS[c.level] || String(c.level)],
      ["证书编号", "Certificate No.", c.number + (c.version > 1 ? `（第${c.version}版）` : "")],
      ["发证日期", "Issue date", c.issued],
    ];
    const table = el("table", { class: verified ? "sc-cert" : "sc-cert sc-unverified" });
    for (const [zh, en, value] of rows) table.append(el("tr", {}, el("th", {}, `${zh} ${en}`), el("td", {}, value)));
    if (inst && verified) {
      const link = el("a", { href: `../i/${c.number.slice(0, 13)}/` }, inst.n);
      table.append(el("tr", {}, el("th", {}, "评价机构 Institution"), el("td", {}, link)));
    }
    if (verified) {
      out.append(idBox);  // right under the verdict, before the certificate
      idBox.hidden = false;
      idCheck.onclick = () => confirmId(c);
    } else {
      out.append(el("p", { class: "sc-unverified-title" }, `${UNVERIFIED[0]} ${UNVERIFIED[1]}`));
    }
    out.append(table);
  }
  const list = el("ol", { class: "sc-checks", id: "sc-checks" });
  for (const ch of report.checks) {
    const [zh, en] = describe(ch);
    const [tzh, ten] = TITLES[ch.id];
    const mark = { passed: "✔", failed: "✘", skipped: "–", pending: "?" }[ch.status];
    list.append(el("li", { class: `sc-${ch.status}`, "data-check": ch.id, "data-status": ch.status },
      el("span", {}, `${mark} ${tzh} ${ten}`), el("small", {}, `${zh} / ${en}`)));
  }
  out.append(list);
  out.append(el("p", { class: "sc-asof" }, `目录数据截至 ${m.date}，有效至 ${m.valid_until}（核验日期 ${today()}）· Registry data as of ${m.date}, valid until ${m.valid_until}`));
}

async function confirmId(c) {
  const salt = new Uint8Array(16);
  salt.set(c.commitment.slice(0, 12));
  salt.set(textEncoder.encode("skc1"), 12);
  const normalised = idInput.value.normalize("NFKC").replace(/\s+/g, "").toUpperCase();
  const { argon2id } = await import("hash-wasm");
  const hash = await argon2id({ password: `skillcert-id-v1:${c.idType}:${normalised}`, salt, parallelism: 1,
    iterations: 1, memorySize: 4096, hashLength: 16, outputType: "binary" });
  const match = hash.slice(0, 12).every((b, i) => b === c.commitment[12 + i]);
  idResult.textContent = match ? "✅ 证件号码与证书一致 The ID number matches" : "❌ 证件号码与证书不符：不是持证人本人的证件 The ID number does not match: not the holder's";
  idResult.dataset.match = String(match);
  if (!match) {
    const v = $("sc-verdict");
    v.className = "sc-verdict sc-forged";
    v.dataset.kind = "id-mismatch";
  }
}

// Where a scanned or pasted QR text points (null for a bare fragment, or this very page).
function originOf(text) {
  try { return /^https?:\/\//i.test(text.trim()) ? new URL(text.trim()).origin : null; } catch { return null; }
}

// The registry of the shards read, its records read file by file as a number needs them (each
// checked against the hash its parent lists).
function registryOf(m, shards) {
  const registry = new SnapshotRegistry(shards, { policy: m.records || { required_from: null, grace_days: 30 } });
  registry.records = snapshotRecords((path) => fetchBytes(SNAPSHOT + path), registry);
  return registry;
}

function showCannot(zh, en) {
  const out = $("sc-result");
  out.textContent = "";
  out.append(el("div", { class: "sc-verdict sc-unknown", id: "sc-verdict" }, el("strong", {}, "⚠️ 无法核验 Cannot verify"),
    el("span", {}, en ? `${zh} / ${en}` : zh)));
}

async function verifyText(text) {
  const out = $("sc-result");
  idBox.hidden = true;
  const number = typedNumber(text);
  if (number) {  // a certificate number, not a QR text: the lookup needs the holder's ID number
    $("sc-lookup-box").open = true;
    $("sc-lookup-number").value = number;
    $("sc-lookup-id").focus();
    showCannot("这是证书编号，不是二维码内容：请在下方“按证书编号查询”中输入持证人证件号码。",
      "This is a certificate number, not a QR code's text: type the holder's ID number below to look it up.");
    return;
  }
  try {
    const data = fromQrText(text);
    out.textContent = "正在核验… Verifying…";
    const m = await manifest();
    checkNotReplayed(m);
    const registry = registryOf(m, await shardsForData(m, data));
    render(await check(data, registry, today()), m, registry, { origin: originOf(text) });
    root.dataset.ed25519 = await ed25519Backend();  // which path verified the signature
  } catch (e) {
    const [zh, en] = e instanceof Malformed ? problemText(e.problem) : [e.message, ""];
    showCannot(zh, en);
  }
}

// --- lookup by certificate number and ID number (no QR code) --------------------------------------

function renderLookup(found, m) {
  const out = $("sc-result");
  out.textContent = "";
  const v = lookupVerdict(found);
  const stale = today() > m.valid_until;
  const tone = found.status === "genuine" ? (stale ? "stale" : "genuine") : "forged";
  out.append(el("div", { class: `sc-verdict sc-${tone}`, id: "sc-verdict", "data-kind": `lookup-${v.kind}` },
    el("strong", {}, v.title[0]), el("span", {}, v.title[1]),
    el("p", { class: "sc-advice" }, `${v.advice[0]} ${v.advice[1]}`)));
  if (stale) out.append(el("p", { class: "sc-warning" }, `⚠️ 目录数据截至 ${m.date}，已过期：请联网刷新后再查询。Registry data as of ${m.date} is out of date.`));
  const e = found.entry;
  if (e && found.status !== "not-found") {
    const table = el("table", { class: "sc-cert", id: "sc-lookup-result" });
    const rows = [
      ["证书编号", "Certificate No.", e.number + (e.version > 1 ? `（第${e.version}版）` : "")],
      ["职业名称", "Occupation", `${found.occupationName || ""} (${e.occupation})`],
      ["工种/职业方向", "Job", e.job || "--"],
      ["职业技能等级", "Skill Level", LEVELS[Number(e.number[15])]],
      ["发证日期", "Issue date", e.issued],
      ["发证记录", "Published record", `${e.record}（${e.published}）`],
    ];
    for (const [zh, en, value] of rows) table.append(el("tr", {}, el("th", {}, `${zh} ${en}`), el("td", {}, value)));
    if (found.institution) {
      const link = el("a", { href: `../i/${e.number.slice(0, 13)}/` }, found.institution.n);
      table.append(el("tr", {}, el("th", {}, "评价机构 Institution"), el("td", {}, link)));
    }
    out.append(table);
  }
  out.append(el("p", { class: "sc-asof" }, `目录数据截至 ${m.date}，有效至 ${m.valid_until}（查询日期 ${today()}）· Registry data as of ${m.date}`));
}

async function lookupTyped() {
  const typed = $("sc-lookup-number").value;
  const id = $("sc-lookup-id").value;
  idBox.hidden = true;
  if (!id.trim()) { showCannot("请输入持证人证件号码。", "Type the holder's ID number."); return; }
  $("sc-result").textContent = "正在查询… Looking up…";
  try {
    const m = await manifest();
    checkNotReplayed(m);
    const number = typedNumber(typed);
    const registry = registryOf(m, number ? await shardFor(m, number) : []);
    renderLookup(await lookup(typed, id, registry, today()), m);
  } catch (e) {
    showCannot(e.message, "");
  }
}
$("sc-lookup-go").addEventListener("click", lookupTyped);

async function shardsForData(m, data) {
  // the filing number (the number's first 13 characters) decides which shard is needed
  let number = null;
  try { number = parseCredential(data).credential.number; } catch { /* malformed: no shard */ }
  return number ? shardFor(m, number) : [];
}

// --- images and the camera: find the QR code (BarcodeDetector where it exists, jsQR otherwise) ---

async function findQr(source, width, height) {
  if ("BarcodeDetector" in window) {
    try {
      const found = await new window.BarcodeDetector({ formats: ["qr_code"] }).detect(source);
      if (found.length) return found[0].rawValue;
    } catch { /* fall back to jsQR */ }
  }
  const scale = Math.min(1, 1600 / Math.max(width, height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const { default: jsQR } = await import("jsqr");
  const code = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
  return code ? code.data : null;
}

$("sc-upload").addEventListener("change", async () => {
  const file = $("sc-upload").files[0];
  if (!file) return;
  const bitmap = await createImageBitmap(file);
  const text = await findQr(bitmap, bitmap.width, bitmap.height);
  if (text) verifyText(text);
  else $("sc-result").textContent = "图片中没有找到二维码。No QR code was found in the picture.";
});

let stream = null;
$("sc-camera").addEventListener("click", async () => {
  const video = $("sc-video");
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  } catch (e) {
    $("sc-result").textContent = `无法打开相机 The camera could not be opened: ${e.message}`;
    return;
  }
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  const scan = async () => {
    if (!stream) return;
    if (video.readyState >= 2) {
      const text = await findQr(video, video.videoWidth, video.videoHeight);
      if (text && text.includes("#")) {
        stream.getTracks().forEach((t) => t.stop());
        stream = null;
        video.hidden = true;
        verifyText(text);
        return;
      }
    }
    requestAnimationFrame(scan);
  };
  scan();
});

$("sc-paste-go").addEventListener("click", () => verifyText($("sc-paste").value));

// Offline: a service worker keeps this page, its script and the registry data it used.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("../sw.js", { scope: "../" }).catch(() => {});
}
window.addEventListener("hashchange", () => verifyText(location.hash));
if (location.hash.length > 1) verifyText(location.hash);
else $("sc-result").textContent = "请用手机相机扫描证书上的二维码，或粘贴二维码内容。Scan the certificate's QR code with a phone camera, or paste its text.";
