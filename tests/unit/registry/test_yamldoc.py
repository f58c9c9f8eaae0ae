"""YAML reading with positions, private-key detection, key ids, schema engines agreeing."""

from __future__ import annotations

from pathlib import Path

import pytest

from credentials.registry.validate import schemas, secret_scan, yamldoc
from tests.conftest import SAMPLE_REGISTRY

RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")


def test_positions_of_values_and_keys() -> None:
    doc, problems = yamldoc.parse(b"a: 1\nb:\n  - x: '01'\n    y: 2022-03-01\n", "f.yaml")
    assert problems == []
    assert doc is not None
    assert doc.data == {"a": 1, "b": [{"x": "01", "y": "2022-03-01"}]}
    assert doc.pos(("b", 0, "y")) == (4, 8)
    assert doc.key_pos(("b", 0, "y")) == (4, 5)
    assert doc.pos(("b", 0, "missing")) == (3, 5)


def test_yaml_11_surprises_are_kept_visible() -> None:
    doc, _ = yamldoc.parse(b"city: 01\nkid: 0123\n", "f.yaml")
    assert doc is not None
    # unquoted codes are numbers; the schema then asks for quotes
    assert doc.data == {"city": 1, "kid": 83}


def test_public_key_lines_are_not_secrets() -> None:
    text = f'  - kid: "21fe31dfa154a261"\n    public_key: "{RFC8032_PUBLIC.hex()}"\n'
    assert secret_scan.scan(text, "f.yaml") == []
    assert len(secret_scan.scan(f"    seed: {RFC8032_PUBLIC.hex()}\n", "f.yaml")) == 1
    assert len(secret_scan.scan(f"notes: {RFC8032_PUBLIC.hex()}\n", "f.yaml")) == 1


def _all_documents() -> list[tuple[Path, str]]:
    files = [(p, "institution") for p in sorted((SAMPLE_REGISTRY / "institutions").glob("*.yaml"))]
    return [*files, (SAMPLE_REGISTRY / "bureau.yaml", "bureau")]


def _corpus_documents() -> list[tuple[str, bytes]]:
    from tests.integration.test_corpus import CASES, parse_case

    out = []
    for case in CASES:
        for rel, content in parse_case(case.read_bytes())[1]:
            if content is not None and rel.startswith("institutions/") and rel.endswith(".yaml"):
                out.append((f"{case.stem}:{rel}", content))
    return out


@pytest.mark.parametrize(("name", "raw"), _corpus_documents(), ids=lambda v: str(v)[:40])
def test_fast_and_explaining_schema_engines_agree(name: str, raw: bytes) -> None:
    import jsonschema

    doc, _ = yamldoc.parse(raw, name)
    if doc is None:
        return
    kind = "institution"
    fast = schemas._fast(kind).is_valid(doc.data)
    slow = jsonschema.validators.validator_for(schemas.schema(kind))(
        schemas.schema(kind), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).is_valid(doc.data)
    assert fast == slow
    assert (schemas.validate(doc, kind) == []) == fast


def test_every_sample_file_is_schema_valid() -> None:
    for path, kind in _all_documents():
        doc, problems = yamldoc.parse(path.read_bytes(), path.name)
        assert doc is not None
        assert problems == []
        assert schemas.validate(doc, kind) == []  # type: ignore[arg-type]
