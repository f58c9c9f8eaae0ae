"""Issuing certificates from a roster: check everything, then number, sign, record, write files.

The flow, for one roster (``issue_rows``):

1. Everything that could refuse a row is checked for every row before the first number is taken
   (``preflight``): the signing policy (``credential.policy``) on the row's issue date, what only a
   roster gets wrong (a future date, an occupation name that is not the filed one, the institution
   the roster names), the claim limits and that the credential fits the QR code at its fixed
   version, the photo, the serials left for each year and level, and that the output folder can
   be written and has room. Any problem in any row: nothing is issued, and every problem is
   reported at once (``RosterError``).
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
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

from credentials import cose
from credentials.credential import commitment, images, policy, qr, wording
from credentials.credential.claims import Credential, text_problem
from credentials.credential.sign import protected_header, sign
from credentials.errors import (
    CredentialsError,
    IssuanceRefused,
    RegisterError,
    RegistryError,
    RosterError,
    RosterProblem,
)
from credentials.issuing import files, roster
from credentials.issuing.register import Entry, NewCertificate, Register, fingerprint
from credentials.issuing.roster import RosterRow
from credentials.keys import SigningKey
from credentials.numbers import CertificateNumber, FilingNumber
from credentials.registry.model import Institution
from credentials.registry.registry import Registry, check_registry
from credentials.registry.validate.check import BUREAU_FILE, INSTITUTIONS_DIR, OCCUPATIONS_FILE
from credentials.registry.validate.findings import Finding

CHUNK = 64
_T = TypeVar("_T")

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

    @classmethod
    def load(cls, key: SigningKey, registry_dir: Path) -> tuple[Issuer, list[Finding]]:
        """The issuer of ``key`` from a registry folder. What this institution's issuing depends
        on must be free of errors (its own file, ``bureau.yaml``, the occupation data); errors in
        other institutions' files do not stop it and come back as warnings."""
        result = check_registry(registry_dir)
        registry = Registry(result.institutions, result.bureau, result.occupations)
        issuer = cls.of(key, registry)
        own = (
            BUREAU_FILE,
            OCCUPATIONS_FILE,
            f"{INSTITUTIONS_DIR}/{issuer.institution.filing_number}.yaml",
        )
        errors = [f for f in result.findings if f.severity == "error"]
        blocking = [f for f in errors if f.file.endswith(own)]
        if blocking:
            raise RegistryError(blocking)
        return issuer, [f for f in errors if f not in blocking]

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
    institution: str | None = None  # the filing number the command names (the key must be its)
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


def validate(
    rows: Sequence[RosterRow], issuer: Issuer, *, today: dt.date, institution: str | None = None
) -> list[RosterProblem]:
    """Every problem of every row that needs no file: the signing policy on its issue date in
    the roster's words, the institution named, the claim limits and the QR code's fixed size."""
    inst = issuer.institution
    problems = _named_institution(rows, inst.filing_number, institution)
    for r in rows:
        problems += _row_problems(r, issuer, today)
    return problems


def _named_institution(
    rows: Sequence[RosterRow], filing: str, named: str | None
) -> list[RosterProblem]:
    out = []
    if named is not None and named.strip().upper() != filing:
        out.append(RosterProblem(0, "", f"the key is {filing}'s, not {named}'s: use that institution's key",
                                 f"该密钥属于 {filing}，不是 {named}：请使用该机构的密钥"))  # fmt: skip
    for r in rows:
        if r.institution is not None and r.institution != filing:
            out.append(RosterProblem(r.row, "机构备案号", f"names {r.institution}, but the key is {filing}'s",
                                     f"名册写的是 {r.institution}，而密钥属于 {filing}"))  # fmt: skip
    if named is None and not any(r.institution for r in rows):
        out.append(RosterProblem(0, "", "name the institution: --institution FILING, or a 机构备案号 column",
                                 "请注明评价机构：用 --institution 备案号，或在名册中加“机构备案号”列"))  # fmt: skip
    return out


