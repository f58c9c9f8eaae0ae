"""Published issuance records (发证记录): what the bureau publishes of every signed credential.

After signing a batch, the institution writes its record (``skillcert batch publish``) into the
registry as ``batches/<filing>/<record>.record.json``; the bureau merges it, and the merge date in
git is the record's date. For every credential the record holds its number and version, a short
hash of its exact bytes (the first 16 bytes of SHA-256), the lookup hash that confirms a typed
(number, ID number) pair, and a group (occupation, job, issue date, signing key); one SHA-256
digest covers the whole list. Nothing in it names or identifies a holder.

Records are kinds: ``batch`` (one per approved batch), ``reissue`` (补发 versions), ``legacy``
(certificates signed before records began). JSON with one entry per line, so that a diff shows one
line per certificate and a problem can be pointed at by line.

Pure: bytes in, values out. ``Records`` indexes records by certificate number for the verifier.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

Date = dt.date
FORMAT = 1
LOOKUP_SCHEME = "argon2id-v1"  # credentials/credential/lookup.py; the page's lookup.js
HASH_BYTES = 16
RECORD_SUFFIX = ".record.json"
RECORD_ID = re.compile(
    r"(?P<batch>20[0-9]{2}-[1-9][0-9]{0,3})|(?P<kind>reissue|legacy)-(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})(-[1-9][0-9]{0,2})?"
)
SHARD_SERIALS = 500  # serials per snapshot shard: one lookup fetches at most 500 entries


@dataclass(frozen=True, slots=True)
class RecordEntry:
    """One credential (one version of a number) in a published record."""

    number: str
    version: int
    credential_hash: bytes
    lookup: bytes
    occupation: str
    job: str | None
    issued: Date
    kid: str
    record: str  # the record's id (its file name without .record.json)
    published: Date
    line: int = 0

    @property
    def level(self) -> int:
        """Position 16 of the number."""
        return int(self.number[15])

    @property
    def year(self) -> int:
        """Positions 14–15 of the number, as a full year."""
        return 2000 + int(self.number[13:15])

    @property
    def serial(self) -> int:
        """Positions 17–22 of the number."""
        return int(self.number[16:])


@dataclass(frozen=True, slots=True)
class IssuanceRecord:
    """One record file."""

    institution: str
    id: str
    kind: str  # batch | reissue | legacy
    batch: str | None
    published: Date  # the later of the date written in the file and the date git merged it
    entries: tuple[RecordEntry, ...]
    digest: str
    file: str = ""

    def dated(self, day: Date) -> IssuanceRecord:
        """The record as published on ``day`` (the merge date, when later than the file's)."""
        if day <= self.published:
            return self
        entries = tuple(dataclasses.replace(e, published=day) for e in self.entries)
        return dataclasses.replace(self, published=day, entries=entries)


@dataclass(frozen=True, slots=True)
class Row:
    """What ``encode`` needs of one signed credential."""

    number: str
    version: int
    credential_hash: bytes
    lookup: bytes
    occupation: str
    job: str | None
    issued: Date
    kid: str


def credential_hash(data: bytes) -> bytes:
    """The short hash of a credential's exact bytes."""
    return hashlib.sha256(data).digest()[:HASH_BYTES]


def digest(institution: str, record_id: str, groups: Sequence[Any], entries: Sequence[Any]) -> str:
    """SHA-256 over the record's identity, groups and entries (canonical JSON)."""
    body = [institution, record_id, list(groups), list(entries)]
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def encode(
    institution: str, record_id: str, *, kind: str, batch: str | None, published: Date,
    rows: Sequence[Row],
) -> bytes:  # fmt: skip
    """A record file: groups first, then one entry per line, then the digest."""
    groups: list[list[Any]] = []
    index: dict[tuple[str, str | None, str, str], int] = {}
    entries: list[list[Any]] = []
    for r in sorted(rows, key=lambda r: (r.number, r.version)):
        g = (r.occupation, r.job, r.issued.isoformat(), r.kid)
        if g not in index:
            index[g] = len(groups)
            groups.append(list(g))
        entries.append([r.number, r.version, r.credential_hash.hex(), r.lookup.hex(), index[g]])
    head = {
        "format": FORMAT,
        "institution": institution,
        "record": record_id,
        "kind": kind,
        "batch": batch,
        "published": published.isoformat(),
        "lookup": LOOKUP_SCHEME,
        "count": len(entries),
        "digest": digest(institution, record_id, groups, entries),
    }
    lines = ["{"]
    lines += [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()]
    lines.append('  "groups": [')
    lines += [f"    {_compact(g)}," for g in groups]
    lines[-1] = lines[-1].rstrip(",")
    lines.append("  ],")
    lines.append('  "entries": [')
    lines += [f"    {_compact(e)}," for e in entries]
    if entries:
        lines[-1] = lines[-1].rstrip(",")
    lines.append("  ]")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode()


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


# --- reading --------------------------------------------------------------------------------------

Problem = tuple[str, int, dict[str, Any]]  # rule id, line, values for its message


def _is_hash(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[0-9a-f]{32}", value) is not None


def _group_problem(g: Any) -> bool:
    if not (isinstance(g, list) and len(g) == 4):
        return True
    occupation, job, issued, kid = g
    ok = (
        isinstance(occupation, str)
        and re.fullmatch(r"[1-8]-[0-9]{2}-[0-9]{2}-[0-9]{2}", occupation) is not None
        and (job is None or (isinstance(job, str) and 0 < len(job) <= 64))
        and isinstance(issued, str)
        and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", issued) is not None
        and isinstance(kid, str)
        and re.fullmatch(r"[0-9a-f]{16}", kid) is not None
    )
    if ok:
        try:
            dt.date.fromisoformat(issued)
        except ValueError:
            return True
    return not ok


def _entry_problem(e: Any, groups: int) -> bool:
    return not (
        isinstance(e, list)
        and len(e) == 5
        and isinstance(e[0], str)
        and re.fullmatch(r"[YS][0-9]{21}", e[0]) is not None
        and type(e[1]) is int
        and 1 <= e[1] <= 999
        and _is_hash(e[2])
        and _is_hash(e[3])
        and type(e[4]) is int
        and 0 <= e[4] < groups
    )


def _lines_of(raw: bytes) -> dict[str, int]:
    """The line of each entry's first occurrence, by ``number:version`` (entries are one a line)."""
    out: dict[str, int] = {}
    for i, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), start=1):
        m = re.match(r'\s*\["([YS][0-9]{21})",\s*([0-9]+),', line)
        if m:
            out.setdefault(f"{m.group(1)}:{m.group(2)}", i)
    return out


