"""External conformance data (tests/vectors/external/): COSE-WG, Wycheproof, RFC 8032, noble edge
cases. Vendored with their licences, so these tests never skip."""

from __future__ import annotations

import json
from typing import Any

import pytest

from credentials import cbor, cose
from credentials.errors import MalformedCredential
from credentials.keys import SigningKey, VerifyKey
from tests.conftest import EXTERNAL, VECTORS

PINNED = VECTORS / "conformance" / "noble-edge-cases.json"


def _json(*parts: str) -> Any:
    return json.loads((EXTERNAL.joinpath(*parts)).read_text("utf-8"))


def test_cose_wg_eddsa_sig_01_byte_for_byte() -> None:
    v = _json("cose-wg-examples", "eddsa-sig-01.json")
    key = SigningKey.from_seed(bytes.fromhex(v["input"]["sign0"]["key"]["d_hex"]))
    assert key.public_key.raw.hex() == v["input"]["sign0"]["key"]["x_hex"]
    out = cose.sign1(
        v["input"]["plaintext"].encode(), key, protected={1: -8, 3: 0}, unprotected={4: b"11"}
    )
    assert out.hex().upper() == v["output"]["cbor"]
    protected, unprotected, payload, signature = cbor.decode(out).value
    assert unprotected == {4: b"11"}
    to_be_signed = cose.sig_structure(protected, payload)
    assert to_be_signed.hex().upper() == v["intermediates"]["ToBeSign_hex"]
    assert key.public_key.verify(to_be_signed, signature)
    # our envelope allows nothing outside the signature: this example's kid is unprotected
    with pytest.raises(MalformedCredential, match="unprotected header must be empty"):
        cose.parse_sign1(out)


def _wycheproof_cases() -> list[tuple[str, str, str, str, str]]:
    doc = _json("wycheproof", "ed25519_test.json")
    return [
        (f"tc{t['tcId']}", g["publicKey"]["pk"], t["msg"], t["sig"], t["result"])
        for g in doc["testGroups"]
        for t in g["tests"]
    ]


@pytest.mark.parametrize(("tc", "pk", "msg", "sig", "result"), _wycheproof_cases())
def test_wycheproof_ed25519(tc: str, pk: str, msg: str, sig: str, result: str) -> None:
    ok = VerifyKey.from_bytes(bytes.fromhex(pk)).verify(bytes.fromhex(msg), bytes.fromhex(sig))
    assert ok is (result == "valid"), f"{tc}: expected {result}"


def test_wycheproof_count() -> None:
    assert len(_wycheproof_cases()) == 151


def test_rfc8032_vectors_sign_and_verify() -> None:
    for v in _json("noble-ed25519", "rfc8032-ed25519.json"):
        key = SigningKey.from_seed(bytes.fromhex(v["priv"]))
        assert key.public_key.raw.hex() == v["pub"]
        msg = bytes.fromhex(v["msg"])
        assert key.sign(msg).hex() == v["sig"]
        assert key.public_key.verify(msg, bytes.fromhex(v["sig"]))


def test_noble_edge_cases_are_pinned() -> None:
    """Where Ed25519 libraries disagree, our answers are fixed (strict) and shared with JS."""
    cases = _json("noble-ed25519", "edge-cases.json")
    ours = [
        VerifyKey.from_bytes(bytes.fromhex(c["pub_key"])).verify(
            bytes.fromhex(c["message"]), bytes.fromhex(c["signature"])
        )
        if len(bytes.fromhex(c["pub_key"])) == 32
        else False
        for c in cases
    ]
    pinned = json.loads(PINNED.read_text("utf-8"))
    assert pinned["source"] == "external/noble-ed25519/edge-cases.json"
    assert ours == pinned["valid"]
