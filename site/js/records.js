// The published issuance records (发证记录) as the page reads them, and the lookup by typed
// certificate number and ID number: the same rules as credentials/credential/publication.py and
// lookup.py, the same shards as credentials/registry/snapshot.py (manifest -> shard ->
// records/<filing>/index.json -> records/<filing>/<yy><level>-<block>.json, each checked against
// the SHA-256 its parent gives).

const SHARD_SERIALS = 500;
const LOOKUP = "skillcert-lookup-v1";
const hexOf = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

export async function sha256Hex(bytes) {
  return hexOf(new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", bytes)));
}

// the short hash of a credential's exact bytes: the first 16 bytes of SHA-256
export async function credentialHash(bytes) {
  return (await sha256Hex(bytes)).slice(0, 32);
}

export function shardKey(number) {
  return `${number.slice(13, 16)}-${Math.floor((Number(number.slice(16)) - 1) / SHARD_SERIALS)}`;
}

export function fromShard(shard, number) {
  const serial = Number(number.slice(16));
  const out = [];
  for (const [s, version, hash, lookup, g] of shard.entries) {
    if (s !== serial) continue;
    const [occupation, job, issued, kid, record] = shard.groups[g];
    out.push({ number, version, hash, lookup, occupation, job, issued, kid, record, published: shard.records[record] });
  }
  return out;
}

// A record source over a snapshot: ``read(path)`` returns the bytes of a snapshot file (a path
// under snapshot/). Each file is checked against the hash its parent lists; a damaged or altered
// file throws.
export function snapshotRecords(read, registry) {
  const cache = new Map();
  async function get(path, sha) {
    if (!cache.has(path)) {
      cache.set(path, (async () => {
        const data = await read(path);
        if ((await sha256Hex(data)) !== sha) throw new Error(`目录快照文件 ${path} 与其哈希不符 / snapshot file ${path} does not match its hash`);
        return JSON.parse(new TextDecoder().decode(data));
      })());
    }
    return cache.get(path);
  }
  return async (number) => {
    const filing = number.slice(0, 13);
    const inst = registry.institutions.get(filing);
    if (!inst || typeof inst.rec !== "string") return [];
    const index = await get(`records/${filing}/index.json`, inst.rec);
    const key = shardKey(number);
    if (!/^[0-9]{3}-[0-9]{1,4}$/.test(key) || !Object.hasOwn(index.shards, key)) return [];
    return fromShard(await get(`records/${filing}/${key}.json`, index.shards[key]), number);
  };
}

const addDays = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);

export function stoppedAfter(inst, signed, until) {
  for (const [date, status] of inst.s) {
    if (signed < date && date <= until && (status === "suspended" || status === "withdrawn")) return [status, date];
  }
  return null;
}

// A published entry: published in time? ([reason, detail], reason "" when it was)
export function judgeEntry(entry, inst, key, signed) {
  const detail = { date: entry.published, record: entry.record };
  const compromised = key ? key[4] : null;
  if (compromised && entry.published >= compromised) return ["published-after-compromise", { ...detail, compromised_at: compromised }];
  const stop = stoppedAfter(inst, signed, entry.published);
  if (stop) return ["published-after-suspension", { ...detail, status: stop[0], since: stop[1] }];
  return ["", detail];
}

// Check (11) in-published-record: [reason, detail] as credentials/credential/publication.py.
export async function published(registry, data, credential, { inst, key, signed, at }) {
  const entries = (await registry.records(credential.number)).filter((e) => e.published <= at);
  const same = entries.filter((e) => e.version === credential.version);
  const mine = await credentialHash(data);
  const match = same.find((e) => e.hash === mine);
  if (match) return judgeEntry(match, inst, key, signed);
  if (same.length) return ["other-credential-published", { version: credential.version, record: same[0].record }];
  const policy = registry.policy;
  if (key && key[4]) return ["unpublished-compromised-key", { date: signed, compromised_at: key[4] }];
  if (!policy.required_from || signed < policy.required_from) return ["legacy", { since: policy.required_from || "—" }];
  const until = addDays(signed, policy.grace_days);
  if (at <= until && !stoppedAfter(inst, signed, at)) return ["not-yet-published", { date: signed, until }];
  return ["not-published", { date: signed }];
}

