"""Validator edges the single-file corpus cannot reach: missing files, reference data, schemas."""

from __future__ import annotations

from pathlib import Path

from credentials.registry.registry import read_tree
from credentials.registry.validate.check import check_files


def _rules(root: Path) -> set[tuple[str, str]]:
    return {(f.rule, f.file) for f in check_files(read_tree(root), prefix="").findings}


def test_missing_bureau_file_is_reported_and_nothing_crashes(registry_copy: Path) -> None:
    (registry_copy / "bureau.yaml").unlink()
    found = _rules(registry_copy)
    assert ("file-missing", "bureau.yaml") in found
    # without the bureau's rules, the institutions are still read and checked for the rest
    assert all(rule == "file-missing" for rule, _ in found)


def test_duplicate_occupation_in_reference_data(registry_copy: Path) -> None:
    path = registry_copy / "occupations.yaml"
    text = path.read_text("utf-8")
    path.write_text(text + '  - {code: 6-18-01-01, name: "车工", edition: [2022]}\n', "utf-8")
    result = check_files(read_tree(registry_copy), prefix="")
    dupes = [f for f in result.findings if f.rule == "occupation-duplicate"]
    assert len(dupes) == 1
    assert dupes[0].line == text.count("\n") + 1


def test_bad_property_name_in_bureau_rules(registry_copy: Path) -> None:
    path = registry_copy / "bureau.yaml"
    text = path.read_text("utf-8").replace('  "32":\n', '  "3x":\n')
    path.write_text(text, "utf-8")
    (finding,) = check_files(read_tree(registry_copy), prefix="").findings
    assert finding.rule == "schema-format"
    assert finding.line == text[: text.index('"3x"')].count("\n") + 1
    assert "provinces.3x" in finding.en


def test_many_files_take_the_parallel_path_and_agree(registry_copy: Path) -> None:
    from credentials.registry.validate import check as validate

    files = read_tree(registry_copy)
    serial = check_files(files, prefix="")
    old = validate._PARALLEL_FROM
    validate._PARALLEL_FROM = 1
    try:
        parallel = check_files(files, prefix="", keep_institutions=False)
    finally:
        validate._PARALLEL_FROM = old
    assert parallel.findings == serial.findings
    assert parallel.valid_institutions == len(serial.institutions) == 14
    assert parallel.institutions == {}
