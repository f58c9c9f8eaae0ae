"""The registry snapshot: what the offline verifier needs, compact, sharded, signed.

``build(registry, day=…, commit=…)`` returns the files of a snapshot: shards of at most ``PART``
institutions each, a province's institutions cut in the order of their filing numbers, holding for
every institution its names, validity periods, status events, dated scope rows, keys with their
windows, revocations and re-issues, with occupation names deduplicated per shard; and
``manifest.json`` listing the shards with their SHA-256, province and first filing number, and the
bureau's record policy. The filing number (a certificate number's first 13 characters) says which
one shard to fetch (``shard_for``): a phone's first visit fetches the manifest and one small shard,
however many institutions the province has. The published issuance records are sharded
too, so that one certificate needs little: ``records/<filing>/index.json`` (whose SHA-256 the
institution's shard gives) lists ``records/<filing>/<yy><level>-<block>.json``,
each with its SHA-256, each holding the entries of 500 serials. Manifest → shard →
records index → records shard: every file is checked against the hash its parent gives. ``sign_manifest`` signs the manifest's exact bytes with the bureau's key;
``load`` checks that signature and the shard hashes and returns a ``Registry`` that gives the same
verdicts as the registry it came from (a test runs every vector through both). Pure: bytes in,
bytes out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from credentials.errors import SnapshotError
from credentials.keys import SigningKey, VerifyKey
from credentials.levels import Level
from credentials.registry.model import (
    Contact,
    Institution,
    KeyEntry,
    Occupation,
    Period,
    Reissue,
    Revocation,
    ScopeRow,
    StatusEvent,
)
from credentials.registry.records import RecordEntry, Records, from_shard, shard_key, shards
from credentials.registry.registry import RecordPolicy, Registry

FORMAT = 5  # 2: revocations carry their reason; 3: the manifest says until when it is valid;
# 4: issuance records, revocations of every version (version null); 5: shards of PART institutions
# (a province's first shard named by its code, the next ones <code>-2, <code>-3 …)
# At most this many institutions per shard: the manifest grows by one entry per shard (about 50
# bytes gzipped), a shard by about 300 bytes gzipped per institution; 64 keeps both small at
# 20,000 institutions (bench/verify_page_bench.py).
PART = 64
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig.json"
_SHARD_NAME = re.compile(r"[0-9A-Za-z_-]{1,64}\.json")
_RECORD_KEY = re.compile(r"[0-9]{3}-[0-9]{1,4}")
_MAX_FILE = 64 * 1024 * 1024  # far above a shard of PART institutions or a records file


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _d(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _institution(inst: Institution) -> dict[str, Any]:
    return {
        "n": inst.name,
        "ne": inst.name_en,
        "c": inst.category,
        "t": inst.type,
        "city": inst.city,
        "f": inst.filing_date.isoformat(),
        "v": [[p.start.isoformat(), p.until.isoformat()] for p in inst.validity],
        "s": [[e.date.isoformat(), e.status] for e in inst.status],
        "r": [
            [
                r.occupation,
                r.job,
                "".join(str(int(x)) for x in r.levels),
                r.since.isoformat(),
                _d(r.until),
                r.name,
            ]
            for r in inst.scope
        ],
        "k": [
            [
                k.kid,
                k.public_key.hex(),
                k.not_before.isoformat(),
                _d(k.not_after),
                _d(k.compromised_at),
            ]
            for k in inst.keys
        ],
        "x": [[r.number, r.version, r.date.isoformat(), r.reason] for r in inst.revoked],
        "ri": [[r.number, r.version, r.date.isoformat()] for r in inst.reissued],
    }


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _records(registry: Registry, files: dict[str, bytes]) -> dict[str, str]:
    """Write the record shards and indexes into ``files``; the SHA-256 of each institution's
    index, by filing number."""
    source = registry.records
    published = source.records if isinstance(source, Records) else ()
    out: dict[str, str] = {}
    for filing, by_key in shards(published).items():
        listed = {}
        for key, shard in by_key.items():
            data = _dumps(shard)
            files[f"records/{filing}/{key}.json"] = data
            listed[key] = _sha(data)
        index = _dumps({"format": 1, "institution": filing, "shards": listed})
        files[f"records/{filing}/index.json"] = index
        out[filing] = _sha(index)
    return out


def build(registry: Registry, *, day: dt.date, commit: str | None) -> dict[str, bytes]:
    """The snapshot's files: ``manifest.json``, the shards (``PART`` institutions at most, one
    province each), and the records."""
    by_province: dict[str, list[Institution]] = defaultdict(list)
    for inst in registry.institutions.values():
        by_province[inst.province].append(inst)
    files: dict[str, bytes] = {}
    indexes = _records(registry, files)
    shards_listed = {}
    for province, insts in sorted(by_province.items()):
        ordered = sorted(insts, key=lambda i: i.filing_number)
        for n, start in enumerate(range(0, len(ordered), PART)):
            part = ordered[start : start + PART]
            codes = sorted({r.occupation for i in part for r in i.scope})
            names = {c: registry.occupations[c].name for c in codes if c in registry.occupations}
            shard = {
                "format": FORMAT,
                "province": province,
                "date": day.isoformat(),
                "occupations": names,
                "institutions": {
                    i.filing_number: {**_institution(i), "rec": indexes.get(i.filing_number)}
                    for i in part
                },
            }
            data = _dumps(shard)
            name = province if n == 0 else f"{province}-{n + 1}"
            path = f"{name}.json"
            files[path] = data
            shards_listed[name] = {"path": path, "sha256": _sha(data), "bytes": len(data),
                                   "province": province, "from": part[0].filing_number}  # fmt: skip
    bureau = registry.bureau
    max_age = bureau.snapshot_max_age_days if bureau else 7
    manifest = {
        "format": FORMAT,
        "date": day.isoformat(),
        "valid_until": (day + dt.timedelta(days=max_age)).isoformat(),
        "commit": commit,
        "bureau": bureau.name if bureau else None,
        "site_url": bureau.site_url if bureau else None,
        "snapshot_kid": bureau.snapshot_kid if bureau else None,
        "records": {
            "required_from": _d(registry.record_policy.required_from),
            "grace_days": registry.record_policy.grace_days,
        },
        "shards": shards_listed,
    }
    files[MANIFEST] = _dumps(manifest)
    return files


def sign_manifest(files: dict[str, bytes], key: SigningKey) -> dict[str, bytes]:
    """Add the detached Ed25519 signature of ``manifest.json``'s bytes."""
    signature = key.sign(files[MANIFEST])
    files[SIGNATURE] = _dumps({"alg": "EdDSA", "kid": key.kid, "signature": signature.hex()})
    return files


