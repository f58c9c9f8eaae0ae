"""The institution's issuance register (发证名册): a SQLite database kept for 30 years.

It allocates certificate numbers (per institution, year and level, from 000001, never reused) and
records every credential it signs **in the same transaction** as the allocation, before any file is
written anywhere. WAL mode with ``synchronous=FULL``: a transaction that returned is on disk; one
that did not never happened, so a crash at any point loses nothing and duplicates nothing. Writers
take the lock with ``BEGIN IMMEDIATE``, so two processes issuing at once never collide.

The schema is versioned with ``PRAGMA user_version`` and migrated forward on open. The only module
that touches the database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from credentials.errors import RegisterError
from credentials.issuing.register_schema import COLUMNS, MIGRATIONS, SCHEMA_VERSION, entry_of
from credentials.issuing.register_schema import Entry as Entry
from credentials.issuing.register_schema import NewCertificate as NewCertificate
from credentials.issuing.register_schema import fingerprint as fingerprint

_MAX_SERIAL = 999_999


def _create_private(path: Path) -> None:
    """A new file readable by its owner only (mode 0600): a register holds every holder's full ID
    number. SQLite gives its -wal and -shm files the same mode. An existing file is left alone."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as err:
        raise RegisterError(
            f"cannot create the register {path}: {err.strerror}", zh=f"无法创建发证名册 {path}"
        ) from err
    os.close(fd)


def _put_in_place(built: Path, path: Path) -> bool:
    """Give the finished file ``built`` the name ``path`` only if nothing has that name yet, so a
    second process never sees a register half made (an empty file reads as one that lost its
    content) and nothing is ever overwritten. A hard link does it in one step; where the file
    system has none (FAT on a USB stick), the bytes are copied into a file created exclusively.
    Returns False when ``path`` existed already; ``built`` is removed either way."""
    try:
        try:
            os.link(built, path)
        except FileExistsError:
            return False
        except OSError:  # no hard links here
            data = built.read_bytes()
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return False
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_folder(path.parent)
        return True
    finally:
        built.unlink(missing_ok=True)


def temporary_beside(path: Path) -> tuple[int, Path]:
    """A new temporary file in ``path``'s folder, open for writing: ``.<name>.<pid>.<random>.tmp``,
    the name ``files.remove_stale`` reads to tell what a killed process left from what another
    issuer is still writing."""
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp"
    )
    return fd, Path(tmp)


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable (the register's copies and the issued
    files both need it)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _failed(path: Path, err: sqlite3.Error) -> RegisterError:
    text = str(err)
    if "full" in text:
        zh = f"磁盘已满，发证名册 {path} 无法写入；本次操作未生效"
    elif "malformed" in text or "not a database" in text or "corrupt" in text:
        zh = f"发证名册 {path} 已损坏；请用 skillcert register check 检查，并从备份恢复"
    elif "locked" in text or "busy" in text:
        zh = f"发证名册 {path} 正被另一个程序使用，请稍后再试"
    else:
        zh = f"发证名册 {path} 无法使用（{text}）"
    return RegisterError(f"register {path}: {text}", zh=zh)


def _no_overwrite(dest: Path) -> RegisterError:
    return RegisterError(
        f"{dest} exists already; a backup never overwrites",
        zh=f"{dest} 已存在；备份不会覆盖已有文件",
    )


