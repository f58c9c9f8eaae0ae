"""Revoking a certificate (注销): in the institution's registry file and in the register, as one
operation that is safe to repeat.

The registry file is edited first (that is what verifiers see, once the bureau merges it), then the
register is marked in one transaction; if marking the register fails, the file edit is rolled back.
A crash between the two leaves the file revoked and the register not: running the same command again
finds the revocation in the file and completes the register. Revoking what is already revoked
changes nothing and says so.

Without a version, a revocation covers **every version** of the number (the file's entry has no
``version``): a revoked number re-signed as version 2 or 999 is revoked too. Naming a version
revokes that version only, and a superseded version is never named (the latest is what counts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from credentials.errors import CredentialsError, IssuanceRefused, RegisterError
from credentials.issuing.register import Register
from credentials.registry import edit


@dataclass(frozen=True, slots=True)
class Revoked:
    """What ``revoke`` did."""

    number: str
    version: int | None  # None: every version
    day: dt.date
    file: Path
    already: bool  # nothing changed: it was revoked before


def revoke(
    number: str,
    *,
    register: Register,
    registry_dir: Path,
    day: dt.date,
    reason: str,
    version: int | None = None,
) -> Revoked:
    """Revoke ``version`` of ``number`` (every version when None) in the registry file and the
    register (where the current version is marked revoked)."""
    with register.transaction():  # the write lock: no re-issue or other revocation interleaves
        return _revoke(number, register=register, registry_dir=registry_dir, day=day,
                       reason=reason, version=version)  # fmt: skip


def _revoke(
    number: str, *, register: Register, registry_dir: Path, day: dt.date, reason: str,
    version: int | None,
) -> Revoked:  # fmt: skip
    versions = register.versions(number)
    if not versions:
        raise RegisterError(f"{number} is not in this register", zh=f"本发证名册中没有 {number}")
    entry = (
        versions[-1]
        if version is None
        else next((v for v in versions if v.version == version), None)
    )
    if version is None:  # the current version stands for the number; superseded ones stay so
        entry = next((v for v in reversed(versions) if v.status != "superseded"), versions[-1])
    if entry is None:
        raise RegisterError(
            f"{number} has no version {version}", zh=f"{number} 没有第 {version} 版"
        )
    if entry.status == "superseded":
        raise IssuanceRefused(
            f"{number} v{entry.version} is superseded by a re-issue; revoke the latest version",
            zh=f"{number} 第 {entry.version} 版已被补发的新版本取代；请注销最新版本",
        )
    if not reason.strip():
        raise CredentialsError("a revocation needs a reason", zh="注销必须写明原因")
    target = edit.institution_file(registry_dir, entry.filing)
    original = target.read_bytes()
    in_file = edit.has_revocation(target, number=number, version=version)
    if entry.status == "revoked" and in_file:
        return Revoked(number, version, entry.revoked_on or day, target, already=True)
    if not in_file:
        edit.add_revocation(target, number=number, version=version, day=day, reason=reason)
    try:
        register.set_status(number, entry.version, "revoked", on=day, reason=reason)
    except BaseException:
        if not in_file:
            edit.restore(target, original)
        raise
    return Revoked(number, version, day, target, already=False)
