// The JavaScript verifier against the same vectors as Python (tests/vectors/), and against the
// external Ed25519 conformance data vendored in tests/vectors/external/.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { check, CHECK_IDS, shardName, SNAPSHOT_FORMAT, SnapshotRegistry, fromQrText, verifyEd25519, setEd25519Backend, ed25519Backend } from "../../site/js/verifier.js";
import { unhex } from "../../site/js/cbor.js";
import { snapshotRecords } from "../../site/js/records.js";
import { describe, verdict } from "../../site/js/wording.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const VECTORS = path.join(here, "..", "vectors");
const EXTERNAL = path.join(VECTORS, "external");
const json = (p) => JSON.parse(fs.readFileSync(p, "utf-8"));

const manifest = json(path.join(VECTORS, "snapshot", "manifest.json"));
const shards = Object.values(manifest.shards).map((s) => json(path.join(VECTORS, "snapshot", s.path)));
const registry = new SnapshotRegistry(shards, { policy: manifest.records });
registry.records = snapshotRecords(async (p) => new Uint8Array(fs.readFileSync(path.join(VECTORS, "snapshot", p))), registry);

test("check ids and order are Python's", () => {
  assert.deepEqual(CHECK_IDS, json(path.join(VECTORS, "check-ids.json")));
});


test("the page reads the snapshot format Python writes", () => {
  assert.equal(SNAPSHOT_FORMAT, manifest.format);
});

test("the shard a number needs is the one Python chooses (shard-choice.json)", () => {
  const doc = json(path.join(VECTORS, "shard-choice.json"));
  assert.ok(doc.cases.length >= 10);
  for (const [number, want] of doc.cases) assert.equal(shardName(doc.manifest, number), want, number);
});

test("Node has Ed25519 in WebCrypto, so both verification paths are tested", async () => {
  setEd25519Backend("auto");
  assert.equal(await ed25519Backend(), "webcrypto");
});

// Every test below runs twice: with WebCrypto's Ed25519, and with the pure-JS path that browsers
// without it use. Both must give Python's answers.
for (const name of ["webcrypto", "noble"]) {
const files = fs.readdirSync(VECTORS).filter((f) => f.endsWith(".json") && !["check-ids.json", "parity.json", "lookup.json", "shard-choice.json"].includes(f)).sort();

test(`[${name}] parity: the same status, reason and problem as Python for 600 byte strings`, async () => {
  setEd25519Backend(name);
  const doc = json(path.join(VECTORS, "parity.json"));
  for (const c of doc.cases) {
    const report = await check(unhex(c.hex), registry, doc.at);
    assert.deepEqual(report.checks.map((k) => [k.status, k.reason]), c.checks, c.hex);
    assert.equal(report.checks[0].detail.problem ?? null, c.problem, c.hex);
  }
});
for (const file of files) {
  const v = json(path.join(VECTORS, file));
  test(`[${name}] vector ${v.name}: ${v.title}`, async () => {
    setEd25519Backend(name);
    const data = unhex(v.cose_hex);
    if (v.qr_text !== null) assert.deepEqual(fromQrText(v.qr_text), data);
    const report = await check(data, registry, v.at);
    const statuses = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    assert.deepEqual(statuses, v.expect.checks);
    const reasons = Object.fromEntries(report.checks.filter((c) => c.status === "failed").map((c) => [c.id, c.reason]));
    assert.deepEqual(reasons, v.expect.reasons);
    assert.equal(report.ok, v.expect.ok);
    // people read the same sentences on the page as from Python, Chinese and English
    assert.deepEqual(report.checks.map((c) => describe(c)), v.expect.sentences);
    const found = verdict(report);
    assert.deepEqual({ kind: found.kind, title: found.title, advice: found.advice }, v.expect.verdict);
  });
}

test(`[${name}] fuzz: random and mutated inputs never throw, and are never genuine`, async () => {
  setEd25519Backend(name);
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const valid = unhex(json(path.join(VECTORS, "valid-technician-college.json")).cose_hex);
  for (let i = 0; i < 1500; i++) {
    let data;
    if (i % 3 === 0) {
      data = Uint8Array.from({ length: Math.floor(rand() * 300) }, () => Math.floor(rand() * 256));
    } else {
      data = Uint8Array.from(valid);
      const flips = 1 + Math.floor(rand() * 4);
      for (let f = 0; f < flips; f++) {
        const at = Math.floor(rand() * data.length);
        if (rand() < 0.8) data[at] ^= 1 << Math.floor(rand() * 8);
        else data = data.slice(0, at);
      }
      if (data.length === valid.length && data.every((b, j) => b === valid[j])) continue;
    }
    const report = await check(data, registry, "2026-11-21");
    assert.equal(report.ok, false);
    assert.equal(report.checks.length, CHECK_IDS.length);
  }
});


test(`[${name}] Wycheproof Ed25519: every case as expected`, async () => {
  setEd25519Backend(name);
  const doc = json(path.join(EXTERNAL, "wycheproof", "ed25519_test.json"));
  let n = 0;
  for (const group of doc.testGroups) {
    for (const t of group.tests) {
      const ok = await verifyEd25519(group.publicKey.pk, unhex(t.msg), unhex(t.sig));
      assert.equal(ok, t.result === "valid", `tc ${t.tcId}: ${t.comment}`);
      n += 1;
    }
  }
  assert.equal(n, 151);
});

test(`[${name}] RFC 8032 vectors verify`, async () => {
  setEd25519Backend(name);
  for (const v of json(path.join(EXTERNAL, "noble-ed25519", "rfc8032-ed25519.json"))) {
    assert.equal(await verifyEd25519(v.pub, unhex(v.msg), unhex(v.sig)), true);
  }
});

test(`[${name}] noble edge cases: the same answers as Python (pinned)`, async () => {
  setEd25519Backend(name);
  const cases = json(path.join(EXTERNAL, "noble-ed25519", "edge-cases.json"));
  const pinned = json(path.join(VECTORS, "conformance", "noble-edge-cases.json")).valid;
  const ours = [];
  for (const c of cases) ours.push(await verifyEd25519(c.pub_key, unhex(c.message), unhex(c.signature)));
  assert.deepEqual(ours, pinned);
});

}
