"""The registry as a whole: loading it, and answering questions about it as of a date.

``Registry.load(path)`` reads a registry directory (the only place this module touches files),
validates it and raises ``RegistryError`` with every problem when it has errors. A loaded ``Registry``
is indexed by filing number and key id; every question takes the date as an argument.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from credentials.errors import RegistryError, UnreadableInput
from credentials.registry import git
from credentials.registry.batches import Batch, NoticeRow
from credentials.registry.model import (
    Bureau,
    Institution,
    KeyEntry,
    Occupation,
    Reissue,
    Revocation,
    ScopeRow,
)
from credentials.registry.records import IssuanceRecord, Records, RecordSource
from credentials.registry.validate.check import ValidationResult, check_files
from credentials.registry.validate.parse_cache import ParseCache


def _raise(err: OSError) -> None:
    raise err


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` as ``{relative posix path: bytes}`` (hidden directories skipped)."""
    if not root.is_dir():
        raise UnreadableInput(
            f"registry directory {root} does not exist (use --registry DIR)",
            zh=f"评价机构目录 {root} 不存在（用 --registry 指定）",
        )
    files: dict[str, bytes] = {}
    base = str(root)
    try:
        for folder, dirs, names in os.walk(base, onerror=_raise):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # not followed: symlinks
            rel_folder = os.path.relpath(folder, base).replace(os.sep, "/")
            prefix = "" if rel_folder == "." else rel_folder + "/"
            for name in names:
                if name.startswith(".") and name != ".gitkeep":
                    continue
                path = os.path.join(folder, name)
                if os.path.isfile(path):
                    with open(path, "rb") as f:
                        files[prefix + name] = f.read()
    except OSError as err:
        raise RegistryError(
            (), en=f"cannot read the registry: {err}", zh=f"无法读取评价机构目录：{err.filename}"
        ) from err
    return files


def display_prefix(root: Path) -> str:
    """How file names of ``root`` are shown: relative to the working directory when inside it."""
    try:
        shown = root.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        shown = root.as_posix()
    return "" if shown in ("", ".") else shown.rstrip("/") + "/"


def check_registry(
    root: Path, *, keep_institutions: bool = True, cache: ParseCache | None = None
) -> ValidationResult:
    """Validate the registry directory ``root``; never raises for bad data.

    ``keep_institutions=False`` when only the findings matter (faster on large registries);
    ``cache`` keeps parses between runs (unchanged files are not parsed again).
    """
    files = read_tree(root)
    return check_files(
        files, prefix=display_prefix(root), keep_institutions=keep_institutions, cache=cache
    )


@dataclass(frozen=True, slots=True)
class InstitutionState:
    """An institution as it stood on one day."""

    institution: Institution
    day: dt.date
    status: str
    scope: tuple[ScopeRow, ...]
    keys: tuple[KeyEntry, ...]

    @property
    def active(self) -> bool:
        """Filed, inside a validity period, and neither suspended nor withdrawn."""
        return self.status == "active"


@dataclass(frozen=True, slots=True)
class RecordPolicy:
    """From when credentials must be in a published record, and how long publishing may take."""

    required_from: dt.date | None = None
    grace_days: int = 30

    @classmethod
    def of(cls, bureau: Bureau | None) -> RecordPolicy:
        """The bureau's policy (none: records are not required)."""
        if bureau is None:
            return cls()
        return cls(bureau.records_required_from, bureau.record_grace_days)


