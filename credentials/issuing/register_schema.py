"""The issuance register's tables and rows: the schema migrations, what is recorded for one signed
credential, and one certificate as the register holds it. Used by ``register`` (the only module
that touches the database)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from credentials.credential.commitment import normalise

MIGRATIONS: tuple[str, ...] = (
    # 1: the register
    """
    CREATE TABLE batches (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        source TEXT,
        source_sha256 TEXT
    );
    CREATE TABLE serials (
        filing TEXT NOT NULL,
        year INTEGER NOT NULL,
        level INTEGER NOT NULL,
        last INTEGER NOT NULL CHECK (last BETWEEN 0 AND 999999),
        PRIMARY KEY (filing, year, level)
    ) WITHOUT ROWID;
    CREATE TABLE certificates (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 1),
        filing TEXT NOT NULL,
        holder TEXT NOT NULL,
        id_type INTEGER NOT NULL,
        id_number TEXT NOT NULL,
        occupation TEXT NOT NULL,
        occupation_name TEXT NOT NULL,
        job TEXT,
        level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
        issued TEXT NOT NULL,
        photo TEXT,
        kid TEXT NOT NULL,
        credential BLOB NOT NULL,
        batch_id INTEGER REFERENCES batches (id),
        fingerprint TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'issued'
            CHECK (status IN ('issued', 'revoked', 'superseded')),
        revoked_on TEXT,
        revoke_reason TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (number, version)
    );
    CREATE INDEX certificates_fingerprint ON certificates (fingerprint);
    CREATE INDEX certificates_batch ON certificates (batch_id);
    CREATE INDEX certificates_issued ON certificates (issued);
    """,
    # 2: batches of the registry (认定批次) and the lookup hash published in records
    """
    ALTER TABLE batches ADD COLUMN registry_batch TEXT;
    ALTER TABLE certificates ADD COLUMN lookup BLOB;
    CREATE INDEX batches_registry_batch ON batches (registry_batch);
    """,
    # 3: who applied for a re-issue, when and why; the paper certificates' log
    """
    ALTER TABLE certificates ADD COLUMN reissue_reason TEXT;
    ALTER TABLE certificates ADD COLUMN reissue_applied TEXT;
    CREATE TABLE paper_log (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL,
        version INTEGER NOT NULL,
        event TEXT NOT NULL CHECK (event IN ('清点', '登记', '入库', '发放', '销毁')),
        day TEXT NOT NULL,
        by TEXT NOT NULL,
        note TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX paper_log_number ON paper_log (number, version);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True, slots=True)
class NewCertificate:
    """What is recorded for one signed credential (one version of a number)."""

    number: str
    version: int
    filing: str
    holder: str
    id_type: int
    id_number: str
    occupation: str
    occupation_name: str
    job: str | None
    level: int
    issued: dt.date
    photo: str | None
    kid: str
    credential: bytes
    batch_id: int | None
    fingerprint: str
    lookup: bytes | None = None  # credential.lookup.lookup_hash, computed off the main thread
    reissue_reason: str | None = None  # 补发: why the holder applied (遗失, 损毁 …)
    reissue_applied: dt.date | None = None  # 补发: when the holder applied


@dataclass(frozen=True, slots=True)
class Entry:
    """One certificate (one version of a number) as the register holds it."""

    id: int
    number: str
    version: int
    filing: str
    holder: str
    id_type: int
    id_number: str
    occupation: str
    occupation_name: str
    job: str | None
    level: int
    issued: dt.date
    photo: str | None
    kid: str
    credential: bytes
    batch_id: int | None
    status: str
    revoked_on: dt.date | None  # the revocation date, or when superseded, the re-issue's date
    revoke_reason: str | None
    created_at: str = ""  # when the register recorded it (a re-issue's 补发 time)
    lookup: bytes | None = None  # the published lookup hash (None until computed)
    reissue_reason: str | None = None  # 补发: why the holder applied
    reissue_applied: dt.date | None = None  # 补发: when the holder (本人) applied


COLUMNS = (
    "id, number, version, filing, holder, id_type, id_number, occupation, occupation_name, job, "
    "level, issued, photo, kid, credential, batch_id, status, revoked_on, revoke_reason, "
    "created_at, lookup, reissue_reason, reissue_applied"
)


def entry_of(row: Any) -> Entry:
    values = list(row)
    values[11] = dt.date.fromisoformat(str(values[11]))
    values[17] = dt.date.fromisoformat(str(values[17])) if values[17] else None
    values[14] = bytes(values[14])
    values[20] = bytes(values[20]) if values[20] is not None else None
    values[22] = dt.date.fromisoformat(str(values[22])) if values[22] else None
    return Entry(*values)


def fingerprint(
    filing: str, id_type: int, id_number: str, what: tuple[str, str | None, int], issued: dt.date
) -> str:
    """What makes two issuances "the same": person, (occupation, job, level) and date."""
    occupation, job, level = what
    parts = (filing, str(id_type), normalise(id_number), occupation, job or "", str(level))
    text = "|".join((*parts, issued.isoformat()))
    return hashlib.sha256(text.encode()).hexdigest()
