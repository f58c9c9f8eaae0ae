"""Parsed registry files kept between runs, keyed by git blob id: an unchanged file is parsed once.

A pull request changes a few of 20,000 files; the check of everything else need not read YAML
again. Each entry maps a file's git blob id (``git hash-object``: SHA-1 of ``blob <size>\\0`` and the
bytes) to what parsing it gave: the data, the line of each item of its top-level lists, and the
findings of the parse and of the private-key scan, as JSON. Positions of later findings are looked up
again from the text (``Document.at``), so nothing else is needed.

A cache must never hide a finding, so an entry is used only when
- it was written by this very parser (the cache is emptied when the digest of the validator's source
  or PyYAML's version changes),
- the SHA-256 of the file's bytes equals the one recorded (two contents with one blob id, or a
  damaged id), and
- the SHA-256 of the stored JSON equals the one recorded and the JSON has the expected shape.

Anything else (a damaged entry, a damaged or unreadable database, a full disk) makes the file be
parsed again; a damaged database is set aside and started afresh. The database is SQLite, written
by the process that runs the check. It is local state, like ``.git``: whoever can write it can change
what a check sees, so do not restore it from a source you would not let commit to the registry.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from credentials.registry.validate import yamldoc
from credentials.registry.validate.findings import Finding, Severity

_FILE = "registry-parse-cache.sqlite"
_MAX_ENTRIES = 250_000  # about 1 GB at most; the oldest go first
_CHUNK = 500  # ids per query (SQLite's default limit on host parameters is far above)


def blob_id(raw: bytes) -> str:
    """The git blob id of ``raw`` (what ``git hash-object`` prints)."""
    return hashlib.sha1(b"blob %d\0" % len(raw) + raw, usedforsecurity=False).hexdigest()


@dataclass(frozen=True, slots=True)
class Parsed:
    """What parsing one file gave, without its name (one entry serves identical files)."""

    parsed: bool  # False when the file could not be parsed (a document may also be plain null)
    data: Any
    lines: dict[str, list[int]]
    findings: tuple[
        tuple[str, Severity, int, int, str, str], ...
    ]  # rule, severity, line, col, zh, en

    def findings_for(self, file: str) -> list[Finding]:
        """The findings, as found in ``file``."""
        return [Finding(r, s, file, line, col, zh, en) for r, s, line, col, zh, en in self.findings]

    @classmethod
    def of(cls, doc: yamldoc.Document | None, findings: Iterable[Finding]) -> Parsed:
        """Build from a parse's outcome (``doc`` None: the file could not be parsed)."""
        rows = tuple((f.rule, f.severity, f.line, f.column, f.zh, f.en) for f in findings)
        if doc is None:
            return cls(parsed=False, data=None, lines={}, findings=rows)
        return cls(parsed=True, data=doc.data, lines=doc.lines, findings=rows)


