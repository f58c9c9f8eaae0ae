// The CBOR a credential is made of: a strict decoder for that subset, the same algorithm line for
// line as credentials/cbor.py, so that Python and the page refuse exactly the same byte strings
// with the same problem code (worded in credentials/labels.json).
//
// The subset: unsigned and negative integers up to 64 bits, byte and text strings, arrays, maps,
// false, true, null; tags only on the outermost item. Definite lengths only, integers and lengths
// in their shortest form, map keys unique and sorted bytewise by their encoding (RFC 8949 §4.2.1).
// Integers above Number.MAX_SAFE_INTEGER come back as BigInt.

export const MAX_DEPTH = 8;

export class CborProblem extends Error {
  constructor(problem) { super(problem); this.problem = problem; }
}

export class Tag {
  constructor(tag, value) { this.tag = tag; this.value = value; }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const MIN = [24, 256, 65536, 2 ** 32];  // the smallest value each longer form may carry

export function decode(bytes) {
  let pos = 0;
  const take = (n) => {
    if (pos + n > bytes.length) throw new CborProblem("truncated");
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  function argument(info) {
    if (info < 24) return info;
    if (info > 27) throw new CborProblem(info === 31 ? "indefinite-length" : "not-cbor");
    const size = 1 << (info - 24);
    let n = 0n;
    for (const b of take(size)) n = (n << 8n) | BigInt(b);
    if (n < BigInt(MIN[info - 24])) throw new CborProblem("not-deterministic");
    return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  function item(depth) {
    if (depth > MAX_DEPTH) throw new CborProblem("too-deep");
    const first = take(1)[0];
    const major = first >> 5, info = first & 31;
    if (major === 7) {
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22) return null;
      throw new CborProblem("unsupported-type");
    }
    const n = argument(info);
    if (major === 0) return n;
    if (major === 1) return typeof n === "bigint" ? -1n - n : (n + 1 > Number.MAX_SAFE_INTEGER ? -1n - BigInt(n) : -1 - n);
    if (major === 2 || major === 3) {
      if (typeof n === "bigint") throw new CborProblem("truncated");
      const raw = take(n);
      if (major === 2) return raw.slice();
      try { return utf8.decode(raw); } catch { throw new CborProblem("bad-utf8"); }
    }
    if (major === 4) {
      if (typeof n === "bigint" || n > bytes.length - pos) throw new CborProblem("truncated");
      const a = [];
      for (let i = 0; i < n; i++) a.push(item(depth + 1));
      return a;
    }
    if (major === 5) return map(n, depth);
    if (depth > 0) throw new CborProblem("unsupported-tag");  // major 6
    return new Tag(n, item(depth + 1));
  }
  function map(n, depth) {
    if (typeof n === "bigint" || n > bytes.length - pos) throw new CborProblem("truncated");
    const out = new Map();
    let previous = null;
    for (let i = 0; i < n; i++) {
      const start = pos;
      const key = item(depth + 1);
      const encoded = bytes.subarray(start, pos);
      if (!(typeof key === "number" || typeof key === "bigint" || typeof key === "string" || key instanceof Uint8Array)) {
        throw new CborProblem("map-key-type");
      }
      if (previous !== null) {
        const order = compare(encoded, previous);
        if (order <= 0) throw new CborProblem(order === 0 ? "duplicate-key" : "not-deterministic");
      }
      previous = encoded;
      out.set(key instanceof Uint8Array ? "b:" + hex(key) : key, item(depth + 1));
    }
    return out;
  }
  const value = item(0);
  if (pos !== bytes.length) throw new CborProblem("trailing-bytes");
  return value;
}

export function compare(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export function equal(a, b) {
  return a.length === b.length && compare(a, b) === 0;
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function unhex(text) {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}
