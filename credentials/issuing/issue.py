"""Issuing certificates from a roster: check everything, then number, sign, record, write files.

The flow, for one roster (``issue_rows``):

1. Everything that could refuse a row is checked for every row before the first number is taken
   (``preflight``): the signing policy on the row's issue date, the batch it is issued in, the
   published record, the claim limits and the QR code's fixed size, the photo, the serials left
   and the output folder. Any problem in any row: nothing is issued, and every problem is
   reported at once (``RosterError``).
2. ID commitments (Argon2id, a few ms each by design) are computed by worker threads: on the
   other cores while step 1 checks the rows (``roster_rows``), then on every core while the main
   thread goes on with step 3 as they arrive.
3. In transactions of up to ``CHUNK`` rows, each row not issued before (same person, occupation,
   job, level and date; checked inside the transaction) gets the next serial, is signed and
   recorded. Only after the commit are its files written.
4. Files missing for certificates of this roster that were committed earlier (a crash) are
   regenerated, and the batch PDF is written.
5. The lookup hashes the published record will carry are computed on every core and stored.

Where the bureau numbers (``numbering: bureau``), serials come only from the ranges its approval
of the batch allocated; elsewhere the register numbers, still only inside an approved batch.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

from credentials.credential import commitment
from credentials.credential.claims import Credential
from credentials.credential.lookup import lookup_hash
from credentials.credential.sign import sign
from credentials.errors import CredentialsError, RegisterError, RosterError, RosterProblem
from credentials.issuing import files, roster
from credentials.issuing.integrity import key_of
from credentials.issuing.issuer import Issuer, Options
from credentials.issuing.preflight import (
    find_batch,
    preflight,
    register_problems,
    row_fingerprint,
)
from credentials.issuing.register import Entry, NewCertificate, Register
from credentials.issuing.renderer import Renderer
from credentials.issuing.roster import RosterRow
from credentials.numbers import CertificateNumber, FilingNumber
from credentials.registry.batches import Batch, SerialRange

CHUNK = 64
_T = TypeVar("_T")


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


def _bureau_ranges(issuer: Issuer, batch: Batch | None) -> tuple[SerialRange, ...] | None:
    """The serial ranges the bureau allocated to ``batch`` where the bureau numbers; None where
    the institution's register numbers."""
    bureau = issuer.registry.bureau
    rules = bureau.provinces.get(issuer.institution.province) if bureau else None
    if batch is None or batch.decision is None or rules is None or rules.numbering != "bureau":
        return None
    return batch.decision.serials


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


class CheckedRows(tuple[RosterRow, ...]):
    """Rows that ``roster_rows`` checked, with the issuer and options they were checked for:
    ``issue_rows`` then checks them against the register only, not again row by row (a pass
    over every row, its photo and its credential's size: 1 ms a row). It also takes the ID
    commitments computed while the rows were checked (``commitments``, by row index). A slice or
    any other sequence of rows is a plain tuple or list again, and is checked in full."""

    checked_for: tuple[object, ...]
    commitments: dict[int, bytes]

    def __new__(
        cls, rows: Sequence[RosterRow], issuer: Issuer, options: Options,
        commitments: dict[int, bytes] | None = None,
    ) -> CheckedRows:  # fmt: skip
        made = super().__new__(cls, rows)
        made.checked_for = _checked_for(issuer, options)
        made.commitments = commitments or {}
        return made

    def fits(self, issuer: Issuer, options: Options) -> bool:
        """Whether these rows were checked for this very issuer, day, institution and batch."""
        mine, theirs = self.checked_for, _checked_for(issuer, options)
        return (
            all(a is b for a, b in zip(mine[:2], theirs[:2], strict=True))
            and mine[2:] == theirs[2:]
        )