class Register:
    """An open issuance register.

    ``create=False`` opens an existing register only (reports and exports never create one for a
    mistyped path); ``readonly=True`` opens it without writing anything, also from read-only media.
    A file of zero bytes is refused: it is a register that lost its content, not a new one.
    """

    def __init__(
        self, path: Path, *, now: Callable[[], dt.datetime], create: bool = True,
        readonly: bool = False,
    ) -> None:  # fmt: skip
        self.path = path
        self._now = now
        self.readonly = readonly
        try:
            size = path.stat().st_size if path.exists() else None
        except OSError as err:
            raise RegisterError(
                f"cannot read {path}: {err.strerror}", zh=f"无法读取 {path}"
            ) from err
        if size is None and (readonly or not create):
            raise RegisterError(
                f"there is no register at {path} (check --register)",
                zh=f"{path} 处没有发证名册（请检查 --register）",
            )
        if size == 0:
            raise RegisterError(
                f"{path} is empty: a register that lost its content; restore it from a backup",
                zh=f"{path} 是空文件：发证名册的内容已丢失，请从备份恢复（skillcert register backup 的副本）",
            )
        if path.is_dir():
            raise RegisterError(
                f"{path} is a folder, not a register", zh=f"{path} 是文件夹，不是发证名册"
            )
        if size is None:
            self._create()
        self._open(path)

    def _create(self) -> None:
        """A new register is built whole under a temporary name beside ``path`` (schema in place,
        mode 0600) and then put in place: two processes starting on a new register at once both
        end up in the same, complete one."""
        built = self.path.with_name(f".{self.path.name}.{os.getpid()}.new")
        built.unlink(missing_ok=True)
        try:
            _create_private(built)
            self._open(built)
            self.db.close()
            _put_in_place(built, self.path)
        except OSError as err:
            raise RegisterError(
                f"cannot create the register {self.path}: {err.strerror}",
                zh=f"无法创建发证名册 {self.path}",
            ) from err
        finally:
            built.unlink(missing_ok=True)

    def _open(self, path: Path) -> None:
        try:
            self.db = self._connect(path)
            if self.readonly:
                self._check_version()
            else:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=FULL")
                self.db.execute("PRAGMA foreign_keys=ON")
                self._migrate()
        except sqlite3.Error as err:
            raise RegisterError(
                f"{path} is not a usable register database: {err}",
                zh=f"{path} 不是可用的发证名册数据库（文件已损坏或不是发证名册）",
            ) from err

    def _connect(self, path: Path) -> sqlite3.Connection:
        if not self.readonly:
            return sqlite3.connect(path, timeout=60, isolation_level=None)
        uri = path.resolve().as_uri()
        try:
            db = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=60, isolation_level=None)
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:  # read-only media: nowhere for the WAL index
            db = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
        return db

    def _check_version(self) -> None:
        (version,) = self.db.execute("PRAGMA user_version").fetchone()
        if version != SCHEMA_VERSION:
            raise RegisterError(
                f"register schema {version} is not this skillcert's ({SCHEMA_VERSION}); "
                "open it once for writing to upgrade",
                zh=f"发证名册格式版本 {version} 与本程序（{SCHEMA_VERSION}）不同；以可写方式打开一次即可升级",
            )

    def _query(self, sql: str, args: Sequence[object] = ()) -> list[Any]:
        """A read; a damaged database is a ``RegisterError`` in one line, not a traceback."""
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.Error as err:
            raise _failed(self.path, err) from err

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        with self.transaction():
            (version,) = self.db.execute("PRAGMA user_version").fetchone()
            if version > SCHEMA_VERSION:
                raise RegisterError(
                    f"register schema {version} is newer than this skillcert ({SCHEMA_VERSION})",
                    zh=f"发证名册的格式版本 {version} 比本程序支持的 {SCHEMA_VERSION} 新，请升级 skillcert",
                )
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` (rolled back on any exception); database errors
        become ``RegisterError``."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as err:
            raise _failed(self.path, err) from err
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException as err:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
            if isinstance(err, sqlite3.Error):
                raise _failed(self.path, err) from err
            raise

    def _stamp(self) -> str:
        return self._now().isoformat(timespec="seconds")

    # --- writing (call inside ``transaction()``) ---------------------------------------------------

    def new_batch(
        self, source: str | None, source_sha256: str | None, registry_batch: str | None = None
    ) -> int:
        """A new batch (of the registry batch ``<filing>/<id>`` it issues); returns its id."""
        cur = self.db.execute(
            "INSERT INTO batches (created_at, source, source_sha256, registry_batch) "
            "VALUES (?, ?, ?, ?)",
            (self._stamp(), source, source_sha256, registry_batch),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def allocate(self, filing: str, year: int, level: int) -> int:
        """The next serial for (institution, year, level); never reused."""
        row = self.db.execute(
            "INSERT INTO serials (filing, year, level, last) VALUES (?, ?, ?, 1) "
            "ON CONFLICT (filing, year, level) DO UPDATE SET last = last + 1 "
            "WHERE last < ? RETURNING last",
            (filing, year, level, _MAX_SERIAL),
        ).fetchone()
        if row is None:
            raise RegisterError(
                f"serials for {filing}, {year}, level {level} are exhausted (999999 issued)",
                zh=f"{filing} {year} 年 {level} 级的流水号已用尽（已发 999999 本）",
            )
        return int(row[0])

    def allocate_in(
        self, filing: str, year: int, level: int, ranges: Sequence[tuple[int, int]]
    ) -> int:
        """The lowest serial of ``ranges`` ((first, last) pairs the bureau allocated) that no
        certificate of (institution, year, level) has yet; the serial table keeps the highest."""
        prefix = f"{filing}{year % 100:02d}{level}"
        used = {
            int(n[16:])
            for (n,) in self.db.execute(
                "SELECT number FROM certificates WHERE number >= ? AND number < ?",
                (prefix, prefix + ":"),
            )
        }
        for first, last in sorted(ranges):
            for serial in range(first, last + 1):
                if serial not in used:
                    self.db.execute(
                        "INSERT INTO serials (filing, year, level, last) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (filing, year, level) DO UPDATE SET last = max(last, ?)",
                        (filing, year, level, serial, serial),
                    )
                    return serial
        raise RegisterError(
            f"the serials the bureau allocated for {filing}, {year}, level {level} are used up",
            zh=f"主管部门为 {filing} {year} 年 {level} 级分配的流水号已用完",
        )

    def add(self, cert: NewCertificate) -> int:
        """Record a signed credential; returns its row id."""
        cur = self.db.execute(
            "INSERT INTO certificates (number, version, filing, holder, id_type, id_number, "
            "occupation, occupation_name, job, level, issued, photo, kid, credential, batch_id, "
            "fingerprint, created_at, lookup, reissue_reason, reissue_applied) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                cert.number,
                cert.version,
                cert.filing,
                cert.holder,
                cert.id_type,
                cert.id_number,
                cert.occupation,
                cert.occupation_name,
                cert.job,
                cert.level,
                cert.issued.isoformat(),
                cert.photo,
                cert.kid,
                cert.credential,
                cert.batch_id,
                cert.fingerprint,
                self._stamp(),
                cert.lookup,
                cert.reissue_reason,
                cert.reissue_applied.isoformat() if cert.reissue_applied else None,
            ),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def set_lookups(self, hashes: Sequence[tuple[int, bytes]]) -> None:
        """Store lookup hashes by row id."""
        self.db.executemany(
            "UPDATE certificates SET lookup = ? WHERE id = ?", [(h, i) for i, h in hashes]
        )

    def set_status(
        self,
        number: str,
        version: int,
        status: str,
        *,
        on: dt.date | None = None,
        reason: str | None = None,
    ) -> None:
        """Mark one version revoked or superseded."""
        self.db.execute(
            "UPDATE certificates SET status = ?, revoked_on = ?, revoke_reason = ? "
            "WHERE number = ? AND version = ?",
            (status, on.isoformat() if on else None, reason, number, version),
        )

    # --- reading -----------------------------------------------------------------------------------

    def by_fingerprint(self, fp: str) -> Entry | None:
        """The first issuance with this fingerprint."""
        rows = self._query(
            f"SELECT {COLUMNS} FROM certificates WHERE fingerprint = ? ORDER BY id LIMIT 1", (fp,)
        )
        return entry_of(rows[0]) if rows else None

    def by_ids(self, ids: list[int]) -> list[Entry]:
        """The entries with these row ids, in id order."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self._query(
            f"SELECT {COLUMNS} FROM certificates WHERE id IN ({marks}) ORDER BY id", ids
        )
        return [entry_of(r) for r in rows]

    def versions(self, number: str) -> list[Entry]:
        """Every version of a number, oldest first."""
        rows = self._query(
            f"SELECT {COLUMNS} FROM certificates WHERE number = ? ORDER BY version", (number,)
        )
        return [entry_of(r) for r in rows]

    def entries(self, *, batch: int | None = None, year: int | None = None) -> list[Entry]:
        """Certificates, optionally of one batch or issue year, in number order."""
        sql = f"SELECT {COLUMNS} FROM certificates"
        where, args = [], []
        if batch is not None:
            where.append("batch_id = ?")
            args.append(str(batch))
        if year is not None:
            where.append("substr(issued, 1, 4) = ?")
            args.append(f"{year:04d}")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY number, version"
        return [entry_of(r) for r in self._query(sql, args)]

    def of_registry_batch(self, key: str) -> list[Entry]:
        """Every certificate issued for the registry batch ``<filing>/<id>``, in number order."""
        rows = self._query(
            f"SELECT {', '.join('c.' + c.strip() for c in COLUMNS.split(','))} "
            "FROM certificates c JOIN batches b ON c.batch_id = b.id "
            "WHERE b.registry_batch = ? ORDER BY c.number, c.version",
            (key,),
        )
        return [entry_of(r) for r in rows]

    # --- paper certificates (证书管理一：清点、登记、入库、发放、销毁) ---------------------------------

    def log_paper(
        self, number: str, version: int, event: str, *, day: dt.date, by: str, note: str | None
    ) -> None:
        """Record one event of a paper certificate (inside ``transaction()``)."""
        self.db.execute(
            "INSERT INTO paper_log (number, version, event, day, by, note, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (number, version, event, day.isoformat(), by, note, self._stamp()),
        )

    def paper_log(self, number: str | None = None) -> list[tuple[str, int, str, str, str, str]]:
        """(number, version, event, day, by, note) of every paper event (of one number), in order."""
        sql = "SELECT number, version, event, day, by, coalesce(note, '') FROM paper_log"
        args: list[object] = []
        if number is not None:
            sql += " WHERE number = ?"
            args.append(number)
        rows = self._query(sql + " ORDER BY id", args)
        return [(str(a), int(b), str(c), str(d), str(e), str(f)) for a, b, c, d, e, f in rows]

    def batches(self) -> list[tuple[int, str, str | None]]:
        """(id, created_at, source) of every batch."""
        rows = self._query("SELECT id, created_at, source FROM batches")
        return [(int(i), str(c), s) for i, c, s in rows]

    def serial_state(self) -> dict[tuple[str, int, int], int]:
        """The last serial allocated per (institution, year, level)."""
        return {(f, y, lv): last for f, y, lv, last in self._query("SELECT * FROM serials")}

    def batch_of(self, source_sha256: str) -> int | None:
        """The batch earlier made from a roster with this digest (a re-run reuses it)."""
        rows = self._query(
            "SELECT id FROM batches WHERE source_sha256 = ? ORDER BY id LIMIT 1", (source_sha256,)
        )
        return int(rows[0][0]) if rows else None

    def integrity(self) -> list[str]:
        """SQLite's own check of every page and index: ``["ok"]`` when the file is sound."""
        return [str(r[0]) for r in self._query("PRAGMA integrity_check")]

    def backup(self, dest: Path) -> int:
        """A consistent copy of the register (SQLite's backup API: what sits in the WAL too), made
        readable by its owner only and flushed to disk; returns its size in bytes."""
        if dest.exists():
            raise _no_overwrite(dest)
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
        try:
            _create_private(tmp)
            target = sqlite3.connect(tmp)
            try:
                self.db.backup(target)
            finally:
                target.close()
            with tmp.open("rb") as fh:
                os.fsync(fh.fileno())
            if not _put_in_place(tmp, dest):
                raise _no_overwrite(dest)
        except sqlite3.Error as err:
            tmp.unlink(missing_ok=True)
            raise _failed(self.path, err) from err
        except OSError as err:
            tmp.unlink(missing_ok=True)
            raise RegisterError(
                f"cannot write {dest}: {err.strerror}", zh=f"无法写入 {dest}"
            ) from err
        return dest.stat().st_size