def _bad(en: str, zh: str) -> SnapshotError:
    return SnapshotError(en, zh=zh)


def _well_formed(manifest: Any) -> bool:
    """A manifest whose shard entries are plain file names with a SHA-256, a province and a
    first filing number each."""
    shards = manifest.get("shards") if isinstance(manifest, dict) else None
    if not isinstance(shards, dict):
        return False
    return all(
        isinstance(info, dict)
        and isinstance(info.get("path"), str)
        and _SHARD_NAME.fullmatch(info["path"]) is not None
        and isinstance(info.get("sha256"), str)
        and isinstance(info.get("province"), str)
        and isinstance(info.get("from"), str)
        for info in shards.values()
    )


def shard_for(manifest: Mapping[str, Any], number: str) -> str | None:
    """The name of the one shard that holds institution ``number[:13]`` if the snapshot has it
    (a filing number or a certificate number): of its province's shards (positions 6–7), the
    one with the last first filing number not after it; None when there is none (or ``number``
    is shorter than a filing number)."""
    filing = number[:13]
    if len(filing) < 13:
        return None
    best: str | None = None
    for name, info in manifest["shards"].items():
        if (
            info["province"] == filing[5:7]
            and info["from"] <= filing
            and (best is None or info["from"] > manifest["shards"][best]["from"])
        ):
            best = name
    return best


def open_manifest(
    raw: bytes, signature: bytes | None, *, trusted_key: bytes | None
) -> dict[str, Any]:
    """The manifest, after checking its signature (before anything in it is read).

    ``trusted_key`` is the bureau's snapshot public key (None accepts an unsigned snapshot, for
    local builds only).
    """
    if trusted_key is not None:
        if signature is None:
            raise _bad("snapshot manifest is not signed", "目录快照的清单没有签名")
        try:
            sig = json.loads(signature)
            value = bytes.fromhex(sig["signature"])
        except (ValueError, KeyError, TypeError) as err:
            raise _bad("snapshot signature file is damaged", "目录快照的签名文件已损坏") from err
        if not VerifyKey.from_bytes(trusted_key).verify(raw, value):
            raise _bad(
                "snapshot manifest signature does not verify under the bureau key",
                "目录快照清单的签名与主管部门公钥不符",
            )
    try:
        manifest = json.loads(raw)
    except (ValueError, RecursionError) as err:
        raise _bad("snapshot manifest is damaged", "目录快照清单已损坏") from err
    if not _well_formed(manifest):
        raise _bad("snapshot manifest is damaged", "目录快照清单已损坏")
    if manifest.get("format") != FORMAT:
        raise _bad(
            f"snapshot format {manifest.get('format')!r} is not supported",
            f"不支持的目录快照格式 {manifest.get('format')!r}",
        )
    result: dict[str, Any] = manifest
    return result


