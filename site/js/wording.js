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

// detail values that are codes, worded from the label table in each language
const CODED = { problem: LABELS.malformed, status: LABELS.statuses };
const SLOT = /\{(\w+)\}/g;

function fill(zh, en, values) {
  const keys = [...zh.matchAll(SLOT), ...en.matchAll(SLOT)].map((m) => m[1]);
  if (!keys.every((k) => k in values)) return [zh, en];
  const word = (k, lang) => {
    const section = CODED[k];
    return section && Object.hasOwn(section, String(values[k])) ? section[String(values[k])][lang] : String(values[k]);
  };
  return [zh.replace(SLOT, (_, k) => word(k, 0)), en.replace(SLOT, (_, k) => word(k, 1))];
}

// The Chinese and English sentences for a check's reason and values (credentials/credential/wording.py).
export function sentence(id, reason, detail) {
  const reasons = (LABELS.checks[id] || { reasons: {} }).reasons;
  const [zh, en] = reasons[reason] || ["{reason}", "{reason}"];
  const values = { reason, ...detail };
  if ("job" in values && values.job === null) values.job = "--";
  return fill(zh, en, values);
}

// The verdict people read first (credentials/credential/wording.py verdict): its kind, title and
// what to do.
export function verdict(report, { idMatch = null, staleAsOf = null } = {}) {
  const failed = report.checks.find((c) => c.status === "failed");
  let kind = "genuine", values = {};
  if (failed) {
    kind = LABELS.verdict_of[`${failed.id}|${failed.reason}`] || LABELS.verdict_of[failed.id] || "forged";
    values = { reason: failed.reason, ...failed.detail };
  } else if (idMatch === false) kind = "id-mismatch";
  else if (report.checks.some((c) => c.status === "pending")) {
    kind = "unconfirmed";
    values = { ...report.checks.find((c) => c.status === "pending").detail };
  } else if (staleAsOf !== null) { kind = "stale"; values = { date: staleAsOf }; }
  const v = LABELS.verdicts[kind];
  return { kind, title: fill(v.title[0], v.title[1], values), advice: fill(v.advice[0], v.advice[1], values) };
}

export const UNVERIFIED = pair(LABELS.unverified);

// Whether the content may be shown as a certificate: its signature verified.
export function contentVerified(report) {
  return report.checks.some((c) => c.id === "signature" && c.status === "passed");
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

// What a lookup by number and ID number means (credentials/credential/wording.py lookup_verdict).
const LOOKUP_CHECK = {
  "published-after-compromise": "in-published-record", "published-after-suspension": "in-published-record",
  "unknown-key": "key-valid-on-issue-date", "key-of-other-institution": "key-valid-on-issue-date",
  "compromised": "key-valid-on-issue-date", "not-yet-valid": "key-valid-on-issue-date",
  "expired": "key-valid-on-issue-date", "unknown-institution": "issuer-known",
};
export function lookupVerdict(found) {
  const kind = found.reason === "number-invalid" ? "number-invalid" : found.status;
  const [title, advice] = LABELS.lookup[kind];
  const values = { number: found.number, ...(found.detail || {}) };
  if (kind === "not-genuine") {
    const id = LOOKUP_CHECK[found.reason] || "issuer-active-on-issue-date";
    return { kind, title: pair(title), advice: sentence(id, found.reason, { status: found.reason, ...(found.detail || {}) }) };
  }
  return { kind, title: fill(title[0], title[1], values), advice: fill(advice[0], advice[1], values) };
}
