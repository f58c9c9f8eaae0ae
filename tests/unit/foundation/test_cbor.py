"""Our strict CBOR subset: what it encodes is what a general library (cbor2) encodes and reads
back, and everything outside the subset or its one deterministic encoding is refused with a code."""

from __future__ import annotations

import cbor2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from credentials import cbor

_scalars = (
    st.integers(min_value=-(2**64), max_value=2**64 - 1)
    | st.binary(max_size=40)
    | st.text(max_size=20)
    | st.booleans()
    | st.none()
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.integers(min_value=0, max_value=23), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(_values)
def test_round_trip_and_agreement_with_cbor2(value: object) -> None:
    data = cbor.encode(value)
    assert cbor.decode(data) == value
    assert cbor2.loads(data) == value
    # keys 0-23 are one byte each, so cbor2's length-first canonical order is the bytewise one
    assert data == cbor2.dumps(value, canonical=True)


def test_map_keys_are_sorted_bytewise_not_length_first() -> None:
    # RFC 8949 §4.2.1: 24 (0x18 0x18) sorts before -1 (0x20); cbor2's canonical mode puts -1 first
    assert cbor.encode({-1: 0, 24: 0}) == bytes.fromhex("a2181800" + "2000")
    assert cbor2.dumps({-1: 0, 24: 0}, canonical=True) != cbor.encode({-1: 0, 24: 0})


@pytest.mark.parametrize(
    ("hex_", "problem"),
    [
        ("", "truncated"),
        ("18", "truncated"),
        ("1818", None),
        ("01", None),
        ("1801", "not-deterministic"),  # 1 in two bytes
        ("190001", "not-deterministic"),
        ("5f4101ff", "indefinite-length"),  # an indefinite byte string
        ("9f01ff", "indefinite-length"),
        ("a2020101 01".replace(" ", ""), "not-deterministic"),  # keys 2, 1
        ("a201010101", "duplicate-key"),
        ("a1f401", "map-key-type"),
        ("f93c00", "unsupported-type"),  # a half float
        ("f7", "unsupported-type"),  # undefined
        ("81c24101", "unsupported-tag"),  # a bignum inside an array
        ("d9d9f7d2 80".replace(" ", ""), "unsupported-tag"),  # self-describe around tag 18
        ("6180", "bad-utf8"),
        ("0000", "trailing-bytes"),
        ("81" * 10 + "00", "too-deep"),
        ("1c", "not-cbor"),
        ("9b0000000100000000", "truncated"),  # an array claiming 2^32 items
    ],
)
def test_refusals_have_codes(hex_: str, problem: str | None) -> None:
    data = bytes.fromhex(hex_)
    if problem is None:
        cbor.decode(data)
        return
    with pytest.raises(cbor.CborProblem) as info:
        cbor.decode(data)
    assert info.value.problem == problem