def load(
    files: Mapping[str, bytes], *, trusted_key: bytes | None, shards: set[str] | None = None
) -> tuple[Registry, dict[str, Any]]:
    """A ``Registry`` from snapshot files, after checking the signature and the shard hashes.

    ``trusted_key`` is the bureau's snapshot public key (None accepts an unsigned snapshot, for
    local builds only). ``shards`` limits which shards are read, by name (all when None).
    """
    raw = files.get(MANIFEST)
    if raw is None:
        raise _bad("snapshot has no manifest.json", "目录快照缺少 manifest.json")
    manifest = open_manifest(raw, files.get(SIGNATURE), trusted_key=trusted_key)
    return _registry(manifest, files, shards), manifest


class ShardRecords:
    """The records of a snapshot, read shard by shard as numbers are asked for: the institution's
    index (checked against the hash its shard gives), then the shard of the number's
    serials (checked against the index)."""

    def __init__(self, read: Callable[[str], bytes], indexes: Mapping[str, str]) -> None:
        self._read = read
        self._indexes = dict(indexes)
        self._cache: dict[str, Any] = {}

    def _get(self, path: str, sha256: str) -> Any:
        if path not in self._cache:
            data = self._read(path)
            if _sha(data) != sha256:
                raise _bad(f"snapshot file {path} does not match its hash",
                           f"目录快照文件 {path} 与其哈希不符")  # fmt: skip
            try:
                self._cache[path] = json.loads(data)
            except ValueError as err:
                raise _bad(
                    f"snapshot file {path} is damaged", f"目录快照文件 {path} 已损坏"
                ) from err
        return self._cache[path]

    def entries(self, number: str) -> tuple[RecordEntry, ...]:
        """Every published entry of ``number``."""
        filing = number[:13]
        sha = self._indexes.get(filing)
        if sha is None:
            return ()
        try:
            listed = self._get(f"records/{filing}/index.json", sha)["shards"]
            key = shard_key(number)
            if key not in listed or not _RECORD_KEY.fullmatch(key):
                return ()
            return from_shard(self._get(f"records/{filing}/{key}.json", listed[key]), number)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise _bad(f"snapshot records of {filing} are damaged",
                       f"目录快照中 {filing} 的发证记录已损坏") from err  # fmt: skip


def _policy(manifest: dict[str, Any]) -> RecordPolicy:
    rules = manifest.get("records") or {}
    try:
        start = rules.get("required_from")
        return RecordPolicy(dt.date.fromisoformat(start) if start else None,
                            int(rules.get("grace_days", 30)))  # fmt: skip
    except (ValueError, TypeError, AttributeError) as err:
        raise _bad("snapshot manifest is damaged", "目录快照清单已损坏") from err


def _registry(
    manifest: dict[str, Any], files: Mapping[str, bytes], names: set[str] | None,
    read: Callable[[str], bytes] | None = None,
) -> Registry:  # fmt: skip
    indexes: dict[str, str] = {}
    institutions: dict[str, Institution] = {}
    occupations: dict[str, Occupation] = {}
    for name, info in manifest["shards"].items():
        if names is not None and name not in names:
            continue
        province = info["province"]
        data = files.get(info["path"])
        if data is None:
            raise _bad(
                f"snapshot shard {info['path']} is missing", f"目录快照缺少分片 {info['path']}"
            )
        if hashlib.sha256(data).hexdigest() != info["sha256"]:
            raise _bad(
                f"snapshot shard {info['path']} does not match its hash",
                f"目录快照分片 {info['path']} 与清单中的哈希不符",
            )
        try:
            shard = json.loads(data)
            for code, name in shard["occupations"].items():
                occupations[code] = Occupation(code, name, ())
            for number, doc in shard["institutions"].items():
                institutions[number] = _from(number, province, doc)
                if isinstance(doc.get("rec"), str):
                    indexes[number] = doc["rec"]
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            raise _bad(
                f"snapshot shard {info['path']} is damaged", f"目录快照分片 {info['path']} 已损坏"
            ) from err
    records = ShardRecords(read or _from_files(files), indexes)
    return Registry(
        institutions, None, occupations, records=records, record_policy=_policy(manifest)
    )


