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
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from credentials.credential import commitment, policy
from credentials.credential.claims import Credential, IdType
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


def reissue(
    number: str,
    *,
    issuer: Issuer,
    register: Register,
    registry_dir: Path,
    out: Path,
    today: dt.date,
) -> Entry:
    """补发 ``number``: sign its next version, supersede the earlier ones, record it everywhere."""
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
            edit.add_reissue(target, number=number, version=version, day=today)
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
            )
        )
    (entry,) = register.by_ids([new_id])
    files.write(entry, out, issuer.context())
    return entry
