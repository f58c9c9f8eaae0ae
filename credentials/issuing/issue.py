"""Issuing certificates from a roster: validate every row, then number, sign, record, write files.

The flow, for one roster (``issue_rows``):

1. Every row is judged by the signing policy (``credential.policy``) against the registry **as of
   its issue date**, plus what only a roster can get wrong (a future date, an occupation name that
   is not the filed one). Any problem in any row: nothing is issued, and every problem is reported
   (``RosterError``).
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

from credentials.credential import commitment, policy, wording
from credentials.credential.claims import Credential
from credentials.credential.sign import sign
from credentials.errors import IssuanceRefused, RosterError, RosterProblem
from credentials.issuing import files, roster
from credentials.issuing.register import Entry, NewCertificate, Register, fingerprint
from credentials.issuing.roster import RosterRow
from credentials.keys import SigningKey
from credentials.numbers import CertificateNumber, FilingNumber
from credentials.registry.model import Institution
from credentials.registry.registry import Registry

CHUNK = 64

# the roster column that a broken policy rule points at
_COLUMN = {
    "issuer-known": "",
    "issuer-active-on-issue-date": "发证日期",
    "key-valid-on-issue-date": "发证日期",
    "in-scope-on-issue-date": "职业技能等级",
}


@dataclass(frozen=True, slots=True)
class Issuer:
    """Who issues: the registry, the signing key and the institution that key is filed for."""

    registry: Registry
    key: SigningKey
    institution: Institution

    @classmethod
    def of(cls, key: SigningKey, registry: Registry) -> Issuer:
        """The issuer of a registered key; ``IssuanceRefused`` when no institution has it."""
        found = registry.key(key.kid)
        if found is None:
            raise IssuanceRefused(
                f"key {key.kid} is not registered for any institution; add it with skillcert keys new",
                zh=f"密钥 {key.kid} 未在任何机构的备案文件中登记；请用 skillcert keys new 登记",
            )
        return cls(registry, key, found[0])

    def context(self) -> files.Context:
        """What the certificates of this institution share (site URL, names, query URLs)."""
        bureau = self.registry.bureau
        return files.Context(
            site_url=bureau.site_url if bureau else "https://skillcert.example.org",
            institution_name=self.institution.name,
            institution_name_en=self.institution.name_en,
            certificate_query_url=bureau.certificate_query_url if bureau else None,
            institution_query_url=bureau.institution_query_url if bureau else None,
        )


@dataclass(slots=True)
class Options:
    """How a roster is issued."""

    out: Path
    today: dt.date
    source: str | None = None
    allow_duplicates: bool = False
    write_files: bool = True
    progress: Callable[[int], None] | None = None
    after_commit: Callable[[int], None] | None = None  # tests: a hook after each transaction


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


def validate(rows: Sequence[RosterRow], issuer: Issuer, *, today: dt.date) -> list[RosterProblem]:
    """Every problem of every row: the signing policy on its issue date, in the roster's words."""
    inst, registry = issuer.institution, issuer.registry
    problems = []
    for r in rows:
        if r.issued > today:
            problems.append(
                RosterProblem(
                    r.row,
                    "发证日期",
                    f"issue date {r.issued} is in the future",
                    f"发证日期 {r.issued} 晚于今天",
                )
            )
        subject = policy.Subject(inst.filing_number, r.occupation, r.job, r.level, r.issued)
        for ruling in policy.refusals(subject, issuer.key.kid, registry):
            zh, en = wording.sentence(ruling.check, ruling.reason, ruling.detail)
            if ruling.check == "in-scope-on-issue-date":
                filed = [
                    f"{row.job or '--'} {'、'.join(str(int(x)) for x in row.levels)}"
                    for row in inst.scope_on(r.issued)
                    if row.occupation == r.occupation
                ]
                if filed:
                    zh += f"；本职业已备案：{'；'.join(filed)}"
                    en += f"; filed for this occupation: {'; '.join(filed)}"
            problems.append(RosterProblem(r.row, _COLUMN[ruling.check], en, zh))
        occupation = registry.occupations.get(r.occupation)
        if r.occupation_name and occupation is not None and occupation.name != r.occupation_name:
            problems.append(
                RosterProblem(
                    r.row,
                    "职业名称",
                    f"{r.occupation} is named {occupation.name!r}, not {r.occupation_name!r}",
                    f"职业 {r.occupation} 的名称应为“{occupation.name}”，不是“{r.occupation_name}”",
                )
            )
    return problems


def _occupation_name(issuer: Issuer, r: RosterRow) -> str:
    occupation = issuer.registry.occupations.get(r.occupation)
    if occupation is not None:
        return occupation.name
    row = issuer.registry.scope_row(
        issuer.institution.filing_number, r.occupation, r.job, int(r.level), r.issued
    )
    return row.name if row else r.occupation_name


def _commit(r: RosterRow) -> bytes:
    return commitment.commit(r.id_type, r.id_number)


def _fingerprint(filing: str, r: RosterRow) -> str:
    return fingerprint(
        filing, int(r.id_type), r.id_number, (r.occupation, r.job, int(r.level)), r.issued
    )


