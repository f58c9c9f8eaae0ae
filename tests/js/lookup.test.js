// The lookup by typed certificate number and ID number (the page's 证书查询) against the vectors'
// snapshot: the same status, reason, record and Argon2id hash as Python (tests/vectors/lookup.json),
// and a snapshot file altered after signing is refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SnapshotRegistry } from "../../site/js/verifier.js";
import { lookup, lookupHash, snapshotRecords } from "../../site/js/records.js";
import { lookupVerdict } from "../../site/js/wording.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const SNAPSHOT = path.join(here, "..", "vectors", "snapshot");
const json = (p) => JSON.parse(fs.readFileSync(p, "utf-8"));
const manifest = json(path.join(SNAPSHOT, "manifest.json"));
const shards = Object.values(manifest.shards).map((s) => json(path.join(SNAPSHOT, s.path)));

function registryReading(read) {
  const registry = new SnapshotRegistry(shards, { policy: manifest.records });
  registry.records = snapshotRecords(read, registry);
  return registry;
}
const registry = registryReading(async (p) => new Uint8Array(fs.readFileSync(path.join(SNAPSHOT, p))));

for (const c of json(path.join(here, "..", "vectors", "lookup.json")).cases) {
  test(`lookup: ${c.title}`, async () => {
    const found = await lookup(c.number, c.id_number, registry, c.at);
    assert.deepEqual(
      { status: found.status, reason: found.reason, version: found.entry?.version ?? null, record: found.entry?.record ?? null },
      c.expect);
    if (c.lookup_hex) {
      const number = c.number.normalize("NFKC").replace(/\s+/g, "").toUpperCase();
      assert.equal(await lookupHash(number, c.id_number), c.lookup_hex);
    }
    const v = lookupVerdict(found);
    assert.ok(v.title[0] && v.title[1] && v.advice[0] && v.advice[1], JSON.stringify(v));
  });
}

test("a records file altered after the snapshot was signed is refused", async () => {
  const tampered = registryReading(async (p) => {
    const data = new Uint8Array(fs.readFileSync(path.join(SNAPSHOT, p)));
    if (p.endsWith("263-0.json")) data[data.length - 3] ^= 1;
    return data;
  });
  await assert.rejects(lookup("Y000041019101263000004", "410102199909091238", tampered, "2026-11-21"), /does not match its hash/);
});
