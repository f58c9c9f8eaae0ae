// The offline verifier: the same eleven checks, in the same order, with the same ids and reasons as
// the Python library (credentials/credential/verify.py). It verifies over the received bytes and never
// re-encodes them; Ed25519 is checked strictly (RFC 8032, no ZIP-215 leniency) with @noble/ed25519.
import * as ed from "@noble/ed25519";
import { decode, equal, hex, Tag, CborProblem } from "./cbor.js";
import { PROVINCES, ID_TYPE_CODES as ID_TYPES } from "./wording.js";
import { published, PASSING, PENDING } from "./records.js";

export const CHECK_IDS = ["decode", "algorithm", "number-format", "issuer-known",
  "issuer-active-on-issue-date", "key-valid-on-issue-date", "signature",
  "in-scope-on-issue-date", "issued-not-in-future", "not-revoked", "in-published-record"];

const MAX_INPUT = 4096;
export const MAX_DIGITS = 3615;  // as credentials/credential/qr.py: 0x01 and 1,500 bytes at most

// Why a credential does not decode: a problem code shared with Python (credentials/labels.json).
class Malformed extends Error {
  constructor(problem) { super(problem); this.problem = problem; }
}

const isInt = (v) => (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint";
const inRange = (v, low, high) => isInt(v) && BigInt(v) >= BigInt(low) && BigInt(v) <= BigInt(high);
const LAST_DAY = 2932896;  // 9999-12-31, days since 1970-01-01
// as credentials/credential/claims.py: nothing hidden in text people read
const HIDDEN = /[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\u{e0000}-\u{e007f}]/u;
const BLANK = /^[ \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]*$/u;

export function parseNumber(text) {
  // credentials/numbers.py: one capital letter Y or S, 21 digits, known province, level 1-5,
  // year >= 19, serial >= 1.
  if (!/^[A-Z][0-9]{21}$/.test(text)) throw new Malformed("number-invalid");
  if (text[0] !== "Y" && text[0] !== "S") throw new Malformed("number-invalid");
  if (!PROVINCES.has(text.slice(5, 7))) throw new Malformed("number-invalid");
  const level = Number(text[15]);
  if (level < 1 || level > 5) throw new Malformed("number-invalid");
  if (Number(text.slice(16)) === 0) throw new Malformed("number-invalid");
  const year = Number(text.slice(13, 15));
  if (year < 19) throw new Malformed("number-invalid");
  return { filing: text.slice(0, 13), province: text.slice(5, 7), year, level };
}

// [letters, route, rest] -> the 22-character number (credentials/credential/claims.py)
export function numberFromClaim(v) {
  if (!Array.isArray(v) || v.length !== 3) throw new Malformed("claim-number");
  const [letters, route, rest] = v;
  if (typeof letters !== "string" || !/^[A-Z]{1,2}$/.test(letters)) throw new Malformed("claim-number");
  const restWidth = 22 - letters.length - 4;
  if (!inRange(route, 0, 9999) || !inRange(rest, 0, 10n ** BigInt(restWidth) - 1n)) throw new Malformed("claim-number");
  return letters + String(route).padStart(4, "0") + BigInt(rest).toString().padStart(restWidth, "0");
}

function uint(v, problem, low, high) {
  if (!inRange(v, low, high)) throw new Malformed(problem);
  return Number(v);
}

function text(v, problem) {
  if (typeof v !== "string") throw new Malformed(problem);
  if (HIDDEN.test(v)) throw new Malformed("text-controls");
  if (BLANK.test(v) || [...v].length > 64) throw new Malformed(problem);
  return v;
}

function decodeOrFail(bytes) {
  try { return decode(bytes); } catch (e) { if (e instanceof CborProblem) throw new Malformed(e.problem); throw e; }
}

// The envelope and the claims, checked in the order of credentials/cose.py and claims.py.
export function parseCredential(data) {
  if (data.length > MAX_INPUT) throw new Malformed("too-long");
  const top = decodeOrFail(data);
  if (!(top instanceof Tag) || top.tag !== 18) throw new Malformed("not-cose-sign1");
  const msg = top.value;
  if (!Array.isArray(msg) || msg.length !== 4) throw new Malformed("not-four-elements");
  const [protectedBytes, unprotected, payload, signature] = msg;
  if (!(protectedBytes instanceof Uint8Array)) throw new Malformed("protected-not-bytes");
  if (!(unprotected instanceof Map)) throw new Malformed("unprotected-not-map");
  if (!(payload instanceof Uint8Array)) throw new Malformed("payload-not-bytes");
  if (!(signature instanceof Uint8Array)) throw new Malformed("signature-not-bytes");
  if (unprotected.size !== 0) throw new Malformed("unprotected-not-empty");
  const protectedMap = protectedBytes.length === 0 ? new Map() : decodeOrFail(protectedBytes);
  if (!(protectedMap instanceof Map)) throw new Malformed("protected-not-map");
  if (protectedMap.has(2)) throw new Malformed("crit-unknown");
  const kid = protectedMap.get(4);
  if (!(kid instanceof Uint8Array) || kid.length !== 8) throw new Malformed("kid-missing");
  const claims = decodeOrFail(payload);
  if (!(claims instanceof Map)) throw new Malformed("claims-not-map");
  if (claims.size !== 9 || ![1, 2, 3, 4, 5, 6, 7, 8, 9].every((k) => claims.has(k))) throw new Malformed("claims-keys");
  const number = numberFromClaim(claims.get(1));
  const parsed = parseNumber(number);
  const version = uint(claims.get(2), "claim-version", 1, 999);
  const holder = text(claims.get(3), "claim-holder");
  const idType = claims.get(4);
  if (!inRange(idType, 0, 2n ** 64n) || !ID_TYPES.has(Number(idType))) throw new Malformed("claim-id-type");
  const commitment = claims.get(5);
  if (!(commitment instanceof Uint8Array) || commitment.length !== 24) throw new Malformed("claim-commitment");
  const occ = String(uint(claims.get(6), "claim-occupation", 1000000, 8999999));
  const occupation = `${occ[0]}-${occ.slice(1, 3)}-${occ.slice(3, 5)}-${occ.slice(5, 7)}`;
  const job = claims.get(7) === null ? null : text(claims.get(7), "claim-job");
  const level = uint(claims.get(8), "claim-level", 1, 5);
  const issued = new Date(uint(claims.get(9), "claim-issued", 0, LAST_DAY) * 86400000).toISOString().slice(0, 10);
  return {
    protectedBytes, protectedMap, payload, signature, kid: hex(kid),
    credential: { number, version, holder, idType: Number(idType), commitment, occupation, job, level, issued, parsed },
  };
}

function sigStructure(protectedBytes, payload) {
  const ctx = new TextEncoder().encode("Signature1");
  const parts = [[0x84], [0x60 | ctx.length], ctx, ...bstr(protectedBytes), [0x40], ...bstr(payload)];
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

function bstr(b) {
  const n = b.length;
  const head = n < 24 ? [0x40 | n] : n < 256 ? [0x58, n] : [0x59, n >> 8, n & 255];
  return [head, b];
}

// --- the registry as of a date (mirrors credentials/model.py) -----------------------------------

export function statusOn(inst, day) {
  let current = null;
  for (const [date, status] of inst.s) { if (date <= day) current = status; else break; }
  if (current === null || day < inst.f) return "not-filed";
  if (current !== "active") return current;
  if (!inst.v.some(([a, b]) => a <= day && day <= b)) return day > inst.v[0][0] ? "expired" : "not-filed";
  return "active";
}

// The snapshot format this page reads (credentials/registry/snapshot.py FORMAT): a page kept by an
// old service worker refuses a newer snapshot rather than misreading it.
export const SNAPSHOT_FORMAT = 5;

// The name of the one snapshot shard that holds institution ``number.slice(0, 13)`` if the snapshot
// has it (a filing or certificate number): of its province's shards (positions 6-7), the one with
// the last first filing number not after it; null when there is none or ``number`` is shorter than
// a filing number (the same choice as credentials/registry/snapshot.py shard_for, pinned by
// tests/vectors/shard-choice.json).
export function shardName(manifest, number) {
  const filing = String(number).slice(0, 13);
  if (filing.length < 13) return null;
  let best = null;
  for (const [name, info] of Object.entries(manifest.shards)) {
    if (info.province === filing.slice(5, 7) && info.from <= filing && (best === null || info.from > manifest.shards[best].from)) best = name;
  }
  return best;
}

// The registry of snapshot shards. ``records(number)`` resolves to the published entries of a number
// (records.js snapshotRecords); ``policy`` is the manifest's record policy.
export class SnapshotRegistry {
  constructor(shards, { records = async () => [], policy = { required_from: null, grace_days: 30 } } = {}) {
    this.records = records;
    this.policy = policy;
    this.institutions = new Map();
    this.keys = new Map();
    this.occupations = new Map();
    for (const shard of shards) {
      for (const [code, name] of Object.entries(shard.occupations)) this.occupations.set(code, name);
      for (const [number, inst] of Object.entries(shard.institutions)) {
        this.institutions.set(number, inst);
        for (const k of inst.k) if (!this.keys.has(k[0])) this.keys.set(k[0], { owner: number, key: k });
      }
    }
  }
}

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const leNumber = (bytes) => bytes.reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n);

// Strict, cofactorless Ed25519 verification, as libsodium's crypto_sign_verify_detached (the
// Python side): canonical A that is not of small order, R not of small order, S < L, and
// encode([S]B - [k]A) must equal the received R bytes. The checks on A, R and S always run here
// (with @noble/ed25519's curve arithmetic); the equation is then checked by WebCrypto's Ed25519
// where the browser has it (cofactorless in Chromium's BoringSSL), otherwise with noble's
// arithmetic (noble's own verify is cofactored, which accepts some signatures libsodium rejects).
let backend = "auto";  // "auto" | "webcrypto" | "noble"
let webcryptoEd25519 = null;

export function setEd25519Backend(name) { backend = name; webcryptoEd25519 = null; }

async function hasWebCryptoEd25519() {
  if (backend === "noble") return false;
  if (webcryptoEd25519 === null) {
    try {
      await globalThis.crypto.subtle.importKey("raw", ed.Point.BASE.toBytes(), { name: "Ed25519" }, false, ["verify"]);
      webcryptoEd25519 = true;
    } catch { webcryptoEd25519 = false; }
  }
  if (backend === "webcrypto" && !webcryptoEd25519) throw new Error("WebCrypto has no Ed25519 here");
  return webcryptoEd25519;
}

export async function ed25519Backend() { return (await hasWebCryptoEd25519()) ? "webcrypto" : "noble"; }

export async function verifyEd25519(publicKeyHex, message, signature) {
  if (signature.length !== 64 || publicKeyHex.length !== 64) return false;
  const useWebCrypto = await hasWebCryptoEd25519();
  try {
    const pk = ed.etc.hexToBytes(publicKeyHex);
    const A = ed.Point.fromBytes(pk, false);
    if (A.isSmallOrder()) return false;
    const rBytes = signature.slice(0, 32);
    const R = ed.Point.fromBytes(rBytes, false);
    if (R.isSmallOrder()) return false;
    const S = leNumber(signature.slice(32));
    if (S >= L) return false;
    if (useWebCrypto) {
      const key = await globalThis.crypto.subtle.importKey("raw", pk, { name: "Ed25519" }, false, ["verify"]);
      return await globalThis.crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
    }
    const k = ed.etc.mod(leNumber(await ed.hashes.sha512Async(ed.etc.concatBytes(rBytes, pk, message))), L);
    const check = ed.Point.BASE.multiplyUnsafe(S).subtract(A.multiplyUnsafe(k));
    return equal(check.toBytes(), rBytes);
  } catch {
    return false;
  }
}

// How a refused alg value is shown (credentials/credential/verify.py does the same).
function shownAlg(alg) {
  if (typeof alg === "number" || typeof alg === "bigint" || typeof alg === "string") return alg;
  if (alg === undefined) return "missing";
  if (alg === null) return "null";
  if (typeof alg === "boolean") return String(alg);
  if (alg instanceof Uint8Array) return "bytes";
  return Array.isArray(alg) ? "array" : alg instanceof Map ? "map" : "other";
}

export async function check(data, registry, at) {
  const checks = new Map();
  const ok = new Set();
  const st = {};
  async function record(id, needs, fn) {
    if (!needs.every((n) => ok.has(n))) { checks.set(id, { id, status: "skipped", reason: "depends-on-failed-check", detail: {} }); return; }
    const [reason, detail] = await fn();
    const status = id === "in-published-record"
      ? (PASSING.has(reason) ? "passed" : PENDING.has(reason) ? "pending" : "failed")
      : (reason ? "failed" : "passed");
    checks.set(id, { id, status, reason, detail });
    if (status === "passed") ok.add(id);
  }
  await record("decode", [], () => {
    try { Object.assign(st, parseCredential(data)); return ["", {}]; }
    catch (e) { if (e instanceof Malformed) return ["malformed", { problem: e.problem }]; throw e; }
  });
  await record("algorithm", ["decode"], () => {
    const alg = st.protectedMap.get(1);
    return alg === -8 ? ["", { alg }] : ["not-allowed", { alg: shownAlg(alg) }];
  });
  await record("number-format", ["decode"], () => {
    const c = st.credential;
    if (c.parsed.level !== c.level) return ["level-mismatch", { digit: c.parsed.level, level: c.level }];
    if (c.parsed.year !== Number(c.issued.slice(0, 4)) % 100) return ["year-mismatch", { digits: c.number.slice(13, 15), year: Number(c.issued.slice(0, 4)) }];
    st.filing = c.parsed.filing;
    return ["", { number: c.number }];
  });
  await record("issuer-known", ["number-format"], () => {
    const inst = registry.institutions.get(st.filing);
    if (!inst) return ["unknown-institution", { filing_number: st.filing }];
    st.inst = inst;
    return ["", { filing_number: st.filing }];
  });
  // the day the institution and the key are judged on: the issue date, or for a re-issue
  // (version >= 2) the date its institution's file records (credentials/credential/policy.py)
  const signing = () => {
    const c = st.credential;
    if (c.version === 1) return { day: c.issued, unrecorded: false };
    const record = st.inst.ri.find(([number, version]) => number === c.number && version === c.version);
    return record ? { day: record[2], unrecorded: false } : { day: c.issued, unrecorded: true };
  };
  await record("issuer-active-on-issue-date", ["issuer-known"], () => {
    const day = signing().day;
    const status = statusOn(st.inst, day);
    return [status === "active" ? "" : status, { status, date: day }];
  });
  await record("key-valid-on-issue-date", ["issuer-known"], () => {
    const found = registry.keys.get(st.kid);
    if (!found) return ["unknown-key", { kid: st.kid }];
    const [kid, , notBefore, notAfter, compromised] = found.key;
    st.key = found.key;
    const { day, unrecorded } = signing();
    if (unrecorded) return ["reissue-not-recorded", { version: st.credential.version }];
    const detail = { kid, date: day };
    if (found.owner !== st.filing) return ["key-of-other-institution", { ...detail, owner: found.owner }];
    if (compromised && day >= compromised) return ["compromised", { ...detail, compromised_at: compromised }];
    if (day < notBefore) return ["not-yet-valid", { ...detail, not_before: notBefore }];
    if (notAfter && day > notAfter) return ["expired", { ...detail, not_after: notAfter }];
    return ["", detail];
  });
  await record("signature", ["algorithm", "issuer-known"], async () => {
    if (!st.key) return ["no-key", {}];
    const valid = await verifyEd25519(st.key[1], sigStructure(st.protectedBytes, st.payload), st.signature);
    return [valid ? "" : "invalid", { kid: st.key[0] }];
  });
  await record("in-scope-on-issue-date", ["signature"], () => {
    const c = st.credential;
    const detail = { occupation: c.occupation, job: c.job, level: c.level, date: c.issued };
    const row = st.inst.r.find(([occ, job, levels, since, until]) => occ === c.occupation && job === c.job
      && levels.includes(String(c.level)) && since <= c.issued && (until === null || c.issued <= until));
    if (!row) return ["not-in-scope", detail];
    st.row = row;
    return ["", detail];
  });
  await record("issued-not-in-future", ["signature"], () => [st.credential.issued > at ? "future" : "", { issued: st.credential.issued, at }]);
  await record("not-revoked", ["signature"], () => {
    const c = st.credential;
    for (const [number, version, date, reason] of st.inst.x) {
      if (number === c.number && (version === null || version === c.version) && date <= at) return ["revoked", { date, reason }];
    }
    const later = st.inst.ri.filter(([number, version, date]) => number === c.number && version > c.version && date <= at);
    if (later.length) { const best = later.reduce((a, b) => (b[1] > a[1] ? b : a)); return ["superseded", { version: best[1], date: best[2] }]; }
    return ["", {}];
  });
  await record("in-published-record", ["signature"], () => published(registry, data, st.credential,
    { inst: st.inst, key: st.key || null, signed: signing().day, at }));
  const list = CHECK_IDS.map((id) => checks.get(id));
  return { ok: list.every((c) => c.status === "passed"), checks: list, credential: st.credential || null, institution: st.inst || null, row: st.row || null };
}

export { Malformed };

export function fromQrText(textValue) {
  const fragment = textValue.trim().split("#").pop();
  if (!/^[0-9]+$/.test(fragment)) throw new Malformed("qr-no-credential");
  if (fragment.length > MAX_DIGITS) throw new Malformed("qr-too-long");
  let v = BigInt(fragment);
  const out = [];
  while (v > 0n) { out.unshift(Number(v & 0xffn)); v >>= 8n; }
  if (out[0] !== 1) throw new Malformed("qr-no-marker");
  return Uint8Array.from(out.slice(1));
}
