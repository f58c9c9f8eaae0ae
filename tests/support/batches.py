"""Approved batches for tests that issue: what ``skillcert batch new`` and ``batch approve`` do,
through the library, so that a test about issuing can issue its roster."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from credentials.errors import CredentialsError
from credentials.issuing.batch import Contact, propose
from credentials.issuing.issuer import Issuer
from credentials.issuing.preflight import validate
from credentials.issuing.roster import parse, read_table, roster_digest
from credentials.keys import SigningKey, load_signing_key
from credentials.registry import decide, workdays


def approved_batch(
    registry_dir: Path, table: list[list[str]] | Path, key: SigningKey | Path
) -> str | None:
    """The key of an approved batch for the roster ``table`` (a file or its cells): an existing
    one of the same roster, or one proposed on 5 January of its issue year and approved after its
    notice. None when the roster has problems a batch would not be proposed with (the issue then
    reports them)."""
    try:
        cells = read_table(table) if isinstance(table, Path) else table
    except CredentialsError:
        return None  # a damaged roster: the issue reports it
    signing = load_signing_key(key, passphrase=None) if isinstance(key, Path) else key
    rows, problems = parse(cells)
    if problems or not rows:
        return None
    try:
        issuer, _ = Issuer.load(signing, registry_dir)
    except CredentialsError:
        return None  # the registry has errors of this institution: the issue reports them
    if validate(rows, issuer, today=dt.date.max, institution=issuer.institution.filing_number):
        return None
    digest = roster_digest(rows)
    for batch in issuer.registry.batches.values():
        if batch.institution == issuer.institution.filing_number and batch.roster == digest:
            return batch.key
    year = min(r.issued for r in rows).year
    filed = dt.date(year, 1, 5)
    start = workdays.after(filed, 1)
    proposed = propose(
        rows, issuer, registry_dir, filed=filed, assessed=(filed, filed), notice_from=start,
        contact=Contact("测试员", "010-5550 0000"),
    )  # fmt: skip
    decide.approve(registry_dir, proposed.key, day=proposed.notice_until + dt.timedelta(days=1))
    return proposed.key
