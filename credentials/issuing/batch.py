"""The institution's side of a batch (认定批次): proposing it, and publishing what it issued.

``propose`` turns a checked roster into a batch file and its notice (公示) list in the
institution's registry checkout, for a pull request: counts per occupation, job and level, the
digest of the exact roster (``roster_digest``: who, not when or which photo), and the notice period
in working days on the official calendar as the province requires. Nothing is signed.

``publish`` writes a batch's issuance record (``registry/records``) from the register after it was
signed: every credential's number, version, short hash and lookup hash. ``publish_reissues`` and
``publish_legacy`` do the same for re-issued versions and for certificates signed before records
began. A number the registry already publishes with another credential is refused (the register
is not the institution's one: the published record is the final guard against a second register).
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from credentials.credential import commitment
from credentials.credential.lookup import lookup_hash
from credentials.errors import CredentialsError, IssuanceRefused
from credentials.issuing.issuer import Issuer
from credentials.issuing.register import Entry, Register
from credentials.issuing.roster import RosterRow, roster_digest
from credentials.registry import edit, workdays
from credentials.registry import records as rec
from credentials.registry.batches import BATCHES_DIR, Batch, next_id
from credentials.registry.records import IssuanceRecord, Records

NOTICE_HEADER = (
    "公示名单 Notice list: shown on the site during the notice period only. Holds personal data:\n"
    "the bureau's decision (skillcert batch approve | reject) deletes this file."
)


@dataclass(frozen=True, slots=True)
class Contact:
    """Who takes objections during the notice."""

    person: str
    phone: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Proposed:
    """What ``propose`` wrote."""

    key: str
    batch_file: Path
    notice_file: Path
    notice_until: dt.date
    calendar_exact: bool
    count: int


def _mask(r: RosterRow) -> str:
    n = commitment.normalise(r.id_number)
    return f"{n[:2]}{'*' * max(len(n) - 3, 1)}{n[-1]}" if len(n) > 3 else "*" * len(n)


def propose(
    rows: Sequence[RosterRow], issuer: Issuer, registry_dir: Path, *, filed: dt.date,
    assessed: tuple[dt.date, dt.date], notice_from: dt.date, contact: Contact,
    plan: str | None = None,
) -> Proposed:  # fmt: skip
    """Write a new batch and its notice list for ``rows`` (already checked)."""
    inst = issuer.institution
    bureau = issuer.registry.bureau
    rules = bureau.provinces.get(inst.province) if bureau else None
    days = rules.notice_working_days if rules else 5
    span = workdays.span(notice_from, days)
    counts = Counter((r.occupation, r.job, int(r.level)) for r in rows)
    batch_id = next_id(issuer.registry.batches.values(), inst.filing_number, filed.year)
    names = {r.occupation: r.occupation_name for r in rows}
    for code in names:
        known = issuer.registry.occupations.get(code)
        names[code] = known.name if known else names[code]
    data: dict[str, object] = {"institution": inst.filing_number, "batch": batch_id}
    if plan:
        data["plan"] = plan
    data |= {
        "assessed": {"from": assessed[0], "until": assessed[1]},
        "filed": filed,
        "roster": roster_digest(rows),
        "counts": [
            {"occupation": o, "name": names[o], "job": j, "level": lv, "count": n}
            for (o, j, lv), n in sorted(
                counts.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", -kv[0][2])
            )
        ],
        "notice": {
            "from": notice_from,
            "working_days": days,
            "until": span.last,
            "calendar": "chinesecalendar" if span.exact else "Monday-Friday (no official schedule)",
            "contact": {"person": contact.person, "phone": contact.phone}
            | ({"email": contact.email} if contact.email else {}),
        },
    }
    folder = registry_dir / BATCHES_DIR / inst.filing_number
    batch_file = folder / f"{batch_id}.yaml"
    notice_file = folder / f"{batch_id}.notice.yaml"
    header = (f"认定批次 Assessment batch {inst.filing_number}/{batch_id}: {inst.name}\n"
              "written by skillcert batch new; the bureau decides it (skillcert batch approve | reject)")  # fmt: skip
    edit.write_new(batch_file, data, comment=header, rows="counts")
    notice_rows: list[dict[str, object]] = [
        {"name": r.holder, "id": _mask(r)}
        | ({"born": r.birth_month()} if r.birth_month() else {})
        | ({"unit": r.unit} if r.unit else {})
        | {"occupation": names[r.occupation], "job": r.job, "level": int(r.level)}
        for r in rows
    ]
    notice = {"institution": inst.filing_number, "batch": batch_id, "rows": notice_rows}
    try:
        edit.write_new(notice_file, notice, comment=NOTICE_HEADER, rows="rows")
    except BaseException:
        edit.remove(batch_file)
        raise
    return Proposed(f"{inst.filing_number}/{batch_id}", batch_file, notice_file, span.last,
                    span.exact, len(rows))  # fmt: skip


# --- publishing -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Published:
    """What a publish wrote (``file`` None: nothing new to publish)."""

    record_id: str
    file: Path | None
    count: int
    already: bool = False


def fill_lookups(register: Register, entries: Sequence[Entry]) -> list[Entry]:
    """Entries with their lookup hashes, computing (on every core) and storing the missing ones."""
    missing = [e for e in entries if e.lookup is None]
    if missing:
        workers = os.cpu_count() or 1
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            hashes = list(pool.map(lambda e: lookup_hash(e.number, e.id_number), missing))
        with register.transaction():
            register.set_lookups([(e.id, h) for e, h in zip(missing, hashes, strict=True)])
        ids = [e.id for e in entries]
        return register.by_ids(ids)
    return list(entries)


def _rows(entries: Sequence[Entry]) -> list[rec.Row]:
    return [rec.Row(e.number, e.version, rec.credential_hash(e.credential), e.lookup or b"",
                    e.occupation, e.job, e.issued, e.kid) for e in entries]  # fmt: skip


def _guard(rows: Sequence[rec.Row], published: Records) -> None:
    """Refuse numbers the registry publishes already with another credential."""
    for r in rows:
        for e in published.entries(r.number):
            if e.version == r.version and e.credential_hash != r.credential_hash:
                raise IssuanceRefused(
                    f"{r.number} v{r.version} is published already (record {e.record}) as another "
                    "credential: this register is not the one that issued it (a second or restored "
                    "register reused the number); nothing was written",
                    zh=f"{r.number} 第 {r.version} 版已在发证记录 {e.record} 中公布为另一份证书："
                    "本发证名册不是签发它的那一个（另一个或从旧备份恢复的名册重复使用了编号）；未写入任何文件",
                )


def _write(
    registry_dir: Path, filing: str, record_id: str, *, kind: str, batch: str | None,
    day: dt.date, rows: list[rec.Row], published: Records,
) -> Published:  # fmt: skip
    _guard(rows, published)
    data = rec.encode(filing, record_id, kind=kind, batch=batch, published=day, rows=rows)
    path = registry_dir / BATCHES_DIR / filing / f"{record_id}{rec.RECORD_SUFFIX}"
    if path.exists():
        old, _ = rec.parse(path.read_bytes(), file=str(path), record_id=record_id)
        if old is not None and {(e.number, e.version, e.credential_hash) for e in old.entries} == {
            (r.number, r.version, r.credential_hash) for r in rows
        }:
            return Published(record_id, path, len(rows), already=True)
        raise CredentialsError(
            f"{path} exists with other content; it is not replaced",
            zh=f"{path} 已存在且内容不同，不会覆盖",
        )
    edit.write_bytes_new(path, data)
    return Published(record_id, path, len(rows))


def _records(issuer: Issuer) -> Records:
    source = issuer.registry.records
    return source if isinstance(source, Records) else Records()


def publish(
    batch: Batch, issuer: Issuer, register: Register, registry_dir: Path, *, day: dt.date
) -> Published:
    """Write the issuance record of an approved batch, once all of it is signed."""
    if batch.institution != issuer.institution.filing_number:
        raise IssuanceRefused(
            f"batch {batch.key} is not {issuer.institution.filing_number}'s",
            zh=f"批次 {batch.key} 不属于 {issuer.institution.filing_number}",
        )
    if not batch.approved:
        raise IssuanceRefused(
            f"batch {batch.key} is not approved; nothing of it is published",
            zh=f"批次 {batch.key} 未获批准，不能公布发证记录",
        )
    entries = [e for e in register.of_registry_batch(batch.key) if e.version == 1]
    if len(entries) != batch.total:
        raise IssuanceRefused(
            f"batch {batch.key} has {len(entries)} of its {batch.total} certificates in this "
            "register: issue the whole batch first (skillcert issue --batch)",
            zh=f"批次 {batch.key} 共 {batch.total} 本，本发证名册中只有 {len(entries)} 本：请先签发整个批次",
        )
    rows = _rows(fill_lookups(register, entries))
    return _write(registry_dir, batch.institution, batch.id, kind="batch", batch=batch.id,
                  day=day, rows=rows, published=_records(issuer))  # fmt: skip


def _next_record_id(registry_dir: Path, filing: str, kind: str, day: dt.date) -> str:
    folder = registry_dir / BATCHES_DIR / filing
    base = f"{kind}-{day.isoformat()}"
    n = 1
    record_id = base
    while (folder / f"{record_id}{rec.RECORD_SUFFIX}").exists():
        n += 1
        record_id = f"{base}-{n}"
    return record_id


def publish_extra(
    kind: str, issuer: Issuer, register: Register, registry_dir: Path, *, day: dt.date
) -> Published:
    """The record of what no record holds yet: ``reissue`` (every re-issued version) or
    ``legacy`` (first versions signed before ``records.required_from``)."""
    filing = issuer.institution.filing_number
    published = _records(issuer)
    have = {(e.number, e.version) for r in published.of(filing) for e in r.entries}
    start = issuer.registry.record_policy.required_from
    wanted = [
        e
        for e in register.entries()
        if e.filing == filing
        and (e.number, e.version) not in have
        and (
            e.version >= 2
            if kind == "reissue"
            else e.version == 1 and (start is None or e.issued < start)
        )
    ]
    if not wanted:
        return Published("", None, 0)
    rows = _rows(fill_lookups(register, wanted))
    record_id = _next_record_id(registry_dir, filing, kind, day)
    return _write(registry_dir, filing, record_id, kind=kind, batch=None, day=day, rows=rows,
                  published=published)  # fmt: skip


def record_of(issuer: Issuer, batch: Batch) -> IssuanceRecord | None:
    """The published record of a batch, when there is one."""
    return next((r for r in _records(issuer).of(batch.institution) if r.batch == batch.id), None)
