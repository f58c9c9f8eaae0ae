"""The corpus of broken registry files: each case must produce exactly the findings it names.

A case file (``tests/corpus/*.case``) starts with ``# corpus:`` (what is wrong) and ``# expect: RULE
FILE LINE`` lines, then one or more parts, each introduced by ``#=== PATH`` (written into a copy of
the sample registry, replacing the file there) or ``#=== delete PATH``. The sample registry is clean,
so the findings of the whole copy must be exactly the expected ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from credentials.registry.registry import read_tree
from credentials.registry.validate import messages
from credentials.registry.validate.check import check_files

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
CASES = sorted(CORPUS.glob("*.case"))


def parse_case(raw: bytes) -> tuple[set[tuple[str, str, int]], list[tuple[str, bytes | None]]]:
    expects: set[tuple[str, str, int]] = set()
    parts: list[tuple[str, bytes | None]] = []
    current: tuple[str, list[bytes]] | None = None
    for line in raw.splitlines(keepends=True):
        if line.startswith(b"#=== "):
            if current:
                parts.append((current[0], b"".join(current[1])))
            target = line[5:].decode().strip()
            if target.startswith("delete "):
                parts.append((target.removeprefix("delete "), None))
                current = None
            else:
                current = (target, [])
        elif current is not None:
            current[1].append(line)
        elif line.startswith(b"# expect: "):
            rule, file, number = line[10:].decode().split()
            expects.add((rule, file, int(number)))
    if current:
        parts.append((current[0], b"".join(current[1])))
    return expects, parts


def write_case(parts: list[tuple[str, bytes | None]], registry: Path) -> None:
    """Write a case's parts into a copy of the sample registry (None: delete the file)."""
    for rel, content in parts:
        target = registry / rel
        if content is None:
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_case_produces_exactly_its_findings(case: Path, registry_copy: Path) -> None:
    expects, parts = parse_case(case.read_bytes())
    assert parts, "a case writes at least one file"
    write_case(parts, registry_copy)
    result = check_files(read_tree(registry_copy), prefix="")
    found = {(f.rule, f.file, f.line) for f in result.findings}
    assert found == expects, "\n".join(f"{f.location()} {f.rule}" for f in result.findings)


def test_corpus_is_large_and_covers_every_rule() -> None:
    assert len(CASES) >= 40
    covered = set()
    for case in CASES:
        expects, _ = parse_case(case.read_bytes())
        covered |= {rule for rule, _, _ in expects}
    # Rules a single-file corpus case cannot reach are covered by unit tests named here.
    elsewhere = {"file-missing", "history-deleted", "history-rewritten", "occupation-duplicate",
                 "schema-invalid"}  # fmt: skip
    missing = set(messages.rule_ids()) - covered - elsewhere
    assert not missing, f"rules without a corpus case: {sorted(missing)}"


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_case_finds_the_same_through_the_parse_cache(
    case: Path, registry_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every finding, message and position of a fresh check comes back when the files' parses
    come from the cache instead, and the cached files are not parsed again."""
    from credentials.registry.validate import check
    from credentials.registry.validate.parse_cache import ParseCache

    write_case(parse_case(case.read_bytes())[1], registry_copy)
    files = read_tree(registry_copy)
    fresh = check_files(files, prefix="").findings
    cache = ParseCache(tmp_path / "cache")
    filling = check_files(files, prefix="", cache=cache).findings
    parsed: list[str] = []
    real_parse = check.yamldoc.parse

    def counting(raw: bytes, name: str) -> object:
        parsed.append(name)
        return real_parse(raw, name)

    monkeypatch.setattr(check.yamldoc, "parse", counting)
    cached = check_files(files, prefix="", cache=cache).findings
    assert sorted(fresh, key=repr) == sorted(filling, key=repr) == sorted(cached, key=repr)
    assert not [n for n in parsed if check.classify(n) in ("institution", "bureau", "occupations")]
