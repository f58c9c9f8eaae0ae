"""The parse cache never hides a finding: damaged, foreign, stale or unreadable entries are parsed
again; a database that is not one is set aside; a cache that cannot be written is no cache."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from credentials.registry.registry import read_tree
from credentials.registry.validate import parse_cache
from credentials.registry.validate.check import check_files
from credentials.registry.validate.parse_cache import ParseCache, blob_id

_FILE = "institutions/Y000041039002.yaml"


@pytest.fixture
def broken(registry_copy: Path) -> tuple[dict[str, bytes], bytes]:
    """The sample with one institution file given a private key and a duplicate key (two
    findings, one from the scan and one from the parse), and the clean file's bytes."""
    path = registry_copy / _FILE
    clean = path.read_bytes()
    path.write_bytes(clean + b"seed: " + b"ab" * 32 + b"\nname: again\n")
    return read_tree(registry_copy), clean


def _rules(files: dict[str, bytes], cache: ParseCache | None) -> set[str]:
    return {f.rule for f in check_files(files, prefix="", cache=cache).findings}


def _rows(cache: ParseCache) -> dict[str, tuple[str, str, str]]:
    with sqlite3.connect(cache.path) as db:
        return {r[0]: (r[1], r[2], r[3]) for r in db.execute("SELECT * FROM parsed")}


def _put(cache: ParseCache, key: str, row: tuple[str, str, str]) -> None:
    with sqlite3.connect(cache.path) as db:
        db.execute("INSERT OR REPLACE INTO parsed VALUES (?, ?, ?, ?)", (key, *row))


