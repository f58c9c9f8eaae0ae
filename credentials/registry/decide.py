"""The bureau's decision on a batch: approve (allocating serials where it numbers) or reject.

``approve`` and ``reject`` edit one batch file in the bureau's registry checkout; the pull request
that carries the edit is the review. They read only what the decision needs (the bureau's rules,
the institution's file and its own batches), so a decision on a registry of 20,000 institutions
and 200,000 batches takes well under a second. Decided: the notice list (personal data, for the
notice period only) is deleted. The result is checked again before it is kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from credentials.errors import RegistryError
from credentials.registry import edit
from credentials.registry.batches import BATCHES_DIR, Batch, SerialRange, allocate, parse_key
from credentials.registry.registry import read_tree
from credentials.registry.validate.check import (
    BUREAU_FILE,
    INSTITUTIONS_DIR,
    OCCUPATIONS_FILE,
    SEALS_DIR,
    ValidationResult,
    check_files,
)


@dataclass(frozen=True, slots=True)
class Decided:
    """What a decision wrote."""

    batch: Batch
    status: str
    serials: tuple[SerialRange, ...]
    file: Path
    notice_removed: bool


def institution_view(registry_dir: Path, filing: str) -> ValidationResult:
    """The bureau's rules, the reference data, one institution's file, its seal and its batches,
    checked together (what any decision or batch command of that institution needs)."""
    files: dict[str, bytes] = {}
    for rel in (BUREAU_FILE, OCCUPATIONS_FILE, f"{INSTITUTIONS_DIR}/{filing}.yaml",
                f"{SEALS_DIR}/{filing}.png"):  # fmt: skip
        path = registry_dir / rel
        if path.is_file():
            files[rel] = path.read_bytes()
    folder = registry_dir / BATCHES_DIR / filing
    if folder.is_dir():
        files.update({f"{BATCHES_DIR}/{filing}/{k}": v for k, v in read_tree(folder).items()})
    return check_files(files, prefix=f"{registry_dir.as_posix().rstrip('/')}/")


def _ready(registry_dir: Path, key: str, day: dt.date) -> tuple[Batch, ValidationResult, str]:
    filing, batch_id = parse_key(key)
    view = institution_view(registry_dir, filing)
    errors = [f for f in view.findings if f.severity == "error"]
    if errors:
        raise RegistryError(errors)
    batch = view.batches.get(f"{filing}/{batch_id}")
    if batch is None:
        raise RegistryError(
            (),
            en=f"there is no batch {filing}/{batch_id} in {registry_dir}",
            zh=f"{registry_dir} 中没有批次 {filing}/{batch_id}",
        )
    if batch.decision is not None:
        raise RegistryError(
            (),
            en=f"batch {batch.key} was {batch.decision.status} on {batch.decision.date}",
            zh=f"批次 {batch.key} 已于 {batch.decision.date} 作出决定（{batch.decision.status}）",
        )
    if day <= batch.notice.until:
        raise RegistryError(
            (),
            en=f"batch {batch.key} is under notice until {batch.notice.until}: it is decided "
            "after the notice ends",
            zh=f"批次 {batch.key} 公示至 {batch.notice.until}，公示期满后才能作出决定",
        )
    inst = view.institutions[filing]
    province = view.bureau.provinces.get(inst.province) if view.bureau else None
    return batch, view, province.numbering if province else "institution"


def _write(
    registry_dir: Path, batch: Batch, decision: dict[str, object]
) -> tuple[Path, bool]:  # fmt: skip
    path = registry_dir / BATCHES_DIR / batch.institution / f"{batch.id}.yaml"
    original = path.read_bytes()
    notice = path.with_name(f"{batch.id}.notice.yaml")
    notice_bytes = notice.read_bytes() if notice.exists() else None
    edit.set_decision(path, decision)
    removed = edit.remove(notice)
    after = institution_view(registry_dir, batch.institution)
    errors = [f for f in after.findings if f.severity == "error"]
    if errors:
        edit.restore(path, original)
        if notice_bytes is not None:
            edit.restore(notice, notice_bytes)
        raise RegistryError(errors)
    return path, removed


def approve(registry_dir: Path, key: str, *, day: dt.date, by: str | None = None) -> Decided:
    """Approve a batch whose notice is over; where the bureau numbers, allocate its serials after
    every range approved before for the institution and year."""
    batch, view, numbering = _ready(registry_dir, key, day)
    serials = allocate(batch, view.batches.values()) if numbering == "bureau" else ()
    decision: dict[str, object] = {
        "status": "approved",
        "date": day,
        "by": by or (view.bureau.name if view.bureau else "主管部门"),
    }
    if serials:
        decision["serials"] = [
            {"level": r.level, "first": r.first, "last": r.last} for r in serials
        ]
    path, removed = _write(registry_dir, batch, decision)
    return Decided(batch, "approved", serials, path, removed)


def reject(
    registry_dir: Path, key: str, *, day: dt.date, reason: str, by: str | None = None
) -> Decided:
    """Reject (驳回) a batch whose notice is over: it is void and no number is ever generated."""
    if not reason.strip():
        raise RegistryError(
            (), en="a rejection needs a reason (--reason)", zh="驳回必须写明理由（--reason）"
        )
    batch, view, _ = _ready(registry_dir, key, day)
    decision: dict[str, object] = {
        "status": "rejected",
        "date": day,
        "by": by or (view.bureau.name if view.bureau else "主管部门"),
        "reason": reason.strip(),
    }
    path, removed = _write(registry_dir, batch, decision)
    return Decided(batch, "rejected", (), path, removed)