def _committing_while(
    rows: Sequence[RosterRow], work: Callable[[], _T]
) -> tuple[_T, dict[int, bytes]]:
    """``work()`` (checking the rows, one core), while worker threads on the other cores compute
    the rows' ID commitments (Argon2id, without the GIL): what ``work`` returns, and the
    commitments done by then, by row index. The rest are cancelled and the threads joined before
    this returns, so that no thread runs when the file renderer forks its worker processes; a
    roster refused throws its commitments away (they are random-salted, kept only in memory)."""
    threads = (os.cpu_count() or 1) - 1
    if threads < 1 or not rows:
        return work(), {}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=threads)
    futures = [pool.submit(_commit, r) for r in rows]
    try:
        result = work()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    done = {i: f.result() for i, f in enumerate(futures)
            if f.done() and not f.cancelled() and f.exception() is None}  # fmt: skip
    return result, done


def _finished(value: bytes) -> concurrent.futures.Future[bytes]:
    future: concurrent.futures.Future[bytes] = concurrent.futures.Future()
    future.set_result(value)
    return future


def _checked_for(issuer: Issuer, options: Options) -> tuple[object, ...]:
    return (issuer, options.batch, options.today, options.institution, options.need_batch)


def issue_rows(
    rows: Sequence[RosterRow], issuer: Issuer, register: Register, options: Options
) -> BatchResult:
    """Issue every row (all or nothing on validation; see the module docstring). Rows from
    ``roster_rows`` for the same issuer and options are checked against the register only."""
    clock = time.perf_counter()
    if isinstance(rows, CheckedRows) and rows.fits(issuer, options):
        problems = register_problems(rows, issuer, register, options)
    else:
        problems = preflight(rows, issuer, register, options)
    if problems:
        problems.sort(key=lambda p: p.row)
        raise RosterError(problems, source=options.source)
    if options.write_files and options.out.is_dir():
        files.remove_stale(options.out)
    run = _Run(rows, issuer, register, options)
    run.phase["validate"] = time.perf_counter() - clock
    return run.issue()


