"""The credential vectors in tests/vectors/: each verifies exactly as it says (shared with JS)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from credentials import cose
from credentials.credential import commitment, qr
from credentials.credential.claims import IdType
from credentials.credential.verify import CHECK_IDS, check, verify
from credentials.errors import VerificationFailed
from credentials.registry.registry import Registry, load_registry
from tests.conftest import VECTORS

FILES = sorted(
    p
    for p in VECTORS.glob("*.json")
    if p.name not in ("check-ids.json", "parity.json", "lookup.json", "shard-choice.json")
)


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(VECTORS / "registry")


def test_there_are_enough_vectors_of_both_kinds() -> None:
    vectors = [_load(p) for p in FILES]
    assert len(vectors) >= 25
    assert sum(v["expect"]["ok"] for v in vectors) >= 5
    failed = {c for v in vectors for c in v["expect"]["failed"]}
    # every check can fail on its own, and does in some vector
    assert failed == set(CHECK_IDS)


def test_check_ids_file_matches_the_code() -> None:
    assert json.loads((VECTORS / "check-ids.json").read_text()) == list(CHECK_IDS)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_vector(path: Path, registry: Registry) -> None:
    v = _load(path)
    data = bytes.fromhex(v["cose_hex"])
    at = dt.date.fromisoformat(v["at"])
    report = check(data, registry, at=at)
    assert list(report.failed) == v["expect"]["failed"]
    assert report.ok is v["expect"]["ok"]
    assert {c.id: c.status for c in report.checks} == v["expect"]["checks"]
    assert {c.id: c.reason for c in report.checks if c.status == "failed"} == v["expect"]["reasons"]
    assert [c.id for c in report.checks] == list(CHECK_IDS)
    # the QR text carries exactly these bytes
    if v["qr_text"] is not None:
        assert qr.decode_text(v["qr_text"]) == data
    # the intermediate values are those of the signed message (before any mutation)
    inter = v["intermediate"]
    sts = cose.sig_structure(
        bytes.fromhex(inter["protected_hex"]), bytes.fromhex(inter["payload_hex"])
    )
    assert sts.hex() == inter["sig_structure_hex"]
    if v["expect"]["ok"]:
        verified = verify(data, registry, at=at)
        assert str(verified.credential.number) == v["inputs"]["credential"]["number"]
        cred = verified.credential
        assert commitment.matches(cred.id_commitment, cred.id_type, v["inputs"]["id_number"])
        assert not commitment.matches(cred.id_commitment, cred.id_type, "410102199909091246")
        assert len(data) <= 190
    else:
        with pytest.raises(VerificationFailed) as info:
            verify(data, registry, at=at)
        assert info.value.report.failed == tuple(v["expect"]["failed"])


def test_commitment_normalises_the_id_number() -> None:
    c = commitment.commit(IdType.RESIDENT_ID, "41010219990909123x", salt=b"\x01" * 12)
    assert commitment.matches(c, IdType.RESIDENT_ID, " 41010219990909123X ")
    assert commitment.matches(
        c, IdType.RESIDENT_ID, "４１０１０２１９９９０９０９１２３Ｘ"
    )  # full-width
    assert not commitment.matches(c, IdType.PASSPORT, "41010219990909123X")
    assert commitment.resident_id_problem("410102199909091238") is None
    assert "check digit" in str(commitment.resident_id_problem("410102199909091237"))
    assert commitment.resident_id_problem("4101021999") is not None


def test_vectors_regenerate_identically() -> None:
    proc = subprocess.run(
        [sys.executable, str(VECTORS / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
