"""Revoking and re-issuing: one operation over the registry file and the register, safe to repeat,
recoverable after a crash between the two, and never racing."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from credentials.credential.verify import check
from credentials.errors import IssuanceRefused, RegisterError
from credentials.issuing.issuer import Issuer
from credentials.issuing.register import Register
from credentials.issuing.reissue import reissue
from credentials.issuing.revoke import revoke
from credentials.keys import SigningKey
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
    assert [(r.number, r.version) for r in revoked if r.number == number] == [(number, None)]


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
    edit.add_revocation(path, number=number, version=None, day=TODAY, reason="x")  # the file only
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


def _rotate(office: Office, day: dt.date) -> SigningKey:
    """A new key from ``day``; the old one retired the day before."""
    path = office.registry_dir / "institutions" / f"{FILING}.yaml"
    new = SigningKey.generate()
    edit.add_key(path, kid=new.kid, public_key=new.public_key.raw, not_before=day)
    edit.set_key_date(path, kid=office.key.kid, field="not_after", day=day - dt.timedelta(days=1))
    return new


def test_after_a_rotation_the_new_key_signs_the_reissue(office: Office) -> None:
    number = _first(office)
    new = _rotate(office, dt.date(2026, 11, 22))
    later = dt.date(2026, 11, 23)
    with pytest.raises(IssuanceRefused):  # the retired key signs nothing new
        reissue(number, issuer=office.issuer(), register=office.register,
                registry_dir=office.registry_dir, out=office.out, today=later)  # fmt: skip
    assert not load_registry(office.registry_dir).institutions[FILING].reissued  # taken back
    issuer = Issuer.of(new, load_registry(office.registry_dir))
    entry = reissue(number, issuer=issuer, register=office.register,
                    registry_dir=office.registry_dir, out=office.out, today=later)  # fmt: skip
    assert entry.version == 2
    assert entry.kid == new.kid
    report = check(entry.credential, load_registry(office.registry_dir), at=later)
    assert report.failed == ()  # genuine, once its re-issue record is published:
    assert [c.reason for c in report.checks if c.status == "pending"] == ["not-yet-published"]


def test_a_reissue_never_launders_a_certificate_signed_with_a_compromised_key(
    office: Office,
) -> None:
    number = _first(office)
    new = _rotate(office, dt.date(2026, 11, 22))
    path = office.registry_dir / "institutions" / f"{FILING}.yaml"
    # the old key was stolen before the certificate was signed
    edit.set_key_date(path, kid=office.key.kid, field="compromised_at", day=dt.date(2025, 1, 1))
    issuer = Issuer.of(new, load_registry(office.registry_dir))
    with pytest.raises(IssuanceRefused, match="compromised"):
        reissue(number, issuer=issuer, register=office.register,
                registry_dir=office.registry_dir, out=office.out, today=dt.date(2026, 11, 23))  # fmt: skip
    assert [v.status for v in office.register.versions(number)] == ["issued"]


def test_concurrent_reissue_and_revoke_never_interleave(office: Office, tmp_path: Path) -> None:
    """Two re-issues and a revocation of one number from three connections at once: every one
    either completes or is refused cleanly, and the register and the registry file agree."""
    number = _first(office)
    path = office.register.path
    errors: list[BaseException] = []

    def run(task: str) -> None:
        reg = Register(path, now=lambda: dt.datetime(2026, 11, 21, 9), create=False)  # noqa: DTZ001
        try:
            if task == "revoke":
                revoke(
                    number, register=reg, registry_dir=office.registry_dir, day=TODAY, reason="x"
                )
            else:
                reissue(number, issuer=office.issuer(), register=reg,
                        registry_dir=office.registry_dir, out=tmp_path / task, today=TODAY)  # fmt: skip
        except IssuanceRefused:
            pass  # a revoked certificate is not re-issued: a clean refusal
        except BaseException as err:
            errors.append(err)
        finally:
            reg.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in ("a", "revoke", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    inst = load_registry(office.registry_dir).institutions[FILING]
    versions = office.register.versions(number)
    assert [r.version for r in inst.reissued if r.number == number] == [
        v.version for v in versions[1:]
    ]
    revoked = [(r.number, r.version) for r in inst.revoked if r.number == number]
    assert revoked == [(number, None)]  # every version of the number
    assert [v.status for v in versions][-1] == "revoked"
    assert [v.status for v in versions[:-1]] == ["superseded"] * (len(versions) - 1)


def test_a_withdrawn_institution_re_issues_nothing(office: Office) -> None:
    """Who re-issues for a withdrawn institution? Not the institution: a re-issue is judged on its
    own day (checks 5 and 6), and the holder's certificate stays confirmable from the published
    record (the lookup); the seeds give re-issuing to the 认定中心 that issued (Henan 证书管理三)."""
    number = _first(office)
    path = office.registry_dir / "institutions" / f"{FILING}.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("    reason: 备案通过\n", "    reason: 备案通过\n  - date: 2026-11-01\n"
                                 "    status: withdrawn\n    reason: 撤销备案\n", 1), "utf-8")  # fmt: skip
    with pytest.raises(IssuanceRefused):
        reissue(number, issuer=office.issuer(), register=office.register,
                registry_dir=office.registry_dir, out=office.out, today=TODAY)  # fmt: skip
    assert path.read_text("utf-8").count("reissued") == text.count("reissued")  # taken back