def test_the_blob_id_is_gits() -> None:
    assert blob_id(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"  # git hash-object /dev/null
    assert blob_id(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_a_cached_check_finds_what_a_fresh_one_does(broken, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files, _ = broken
    expected = {"private-key-material", "yaml-duplicate-key"}
    assert expected <= _rules(files, None)
    cache = ParseCache(tmp_path)
    assert _rules(files, cache) == _rules(files, cache) == _rules(files, None)
    assert blob_id(files[_FILE]) in _rows(cache)


def test_a_damaged_entry_is_parsed_again(broken, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files, _ = broken
    cache = ParseCache(tmp_path)
    _rules(files, cache)
    key = blob_id(files[_FILE])
    content, text, digest = _rows(cache)[key]
    damaged = text.replace('"private-key-material"', '"private-key-materiaX"')
    _put(cache, key, (content, damaged, digest))
    assert {"private-key-material", "yaml-duplicate-key"} <= _rules(files, cache)
    assert _rows(cache)[key][1] == text  # and stored whole again


def test_an_entry_of_other_bytes_is_not_used(broken, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The clean file's parse stored under the broken file's blob id (a damaged id, or two
    contents with one SHA-1): the content digest differs, so the file is parsed."""
    files, clean = broken
    cache = ParseCache(tmp_path)
    clean_row = parse_cache.encode(clean, _parsed(clean))
    _put(cache, blob_id(files[_FILE]), clean_row[1:])
    assert {"private-key-material", "yaml-duplicate-key"} <= _rules(files, cache)


def test_entries_of_another_parser_version_are_dropped(broken, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """An entry that would hide the findings, consistent in every digest, but written by another
    version of the validator: opening the cache with this version empties it."""
    files, clean = broken
    old = ParseCache(tmp_path, version="an older validator")
    forged = parse_cache.encode(files[_FILE], _parsed(clean))  # the clean parse for these bytes
    old.store([forged])
    old.close()
    assert _rows(ParseCache(tmp_path, version="an older validator"))  # it would be used there
    assert {"private-key-material", "yaml-duplicate-key"} <= _rules(files, ParseCache(tmp_path))


def test_a_file_that_is_not_a_database_is_set_aside(broken, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files, _ = broken
    (tmp_path / "registry-parse-cache.sqlite").write_bytes(b"\x00garbage" * 1000)
    cache = ParseCache(tmp_path)
    assert cache.problem is not None
    assert "损坏" in cache.problem[0]
    assert (tmp_path / "registry-parse-cache.damaged").exists()
    assert _rules(files, cache) == _rules(files, None)
    assert _rows(cache)  # started afresh, and filled


def test_a_damaged_page_inside_the_database_is_no_cache(broken, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files, _ = broken
    cache = ParseCache(tmp_path)
    _rules(files, cache)
    cache.close()
    db = tmp_path / "registry-parse-cache.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = bytearray(db.read_bytes())
    for i in range(4096 * 2, len(raw), 7):  # every page after the first two, scrambled
        raw[i] ^= 0x5A
    db.write_bytes(bytes(raw))
    again = ParseCache(tmp_path)
    assert _rules(files, again) == _rules(files, None)


def test_a_cache_that_cannot_be_written_is_no_cache(broken, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files, _ = broken
    (tmp_path / "not-a-folder").write_text("x")
    cache = ParseCache(tmp_path / "not-a-folder")
    assert cache.problem is not None
    assert _rules(files, cache) == _rules(files, None)


def test_the_cli_says_when_the_cache_is_unusable_and_checks_all_the_same(
    registry_copy: Path, tmp_path: Path
) -> None:
    (registry_copy / _FILE).write_bytes((registry_copy / _FILE).read_bytes() + b"name: again\n")
    runner = CliRunner()
    args = ["registry", "check", "--registry", str(registry_copy)]
    off = runner.invoke(main, [*args, "--cache", "off"])
    (tmp_path / "bad").write_bytes(b"not sqlite" * 100)
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    shutil.copy(tmp_path / "bad", damaged / "registry-parse-cache.sqlite")
    with_damaged = runner.invoke(main, [*args, "--cache", str(damaged)])
    warm = runner.invoke(main, [*args, "--cache", str(damaged)])
    assert off.exit_code == with_damaged.exit_code == warm.exit_code == 1
    assert off.stdout == with_damaged.stdout == warm.stdout
    assert "yaml-duplicate-key" in off.stdout
    assert "解析缓存已损坏" in with_damaged.stderr
    assert "解析缓存" not in warm.stderr


def test_many_files_checked_in_parallel_find_the_same_through_the_cache(
    registry_copy: Path, tmp_path: Path
) -> None:
    """Over 400 files the check forks workers; their new parses come back to be stored."""
    source = (registry_copy / _FILE).read_bytes()
    for i in range(420):
        (registry_copy / f"institutions/Y0000410{i:05d}.yaml").write_bytes(
            source.replace(b"Y000041039002", f"Y0000410{i:05d}".encode())
        )
    files = read_tree(registry_copy)
    cache = ParseCache(tmp_path)
    fresh = check_files(files, prefix="").findings
    filling = check_files(files, prefix="", cache=cache).findings
    assert len(_rows(cache)) >= 420
    cached = check_files(files, prefix="", cache=cache).findings
    assert fresh
    assert sorted(fresh, key=repr) == sorted(filling, key=repr) == sorted(cached, key=repr)


def _parsed(raw: bytes) -> parse_cache.Parsed:
    from credentials.registry.validate import yamldoc

    doc, problems = yamldoc.parse(raw, "x")
    assert doc is not None
    return parse_cache.Parsed.of(doc, problems)


def test_checking_files_leaves_no_reference_cycle() -> None:
    """The check pauses the cycle collector while it works through files (a sixth of its time),
    collecting only after a file with findings: right only while a clean file leaves no cyclic
    garbage, and a broken one none after that collection."""
    import gc

    from credentials.registry.validate.check import check_many, load_context
    from tests.conftest import SAMPLE_REGISTRY
    from tests.integration.test_corpus import CASES, parse_case

    files = read_tree(SAMPLE_REGISTRY)
    bureau, occupations, _ = load_context(files, "")
    items = [(rel, raw) for rel, raw in files.items() if rel.startswith("institutions/")]
    for case in CASES:
        items += [(rel, content) for rel, content in parse_case(case.read_bytes())[1]
                  if content is not None and rel.startswith("institutions/")]  # fmt: skip
    assert len(items) > 40
    gc.collect()
    gc.disable()
    try:
        outcomes = check_many(items, bureau, occupations, None, keep=False)
        assert not gc.isenabled()  # check_many leaves the collector as it found it
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert sum(1 for _, _, problems in outcomes if problems) > 30


@pytest.mark.parametrize(
    "text", [b"~\n", b"null\n", b"# only a comment\n", b"", b"- a\n", b"'x'\n"]
)
def test_documents_that_are_not_mappings_find_the_same_through_the_cache(
    registry_copy: Path, tmp_path: Path, text: bytes
) -> None:
    """A document that is plain null parsed (the schema then refuses it); an empty one did not:
    the cache keeps the difference."""
    (registry_copy / _FILE).write_bytes(text)
    files = read_tree(registry_copy)
    cache = ParseCache(tmp_path)
    fresh = check_files(files, prefix="").findings
    check_files(files, prefix="", cache=cache)
    cached = check_files(files, prefix="", cache=cache).findings
    assert fresh
    assert sorted(fresh, key=repr) == sorted(cached, key=repr)