def encode(raw: bytes, parsed: Parsed, key: str | None = None) -> tuple[str, str, str, str]:
    """(blob id, SHA-256 of the bytes, JSON, SHA-256 of the JSON): a row to store (``key``: the
    blob id when it is known already)."""
    text = json.dumps(
        {
            "parsed": parsed.parsed,
            "data": parsed.data,
            "lines": parsed.lines,
            "findings": parsed.findings,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return (
        key or blob_id(raw),
        hashlib.sha256(raw).hexdigest(),
        text,
        hashlib.sha256(text.encode()).hexdigest(),
    )


def decode(raw: bytes, entry: tuple[object, object, object] | None) -> Parsed | None:
    """The parse stored in ``entry`` (content digest, JSON, JSON digest) for ``raw``, or None when
    the entry is absent, for other bytes, damaged or not of the expected shape."""
    if entry is None:
        return None
    content_digest, text, text_digest = entry  # as SQLite gave them: any type
    if not isinstance(text, str):
        return None
    if hashlib.sha256(text.encode()).hexdigest() != text_digest:
        return None
    if hashlib.sha256(raw).hexdigest() != content_digest:
        return None
    try:
        loaded = json.loads(text)
        lines = {str(k): [int(n) for n in v] for k, v in loaded["lines"].items()}
        findings = tuple(
            (str(r), _severity(s), int(line), int(col), str(zh), str(en))
            for r, s, line, col, zh, en in loaded["findings"]
        )
        return Parsed(
            parsed=loaded["parsed"] is True, data=loaded["data"], lines=lines, findings=findings
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _severity(value: object) -> Severity:
    if value == "error" or value == "warning":
        return value
    raise ValueError(f"not a severity: {value!r}")


def parser_version() -> str:
    """A digest of what decides a parse's outcome: the validator's source and PyYAML's version."""
    digest = hashlib.sha256(f"{yamldoc.engine()} {sys.version_info[:2]}".encode())
    package = resources.files("credentials.registry.validate")
    for name in sorted(p.name for p in package.iterdir() if p.name.endswith(".py")):
        digest.update(name.encode() + b"\0" + package.joinpath(name).read_bytes())
    return digest.hexdigest()


class ParseCache:
    """The cache in ``folder`` (created when missing). Never raises: a cache that cannot be read
    or written is one that holds nothing; ``problem`` then says why (Chinese, English)."""

    def __init__(self, folder: Path, version: str | None = None) -> None:
        self.path = folder / _FILE
        self.version = version or parser_version()
        self.problem: tuple[str, str] | None = None
        self._db: sqlite3.Connection | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._db = self._open()
        except (OSError, sqlite3.Error) as err:
            self._db = None
            self.problem = (f"无法使用解析缓存 {self.path}：{err}",
                            f"cannot use the parse cache {self.path}: {err}")  # fmt: skip

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except sqlite3.DatabaseError:  # not a database, or damaged: set it aside, start afresh
            self.path.replace(self.path.with_suffix(".damaged"))
            self.problem = (f"解析缓存已损坏，已重建：{self.path}",
                            f"the parse cache was damaged and has been started afresh: {self.path}")  # fmt: skip
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            db.execute(
                "CREATE TABLE IF NOT EXISTS parsed (id TEXT PRIMARY KEY, content_sha256 TEXT, "
                "json TEXT, json_sha256 TEXT)"
            )
            row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            if row is None or row[0] != self.version:  # another parser wrote these: drop them
                db.execute("BEGIN IMMEDIATE")
                db.execute("DELETE FROM parsed")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (self.version,))
                db.execute("COMMIT")
            db.execute("SELECT count(*) FROM parsed").fetchone()  # reads the pages: damage shows
        except BaseException:
            db.close()
            raise
        return db

    def lookup(self, ids: Iterable[str]) -> dict[str, tuple[str, str, str]]:
        """The stored entries of ``ids``: id -> (content digest, JSON, JSON digest)."""
        found: dict[str, tuple[str, str, str]] = {}
        if self._db is None:
            return found
        wanted = sorted(set(ids))
        try:
            for i in range(0, len(wanted), _CHUNK):
                chunk = wanted[i : i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                for row in self._db.execute(
                    f"SELECT id, content_sha256, json, json_sha256 FROM parsed WHERE id IN ({marks})",
                    chunk,
                ):
                    found[row[0]] = (row[1], row[2], row[3])
        except sqlite3.Error as err:
            self._fail(err)
            return {}
        return found

    def store(self, rows: Iterable[tuple[str, str, str, str]]) -> None:
        """Keep ``rows`` (from ``encode``), dropping the oldest entries beyond the limit."""
        rows = list(rows)
        if self._db is None or not rows:
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT OR REPLACE INTO parsed VALUES (?, ?, ?, ?)", rows)
            self._db.execute(
                "DELETE FROM parsed WHERE rowid <= (SELECT max(rowid) FROM parsed) - ?",
                (_MAX_ENTRIES,),
            )
            self._db.execute("COMMIT")
        except sqlite3.Error as err:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            self._fail(err)

    def _fail(self, err: sqlite3.Error) -> None:
        self.problem = (
            f"解析缓存不可用，已跳过：{err}",
            f"the parse cache failed and was skipped: {err}",
        )
        if self._db is not None:
            self._db.close()
        self._db = None

    def close(self) -> None:
        """Close the database."""
        if self._db is not None:
            self._db.close()
            self._db = None


def default_folder(environ: Mapping[str, str]) -> Path:
    """``$SKILLCERT_CACHE``, else ``$XDG_CACHE_HOME/skillcert``, else ``~/.cache/skillcert``."""
    if environ.get("SKILLCERT_CACHE"):
        return Path(environ["SKILLCERT_CACHE"])
    base = environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "skillcert"
