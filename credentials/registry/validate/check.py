"""Validating a whole registry: every file parsed, schema-checked and rule-checked, every problem kept.

``check_files`` takes the registry's files as bytes (from a directory or a git revision) and returns
a ``ValidationResult``: all findings and the model of every file that could be built. Institution files
are checked in parallel on all cores when there are many. Reading files is the caller's job.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from credentials.registry.batches import Batch, NoticeRow
from credentials.registry.model import Bureau, Institution, Occupation
from credentials.registry.records import IssuanceRecord
from credentials.registry.validate import (
    batch_rules,
    crossfile_rules,
    file_rules,
    parse_cache,
    schemas,
    secret_scan,
    text_rules,
    yamldoc,
)
from credentials.registry.validate.findings import Finding, count
from credentials.registry.validate.messages import finding

BUREAU_FILE = "bureau.yaml"
OCCUPATIONS_FILE = "occupations.yaml"
INSTITUTIONS_DIR = "institutions"
SEALS_DIR = "seals"
_SEAL_MAX_BYTES = 512 * 1024
_INSTITUTIONS = INSTITUTIONS_DIR + "/"
_IGNORED = {"README.md", ".gitkeep", ".gitattributes"}
_PARALLEL_FROM = 400
# files that hold holders' personal data: never in the registry, never in a published site
PERSONAL_DATA = (".sqlite", ".sqlite-wal", ".sqlite-shm", ".db", ".cose", ".csv", ".xlsx", ".xls",
                 ".xlsm", ".pdf", ".key")  # fmt: skip


@dataclass(slots=True)
class ValidationResult:
    """What a check found, and what it could build."""

    findings: list[Finding]
    institutions: dict[str, Institution] = field(default_factory=dict)
    bureau: Bureau | None = None
    occupations: dict[str, Occupation] = field(default_factory=dict)
    batches: dict[str, Batch] = field(default_factory=dict)  # by "<filing>/<id>"
    records: list[IssuanceRecord] = field(default_factory=list)
    notices: dict[str, tuple[NoticeRow, ...]] = field(default_factory=dict)  # batch key -> rows
    files: int = 0
    valid_institutions: int = 0

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return count(self.findings)[0] == 0


def classify(rel: str) -> str:
    """``bureau``, ``occupations``, ``institution``, ``batch``, ``notice``, ``record``,
    ``ignored`` or ``unexpected``."""
    if rel.startswith(_INSTITUTIONS) and rel.endswith(".yaml") and rel.count("/") == 1:
        return "institution"  # the common case, without building a path
    p = PurePosixPath(rel)
    if rel == BUREAU_FILE:
        return "bureau"
    if rel == OCCUPATIONS_FILE:
        return "occupations"
    if len(p.parts) == 2 and p.parts[0] == INSTITUTIONS_DIR and p.suffix == ".yaml":
        return "institution"
    in_batches = batch_rules.kind_of(rel)
    if in_batches is not None:
        return in_batches
    if (
        len(p.parts) == 2
        and p.parts[0] == SEALS_DIR
        and re.fullmatch(r"[YS][0-9]{12}\.png", p.name)
    ):
        return "seal"
    if p.name in _IGNORED:
        return "ignored"
    return "unexpected"


@dataclass(slots=True)
class Reading:
    """Cached parses for a run (looked up at once) and the new ones to keep."""

    entries: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    new: list[tuple[str, str, str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, cache: parse_cache.ParseCache | None, raws: Iterable[bytes]) -> Reading | None:
        """The entries ``cache`` holds for ``raws`` (None without a cache)."""
        if cache is None:
            return None
        return cls(cache.lookup(parse_cache.blob_id(raw) for raw in raws))


def load_context(
    files: Mapping[str, bytes], prefix: str, reading: Reading | None = None
) -> tuple[Bureau | None, dict[str, Occupation], list[Finding]]:
    """Parse and check the bureau file and the occupation reference data."""
    out: list[Finding] = []
    bureau = None
    occupations: dict[str, Occupation] = {}
    for rel, kind in ((BUREAU_FILE, "bureau"), (OCCUPATIONS_FILE, "occupations")):
        name = prefix + rel
        raw = files.get(rel)
        if raw is None:
            out.append(finding("file-missing", name, (1, 1), what=rel))
            continue
        doc, problems = _parse(raw, name, reading)
        out += problems
        if doc is None:
            continue
        schema_problems = schemas.validate(doc, kind)  # type: ignore[arg-type]
        out += schema_problems
        if schema_problems or problems:
            continue
        out += text_rules.check(doc)
        if kind == "bureau":
            bureau = Bureau.from_data(doc.data)
            out += file_rules.check_bureau(doc, bureau)
        else:
            occupations, dupes = file_rules.check_occupations(doc)
            out += dupes
    return bureau, occupations, out


def load_bureau(raw: bytes | None) -> Bureau | None:
    """The bureau's rules from ``bureau.yaml``, or None when it is missing or has errors."""
    if raw is None:
        return None
    doc, problems = yamldoc.parse(raw, BUREAU_FILE)
    if doc is None or problems or schemas.validate(doc, "bureau"):
        return None
    return Bureau.from_data(doc.data)


