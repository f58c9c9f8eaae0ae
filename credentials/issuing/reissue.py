"""Re-issuing a certificate (补发): the same number with the next version, the earlier ones
superseded, recorded in the registry file and the register as one repeatable operation.

Everything happens while the register's write lock is held (``BEGIN IMMEDIATE``), so two re-issues
of one number, or a re-issue and a revocation, cannot interleave. The registry file gets its
``reissued:`` entry before the credential is signed and the register commits: a crash in between
leaves the entry in the file and no new version in the register, and running the same command
again signs that version and completes the register (the entry is not added twice).

Who signs: the institution's key valid on the day of the re-issue (the signing policy judges a
re-issue's key and institution on its recorded date), so after a key rotation the new key signs, a
compromised or retired key signs nothing, and a withdrawn institution re-issues nothing (its holders
go to the bureau, which can confirm the original from the published record). A certificate whose
earlier version was signed with a key not valid that day (compromised before it signed) is not
re-issued: a re-issue must never launder a forgery. Refused, the registry entry is taken back.

Who applies (Henan 证书管理三: 证书遗失补办的，则由考生本人提出申请，经认定中心认真核实数据库数据后，
按规定补发证书): the holder, whose ID number is checked against the register; when and why are
kept in the register, and the reason (never the person) in the registry's ``reissued`` entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from credentials.credential import commitment, policy
from credentials.credential.claims import Credential, IdType
from credentials.credential.lookup import lookup_hash
from credentials.credential.sign import sign
from credentials.errors import IssuanceRefused, RegisterError
from credentials.issuing import files
from credentials.issuing.issuer import Issuer
from credentials.issuing.register import Entry, NewCertificate, Register
from credentials.levels import Level
from credentials.numbers import parse_number
from credentials.registry import edit
from credentials.registry.registry import load_registry


def _refuse_laundering(versions: list[Entry], issuer: Issuer) -> None:
    """A re-issue must not turn a certificate that never verified into one that does: every
    earlier version's key must have been valid (not compromised, not retired) on the day it signed."""
    registry, inst = issuer.registry, issuer.institution
    for v in versions:
        day, _ = policy.signing_day(registry, v.number, v.version, v.issued)
        ruling, _entry = policy.key_valid(registry, v.kid, inst, day)
        if not ruling.holds:
            raise IssuanceRefused(
                f"{v.number} v{v.version} was signed on {day} with key {v.kid}, which was not "
                f"valid that day ({ruling.reason}); the bureau must confirm the original before a "
                "re-issue", zh=f"{v.number} 第 {v.version} 版于 {day} 由密钥 {v.kid} 签名，该密钥当日"
                f"无效（{ruling.reason}）；须由人社部门核实原证后方可补发",
            )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Request:
    """A holder's application for a re-issue (证书遗失补办：由考生本人提出申请): why, when, and the
    applicant's ID number, checked against the register (经认定中心认真核实数据库数据)."""

    reason: str
    applied: dt.date
    applicant_id_number: str


def _check_request(request: Request, last: Entry, today: dt.date) -> None:
    if not request.reason.strip():
        raise IssuanceRefused(
            "a re-issue needs the reason the holder gave (--reason)",
            zh="补发须写明原因（--reason）",
        )
    if request.applied > today:
        raise IssuanceRefused(f"the application date {request.applied} is after today",
                              zh=f"申请日期 {request.applied} 晚于今天")  # fmt: skip
    if commitment.normalise(request.applicant_id_number) != commitment.normalise(last.id_number):
        raise IssuanceRefused(
            f"{last.number}: the applicant's ID number is not the holder's: a re-issue is applied for "
            "by the holder (考生本人)",
            zh=f"{last.number}：申请人的证件号码与持证人不符；补发须由考生本人提出申请",
        )


def reissue(
    number: str,
    *,
    issuer: Issuer,
    register: Register,
    registry_dir: Path,
    out: Path,
    today: dt.date,
    request: Request | None = None,
) -> Entry:
    """补发 ``number``: sign its next version, supersede the earlier ones, record it everywhere;
    with ``request``, the holder's application is checked and recorded."""
    with register.transaction():
        versions = register.versions(number)
        if not versions:
            raise RegisterError(
                f"{number} is not in this register", zh=f"本发证名册中没有 {number}"
            )
        last = versions[-1]
        if last.status == "revoked":
            raise IssuanceRefused(
                f"{number} v{last.version} is revoked; a revoked certificate is not re-issued",
                zh=f"{number} 第 {last.version} 版已注销；已注销的证书不能补发",
            )
        if issuer.institution.filing_number != last.filing:
            raise IssuanceRefused(
                f"{number} belongs to {last.filing}, not to the key's institution",
                zh=f"{number} 属于 {last.filing}，不是该密钥所属的机构",
            )
        _refuse_laundering(versions, issuer)
        if request is not None:
            _check_request(request, last, today)
        version = last.version + 1
        id_type = IdType(last.id_type)
        credential = Credential(
            parse_number(number),
            version,
            last.holder,
            id_type,
            commitment.commit(id_type, last.id_number),
            last.occupation,
            last.job,
            Level(last.level),
            last.issued,
        )
        target = edit.institution_file(registry_dir, last.filing)
        original = target.read_bytes()
        recorded = edit.has_reissue(target, number=number, version=version)
        if not recorded:
            reason = request.reason.strip() if request else None
            edit.add_reissue(target, number=number, version=version, day=today, reason=reason)
        try:  # signed as of the re-issue the registry now records: the key valid that day
            data = sign(credential, issuer.key, registry=load_registry(registry_dir))
        except BaseException:
            if not recorded:
                edit.restore(target, original)
            raise
        for v in versions:
            if v.status == "issued":
                register.set_status(number, v.version, "superseded", on=today)
        new_id = register.add(
            NewCertificate(
                number=number,
                version=version,
                filing=last.filing,
                holder=last.holder,
                id_type=last.id_type,
                id_number=last.id_number,
                occupation=last.occupation,
                occupation_name=last.occupation_name,
                job=last.job,
                level=last.level,
                issued=last.issued,
                photo=last.photo,
                kid=issuer.key.kid,
                credential=data,
                batch_id=None,
                fingerprint=f"reissue:{number}:{version}",
                lookup=lookup_hash(number, last.id_number),
                reissue_reason=request.reason.strip() if request else None,
                reissue_applied=request.applied if request else None,
            )
        )
    (entry,) = register.by_ids([new_id])
    files.write(entry, out, issuer.context())
    return entry