def issue_rows(
    rows: Sequence[RosterRow], issuer: Issuer, register: Register, options: Options
) -> BatchResult:
    """Issue every row (all or nothing on validation; see the module docstring)."""
    clock = time.perf_counter()
    problems = validate(rows, issuer, today=options.today)
    if problems:
        raise RosterError(problems, source=options.source)
    if options.write_files and options.out.is_dir():
        files.remove_stale(options.out)
    run = _Run(rows, issuer, register, options)
    run.phase["validate"] = time.perf_counter() - clock
    return run.issue()


def roster_rows(
    table: list[list[str]], issuer: Issuer, *, today: dt.date, source: str | None = None
) -> list[RosterRow]:
    """A roster's rows, parsed and judged: every problem (cells and the signing policy alike) is
    reported in one ``RosterError``, sorted by row."""
    rows, problems = roster.parse(table)
    problems += validate(rows, issuer, today=today)
    if problems:
        raise RosterError(sorted(problems, key=lambda p: p.row), source=source)
    return rows


class _Run:
    """One roster being issued: the rows, their fingerprints, the commitments being computed."""

    def __init__(
        self, rows: Sequence[RosterRow], issuer: Issuer, register: Register, options: Options
    ) -> None:
        self.rows = rows
        self.issuer = issuer
        self.register = register
        self.options = options
        self.filing = issuer.institution.filing_number
        self.prints = [_fingerprint(self.filing, r) for r in rows]
        self.phase = dict.fromkeys(("commitments", "register", "files"), 0.0)

    def issue(self) -> BatchResult:
        todo = [
            i
            for i, fp in enumerate(self.prints)
            if self.options.allow_duplicates or self.register.by_fingerprint(fp) is None
        ]
        # libsodium's Argon2id runs without the GIL: worker threads compute the commitments on
        # every core while this thread numbers, signs, records and writes files.
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
        try:
            pending = {i: pool.submit(_commit, self.rows[i]) for i in todo}
            return self._issue(pending)
        finally:
            pool.shutdown(cancel_futures=True)

    def _issue(self, pending: dict[int, concurrent.futures.Future[bytes]]) -> BatchResult:
        register, options = self.register, self.options
        digest = hashlib.sha256("\n".join(self.prints).encode()).hexdigest()
        with register.transaction():
            batch = register.new_batch(options.source, digest)
        result = BatchResult(batch, seconds=self.phase)
        ctx = self.issuer.context()
        for start in range(0, len(self.rows), CHUNK):
            chunk = range(start, min(start + CHUNK, len(self.rows)))
            clock = time.perf_counter()
            waited_before = self.phase["commitments"]
            with register.transaction():
                new_ids = [self._one(i, batch, pending, result) for i in chunk]
            ids = [i for i in new_ids if i is not None]
            if options.after_commit is not None:
                options.after_commit(len(ids))
            fresh = register.by_ids(ids)
            waited = self.phase["commitments"] - waited_before
            self.phase["register"] += time.perf_counter() - clock - waited
            result.issued += fresh
            clock = time.perf_counter()
            if options.write_files:
                for entry in fresh:
                    files.write(entry, options.out, ctx)
            self.phase["files"] += time.perf_counter() - clock
            if options.progress is not None:
                options.progress(len(chunk))
        everything = result.already + result.issued
        if options.write_files:
            for entry in result.already:
                if files.missing(entry, options.out):
                    files.write(entry, options.out, ctx)
                    result.regenerated += 1
            everything.sort(key=lambda e: (e.number, e.version))
            result.batch_pdf = options.out / f"batch-{batch}.pdf"
            result.pages = files.write_batch_pdf(everything, result.batch_pdf, ctx)
        return result

    def _one(
        self,
        i: int,
        batch: int,
        pending: dict[int, concurrent.futures.Future[bytes]],
        result: BatchResult,
    ) -> int | None:
        """Number, sign and record row ``i`` (inside the caller's transaction); None when the
        register already has it."""
        r, register = self.rows[i], self.register
        if not self.options.allow_duplicates:
            existing = register.by_fingerprint(self.prints[i])
            if existing is not None:
                result.already.append(existing)
                return None
        waited = time.perf_counter()
        salt = pending[i].result() if i in pending else _commit(r)
        self.phase["commitments"] += time.perf_counter() - waited
        serial = register.allocate(self.filing, r.issued.year, int(r.level))
        number = CertificateNumber(
            FilingNumber.parse(self.filing), r.issued.year % 100, r.level, serial
        )
        credential = Credential(
            number, 1, r.holder, r.id_type, salt, r.occupation, r.job, r.level, r.issued
        )
        data = sign(credential, self.issuer.key, registry=self.issuer.registry)
        return register.add(
            NewCertificate(
                number=str(number),
                version=1,
                filing=self.filing,
                holder=r.holder,
                id_type=int(r.id_type),
                id_number=r.id_number,
                occupation=r.occupation,
                occupation_name=_occupation_name(self.issuer, r),
                job=r.job,
                level=int(r.level),
                issued=r.issued,
                photo=r.photo,
                kid=self.issuer.key.kid,
                credential=data,
                batch_id=batch,
                fingerprint=self.prints[i],
            )
        )
