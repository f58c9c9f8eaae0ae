"""Revoking and re-issuing: one operation over the registry file and the register, safe to repeat,
recoverable after a crash between the two, and never racing."""

from __future__ import annotations

import datetime as dt

import pytest

from credentials.errors import IssuanceRefused, RegisterError
from credentials.issuing.reissue import reissue
from credentials.issuing.revoke import revoke
from credentials.registry import edit
from credentials.registry.registry import load_registry
from tests.unit.issuing.conftest import FILING, TODAY, Office


def _first(office: Office) -> str:
    return office.register.entries()[0].number


def test_revoke_is_idempotent(office: Office) -> None:
    number = _first(office)
    done = revoke(
        number,
        register=office.register,
        registry_dir=office.registry_dir,
        day=TODAY,
        reason="成绩作废",
    )
    assert not done.already
    again = revoke(
        number,
        register=office.register,
        registry_dir=office.registry_dir,
        day=TODAY,
        reason="成绩作废",
    )
    assert again.already
    revoked = load_registry(office.registry_dir).institutions[FILING].revoked
    assert [(r.number, r.version) for r in revoked if r.number == number] == [(number, 1)]


def test_revoke_rolls_back_the_registry_file_when_the_register_fails(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = _first(office)
    path = office.registry_dir / "institutions" / f"{FILING}.yaml"
    before = path.read_bytes()

    def broken(*_: object, **__: object) -> None:
        raise RegisterError("disk full", zh="磁盘已满")

    monkeypatch.setattr(office.register, "set_status", broken)
    with pytest.raises(RegisterError):
        revoke(
            number,
            register=office.register,
            registry_dir=office.registry_dir,
            day=TODAY,
            reason="x",
        )
    assert path.read_bytes() == before


def test_a_crash_between_file_and_register_is_completed_by_running_again(office: Office) -> None:
    number = _first(office)
    path = office.registry_dir / "institutions" / f"{FILING}.yaml"
    edit.add_revocation(path, number=number, version=1, day=TODAY, reason="x")  # the file only
    done = revoke(
        number, register=office.register, registry_dir=office.registry_dir, day=TODAY, reason="x"
    )
    assert not done.already
    assert office.register.versions(number)[0].status == "revoked"
    revoked = load_registry(office.registry_dir).institutions[FILING].revoked
    assert len([r for r in revoked if r.number == number]) == 1


def test_a_superseded_version_is_not_revoked(office: Office) -> None:
    number = _first(office)
    reissue(
        number,
        issuer=office.issuer(),
        register=office.register,
        registry_dir=office.registry_dir,
        out=office.out,
        today=TODAY,
    )
    with pytest.raises(IssuanceRefused, match="superseded"):
        revoke(
            number,
            register=office.register,
            registry_dir=office.registry_dir,
            day=TODAY,
            reason="x",
            version=1,
        )


def test_reissue_after_a_crash_completes_without_a_second_entry(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = _first(office)
    real_add = office.register.add

    def crash(*_: object, **__: object) -> int:
        raise RegisterError("killed", zh="中断")

    monkeypatch.setattr(office.register, "add", crash)
    with pytest.raises(RegisterError):
        reissue(
            number,
            issuer=office.issuer(),
            register=office.register,
            registry_dir=office.registry_dir,
            out=office.out,
            today=TODAY,
        )
    # the registry file has the re-issue, the register does not: running again completes it
    assert [
        r.version for r in load_registry(office.registry_dir).institutions[FILING].reissued
    ] == [2]
    monkeypatch.setattr(office.register, "add", real_add)
    entry = reissue(
        number,
        issuer=office.issuer(),
        register=office.register,
        registry_dir=office.registry_dir,
        out=office.out,
        today=TODAY,
    )
    assert entry.version == 2
    assert [
        r.version for r in load_registry(office.registry_dir).institutions[FILING].reissued
    ] == [2]
    assert [v.status for v in office.register.versions(number)] == ["superseded", "issued"]


def test_a_revoked_certificate_is_not_reissued(office: Office) -> None:
    number = _first(office)
    revoke(
        number, register=office.register, registry_dir=office.registry_dir, day=TODAY, reason="x"
    )
    with pytest.raises(IssuanceRefused, match="revoked"):
        reissue(
            number,
            issuer=office.issuer(),
            register=office.register,
            registry_dir=office.registry_dir,
            out=office.out,
            today=dt.date(2026, 11, 22),
        )