class Registry:
    """A validated registry, indexed for lookups by filing number, key id and certificate number."""

    __slots__ = ("_by_kid", "_reissued", "_revoked", "batches", "bureau", "institutions",
                 "notices", "occupations", "record_policy", "records")  # fmt: skip

    def __init__(
        self,
        institutions: Mapping[str, Institution],
        bureau: Bureau | None,
        occupations: Mapping[str, Occupation],
        *,
        batches: Mapping[str, Batch] | None = None,
        notices: Mapping[str, tuple[NoticeRow, ...]] | None = None,
        records: RecordSource | None = None,
        record_policy: RecordPolicy | None = None,
    ) -> None:
        self.institutions = dict(institutions)
        self.bureau = bureau
        self.occupations = dict(occupations)
        self.batches = dict(batches or {})
        self.notices = dict(notices or {})  # open notice lists, by batch key
        self.records: RecordSource = records if records is not None else Records()
        self.record_policy = record_policy if record_policy is not None else RecordPolicy.of(bureau)
        self._by_kid: dict[str, tuple[Institution, KeyEntry]] = {}
        self._revoked: dict[str, list[Revocation]] = {}
        self._reissued: dict[str, list[Reissue]] = {}
        for inst in self.institutions.values():
            for key in inst.keys:
                self._by_kid.setdefault(key.kid, (inst, key))
            for rev in inst.revoked:
                self._revoked.setdefault(rev.number, []).append(rev)
            for re_ in inst.reissued:
                self._reissued.setdefault(re_.number, []).append(re_)

    @classmethod
    def from_check(
        cls, result: ValidationResult, *, merged: Mapping[str, dt.date] | None = None
    ) -> Registry:
        """The registry of a check that found no error; raises ``RegistryError`` otherwise.
        ``merged`` dates records by the day git merged them (by file name as the check shows it)."""
        if not result.ok:
            raise RegistryError(tuple(result.findings))
        return cls.of(result, merged=merged)

    @classmethod
    def of(
        cls, result: ValidationResult, *, merged: Mapping[str, dt.date] | None = None
    ) -> Registry:
        """The registry of whatever a check could build (errors or not)."""
        records = [_dated(r, merged) for r in result.records]
        return cls(result.institutions, result.bureau, result.occupations, batches=result.batches,
                   notices=result.notices, records=Records(records))  # fmt: skip

    @classmethod
    def load(cls, path: Path | str, *, git_dates: bool = False) -> Registry:
        """Read and validate a registry directory (the only place a registry is read from disk).
        With ``git_dates``, records are dated by the later of the date they carry and the day git
        merged them (what the bureau's site build and the command line do in a checkout)."""
        root = Path(path)
        result = check_registry(root)
        merged = merge_dates(root, result) if git_dates else None
        return cls.from_check(result, merged=merged)

    def __len__(self) -> int:
        return len(self.institutions)

    def institution(self, filing_number: str) -> Institution | None:
        """The institution with this filing number."""
        return self.institutions.get(filing_number)

    def find(self, filing_number: str) -> Institution:
        """The institution with this filing number (as typed: spaces and case forgiven), or
        ``RegistryError`` saying there is none."""
        wanted = "".join(filing_number.split()).upper()
        inst = self.institutions.get(wanted)
        if inst is None:
            raise RegistryError(
                (),
                en=f"no institution with filing number {wanted[:40]} in the registry",
                zh=f"目录中没有备案号为 {wanted[:40]} 的机构",
            )
        return inst

    def state(self, filing_number: str, day: dt.date) -> InstitutionState | None:
        """The institution as it stood on ``day`` (None when no such filing number)."""
        inst = self.institutions.get(filing_number)
        if inst is None:
            return None
        return InstitutionState(
            inst, day, inst.status_on(day), inst.scope_on(day), inst.keys_on(day)
        )

    def key(self, kid: str) -> tuple[Institution, KeyEntry] | None:
        """The institution and key entry with this key id."""
        return self._by_kid.get(kid)

    def scope_row(
        self, filing_number: str, occupation: str, job: str | None, level: int, day: dt.date
    ) -> ScopeRow | None:
        """The scope row that allows this occupation, job and level on ``day``, if any."""
        inst = self.institutions.get(filing_number)
        if inst is None:
            return None
        return next((r for r in inst.scope if r.covers(occupation, job, level, day)), None)

    def revocations(self, number: str, *, as_of: dt.date) -> tuple[Revocation, ...]:
        """Revocations of a certificate number recorded on or before ``as_of``."""
        return tuple(r for r in self._revoked.get(number, ()) if r.date <= as_of)

    def reissue_of(self, number: str, version: int) -> Reissue | None:
        """The recorded re-issue that made ``version`` of ``number`` (None when none is)."""
        return next((r for r in self._reissued.get(number, ()) if r.version == version), None)

    def superseded_by(self, number: str, version: int, *, as_of: dt.date) -> Reissue | None:
        """The latest re-issue of ``number`` with a higher version, recorded by ``as_of``."""
        later = [
            r for r in self._reissued.get(number, ()) if r.version > version and r.date <= as_of
        ]
        return max(later, key=lambda r: r.version) if later else None


def _dated(record: IssuanceRecord, merged: Mapping[str, dt.date] | None) -> IssuanceRecord:
    day = (merged or {}).get(record.file)
    return record.dated(day) if day is not None else record


def merge_dates(root: Path, result: ValidationResult) -> dict[str, dt.date]:
    """The day git first had each record file (on the first-parent line of HEAD: the bureau's
    merge), by the file name the check shows; empty outside a git checkout."""
    if not result.records:
        return {}
    prefix = display_prefix(root)
    added = git.added_dates(root, "batches")
    return {prefix + rel: day for rel, day in added.items()}


def load_registry(path: Path | str, *, git_dates: bool = False) -> Registry:
    """Read and validate a registry directory (``Registry.load``)."""
    return Registry.load(path, git_dates=git_dates)
