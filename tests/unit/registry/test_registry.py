"""The registry as of a date: status, validity, scope, keys and revocations."""

from __future__ import annotations

import datetime as dt

import pytest

from credentials import Registry, load_registry
from tests.conftest import SAMPLE_REGISTRY

D = dt.date


@pytest.fixture(scope="module")
def reg() -> Registry:
    return load_registry(SAMPLE_REGISTRY)


def test_sample_registry_is_large_enough_and_varied(reg: Registry) -> None:
    assert len(reg) >= 12
    assert {i.province for i in reg.institutions.values()} == {"41", "21", "33", "32"}
    assert {i.category for i in reg.institutions.values()} == {"Y", "S"}
    types = {i.type for i in reg.institutions.values()}
    assert {"technician_college", "senior_technical_school", "technical_school"} <= types
    statuses = {i.status_on(D(2026, 11, 21)) for i in reg.institutions.values()}
    assert {"active", "suspended", "withdrawn", "expired"} <= statuses


def test_status_follows_events_and_validity(reg: Registry) -> None:
    def status(n: str, day: dt.date) -> str:
        state = reg.state(n, day)
        assert state is not None
        return state.status

    assert status("Y000041019001", D(2022, 2, 28)) == "not-filed"
    assert status("Y000041019001", D(2022, 3, 1)) == "active"
    assert status("Y000041019001", D(2025, 3, 1)) == "active"  # renewal
    assert status("Y000041010015", D(2025, 10, 14)) == "active"
    assert status("Y000041010015", D(2025, 10, 15)) == "suspended"
    assert status("Y000021011001", D(2023, 6, 1)) == "suspended"
    assert status("Y000021011001", D(2023, 9, 1)) == "active"
    assert status("Y000021011001", D(2024, 12, 20)) == "withdrawn"
    assert status("Y000033020001", D(2022, 12, 31)) == "active"
    assert status("Y000033020001", D(2023, 1, 1)) == "expired"
    assert reg.state("Y000099019001", D(2024, 1, 1)) is None


def test_scope_increment_applies_from_its_date(reg: Registry) -> None:
    n = "Y000041019001"
    assert reg.scope_row(n, "4-03-02-01", None, 3, D(2024, 5, 31)) is None
    row = reg.scope_row(n, "4-03-02-01", None, 3, D(2024, 6, 1))
    assert row is not None
    assert row.receipt == "豫人社函〔2024〕57号"
    assert reg.scope_row(n, "4-03-02-01", None, 2, D(2024, 6, 1)) is None
    # the job is part of the scope: 车工 is filed per job (普通车床 from level 5, 数控车床 from 4)
    assert reg.scope_row(n, "6-18-01-01", "普通车床", 5, D(2023, 1, 1)) is not None
    assert reg.scope_row(n, "6-18-01-01", None, 5, D(2023, 1, 1)) is None
    assert reg.scope_row(n, "6-18-01-01", "数控车床", 5, D(2023, 1, 1)) is None
    assert reg.scope_row(n, "6-18-01-01", "数控车床", 4, D(2023, 1, 1)) is not None


def test_scope_row_that_ended(reg: Registry) -> None:
    n = "Y000021014001"
    assert reg.scope_row(n, "6-18-01-01", None, 3, D(2023, 10, 31)) is not None
    assert reg.scope_row(n, "6-18-01-01", None, 3, D(2023, 11, 1)) is None
    assert reg.scope_row(n, "6-18-01-01", "数控车床", 3, D(2023, 11, 1)) is not None


def test_keys_by_id_and_window(reg: Registry) -> None:
    inst = reg.institution("Y000041019001")
    assert inst is not None
    old, new = inst.keys
    assert reg.key(old.kid) == (inst, old)
    assert old.valid_on(D(2024, 12, 31))
    assert not old.valid_on(D(2025, 1, 1))
    assert new.valid_on(D(2025, 1, 1))
    state = reg.state("Y000041019001", D(2024, 12, 31))
    assert state is not None
    assert state.keys == (old,)


def test_compromised_key_stops_on_its_date(reg: Registry) -> None:
    inst = reg.institution("Y000021011001")
    assert inst is not None
    (key,) = inst.keys
    assert key.compromised_at == D(2023, 5, 1)
    assert key.valid_on(D(2023, 4, 30))
    assert not key.valid_on(D(2023, 5, 1))


def test_revocations_as_of_a_date(reg: Registry) -> None:
    number = "Y000041019001231000007"
    assert reg.revocations(number, as_of=D(2024, 3, 14)) == ()
    (rev,) = reg.revocations(number, as_of=D(2024, 3, 15))
    assert rev.version == 1