def _parse(
    raw: bytes, name: str, reading: Reading | None = None
) -> tuple[yamldoc.Document | None, list[Finding]]:
    """Parse one file (or take its parse from the cache) and scan it for private keys."""
    key = parse_cache.blob_id(raw) if reading is not None else None
    if reading is not None and key is not None:
        cached = parse_cache.decode(raw, reading.entries.get(key))
        if cached is not None:
            problems = cached.findings_for(name)
            if not cached.parsed:
                return None, problems
            text = raw.decode("utf-8-sig")  # it decoded when it was parsed
            return yamldoc.Document(name, cached.data, text, cached.lines), problems
    doc, problems = yamldoc.parse(raw, name)
    text = raw.decode("utf-8", errors="replace")
    problems = secret_scan.scan(text, name) + problems
    if reading is not None:
        reading.new.append(parse_cache.encode(raw, parse_cache.Parsed.of(doc, problems), key))
    return doc, problems


def check_institution_file(
    raw: bytes,
    name: str,
    bureau: Bureau | None,
    occupations: dict[str, Occupation],
    reading: Reading | None = None,
) -> tuple[Institution | None, list[Finding]]:
    """Parse, schema-check and rule-check one institution file."""
    doc, problems = _parse(raw, name, reading)
    if doc is None:
        return None, problems
    schema_problems = schemas.validate(doc, "institution")
    if schema_problems:
        return None, problems + schema_problems
    lines = doc.item_lines(("scope", "status", "keys", "revoked", "reissued"))
    inst = Institution.from_data(doc.data, file=name, lines=lines)
    return inst, problems + file_rules.check_institution(doc, inst, bureau, occupations)


Outcome = tuple[Institution | None, crossfile_rules.Facts | None, list[Finding]]

# The worker processes inherit the context and the cached entries by fork.
_CONTEXT: tuple[
    Sequence[tuple[str, bytes]], Bureau | None, dict[str, Occupation], bool, Reading | None
] = ((), None, {}, True, None)


def _check_one(
    raw: bytes,
    name: str,
    bureau: Bureau | None,
    occupations: dict[str, Occupation],
    reading: Reading | None,
    *,
    keep: bool,
) -> Outcome:
    inst, problems = check_institution_file(raw, name, bureau, occupations, reading)
    facts = crossfile_rules.facts(inst, bureau) if inst is not None else None
    return (inst if keep else None), facts, problems


def check_many(
    items: Iterable[tuple[str, bytes]],
    bureau: Bureau | None,
    occupations: dict[str, Occupation],
    reading: Reading | None,
    *,
    keep: bool,
) -> list[Outcome]:
    """Check institution files one after the other, with the cycle collector paused.

    Checking a clean file makes about a thousand objects and no reference cycle, so the collector
    would only walk them (a sixth of the time of a check). Error paths (schema errors) can make
    cycles: after a file with findings, the young objects are collected. A test holds both."""
    was = gc.isenabled()
    gc.disable()
    try:
        out = []
        for name, raw in items:
            outcome = _check_one(raw, name, bureau, occupations, reading, keep=keep)
            if outcome[2]:
                gc.collect(1)
            out.append(outcome)
        return out
    finally:
        if was:
            gc.enable()


def _work(span: tuple[int, int]) -> tuple[list[Outcome], list[tuple[str, str, str, str]]]:
    """Check the files ``span`` of the inherited list (the bytes are not sent through a pipe)."""
    items, bureau, occupations, keep, inherited = _CONTEXT
    batch = items[span[0] : span[1]]
    reading = Reading(inherited.entries) if inherited is not None else None
    outcomes = check_many(batch, bureau, occupations, reading, keep=keep)
    return outcomes, reading.new if reading is not None else []


def _start_worker() -> None:
    gc.freeze()  # what the fork inherited is never garbage: not walked, its pages not touched


def check_institution_files(
    items: Sequence[tuple[str, bytes]],
    bureau: Bureau | None,
    occupations: dict[str, Occupation],
    *,
    keep_institutions: bool = True,
    reading: Reading | None = None,
) -> list[Outcome]:
    """Check many institution files, on every core when there are many.

    Without ``keep_institutions`` only findings and cross-file facts come back from the workers:
    shipping whole models between processes costs more than a third of a full check. New parses
    for the cache come back into ``reading``.
    """
    keep = keep_institutions
    workers = os.cpu_count() or 1
    if len(items) < _PARALLEL_FROM or workers == 1:
        return check_many(items, bureau, occupations, reading, keep=keep)
    global _CONTEXT
    _CONTEXT = (items, bureau, occupations, keep, reading)
    size = max(50, len(items) // (workers * 8))
    spans = [(i, min(i + size, len(items))) for i in range(0, len(items), size)]
    ctx = multiprocessing.get_context("fork")
    out: list[Outcome] = []
    try:
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=_start_worker
        ) as pool:
            for outcomes, new in pool.map(_work, spans):
                out += outcomes
                if reading is not None:
                    reading.new += new
    finally:
        _CONTEXT = ((), None, {}, True, None)
    return out