def _from_files(files: Mapping[str, bytes]) -> Callable[[str], bytes]:
    def read(path: str) -> bytes:
        data = files.get(path)
        if data is None:
            raise _bad(f"snapshot file {path} is missing", f"目录快照缺少文件 {path}")
        return data

    return read


def _reader(location: str, timeout: float = 30) -> Callable[[str], bytes]:
    """Reads a snapshot file by name, from a directory or an http(s) URL, at most ``_MAX_FILE``."""
    remote = location.startswith(("http://", "https://"))

    def read(name: str) -> bytes:
        try:
            if remote:
                url = location.rstrip("/") + "/" + name
                with urllib.request.urlopen(url, timeout=timeout) as resp:
                    body: bytes = resp.read(_MAX_FILE + 1)
            else:
                path = Path(location) / name
                if not path.is_file():
                    raise FileNotFoundError(2, "no such file", str(path))
                with path.open("rb") as fh:
                    body = fh.read(_MAX_FILE + 1)
        except (OSError, urllib.error.URLError, ValueError) as err:
            raise _bad(
                f"cannot read {name} of the snapshot at {location}: {err}",
                f"无法读取目录快照 {location} 中的 {name}",
            ) from err
        if len(body) > _MAX_FILE:
            raise _bad(f"snapshot file {name} is too large", f"目录快照文件 {name} 过大")
        return body

    return read


def stale_as_of(manifest: dict[str, Any], day: dt.date) -> str | None:
    """The manifest's data date when ``day`` is past its ``valid_until`` (None while it is valid):
    such data may miss revocations, so no verdict from it is a plain "genuine"."""
    until = manifest.get("valid_until")
    try:
        late = until is None or day > dt.date.fromisoformat(str(until))
    except ValueError:
        late = True
    return str(manifest.get("date")) if late else None


def fetch(
    location: str, *, trusted_key: bytes | None, filing: str | None = None, timeout: float = 30
) -> tuple[Registry, dict[str, Any]]:
    """The registry of a published snapshot (a directory or the URL of ``snapshot/``).

    The manifest's signature is checked before anything the manifest names is read; then only the
    shard that holds institution ``filing`` is fetched (``shard_for``; every shard when None or
    when no shard can hold it), each checked against its hash.
    """
    read = _reader(location, timeout)
    raw = read(MANIFEST)
    signature = read(SIGNATURE) if trusted_key is not None else None
    manifest = open_manifest(raw, signature, trusted_key=trusted_key)
    shards = manifest["shards"]
    one = shard_for(manifest, filing) if filing is not None else None
    wanted: set[str] = {one} if one is not None else set(shards)
    files = {shards[n]["path"]: read(shards[n]["path"]) for n in sorted(wanted)}
    return _registry(manifest, files, wanted, read), manifest


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _from(number: str, province: str, d: dict[str, Any]) -> Institution:
    return Institution(
        filing_number=number,
        category=d["c"],
        type=d["t"],
        name=d["n"],
        name_en=d.get("ne"),
        province=province,
        city=d["city"],
        address="",
        contact=Contact("", ""),
        filing_bureau="",
        filing_receipt="",
        filing_date=dt.date.fromisoformat(d["f"]),
        validity=tuple(
            Period(dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in d["v"]
        ),
        assessed=(),
        scope=tuple(
            ScopeRow(
                occupation=o,
                name=name,
                job=job,
                levels=tuple(Level(int(x)) for x in levels),
                basis="",
                since=dt.date.fromisoformat(since),
                until=_date(until),
            )
            for o, job, levels, since, until, name in d["r"]
        ),
        status=tuple(StatusEvent(dt.date.fromisoformat(a), s, "") for a, s in d["s"]),
        keys=tuple(
            KeyEntry(kid, bytes.fromhex(pk), dt.date.fromisoformat(nb), _date(na), _date(ca))
            for kid, pk, nb, na, ca in d["k"]
        ),
        revoked=tuple(Revocation(n, v, dt.date.fromisoformat(a), why) for n, v, a, why in d["x"]),
        reissued=tuple(Reissue(n, v, dt.date.fromisoformat(a)) for n, v, a in d["ri"]),
    )