_PROBE_KEY = SigningKey.from_seed(bytes(32))  # signs nothing real: measures a credential's size


def credential_size(r: RosterRow, filing: str) -> int:
    """The size of the largest credential this row can become (serial 999999, any version < 10)."""
    number = CertificateNumber(FilingNumber.parse(filing), r.issued.year % 100, r.level, 999_999)
    probe = Credential(
        number, 9, r.holder, r.id_type, bytes(24), r.occupation, r.job, r.level, r.issued
    )
    return len(
        cose.sign1(
            cose.encode(probe.to_claims()), _PROBE_KEY, protected=protected_header(_PROBE_KEY.kid)
        )
    )


def _row_problems(r: RosterRow, issuer: Issuer, today: dt.date) -> list[RosterProblem]:
    inst, registry = issuer.institution, issuer.registry
    problems = []
    if r.issued > today:
        problems.append(RosterProblem(r.row, "发证日期", f"issue date {r.issued} is in the future",
                                      f"发证日期 {r.issued} 晚于今天"))  # fmt: skip
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
        problems.append(RosterProblem(
            r.row, "职业名称", f"{r.occupation} is named {occupation.name!r}, not {r.occupation_name!r}",
            f"职业 {r.occupation} 的名称应为“{occupation.name}”，不是“{r.occupation_name}”",
        ))  # fmt: skip
    site = issuer.context().site_url
    if not text_problem(r.holder) and (r.job is None or not text_problem(r.job)):
        size = credential_size(r, inst.filing_number)
        if not qr.fits(site, size):
            problems.append(RosterProblem(
                r.row, "姓名", f"the credential ({size} bytes) would not fit the certificate's QR code "
                "(version 11): shorten the name or the job", f"证书数据（{size} 字节）放不进证书上的二维码（版本 11）：请缩短姓名或工种",
            ))  # fmt: skip
    return problems


def preflight(
    rows: Sequence[RosterRow], issuer: Issuer, register: Register | None, options: Options
) -> list[RosterProblem]:
    """Everything that could refuse a row, for every row, before a number is taken: ``validate``,
    then the photos, the serials left and the output folder (``register`` None: a register not
    made yet, so that a refused roster leaves no file behind)."""
    problems = validate(rows, issuer, today=options.today, institution=options.institution)
    for r in rows:
        if r.photo is not None:
            why = images.photo_problem(Path(r.photo))
            if why is not None:
                problems.append(RosterProblem(r.row, "照片", *why))
    filing = issuer.institution.filing_number
    new = [
        r
        for r in rows
        if register is None
        or options.allow_duplicates
        or register.by_fingerprint(_fingerprint(filing, r)) is None
    ]
    wanted = Counter((r.issued.year, int(r.level)) for r in new)
    last = register.serial_state() if register is not None else {}
    for (year, level), count in sorted(wanted.items()):
        left = 999_999 - last.get((filing, year, level), 0)
        if count > left:
            problems.append(RosterProblem(0, "职业技能等级", f"{count} certificates of level {level} in {year}, "
                                          f"but only {left} serials are left", f"{year} 年 {level} 级需要 {count} 个编号，"
                                          f"但只剩 {left} 个流水号"))  # fmt: skip
    if options.write_files and new:
        problems += _output_problems(options.out, len(rows))
    return sorted(problems, key=lambda p: p.row)


_BYTES_PER_CERTIFICATE = 120_000  # .cose, PNG, SVG and one PDF, and a page of the batch PDF


