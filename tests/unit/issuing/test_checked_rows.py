"""Rows checked once: ``roster_rows`` checks every row, ``issue_rows`` then checks them against
the register only, and checks anything else (other options, a slice) in full."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from credentials.errors import RosterError
from credentials.issuing.issue import CheckedRows, issue_rows, roster_rows
from credentials.issuing.issuer import Options
from credentials.issuing.roster import parse, read_table
from tests.conftest import ROOT
from tests.unit.issuing.conftest import FILING, TODAY, Office

ROSTER = ROOT / "samples" / f"roster-{FILING}.csv"


def test_rows_checked_for_other_options_are_checked_again_in_full(office: Office) -> None:
    issuer = office.issuer()
    table = read_table(ROSTER)
    rows = roster_rows(
        table, issuer, None, Options(out=office.out, today=TODAY), photos=ROSTER.parent
    )
    earlier = Options(out=office.out, today=dt.date(2026, 10, 19))  # before the issue dates
    with pytest.raises(RosterError) as refused:
        issue_rows(rows, issuer, office.register, earlier)
    assert any(p.column == "发证日期" and "future" in p.message for p in refused.value.problems)
    with pytest.raises(RosterError):  # a slice is a plain tuple: checked in full
        issue_rows(rows[3:], issuer, office.register, earlier)

    assert len(office.register.entries()) == 3


def test_rows_checked_before_the_register_existed_are_checked_against_it(office: Office) -> None:
    issuer = office.issuer()
    options = Options(out=office.out, today=TODAY)
    rows = roster_rows(read_table(ROSTER), issuer, None, options, photos=ROSTER.parent)
    assert isinstance(rows, CheckedRows)
    assert rows.fits(issuer, options)
    office.register.db.execute("UPDATE serials SET last = 999999")  # used up
    with pytest.raises(RosterError) as refused:
        issue_rows(rows, issuer, office.register, options)
    assert any("serials are left" in p.message for p in refused.value.problems)
    assert len(office.register.entries()) == 3


def test_commitments_made_while_the_rows_are_checked_are_the_ones_issued(office: Office) -> None:
    """The ID commitments computed while ``roster_rows`` checks the rows (other cores) go into
    the credentials ``issue_rows`` signs; none is computed twice, and no thread is left running
    (the file renderer forks its workers after)."""
    from credentials import cose
    from credentials.credential import commitment
    from credentials.credential.claims import Credential
    from credentials.issuing import issue

    before = threading.active_count()
    parsed, _ = parse(read_table(ROSTER), photos=ROSTER.parent)
    _, made = issue._committing_while(parsed, lambda: time.sleep(0.5))
    assert threading.active_count() == before
    assert sorted(made) == list(range(len(parsed)))  # 25 Argon2id hashes: well within 0.5 s
    assert all(commitment.matches(made[i], r.id_type, r.id_number) for i, r in enumerate(parsed))

    issuer = office.issuer()
    options = Options(out=office.out, today=TODAY, write_files=False)
    rows = roster_rows(read_table(ROSTER), issuer, office.register, options, photos=ROSTER.parent)
    assert threading.active_count() == before
    rows.commitments = {i: commitment.commit(r.id_type, r.id_number, salt=bytes([i]) * 12)
                        for i, r in enumerate(rows)}  # fmt: skip
    result = issue_rows(rows, issuer, office.register, options)
    assert result.issued
    for entry in result.issued:
        cred = Credential.from_claims(cose.decode(cose.parse_sign1(entry.credential).payload))
        mine = {rows.commitments[i] for i, r in enumerate(rows) if r.id_number == entry.id_number}
        assert cred.id_commitment in mine