def check_files(
    files: Mapping[str, bytes],
    *,
    prefix: str = "registry/",
    keep_institutions: bool = True,
    cache: parse_cache.ParseCache | None = None,
) -> ValidationResult:
    """Validate a whole registry given as ``{relative path: bytes}``.

    ``keep_institutions=False`` is for a check only: the result then has no models, which makes
    large registries faster to check. With a ``cache``, files parsed in an earlier run are not
    parsed again (the findings are the same: ``parse_cache`` says why).
    """
    reading = Reading.of(cache, (raw for rel, raw in files.items()
                                 if classify(rel) in ("institution", "bureau", "occupations")))  # fmt: skip
    bureau, occupations, findings = load_context(files, prefix, reading)
    items = []
    batch_files: dict[str, bytes] = {}
    for rel in sorted(files):
        kind = classify(rel)
        if kind == "institution":
            items.append((prefix + rel, files[rel]))
        elif kind in ("batch", "notice", "record"):
            batch_files[rel] = files[rel]
        elif kind == "unexpected":
            rule = (
                "personal-data-file" if rel.lower().endswith(PERSONAL_DATA) else "file-unexpected"
            )
            findings.append(finding(rule, prefix + rel, (1, 1), what=rel))
            text = files[rel].decode("utf-8", errors="replace")
            findings += secret_scan.scan(text, prefix + rel)
    result = ValidationResult(findings, bureau=bureau, occupations=occupations, files=len(files))
    all_facts = []
    outcomes = check_institution_files(
        items, bureau, occupations, keep_institutions=keep_institutions, reading=reading
    )
    if cache is not None and reading is not None:
        cache.store(reading.new)
    for inst, facts, problems in outcomes:
        result.findings += problems
        if facts is not None:
            all_facts.append(facts)
        if inst is not None:
            result.institutions.setdefault(inst.filing_number, inst)
    result.valid_institutions = len(all_facts)
    result.findings += crossfile_rules.check(all_facts, bureau)
    result.findings += _seals(files, result.institutions, prefix)
    if batch_files:
        _check_batches(result, batch_files, files, prefix)
    return result


def seal_problem(raw: bytes) -> tuple[str, str] | None:
    """Why a seal image cannot be printed (Chinese, English), or None: a PNG of at most 512 KB
    whose header gives a size between 100 and 2,000 pixels a side."""
    if len(raw) > _SEAL_MAX_BYTES:
        return "超过 512 KB", "larger than 512 KB"
    if raw[:8] != b"\x89PNG\r\n\x1a\n" or raw[12:16] != b"IHDR":
        return "不是 PNG 图片", "not a PNG image"
    width, height = int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")
    if not (100 <= width <= 2000 and 100 <= height <= 2000):
        return (
            f"尺寸 {width}×{height} 像素，应为每边 100–2000",
            f"{width}x{height} pixels; 100-2000 a side",
        )
    return None


def _seals(
    files: Mapping[str, bytes], institutions: Mapping[str, Institution], prefix: str
) -> list[Finding]:
    out = []
    for rel in sorted(r for r in files if classify(r) == "seal"):
        why = seal_problem(files[rel])
        if why is not None:
            out.append(
                finding("seal-file", prefix + rel, (1, 1), what=rel, why_zh=why[0], why_en=why[1])
            )
    for inst in institutions.values():
        if inst.seal is not None and inst.seal not in files:
            out.append(finding("seal-file", inst.file, (1, 1), what=inst.seal,
                               why_zh="文件不存在", why_en="the file does not exist"))  # fmt: skip
    return out


def _check_batches(
    result: ValidationResult, batch_files: dict[str, bytes], files: Mapping[str, bytes], prefix: str
) -> None:
    """The batches folder, against the institutions it names (built here when the check did not
    keep them)."""
    institutions = dict(result.institutions)
    for filing in {PurePosixPath(rel).parts[1] for rel in batch_files if rel.count("/") >= 2}:
        rel = f"{INSTITUTIONS_DIR}/{filing}.yaml"
        if filing not in institutions and rel in files:
            inst, problems = check_institution_file(files[rel], prefix + rel, result.bureau,
                                                    result.occupations)  # fmt: skip
            if inst is not None and not any(p.severity == "error" for p in problems):
                institutions[filing] = inst
    outcome = batch_rules.check(batch_files, institutions, result.bureau, prefix)
    result.findings += outcome.findings
    result.batches = outcome.batches
    result.records = outcome.records
    result.notices = outcome.notices
