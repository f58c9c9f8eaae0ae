"""Issuing certificates from a roster: validate every row, then number, sign, record, write files.

The flow, for one roster (``issue_rows``):

1. Every row is checked against the registry **as of its issue date** (institution active, key
   valid, occupation + job + level in scope, occupation name, not in the future). Any problem in any
   row: nothing is issued, and every problem is reported (``RosterError``).
2. ID commitments (Argon2id, a few ms each by design) are computed by worker threads on every
   core, while the main thread goes on with step 3 as they arrive.
3. In transactions of up to ``CHUNK`` rows, each row not issued before (same person, occupation,
   job, level and date; checked inside the transaction) gets the next serial, is signed and
   recorded. Only after the commit are its files written.
4. Files missing for certificates of this roster that were committed earlier (a crash) are
   regenerated, and the batch PDF is written.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import hashlib
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from credentials.credential import commitment
from credentials.credential.claims import Credential, IdType
from credentials.credential.sign import sign
from credentials.errors import IssuanceRefused
from credentials.issuing import files
from credentials.issuing.register import Entry, Register, fingerprint
from credentials.issuing.roster import RosterError, RosterProblem, RosterRow
from credentials.keys import SigningKey
from credentials.levels import Level
from credentials.numbers import format_number
from credentials.registry.model import Institution
from credentials.registry.registry import Registry

CHUNK = 64


@dataclass(slots=True)
class BatchResult:
    """What a run did."""

    batch_id: int
    issued: list[Entry] = field(default_factory=list)
    already: list[Entry] = field(default_factory=list)
    regenerated: int = 0
    batch_pdf: Path | None = None
    pages: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # per phase, for benchmarks


def institution_of(key: SigningKey, registry: Registry) -> Institution:
    """The institution whose registered key this is."""
    found = registry.key(key.kid)
    if found is None:
        raise IssuanceRefused(
            f"key {key.kid} is not registered for any institution; add it with skillcert keys new"
        )
    return found[0]


def context(inst: Institution, registry: Registry) -> files.Context:
    """What the certificates of ``inst`` share (site URL, names, query URLs)."""
    bureau = registry.bureau
    return files.Context(
        site_url=bureau.site_url if bureau else "https://skillcert.example.org",
        institution_name=inst.name,
        institution_name_en=inst.name_en,
        certificate_query_url=bureau.certificate_query_url if bureau else None,
        institution_query_url=bureau.institution_query_url if bureau else None,
    )


def validate(
    rows: Sequence[RosterRow], registry: Registry, key: SigningKey, *, today: dt.date
) -> list[RosterProblem]:
    """Every problem of every row against the registry as of its issue date."""
    inst = institution_of(key, registry)
    found = registry.key(key.kid)
    assert found is not None
    entry = found[1]
    problems = []
    for r in rows:

        def bad(column: str, message: str, r: RosterRow = r) -> None:
            problems.append(RosterProblem(r.row, column, message))

        state = registry.state(inst.filing_number, r.issued)
        assert state is not None
        if r.issued > today:
            bad("发证日期", f"issue date {r.issued} is in the future")
        if not state.active:
            bad("发证日期", f"{inst.filing_number} is {state.status} on {r.issued}")
        if not entry.valid_on(r.issued):
            bad("发证日期", f"signing key {key.kid} is not valid on {r.issued} "
                f"({entry.not_before} – {entry.not_after or '…'})")  # fmt: skip
        occupation = registry.occupations.get(r.occupation)
        if r.occupation_name and occupation is not None and occupation.name != r.occupation_name:
            bad(
                "职业名称",
                f"{r.occupation} is named {occupation.name!r}, not {r.occupation_name!r}",
            )
        if (
            registry.scope_row(inst.filing_number, r.occupation, r.job, int(r.level), r.issued)
            is None
        ):
            job = r.job or "--"
            filed = [
                f"{row.job or '--'} {'、'.join(str(int(x)) for x in row.levels)}"
                for row in inst.scope_on(r.issued)
                if row.occupation == r.occupation
            ]
            hint = f"; filed for this occupation: {'; '.join(filed)}" if filed else ""
            bad("职业技能等级", f"{r.occupation} / {job} level {int(r.level)} is not in the filed "
                f"scope of {inst.filing_number} on {r.issued}{hint}")  # fmt: skip
    return problems


def _name(registry: Registry, inst: Institution, r: RosterRow) -> str:
    occupation = registry.occupations.get(r.occupation)
    if occupation is not None:
        return occupation.name
    row = registry.scope_row(inst.filing_number, r.occupation, r.job, int(r.level), r.issued)
    return row.name if row else r.occupation_name


def _commit(r: RosterRow) -> bytes:
    return commitment.commit(r.id_type, r.id_number)


def issue_rows(
    rows: Sequence[RosterRow],
    *,
    registry: Registry,
    key: SigningKey,
    register: Register,
    out: Path,
    today: dt.date,
    source: str | None = None,
    allow_duplicates: bool = False,
    write_files: bool = True,
    progress: Callable[[int], None] | None = None,
    after_commit: Callable[[int], None] | None = None,
) -> BatchResult:
    """Issue every row (all or nothing on validation; see the module docstring)."""
    clock = time.perf_counter()
    problems = validate(rows, registry, key, today=today)
    if problems:
        raise RosterError(problems)
    phase = {"validate": time.perf_counter() - clock}
    inst = institution_of(key, registry)
    ctx = context(inst, registry)
    if write_files and out.is_dir():
        for stale in out.glob(".*.tmp"):  # left by a process killed while writing
            stale.unlink(missing_ok=True)
    prints = [
        fingerprint(inst.filing_number, int(r.id_type), r.id_number, r.occupation, r.job,
                    int(r.level), r.issued)
        for r in rows
    ]  # fmt: skip
    todo = [
        i for i, fp in enumerate(prints) if allow_duplicates or register.by_fingerprint(fp) is None
    ]
    # libsodium's Argon2id runs without the GIL: worker threads compute the commitments on every
    # core while this thread numbers, signs, records and writes files.
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
    pending = {i: pool.submit(_commit, rows[i]) for i in todo}
    phase["commitments"] = phase["register"] = phase["files"] = 0.0
    try:
        return _issue(rows, prints, pending, phase, registry=registry, key=key, register=register,
                      out=out, source=source, allow_duplicates=allow_duplicates,
                      write_files=write_files, progress=progress, after_commit=after_commit,
                      inst=inst, ctx=ctx)  # fmt: skip
    finally:
        pool.shutdown(cancel_futures=True)


def _issue(
    rows: Sequence[RosterRow],
    prints: list[str],
    pending: dict[int, concurrent.futures.Future[bytes]],
    phase: dict[str, float],
    *,
    registry: Registry,
    key: SigningKey,
    register: Register,
    out: Path,
    source: str | None,
    allow_duplicates: bool,
    write_files: bool,
    progress: Callable[[int], None] | None,
    after_commit: Callable[[int], None] | None,
    inst: Institution,
    ctx: files.Context,
) -> BatchResult:
    digest = hashlib.sha256("\n".join(prints).encode()).hexdigest()
    with register.transaction():
        batch = register.new_batch(source, digest)
    result = BatchResult(batch, seconds=phase)
    roster_entries: list[Entry] = []
    for start in range(0, len(rows), CHUNK):
        chunk = range(start, min(start + CHUNK, len(rows)))
        new_ids = []
        clock = time.perf_counter()
        before_wait = phase["commitments"]
        with register.transaction():
            for i in chunk:
                r = rows[i]
                existing = None if allow_duplicates else register.by_fingerprint(prints[i])
                if existing is not None:
                    result.already.append(existing)
                    roster_entries.append(existing)
                    continue
                waited = time.perf_counter()
                salt = pending[i].result() if i in pending else _commit(r)
                phase["commitments"] += time.perf_counter() - waited
                serial = register.allocate(inst.filing_number, r.issued.year, int(r.level))
                number = format_number(inst.filing_number, year=r.issued.year,
                                       level=int(r.level), serial=serial)  # fmt: skip
                credential = Credential(number, 1, r.holder, r.id_type, salt, r.occupation,
                                        r.job, r.level, r.issued)  # fmt: skip
                data = sign(credential, key, registry=registry)
                new_ids.append(
                    register.add(
                        number=number, version=1, filing=inst.filing_number, holder=r.holder,
                        id_type=int(r.id_type), id_number=r.id_number, occupation=r.occupation,
                        occupation_name=_name(registry, inst, r), job=r.job, level=int(r.level),
                        issued=r.issued, photo=r.photo, kid=key.kid, credential=data,
                        batch_id=batch, fingerprint=prints[i],
                    )
                )  # fmt: skip
        if after_commit is not None:
            after_commit(len(new_ids))
        fresh = register.by_ids(new_ids)
        phase["register"] += time.perf_counter() - clock - phase["commitments"] + before_wait
        result.issued += fresh
        roster_entries += fresh
        clock = time.perf_counter()
        if write_files:
            for entry in fresh:
                files.write(entry, out, ctx)
        phase["files"] += time.perf_counter() - clock
        if progress is not None:
            progress(len(chunk))
    if write_files:
        for entry in result.already:
            if files.missing(entry, out):
                files.write(entry, out, ctx)
                result.regenerated += 1
        roster_entries.sort(key=lambda e: (e.number, e.version))
        result.batch_pdf = out / f"batch-{batch}.pdf"
        result.pages = files.write_batch_pdf(roster_entries, result.batch_pdf, ctx)
    return result


def reissue(
    number: str,
    *,
    registry: Registry,
    key: SigningKey,
    register: Register,
    out: Path,
    today: dt.date,
) -> Entry:
    """补发: the same number with the next version; the previous versions are superseded."""
    versions = register.versions(number)
    if not versions:
        raise IssuanceRefused(f"{number} is not in this register")
    last = versions[-1]
    if last.status == "revoked":
        raise IssuanceRefused(
            f"{number} v{last.version} is revoked; a revoked certificate is not re-issued"
        )
    inst = institution_of(key, registry)
    if inst.filing_number != last.filing:
        raise IssuanceRefused(f"{number} belongs to {last.filing}, not to the key's institution")
    old = Credential(
        number, last.version + 1, last.holder, _id_type(last.id_type),
        commitment.commit(_id_type(last.id_type), last.id_number), last.occupation, last.job,
        _level(last.level), last.issued,
    )  # fmt: skip
    data = sign(old, key, registry=registry)
    with register.transaction():
        for v in versions:
            if v.status == "issued":
                register.set_status(number, v.version, "superseded", on=today)
        new_id = register.add(
            number=number, version=last.version + 1, filing=last.filing, holder=last.holder,
            id_type=last.id_type, id_number=last.id_number, occupation=last.occupation,
            occupation_name=last.occupation_name, job=last.job, level=last.level,
            issued=last.issued, photo=last.photo, kid=key.kid, credential=data,
            batch_id=None, fingerprint=f"reissue:{number}:{last.version + 1}",
        )  # fmt: skip
    entry = next(e for e in register.versions(number) if e.id == new_id)
    files.write(entry, out, context(inst, registry))
    return entry


def _id_type(value: int) -> IdType:
    return IdType(value)


def _level(value: int) -> Level:
    return Level(value)