def roster_rows(
    table: list[list[str]], issuer: Issuer, register: Register | None, options: Options, *,
    photos: Path | None = None,
) -> CheckedRows:  # fmt: skip
    """A roster's rows, parsed and checked (``preflight``): every problem, of the cells and of
    the rows alike, is reported in one ``RosterError``, sorted by row. ``register`` None: a
    register not made yet (``issue_rows`` checks the rows against it once it is)."""
    rows, problems = roster.parse(table, photos=photos)

    def check() -> list[RosterProblem]:
        if rows and options.need_batch and options.batch is None:
            found = find_batch(rows, issuer, options.batch_key)
            if isinstance(found, RosterProblem):
                problems.append(found)
            else:
                options.batch = found
        return problems + preflight(rows, issuer, register, options)

    found, commitments = _committing_while(rows, check)
    if found:
        raise RosterError(sorted(found, key=lambda p: p.row), source=options.source)
    return CheckedRows(rows, issuer, options, commitments)


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
        self.prints = [row_fingerprint(self.filing, r) for r in rows]
        self.phase = dict.fromkeys(("commitments", "register", "files"), 0.0)
        self.ranges = _bureau_ranges(issuer, options.batch)

    def issue(self) -> BatchResult:
        todo = [i for i, fp in enumerate(self.prints) if self.register.by_fingerprint(fp) is None]
        options = self.options
        # the file renderer's worker processes first: forked before any thread starts
        renderer = (Renderer(options.out, self.issuer.context(), rows=len(todo))
                    if options.write_files else None)  # fmt: skip
        # Argon2id runs without the GIL: worker threads compute the commitments on every core
        # while this thread numbers, signs and records, and the renderer writes files.
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
        try:
            early = self.rows.commitments if isinstance(self.rows, CheckedRows) else {}
            pending = {i: _finished(early[i]) if i in early else pool.submit(_commit, self.rows[i])
                       for i in todo}  # fmt: skip
            result = self._issue(pending, renderer)
            if renderer is not None:
                renderer.close()  # every file is written: free the workers' memory for the lookups
            self._lookups(pool, [*result.issued, *result.already])
            return result
        finally:
            pool.shutdown(cancel_futures=True)
            if renderer is not None:
                renderer.close()

    def _lookups(self, pool: concurrent.futures.ThreadPoolExecutor, entries: list[Entry]) -> None:
        """The lookup hashes the published record will carry (Argon2id, 64 MiB each, on every
        core), stored after the certificates: a crash before leaves them to ``batch publish``."""
        clock = time.perf_counter()
        missing = [e for e in entries if e.lookup is None]
        futures = [pool.submit(lookup_hash, e.number, e.id_number) for e in missing]
        hashes = [(e.id, f.result()) for e, f in zip(missing, futures, strict=True)]
        if hashes:
            with self.register.transaction():
                self.register.set_lookups(hashes)
        self.phase["lookups"] = time.perf_counter() - clock

    def _issue(
        self, pending: dict[int, concurrent.futures.Future[bytes]], renderer: Renderer | None
    ) -> BatchResult:
        register, options = self.register, self.options
        digest = hashlib.sha256("\n".join(self.prints).encode()).hexdigest()
        key = options.batch.key if options.batch else None
        with register.transaction():  # a re-run of the same roster continues its batch
            batch = register.batch_of(digest) or register.new_batch(options.source, digest, key)
        result = BatchResult(batch, seconds=self.phase)
        if renderer is not None:
            pdf = options.out / f"batch-{batch}.pdf"
            renderer.bind(pdf, title=f"职业技能等级证书 {pdf.stem}")
        self._chunks(batch, pending, result, renderer)
        if renderer is not None:
            self._rest(batch, result, renderer)
        return result

    def _chunks(
        self, batch: int, pending: dict[int, concurrent.futures.Future[bytes]],
        result: BatchResult, renderer: Renderer | None,
    ) -> None:  # fmt: skip
        """Number, sign and record chunk after chunk; each chunk's files go to the renderer
        once it is committed, while the next chunk is signed."""
        register, options = self.register, self.options
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
            if renderer is None:
                self._progress(len(chunk))
            else:
                self._verified(fresh)
                self._guard(partial(renderer.submit, fresh, rows=len(chunk)))
                self._progress(self._guard(renderer.ready))
            self.phase["files"] += time.perf_counter() - clock

    def _rest(self, batch: int, result: BatchResult, renderer: Renderer) -> None:
        """Files missing from earlier runs, the batch PDF, and every file written."""
        register, options = self.register, self.options
        clock = time.perf_counter()
        # what was issued before: its current version (a re-issue's), never a revoked one
        current = [register.versions(e.number)[-1] for e in result.already]
        current = [e for e in current if e.status == "issued"]
        gone = [files.missing(e, options.out) for e in current]
        missing = [e for e, m in zip(current, gone, strict=True) if m]
        present = [e for e, m in zip(current, gone, strict=True) if not m]
        self._verified(current)
        self._guard(partial(renderer.submit, missing, rows=0))
        self._guard(partial(renderer.submit, present, rows=0, write=False))  # pages only
        result.regenerated = len(missing)
        self._progress(self._guard(renderer.wait))
        self.phase["files"] += time.perf_counter() - clock
        clock = time.perf_counter()
        result.batch_pdf, result.pages = self._guard(renderer.finish)  # bound as they came back
        self.phase["batch_pdf"] = time.perf_counter() - clock

    def _progress(self, rows: int) -> None:
        if rows and self.options.progress is not None:
            self.options.progress(rows)

    def _verified(self, entries: list[Entry]) -> None:
        """Each committed certificate checked against the register before its files are written
        (with the key that signed it: an earlier certificate may carry a key rotated out since)."""
        for entry in entries:
            public = key_of(entry, self.issuer.registry)
            if public is None or not files.matches(entry, public):
                raise RegisterError(
                    f"{entry.number} v{entry.version}: the register's credential does not verify; "
                    "its files were not written (run skillcert register check)",
                    zh=f"{entry.number} 第 {entry.version} 版：发证名册中的证书数据无法通过验证，未写出文件"
                    "（请运行 skillcert register check）",
                )

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
        existing = register.by_fingerprint(self.prints[i])
        if existing is not None:
            result.already.append(existing)
            return None
        waited = time.perf_counter()
        salt = pending[i].result() if i in pending else _commit(r)
        self.phase["commitments"] += time.perf_counter() - waited
        if self.ranges is not None:  # the bureau numbered this batch
            mine = [(x.first, x.last) for x in self.ranges if x.level == int(r.level)]
            serial = register.allocate_in(self.filing, r.issued.year, int(r.level), mine)
        else:
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