export const PASSING = new Set(["", "legacy"]);
export const PENDING = new Set(["not-yet-published"]);

// --- lookup by number and ID number ---------------------------------------------------------------

export function normalise(idNumber) {
  return idNumber.normalize("NFKC").replace(/\s+/g, "").toUpperCase();
}

export function typedNumber(text) {
  const n = normalise(text);
  return /^[YS][0-9]{21}$/.test(n) ? n : null;
}

// Argon2id (t = 1, m = 64 MiB, 1 lane, 16 bytes): the cost of each guess is the point.
export async function lookupHash(number, idNumber) {
  const { argon2id } = await import("hash-wasm");
  const salt = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${LOOKUP}:${number}`))).slice(0, 16);
  return argon2id({ password: `${LOOKUP}:${normalise(idNumber)}`, salt, parallelism: 1, iterations: 1,
    memorySize: 65536, hashLength: 16, outputType: "hex" });
}

const signingDay = (inst, number, version, issued) => {
  if (version === 1) return issued;
  const r = inst.ri.find(([n, v]) => n === number && v === version);
  return r ? r[2] : issued;
};

function statusOn(inst, day) {
  let current = null;
  for (const [date, status] of inst.s) { if (date <= day) current = status; else break; }
  if (current === null || day < inst.f) return "not-filed";
  if (current !== "active") return current;
  if (!inst.v.some(([a, b]) => a <= day && day <= b)) return day > inst.v[0][0] ? "expired" : "not-filed";
  return "active";
}

// What a typed (number, ID number) pair finds, as credentials/credential/lookup.py.
export async function lookup(typed, idNumber, registry, at) {
  const number = typedNumber(typed);
  if (!number) return { status: "not-found", reason: "number-invalid", number: typed.trim().slice(0, 40) };
  const entries = (await registry.records(number)).filter((e) => e.published <= at);
  if (!entries.length) return { status: "not-found", reason: "not-published", number };
  const wanted = await lookupHash(number, idNumber);
  const mine = entries.filter((e) => e.lookup === wanted);
  if (!mine.length) return { status: "not-found", reason: "id-mismatch", number };
  const entry = mine.reduce((a, b) => (b.version > a.version || (b.version === a.version && b.published > a.published) ? b : a));
  const inst = registry.institutions.get(number.slice(0, 13));
  if (!inst) return { status: "not-genuine", reason: "unknown-institution", number, entry };
  const found = { number, entry, institution: inst, occupationName: registry.occupations.get(entry.occupation) || null };
  for (const [n, version, date, reason] of inst.x) {
    if (n === number && (version === null || version === entry.version) && date <= at) return { ...found, status: "revoked", reason: "revoked", detail: { date, reason } };
  }
  const later = inst.ri.filter(([n, v, d]) => n === number && v > entry.version && d <= at);
  if (later.length) {
    const best = later.reduce((a, b) => (b[1] > a[1] ? b : a));
    return { ...found, status: "superseded", reason: "superseded", detail: { version: String(best[1]), date: best[2] } };
  }
  const signed = signingDay(inst, number, entry.version, entry.issued);
  const status = statusOn(inst, signed);
  if (status !== "active") return { ...found, status: "not-genuine", reason: status, detail: { status, date: signed } };
  const k = registry.keys.get(entry.kid);
  const keyReason = !k ? "unknown-key" : k.owner !== number.slice(0, 13) ? "key-of-other-institution"
    : k.key[4] && signed >= k.key[4] ? "compromised" : signed < k.key[2] ? "not-yet-valid"
      : k.key[3] && signed > k.key[3] ? "expired" : "";
  if (keyReason) return { ...found, status: "not-genuine", reason: keyReason, detail: { kid: entry.kid, date: signed } };
  const [reason, detail] = judgeEntry(entry, inst, k.key, signed);
  if (reason) return { ...found, status: "not-genuine", reason, detail: Object.fromEntries(Object.entries(detail).map(([a, b]) => [a, String(b)])) };
  return { ...found, status: "genuine", reason: "" };
}