def _output_problems(out: Path, count: int) -> list[RosterProblem]:
    """Whether ``out`` can be written and has room, without creating anything (a refused roster
    leaves no folder behind)."""
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        if not existing.is_dir():
            raise NotADirectoryError(20, "not a folder", str(existing))
        if existing == out:
            probe = out / f".write-test.{os.getpid()}.tmp"
            probe.write_bytes(b"x")
            probe.unlink()
        elif not os.access(existing, os.W_OK | os.X_OK):
            raise PermissionError(13, "permission denied", str(existing))
        free = shutil.disk_usage(existing).free
    except OSError as err:
        return [RosterProblem(0, "", f"the output folder {out} cannot be written: {err.strerror}",
                              f"输出目录 {out} 无法写入")]  # fmt: skip
    need = count * _BYTES_PER_CERTIFICATE + 10 * 1024 * 1024
    if free < need:
        return [RosterProblem(0, "", f"the output folder has {free // 2**20} MB free; {count} certificates "
                              f"need about {need // 2**20} MB", f"输出目录只剩 {free // 2**20} MB，"
                              f"{count} 本证书约需 {need // 2**20} MB")]  # fmt: skip
    return []


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
    problems = preflight(rows, issuer, register, options)
    if problems:
        raise RosterError(problems, source=options.source)
    if options.write_files and options.out.is_dir():
        files.remove_stale(options.out)
    run = _Run(rows, issuer, register, options)
    run.phase["validate"] = time.perf_counter() - clock
    return run.issue()


def roster_rows(
    table: list[list[str]], issuer: Issuer, register: Register | None, options: Options, *,
    photos: Path | None = None,
) -> list[RosterRow]:  # fmt: skip
    """A roster's rows, parsed and checked (``preflight``): every problem, of the cells and of
    the rows alike, is reported in one ``RosterError``, sorted by row."""
    rows, problems = roster.parse(table, photos=photos)
    problems += preflight(rows, issuer, register, options)
    if problems:
        raise RosterError(sorted(problems, key=lambda p: p.row), source=options.source)
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
        with register.transaction():  # a re-run of the same roster continues its batch
            batch = register.batch_of(digest) or register.new_batch(options.source, digest)
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
                self._write(fresh, ctx)
            self.phase["files"] += time.perf_counter() - clock
            if options.progress is not None:
                options.progress(len(chunk))
        if options.write_files:
            # what was issued before: its current version (a re-issue's), never a revoked one
            current = [register.versions(e.number)[-1] for e in result.already]
            current = [e for e in current if e.status == "issued"]
            missing = [e for e in current if files.missing(e, options.out)]
            self._write(missing, ctx)
            result.regenerated = len(missing)
            everything = sorted([*current, *result.issued], key=lambda e: (e.number, e.version))
            if everything:
                pdf = options.out / f"batch-{batch}.pdf"
                result.pages = self._guard(partial(files.write_batch_pdf, everything, pdf, ctx))
                result.batch_pdf = pdf
        return result

    def _write(self, entries: list[Entry], ctx: files.Context) -> None:
        """The files of committed certificates, each checked against the register first."""
        public = self.issuer.key.public_key
        for entry in entries:
            if not files.matches(entry, public):
                raise RegisterError(
                    f"{entry.number} v{entry.version}: the register's credential does not verify; "
                    "its files were not written (run skillcert register check)",
                    zh=f"{entry.number} 第 {entry.version} 版：发证名册中的证书数据无法通过验证，未写出文件"
                    "（请运行 skillcert register check）",
                )
            self._guard(partial(files.write, entry, self.options.out, ctx))

    def _guard(self, write: Callable[[], _T]) -> _T:
        """A file write after the commit: a failure (a full disk) loses nothing, and says so."""
        try:
            return write()
        except OSError as err:
            raise CredentialsError(
                f"the certificates are recorded in the register, but their files could not be "
                f"written to {self.options.out} ({err.strerror}): free space, then run skillcert "
                "register regenerate",
                zh=f"证书已记入发证名册，但文件无法写入 {self.options.out}（{err.strerror}）："
                "请腾出空间后运行 skillcert register regenerate",
            ) from err

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