def parse(raw: bytes, *, file: str, record_id: str) -> tuple[IssuanceRecord | None, list[Problem]]:
    """A record file, or the problems that make it unusable (with their lines)."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, [("file-encoding", 1, {})]
    except json.JSONDecodeError as err:
        return None, [("record-syntax", err.lineno, {"problem": err.msg})]
    except RecursionError:
        return None, [("record-syntax", 1, {"problem": "nested too deeply"})]
    need = {"format", "institution", "record", "kind", "batch", "published", "lookup", "count",
            "digest", "groups", "entries"}  # fmt: skip
    if not isinstance(doc, dict) or set(doc) != need:
        have = set(doc) if isinstance(doc, dict) else set()
        return None, [("record-fields", 1, {"fields": ", ".join(sorted(need ^ have)) or "-"})]
    problems: list[Problem] = []
    if doc["format"] != FORMAT or doc["lookup"] != LOOKUP_SCHEME:
        problems.append(("record-format", 2, {"format": doc["format"], "lookup": doc["lookup"]}))
    published = _date(doc["published"])
    groups, entries = doc["groups"], doc["entries"]
    if (
        published is None
        or not isinstance(groups, list)
        or not isinstance(entries, list)
        or doc["kind"] not in ("batch", "reissue", "legacy")
        or not isinstance(doc["institution"], str)
        or not (doc["batch"] is None or isinstance(doc["batch"], str))
    ):
        problems.append(("record-fields", 1, {"fields": "published, kind, batch, groups, entries"}))
        return None, problems
    lines = _lines_of(raw)
    bad = [i for i, g in enumerate(groups) if _group_problem(g)]
    if bad:
        problems.append(("record-entry", 1, {"entry": f"groups[{bad[0]}]"}))
        return None, problems
    out: list[RecordEntry] = []
    for i, e in enumerate(entries):
        if _entry_problem(e, len(groups)):
            shown = f"{e[0]} v{e[1]}" if isinstance(e, list) and len(e) > 1 else f"entries[{i}]"
            line = lines.get(f"{e[0]}:{e[1]}", 1) if isinstance(e, list) and len(e) > 1 else 1
            problems.append(("record-entry", line, {"entry": shown}))
            continue
        occupation, job, issued, kid = groups[e[4]]
        out.append(RecordEntry(e[0], e[1], bytes.fromhex(e[2]), bytes.fromhex(e[3]), occupation,
                               job, dt.date.fromisoformat(issued), kid, record_id, published,
                               lines.get(f"{e[0]}:{e[1]}", 1)))  # fmt: skip
    if problems:
        return None, problems
    if doc["record"] != record_id:
        problems.append(("record-name", 3, {"expected": record_id, "actual": doc["record"]}))
    if doc["count"] != len(entries):
        problems.append(("record-count", 1, {"count": doc["count"], "entries": len(entries)}))
    if doc["digest"] != digest(doc["institution"], doc["record"], groups, entries):
        problems.append(("record-digest", 1, {}))
    record = IssuanceRecord(doc["institution"], record_id, doc["kind"], doc["batch"], published,
                            tuple(out), doc["digest"], file)  # fmt: skip
    return record, problems


def _date(value: Any) -> Date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


# --- the verifier's index -------------------------------------------------------------------------


class RecordSource(Protocol):
    """Where a verifier finds the published entries of a certificate number."""

    def entries(self, number: str) -> tuple[RecordEntry, ...]:
        """Every published entry of ``number`` (all versions, all records)."""
        ...


class Records:
    """Published records held in memory, indexed by certificate number."""

    def __init__(self, records: Iterable[IssuanceRecord] = ()) -> None:
        self.records = tuple(records)
        self._by_number: dict[str, list[RecordEntry]] = defaultdict(list)
        for record in self.records:
            for e in record.entries:
                self._by_number[e.number].append(e)

    def entries(self, number: str) -> tuple[RecordEntry, ...]:
        """Every published entry of ``number``."""
        return tuple(self._by_number.get(number, ()))

    def of(self, institution: str) -> tuple[IssuanceRecord, ...]:
        """The records of one institution."""
        return tuple(r for r in self.records if r.institution == institution)


# --- the snapshot's shards ------------------------------------------------------------------------


def shard_key(number: str) -> str:
    """The snapshot shard of a number: year digits, level, then the block of 500 serials."""
    return f"{number[13:16]}-{(int(number[16:]) - 1) // SHARD_SERIALS}"


def shards(records: Iterable[IssuanceRecord]) -> dict[str, dict[str, dict[str, Any]]]:
    """``{filing: {shard key: shard}}``: each shard holds the entries of one block of serials,
    with the groups and record dates they use."""
    grouped: dict[str, dict[str, list[RecordEntry]]] = defaultdict(lambda: defaultdict(list))
    for record in records:
        for e in record.entries:
            grouped[record.institution][shard_key(e.number)].append(e)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for filing, by_key in sorted(grouped.items()):
        out[filing] = {}
        for key, entries in sorted(by_key.items()):
            groups: list[list[Any]] = []
            index: dict[tuple[Any, ...], int] = {}
            dates: dict[str, str] = {}
            rows = []
            for e in sorted(entries, key=lambda e: (e.serial, e.version, e.record)):
                g = (e.occupation, e.job, e.issued.isoformat(), e.kid, e.record)
                if g not in index:
                    index[g] = len(groups)
                    groups.append(list(g))
                dates[e.record] = e.published.isoformat()
                rows.append(
                    [e.serial, e.version, e.credential_hash.hex(), e.lookup.hex(), index[g]]
                )
            out[filing][key] = {"format": FORMAT, "institution": filing, "shard": key,
                                "records": dict(sorted(dates.items())), "groups": groups,
                                "entries": rows}  # fmt: skip
    return out


def from_shard(shard: Mapping[str, Any], number: str) -> tuple[RecordEntry, ...]:
    """The entries of ``number`` in a snapshot shard (``ValueError`` and friends when damaged)."""
    serial = int(number[16:])
    dates = shard["records"]
    groups = shard["groups"]
    out = []
    for s, version, h, lookup, g in shard["entries"]:
        if s != serial:
            continue
        occupation, job, issued, kid, record = groups[g]
        out.append(RecordEntry(number, int(version), bytes.fromhex(h), bytes.fromhex(lookup),
                               occupation, job, dt.date.fromisoformat(issued), kid, record,
                               dt.date.fromisoformat(dates[record])))  # fmt: skip
    return tuple(out)
