"""Checking a register and the files made from it, and making missing files again.

``check`` answers "can this register be trusted": SQLite's integrity check of every page; every
stored credential decodes, carries what its row says and verifies under the key the registry
lists for it (so a flipped byte is found before it is ever written out); and, when an output
folder is given, every certificate's files exist, are not empty and hold its credential.
``regenerate`` writes the files of every current certificate whose files are missing, empty,
truncated or wrong. Backups are ``Register.backup``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from credentials.issuing import files
from credentials.issuing.register import Entry, Register
from credentials.keys import VerifyKey
from credentials.registry.registry import Registry


@dataclass(slots=True)
class Findings:
    """What ``check`` found: problems (English, Chinese) and how much it looked at."""

    problems: list[tuple[str, str]] = field(default_factory=list)
    certificates: int = 0
    files_checked: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


def key_of(entry: Entry, registry: Registry) -> VerifyKey | None:
    """The public key that signed ``entry`` (by its kid), when the registry has it for the
    certificate's own institution."""
    found = registry.key(entry.kid)
    if found is None or found[0].filing_number != entry.number[:13]:
        return None
    return VerifyKey.from_bytes(found[1].public_key)


def check(register: Register, registry: Registry, *, out: Path | None = None) -> Findings:
    """Every problem of the register, its credentials and (with ``out``) their files."""
    result = Findings()
    pages = register.integrity()
    if pages != ["ok"]:
        result.problems += [(f"database: {p}", f"数据库：{p}") for p in pages[:20]]
    for entry in register.entries():
        result.certificates += 1
        name = f"{entry.number} v{entry.version}"
        key = key_of(entry, registry)
        if key is None:
            result.problems.append((f"{name}: its key {entry.kid} is not in the registry",
                                    f"{name}：其签名密钥 {entry.kid} 不在目录中"))  # fmt: skip
        elif not files.matches(entry, key):
            result.problems.append((f"{name}: the stored credential is damaged or does not match "
                                    "its row", f"{name}：名册中保存的证书数据已损坏或与记录不符"))  # fmt: skip
        if out is not None and entry.status == "issued":
            result.files_checked += 1
            if files.foreign(entry, out):
                result.problems.append((f"{name}: {files.paths(entry, out)[0]} holds another "
                                        "credential (from another register?)",
                                        f"{name}：{files.paths(entry, out)[0]} 中是另一份证书（来自另一个发证名册？）"))  # fmt: skip
            elif files.missing(entry, out):
                result.problems.append((f"{name}: its files in {out} are missing, empty or wrong "
                                        "(skillcert register regenerate)",
                                        f"{name}：{out} 中的文件缺失、为空或不符（可用 skillcert register regenerate 补写）"))  # fmt: skip
    return result


def regenerate(register: Register, registry: Registry, out: Path, ctx: files.Context) -> int:
    """Write again the files of every current certificate whose files are missing or wrong;
    returns how many. A certificate whose stored credential does not verify is not written."""
    written = 0
    for entry in register.entries():
        if entry.status != "issued" or not files.missing(entry, out):
            continue
        key = key_of(entry, registry)
        if key is None or not files.matches(entry, key):
            continue  # ``check`` names it; a damaged credential is never written out
        if files.foreign(entry, out):
            continue  # another credential's file: ``check`` names it, nothing overwrites it
        files.write(entry, out, ctx)
        written += 1
    return written
