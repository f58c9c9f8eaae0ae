"""COSE_Sign1 (RFC 9052) with EdDSA: building one, and reading one in the exact envelope we sign.

Primitive: checks only structure and the signature under a given key, not policy (which key is
allowed on which date is the signing policy's business, ``credential.policy``).

The envelope is fixed, and anything else is refused (``MalformedCredential`` with a problem code
shared with the verification page): CBOR tag 18 around an array of four items, in the one
deterministic encoding of ``cbor``; the protected header a non-empty byte string holding a map; the
unprotected header an **empty** map (nothing outside the signature may carry content); the payload
and the signature byte strings; no ``crit`` header (we understand no critical parameters). The
signature is checked over the received protected bytes and payload, never re-encoded.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from credentials import cbor
from credentials.errors import MalformedCredential
from credentials.keys import SigningKey, VerifyKey

_COSE_SIGN1_TAG = 18
_SIG_STRUCTURE_CONTEXT = "Signature1"
MAX_INPUT = 4096  # a credential is < 200 bytes; anything far larger is not ours (the page agrees)
_KID_SIZE = 8


class Header(IntEnum):
    """COSE header labels (RFC 9052 §3.1)."""

    ALG = 1
    CRIT = 2
    CONTENT_TYPE = 3
    KID = 4


class Alg(IntEnum):
    """COSE algorithm identifiers we know of; only EDDSA is allowed."""

    EDDSA = -8
    ES256 = -7


def encode(value: Any) -> bytes:
    """Deterministic CBOR (``cbor.encode``)."""
    return cbor.encode(value)


def decode(data: bytes) -> Any:
    """One CBOR item of our strict subset; any problem is ``MalformedCredential``."""
    try:
        return cbor.decode(data)
    except cbor.CborProblem as err:
        raise MalformedCredential.because(err.problem) from err


@dataclass(frozen=True, slots=True)
class Sign1:
    """A decoded COSE_Sign1, keeping the exact bytes that were signed."""

    protected_bytes: bytes
    protected: dict[Any, Any]
    payload: bytes
    signature: bytes

    def to_be_signed(self, external_aad: bytes = b"") -> bytes:
        """The Sig_structure over the received protected bytes and payload."""
        return sig_structure(self.protected_bytes, self.payload, external_aad)

    @property
    def alg(self) -> Any:
        """The algorithm from the protected header (None when absent)."""
        return self.protected.get(Header.ALG)

    @property
    def kid(self) -> bytes:
        """The key id from the protected header (8 bytes: ``parse_sign1`` checked it)."""
        kid: bytes = self.protected[Header.KID]
        return kid


def sig_structure(protected_bytes: bytes, payload: bytes, external_aad: bytes = b"") -> bytes:
    """``["Signature1", protected, external_aad, payload]`` (RFC 9052 §4.4)."""
    return cbor.encode([_SIG_STRUCTURE_CONTEXT, protected_bytes, external_aad, payload])


def sign1(
    payload: bytes,
    key: SigningKey,
    *,
    protected: dict[int, Any],
    unprotected: dict[int, Any] | None = None,
    external_aad: bytes = b"",
) -> bytes:
    """A tagged COSE_Sign1 over ``payload`` with the given headers (``unprotected`` only for
    conformance tests: credentials always have an empty one)."""
    protected_bytes = encode(protected) if protected else b""
    signature = key.sign(sig_structure(protected_bytes, payload, external_aad))
    return _envelope(protected_bytes, unprotected or {}, payload, signature)


def sign1_size(payload: bytes, *, protected: dict[int, Any]) -> int:
    """How many bytes ``sign1`` makes of ``payload`` with these headers, whatever the key: an
    Ed25519 signature is always 64 bytes (nothing is signed)."""
    return len(_envelope(encode(protected) if protected else b"", {}, payload, bytes(64)))


def _envelope(
    protected_bytes: bytes, unprotected: dict[int, Any], payload: bytes, signature: bytes
) -> bytes:
    return cbor.encode(
        cbor.Tag(_COSE_SIGN1_TAG, [protected_bytes, unprotected, payload, signature])
    )


def _fail(problem: str) -> MalformedCredential:
    return MalformedCredential.because(problem)


def parse_sign1(data: bytes) -> Sign1:
    """Decode a COSE_Sign1 in our envelope, checks in this order (the page's order too)."""
    if len(data) > MAX_INPUT:
        raise _fail("too-long")
    value = decode(data)
    if not isinstance(value, cbor.Tag) or value.tag != _COSE_SIGN1_TAG:
        raise _fail("not-cose-sign1")
    items = value.value
    if not isinstance(items, list) or len(items) != 4:
        raise _fail("not-four-elements")
    protected_bytes, unprotected, payload, signature = items
    for ok, problem in (
        (isinstance(protected_bytes, bytes), "protected-not-bytes"),
        (isinstance(unprotected, dict), "unprotected-not-map"),
        (isinstance(payload, bytes), "payload-not-bytes"),
        (isinstance(signature, bytes), "signature-not-bytes"),
        (unprotected == {}, "unprotected-not-empty"),
    ):
        if not ok:
            raise _fail(problem)
    protected: Any = {} if protected_bytes == b"" else decode(protected_bytes)
    if not isinstance(protected, dict):
        raise _fail("protected-not-map")
    if Header.CRIT in protected:
        raise _fail("crit-unknown")
    kid = protected.get(Header.KID)
    if not isinstance(kid, bytes) or len(kid) != _KID_SIZE:
        raise _fail("kid-missing")
    return Sign1(protected_bytes, protected, payload, signature)


def verify_signature(message: Sign1, key: VerifyKey, external_aad: bytes = b"") -> bool:
    """Whether the signature verifies under ``key`` over the received bytes."""
    return key.verify(message.to_be_signed(external_aad), message.signature)
