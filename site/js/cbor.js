// A strict CBOR decoder and a deterministic encoder for the subset our credentials use
// (RFC 8949: unsigned and negative integers, byte and text strings, arrays, maps, tags, false,
// true, null). Anything else (floats, indefinite lengths, undefined, big numbers) is an error.
// The encoder is used only to check that received bytes are in deterministic encoding; the
// verifier never re-encodes what it verifies.

export class CborError extends Error {}

export class Tag {
  constructor(tag, value) { this.tag = tag; this.value = value; }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function decode(bytes) {
  let pos = 0;
  const need = (n) => { if (pos + n > bytes.length) throw new CborError("truncated CBOR"); };
  function length(info) {
    if (info < 24) return info;
    if (info === 24) { need(1); return bytes[pos++]; }
    if (info === 25) { need(2); const v = (bytes[pos] << 8) | bytes[pos + 1]; pos += 2; return v; }
    if (info === 26) { need(4); const v = ((bytes[pos] << 24) >>> 0) + (bytes[pos + 1] << 16) + (bytes[pos + 2] << 8) + bytes[pos + 3]; pos += 4; return v; }
    if (info === 27) {
      need(8);
      let v = 0n;
      for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(bytes[pos + i]);
      pos += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) return v;
      return Number(v);
    }
    throw new CborError("unsupported CBOR length encoding");
  }
  function item(depth) {
    if (depth > 16) throw new CborError("CBOR nested too deeply");
    need(1);
    const first = bytes[pos++];
    const major = first >> 5, info = first & 31;
    switch (major) {
      case 0: return length(info);
      case 1: { const n = length(info); return typeof n === "bigint" ? -1n - n : -1 - n; }
      case 2: { const n = length(info); if (typeof n === "bigint") throw new CborError("byte string too long"); need(n); const v = bytes.slice(pos, pos + n); pos += n; return v; }
      case 3: {
        const n = length(info); if (typeof n === "bigint") throw new CborError("text too long"); need(n);
        let v; try { v = utf8.decode(bytes.subarray(pos, pos + n)); } catch { throw new CborError("text is not UTF-8"); }
        pos += n; return v;
      }
      case 4: { const n = length(info); if (typeof n === "bigint" || n > bytes.length) throw new CborError("array too long"); const a = []; for (let i = 0; i < n; i++) a.push(item(depth + 1)); return a; }
      case 5: {
        const n = length(info); if (typeof n === "bigint" || n > bytes.length) throw new CborError("map too long");
        const m = new Map();
        for (let i = 0; i < n; i++) {
          const k = item(depth + 1);
          if (!(typeof k === "number" || typeof k === "bigint" || typeof k === "string" || k instanceof Uint8Array)) throw new CborError("map keys must be integers, text or bytes");
          const v = item(depth + 1);
          m.set(k instanceof Uint8Array ? "b:" + hex(k) : k, v);
        }
        return m;
      }
      case 6: { const t = length(info); return new Tag(t, item(depth + 1)); }
      case 7:
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        throw new CborError("CBOR simple value or float is not used here");
    }
    throw new CborError("bad CBOR");
  }
  const value = item(0);
  if (pos !== bytes.length) throw new CborError(`${bytes.length - pos} bytes after the CBOR item`);
  return value;
}

function head(major, n) {
  if (typeof n === "bigint") {
    const out = [(major << 5) | 27];
    for (let i = 7; i >= 0; i--) out.push(Number((n >> BigInt(8 * i)) & 0xffn));
    return out;
  }
  if (n < 24) return [(major << 5) | n];
  if (n < 0x100) return [(major << 5) | 24, n];
  if (n < 0x10000) return [(major << 5) | 25, n >> 8, n & 255];
  if (n < 0x100000000) return [(major << 5) | 26, (n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
  return head(major, BigInt(n));
}

const utf8enc = new TextEncoder();

export function encode(value) {
  const out = [];
  (function put(v) {
    if (v === false) out.push(0xf4);
    else if (v === true) out.push(0xf5);
    else if (v === null) out.push(0xf6);
    else if (typeof v === "number" || typeof v === "bigint") {
      if (typeof v === "number" && !Number.isInteger(v)) throw new CborError("floats are not used here");
      if (v >= 0) out.push(...head(0, v));
      else out.push(...head(1, typeof v === "bigint" ? -1n - v : -1 - v));
    } else if (typeof v === "string") {
      if (v.startsWith("b:")) { const b = unhex(v.slice(2)); out.push(...head(2, b.length), ...b); }
      else { const b = utf8enc.encode(v); out.push(...head(3, b.length), ...b); }
    } else if (v instanceof Uint8Array) out.push(...head(2, v.length), ...v);
    else if (Array.isArray(v)) { out.push(...head(4, v.length)); v.forEach(put); }
    else if (v instanceof Map) {
      const items = [...v.entries()].map(([k, x]) => [encode(k), x]);
      items.sort((a, b) => compare(a[0], b[0]));
      out.push(...head(5, items.length));
      for (const [k, x] of items) { out.push(...k); put(x); }
    } else if (v instanceof Tag) { out.push(...head(6, v.tag)); put(v.value); }
    else throw new CborError("cannot encode this value");
  })(value);
  return Uint8Array.from(out);
}

function compare(a, b) {
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
