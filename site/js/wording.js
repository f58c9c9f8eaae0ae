// How verification results read to people. Every string comes from the one label table,
// credentials/labels.json, which Python (credentials/labels.py) loads too: the page and the command
// line print the same sentences (tests/js/verifier.test.js compares them on every vector).
import LABELS from "../../credentials/labels.json" with { type: "json" };

const pair = (p) => [p[0], p[1]];
export const TITLES = Object.fromEntries(Object.entries(LABELS.checks).map(([id, c]) => [id, pair(c.title)]));
export const LEVELS = Object.fromEntries(Object.entries(LABELS.levels).map(([k, [zh, en]]) => [k, `${zh} ${en}`]));
export const ID_TYPES = Object.fromEntries(Object.entries(LABELS.id_types).map(([k, [zh]]) => [k, zh]));
export const PROVINCES = new Set(Object.keys(LABELS.provinces));
export const ID_TYPE_CODES = new Set(Object.keys(LABELS.id_types).map(Number));

// The Chinese and English sentences for a check's reason and values (credentials/credential/wording.py).
export function sentence(id, reason, detail) {
  const reasons = (LABELS.checks[id] || { reasons: {} }).reasons;
  const [zh, en] = reasons[reason] || ["{reason}", "{reason}"];
  const values = { reason, ...detail };
  if ("job" in values && values.job === null) values.job = "--";
  const slot = /\{(\w+)\}/g;
  const keys = [...zh.matchAll(slot), ...en.matchAll(slot)].map((m) => m[1]);
  if (!keys.every((k) => k in values)) return [zh, en];
  const problem = LABELS.malformed[String(values.problem)];  // why a credential does not decode
  const fill = (t, lang) => t.replace(slot, (_, k) => (k === "problem" && problem ? problem[lang] : String(values[k])));
  return [fill(zh, 0), fill(en, 1)];
}

// Why a credential or a QR text cannot be read, Chinese and English.
export function problemText(code) {
  const p = LABELS.malformed[code];
  return p ? [p[0], p[1]] : [String(code), String(code)];
}

export function describe(check) {
  if (check.status === "skipped") return pair(LABELS.skipped);
  return sentence(check.id, check.reason, check.detail);
}
