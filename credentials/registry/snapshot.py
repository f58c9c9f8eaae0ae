"""The registry snapshot: what the offline verifier needs, compact, sharded by province, signed.

``build(registry, day=…, commit=…)`` returns the files of a snapshot: one shard per province
(positions 6–7 of a certificate number say which to fetch) holding, for every institution, its
names, validity periods, status events, dated scope rows, keys with their windows, revocations and
re-issues, with occupation names deduplicated per shard; and ``manifest.json`` listing the shards
with their SHA-256. ``sign_manifest`` signs the manifest's exact bytes with the bureau's key;
``load`` checks that signature and the shard hashes and returns a ``Registry`` that gives the same
verdicts as the registry it came from (a test runs every vector through both). Pure: bytes in,
bytes out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from credentials.errors import CredentialsError
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
from credentials.registry.registry import Registry

FORMAT = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig.json"


class SnapshotError(CredentialsError):
    """A snapshot that is incomplete, altered, or not signed by the expected key."""


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
        "x": [[r.number, r.version, r.date.isoformat()] for r in inst.revoked],
        "ri": [[r.number, r.version, r.date.isoformat()] for r in inst.reissued],
    }


def build(registry: Registry, *, day: dt.date, commit: str | None) -> dict[str, bytes]:
    """The snapshot's files: ``manifest.json`` and one shard per province."""
    by_province: dict[str, list[Institution]] = defaultdict(list)
    for inst in registry.institutions.values():
        by_province[inst.province].append(inst)
    files: dict[str, bytes] = {}
    shards = {}
    for province, insts in sorted(by_province.items()):
        codes = sorted({r.occupation for i in insts for r in i.scope})
        names = {c: registry.occupations[c].name for c in codes if c in registry.occupations}
        shard = {
            "format": FORMAT,
            "province": province,
            "date": day.isoformat(),
            "occupations": names,
            "institutions": {
                i.filing_number: _institution(i)
                for i in sorted(insts, key=lambda i: i.filing_number)
            },
        }
        data = _dumps(shard)
        path = f"{province}.json"
        files[path] = data
        shards[province] = {
            "path": path,
            "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data),
        }
    bureau = registry.bureau
    manifest = {
        "format": FORMAT,
        "date": day.isoformat(),
        "commit": commit,
        "bureau": bureau.name if bureau else None,
        "site_url": bureau.site_url if bureau else None,
        "snapshot_kid": bureau.snapshot_kid if bureau else None,
        "shards": shards,
    }
    files[MANIFEST] = _dumps(manifest)
    return files


def sign_manifest(files: dict[str, bytes], key: SigningKey) -> dict[str, bytes]:
    """Add the detached Ed25519 signature of ``manifest.json``'s bytes."""
    signature = key.sign(files[MANIFEST])
    files[SIGNATURE] = _dumps({"alg": "EdDSA", "kid": key.kid, "signature": signature.hex()})
    return files


def load(
    files: Mapping[str, bytes], *, trusted_key: bytes | None, provinces: set[str] | None = None
) -> tuple[Registry, dict[str, Any]]:
    """A ``Registry`` from snapshot files, after checking the signature and the shard hashes.

    ``trusted_key`` is the bureau's snapshot public key (None accepts an unsigned snapshot, for
    local builds only). ``provinces`` limits which shards are read (all when None).
    """
    raw = files.get(MANIFEST)
    if raw is None:
        raise SnapshotError("snapshot has no manifest.json")
    if trusted_key is not None:
        sig_raw = files.get(SIGNATURE)
        if sig_raw is None:
            raise SnapshotError("snapshot manifest is not signed")
        try:
            sig = json.loads(sig_raw)
            signature = bytes.fromhex(sig["signature"])
        except (ValueError, KeyError, TypeError) as err:
            raise SnapshotError("snapshot signature file is damaged") from err
        if not VerifyKey.from_bytes(trusted_key).verify(raw, signature):
            raise SnapshotError("snapshot manifest signature does not verify under the bureau key")
    manifest = json.loads(raw)
    if manifest.get("format") != FORMAT:
        raise SnapshotError(f"snapshot format {manifest.get('format')} is not supported")
    institutions: dict[str, Institution] = {}
    occupations: dict[str, Occupation] = {}
    for province, info in manifest["shards"].items():
        if provinces is not None and province not in provinces:
            continue
        data = files.get(info["path"])
        if data is None:
            raise SnapshotError(f"snapshot shard {info['path']} is missing")
        if hashlib.sha256(data).hexdigest() != info["sha256"]:
            raise SnapshotError(f"snapshot shard {info['path']} does not match its hash")
        shard = json.loads(data)
        for code, name in shard["occupations"].items():
            occupations[code] = Occupation(code, name, ())
        for number, doc in shard["institutions"].items():
            institutions[number] = _from(number, province, doc)
    return Registry(institutions, None, occupations), manifest


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
        revoked=tuple(Revocation(n, v, dt.date.fromisoformat(a), "") for n, v, a in d["x"]),
        reissued=tuple(Reissue(n, v, dt.date.fromisoformat(a)) for n, v, a in d["ri"]),
    )
