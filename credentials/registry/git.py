"""Reading the registry at git revisions, for pull-request summaries.

The only module that runs git. ``changed_registry`` finds the registry files changed between two
revisions (or a revision and the working tree), reads them at both ends, and gathers the other files
at the head that cross-file rules need: the same province's files (pilot limits) and any file that
mentions a changed file's key ids or filing number (uniqueness).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from credentials.errors import GitError
from credentials.registry.batches import BATCHES_DIR
from credentials.registry.model import Bureau
from credentials.registry.validate.check import INSTITUTIONS_DIR, load_bureau

_KID_LINE = re.compile(r"^\s*-?\s*kid:\s*[\"']?([0-9a-f]{16})[\"']?\s*$", re.MULTILINE)
_FILING_LINE = re.compile(r"^filing_number:\s*([A-Z0-9]+)\s*$", re.MULTILINE)


@dataclass(slots=True)
class RegistryChange:
    """Changed registry files at both ends, plus related files at the head."""

    base: str
    head: str  # a revision, or "working tree"
    prefix: str  # how file names are shown, e.g. "registry/"
    changes: list[tuple[str, str]]  # (A|M|D, relative path)
    base_files: dict[str, bytes] = field(default_factory=dict)
    head_files: dict[str, bytes] = field(default_factory=dict)
    related_files: dict[str, bytes] = field(default_factory=dict)
    all_head_files: dict[str, bytes] | None = None  # set when bureau/reference data changed


def _git(repo: Path, *args: str, data: bytes | None = None) -> bytes:
    try:
        proc = subprocess.run(
            ["git", "-C", str(repo), *args], input=data, capture_output=True, check=False
        )
    except FileNotFoundError as err:
        raise GitError("git is not installed", zh="没有安装 git") from err
    except OSError as err:
        raise GitError(
            f"cannot run git in {repo}: {err.strerror}", zh=f"无法在 {repo} 运行 git"
        ) from err
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and args[0] != "grep"):
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        last = message[-1] if message else proc.returncode
        raise GitError(f"git {args[0]} failed: {last}", zh=f"git {args[0]} 失败：{last}")
    return proc.stdout


def head_commit(path: Path) -> str | None:
    """The commit checked out where ``path`` is (None when it is not in a git checkout)."""
    try:
        return _git(path, "rev-parse", "HEAD").decode().strip() or None
    except GitError:
        return None


def _resolve(repo: Path, rev: str) -> str:
    try:
        return _git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    except GitError as err:
        raise GitError(
            f"unknown git revision {rev[:80]!r}", zh=f"未知的 git 版本 {rev[:80]!r}"
        ) from err


def _read_blobs(repo: Path, rev: str, paths: list[str]) -> dict[str, bytes]:
    """Read ``paths`` (repository-relative) at ``rev`` with one ``git cat-file --batch``."""
    if not paths:
        return {}
    out = _git(repo, "cat-file", "--batch", data="".join(f"{rev}:{p}\n" for p in paths).encode())
    files: dict[str, bytes] = {}
    pos = 0
    for p in paths:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[1] == b"missing":
            continue
        size = int(header[2])
        files[p] = out[pos : pos + size]
        pos += size + 1
    return files


def changed_registry(registry_dir: Path, base: str, head: str | None) -> RegistryChange:
    """What changed in ``registry_dir`` from ``base`` to ``head`` (None: the working tree)."""
    if not registry_dir.is_dir():
        raise GitError(
            f"registry directory {registry_dir} does not exist",
            zh=f"评价机构目录 {registry_dir} 不存在",
        )
    repo = Path(_git(registry_dir, "rev-parse", "--show-toplevel").decode().strip())
    sub = _git(registry_dir, "rev-parse", "--show-prefix").decode().strip()  # e.g. "registry/"
    base_rev = _resolve(repo, base)
    head_rev = _resolve(repo, head) if head is not None else None
    spec = sub or "."
    diff_args = ["diff", "--name-status", "--no-renames", base_rev]
    if head_rev:
        diff_args.append(head_rev)
    lines = _git(repo, *diff_args, "--", spec).decode("utf-8").splitlines()
    changes = []
    for line in lines:
        status, _, path = line.partition("\t")
        changes.append((status[0], path))
    if head_rev is None:
        untracked = _git(repo, "ls-files", "--others", "--exclude-standard", "--", spec)
        changes += [("A", p) for p in untracked.decode("utf-8").splitlines()]
    prefix = sub
    change = RegistryChange(
        base=base,
        head=head or "working tree",
        prefix=prefix,
        changes=[(s, p.removeprefix(sub)) for s, p in sorted(changes, key=lambda c: c[1])],
    )
    read_head = _reader(repo, head_rev)
    old_paths = [sub + p for s, p in change.changes if s != "A"]
    new_paths = [sub + p for s, p in change.changes if s != "D"]
    change.base_files = _strip(_read_blobs(repo, base_rev, old_paths), sub)
    context = [sub + "bureau.yaml", sub + "occupations.yaml"]
    change.head_files = _strip(read_head(new_paths + context), sub)
    if any(p in ("bureau.yaml", "occupations.yaml") for _, p in change.changes):
        change.all_head_files = _strip(read_head(_list(repo, head_rev, spec)), sub)
    else:
        related = _related(repo, head_rev, spec, sub, change)
        change.related_files = _strip(read_head(related), sub)
    return change


def _strip(files: dict[str, bytes], sub: str) -> dict[str, bytes]:
    return {p.removeprefix(sub): b for p, b in files.items()}


def _reader(repo: Path, rev: str | None):  # type: ignore[no-untyped-def]
    if rev is not None:
        return lambda paths: _read_blobs(repo, rev, paths)

    def read(paths: list[str]) -> dict[str, bytes]:
        files = {}
        for p in paths:
            f = repo / p
            if f.is_file():
                files[p] = f.read_bytes()
        return files

    return read


def _list(repo: Path, rev: str | None, spec: str) -> list[str]:
    if rev is not None:
        out = _git(repo, "ls-tree", "-r", "--name-only", rev, "--", spec)
    else:
        out = _git(repo, "ls-files", "--cached", "--others", "--exclude-standard", "--", spec)
    return out.decode("utf-8").splitlines()


def _related(repo: Path, rev: str | None, spec: str, sub: str, change: RegistryChange) -> list[str]:
    """Head files that cross-file rules must see beside the changed ones.

    Uniqueness needs the files that mention a changed file's key ids or filing number (found with
    ``git grep``); the pilot limit needs the other files of the same city, where the province has
    such a limit (found by name: positions 8-9 of the filing number are the city there); a changed
    batch, notice list or record needs its institution's file and every file of its batch folder.
    """
    bureau = load_bureau(change.head_files.get("bureau.yaml"))
    areas: set[tuple[str, str]] = set()
    needles = set()
    for rel, raw in change.head_files.items():
        parts = PurePosixPath(rel).parts
        if len(parts) != 2 or parts[0] != INSTITUTIONS_DIR:
            continue
        stem = PurePosixPath(rel).stem
        area = _pilot_area(stem, bureau)
        if area is not None:
            areas.add(area)
        text = raw.decode("utf-8", "replace")
        needles.update(_KID_LINE.findall(text))
        needles.update(_FILING_LINE.findall(text))
        needles.add(stem)
    inst_dir = f"{sub}{INSTITUTIONS_DIR}/"
    listed = [p for p in _list(repo, rev, spec) if p.startswith(inst_dir)]
    same_city = {
        p
        for p in listed
        if any(
            PurePosixPath(p).stem[5:7] == prov and PurePosixPath(p).stem[7:9].startswith(city)
            for prov, city in areas
        )
    }
    hits: set[str] = set()
    if needles:
        args = ["grep", "-l", "-F"]
        for n in sorted(needles):
            args += ["-e", n]
        if rev is None:
            args += ["--untracked"]
        else:
            args += [rev]
        out = _git(repo, *args, "--", spec).decode("utf-8").splitlines()
        hits = {line.split(":", 1)[1] if rev is not None else line for line in out}
    batch_folders = {PurePosixPath(p).parts[1] for _, p in change.changes
                     if p.startswith(f"{BATCHES_DIR}/") and p.count("/") >= 2}  # fmt: skip
    batch_files = {
        p for p in _list(repo, rev, spec)
        if p.removeprefix(sub).startswith(f"{BATCHES_DIR}/")
        and PurePosixPath(p.removeprefix(sub)).parts[1] in batch_folders
    } | {f"{inst_dir}{f}.yaml" for f in batch_folders}  # fmt: skip
    changed = {sub + p for _, p in change.changes}
    return sorted((same_city | hits | batch_files) - changed)


def _pilot_area(stem: str, bureau: Bureau | None) -> tuple[str, str] | None:
    """(province, city or "") whose files a pilot limit compares with ``stem``; None: no limit."""
    province = stem[5:7]
    rules = bureau.provinces.get(province) if bureau else None
    if bureau is not None and (rules is None or rules.pilot_limit is None):
        return None
    city = stem[7:9] if rules and rules.sequence and rules.sequence[0].part == "city" else ""
    return province, city


def added_dates(registry_dir: Path, sub: str) -> dict[str, dt.date]:
    """When each file under ``registry_dir/sub`` first appeared on the first-parent line of HEAD
    (the day the bureau's merge commit was made), by path relative to ``registry_dir``; empty when
    ``registry_dir`` is not in a git checkout. One ``git log`` for the whole folder."""
    if head_commit(registry_dir) is None:
        return {}
    out = _git(registry_dir, "log", "--first-parent", "--diff-filter=A", "--name-only",
               "--relative", "--format=%x00%cs", "HEAD", "--", sub)  # fmt: skip
    dates: dict[str, dt.date] = {}
    day: dt.date | None = None
    for line in out.decode("utf-8", "replace").splitlines():
        if line.startswith("\x00"):
            day = dt.date.fromisoformat(line[1:].strip())
        elif line.strip() and day is not None:
            dates[line.strip()] = day  # newest first: the last one seen is the oldest
    return dates
