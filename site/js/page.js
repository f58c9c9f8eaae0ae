// The verification page (/v/): reads the credential from the URL fragment (what a phone camera
// opens from the QR code) or from pasted text, checks the registry snapshot's signature with the
// bureau key built into the page, and shows the verdict, the certificate and every check.
// Nothing leaves the browser.
import * as ed from "@noble/ed25519";
// jsQR and Argon2id are loaded only when the camera, a picture or the ID box is used.
import { check, ed25519Backend, fromQrText, Malformed, parseCredential, SnapshotRegistry, verifyEd25519 } from "./verifier.js";
import { TITLES, describe, LEVELS, ID_TYPES, problemText } from "./wording.js";

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

// What this visit fetched goes straight into the offline cache (no second download).
function keep(url, bytes) {
  if (!("caches" in window)) return;
  caches.open("skillcert-v1").then((cache) => cache.put(url, new Response(bytes, { headers: { "content-type": "application/json" } }))).catch(() => {});
}

let manifestPromise = null;
async function manifest() {
  manifestPromise ||= (async () => {
    const raw = await fetchBytes(SNAPSHOT + "manifest.json");
    const sigBytes = await fetchBytes(SNAPSHOT + "manifest.sig.json");
    keep(SNAPSHOT + "manifest.json", raw);
    keep(SNAPSHOT + "manifest.sig.json", sigBytes);
    const sig = JSON.parse(new TextDecoder().decode(sigBytes));
    // the same strict, cofactorless Ed25519 as for credentials (libsodium's rules)
    const ok = await verifyEd25519(BUREAU_KEY, raw, ed.etc.hexToBytes(String(sig.signature)));
    if (!ok) throw new Error("registry snapshot signature does not verify");
    return JSON.parse(new TextDecoder().decode(raw));
  })();
  return manifestPromise;
}

async function shardFor(m, province) {
  const info = m.shards[province];
  if (!info) return [];
  const data = await fetchBytes(SNAPSHOT + info.path);
  keep(SNAPSHOT + info.path, data);
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

function render(report, m, registry) {
  const out = $("sc-result");
  out.textContent = "";
  const verdict = report.ok ? ["genuine", "✅ 真实有效", "Genuine"] : ["forged", "❌ 未通过核验", "Not genuine"];
  out.append(el("div", { class: `sc-verdict sc-${verdict[0]}`, id: "sc-verdict" }, el("strong", {}, verdict[1]), el("span", {}, verdict[2])));
  const c = report.credential;
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
    const table = el("table", { class: "sc-cert" });
    for (const [zh, en, value] of rows) table.append(el("tr", {}, el("th", {}, `${zh} ${en}`), el("td", {}, value)));
    if (inst) {
      const link = el("a", { href: `../i/${c.number.slice(0, 13)}/` }, inst.n);
      table.append(el("tr", {}, el("th", {}, "评价机构 Institution"), el("td", {}, link)));
    }
    out.append(table);
    $("sc-id").hidden = false;
    $("sc-id-check").onclick = () => confirmId(c);
  }
  const list = el("ol", { class: "sc-checks", id: "sc-checks" });
  for (const ch of report.checks) {
    const [zh, en] = describe(ch);
    const [tzh, ten] = TITLES[ch.id];
    const mark = { passed: "✔", failed: "✘", skipped: "–" }[ch.status];
    list.append(el("li", { class: `sc-${ch.status}`, "data-check": ch.id, "data-status": ch.status },
      el("span", {}, `${mark} ${tzh} ${ten}`), el("small", {}, `${zh} / ${en}`)));
  }
  out.append(list);
  out.append(el("p", { class: "sc-asof" }, `目录数据截至 ${m.date}（核验日期 ${today()}）· Registry data as of ${m.date}`));
}

async function confirmId(c) {
  const salt = new Uint8Array(16);
  salt.set(c.commitment.slice(0, 12));
  salt.set(textEncoder.encode("skc1"), 12);
  const normalised = $("sc-id-number").value.normalize("NFKC").replace(/\s+/g, "").toUpperCase();
  const { argon2id } = await import("hash-wasm");
  const hash = await argon2id({ password: `skillcert-id-v1:${c.idType}:${normalised}`, salt, parallelism: 1,
    iterations: 1, memorySize: 4096, hashLength: 16, outputType: "binary" });
  const match = hash.slice(0, 12).every((b, i) => b === c.commitment[12 + i]);
  $("sc-id-result").textContent = match ? "✅ 证件号码与证书一致 The ID number matches" : "❌ 证件号码与证书不符 The ID number does not match";
  $("sc-id-result").dataset.match = String(match);
}

async function verifyText(text) {
  const out = $("sc-result");
  try {
    const data = fromQrText(text);
    out.textContent = "正在核验… Verifying…";
    const m = await manifest();
    const registry = new SnapshotRegistry(await shardsForData(m, data));
    render(await check(data, registry, today()), m, registry);
    root.dataset.ed25519 = await ed25519Backend();  // which path verified the signature
  } catch (e) {
    out.textContent = "";
    const [zh, en] = e instanceof Malformed ? problemText(e.problem) : [e.message, ""];
    out.append(el("div", { class: "sc-verdict sc-unknown", id: "sc-verdict" }, el("strong", {}, "⚠️ 无法核验 Cannot verify"),
      el("span", {}, en ? `${zh} / ${en}` : zh)));
  }
}

async function shardsForData(m, data) {
  // the province (positions 6-7 of the number) decides which shard is needed
  let province = null;
  try { province = parseCredential(data).credential.number.slice(5, 7); } catch { /* malformed: any shard */ }
  if (province && m.shards[province]) return shardFor(m, province);
  return [];
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
