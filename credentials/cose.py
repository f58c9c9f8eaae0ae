"""COSE_Sign1 (RFC 9052) with EdDSA, and the deterministic CBOR encoding of our maps.

Primitive: checks only structure and the signature under a given key, not policy (which key is
allowed on which date is ``verify``'s business). The only module that imports ``cbor2``.

Deterministic encoding (used for everything we sign): definite lengths, the shortest form of every
integer and length, and map keys sorted **bytewise by their encoded form** (RFC 8949 §4.2.1, "core
deterministic encoding"). We build maps with keys already in that order and never re-encode what we
receive: verification uses the protected-header and payload bytes exactly as they arrived.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import cbor2

from credentials.errors import MalformedCredential
from credentials.keys import SigningKey, VerifyKey

_COSE_SIGN1_TAG = 18
_SIG_STRUCTURE_CONTEXT = "Signature1"
_MAX_INPUT = 4096  # a credential is < 200 bytes; anything far larger is not ours


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
    """Deterministic CBOR: maps are emitted with keys sorted bytewise by their encoding."""
    return cbor2.dumps(_sorted(value))


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        keys = list(value)
        if all(type(k) is int and 0 <= k < 24 for k in keys):
            # small unsigned keys encode as one byte each: bytewise order is numeric order
            return {k: _sorted(value[k]) for k in sorted(keys)}
        items = [(cbor2.dumps(k), k, _sorted(v)) for k, v in value.items()]
        return {k: v for _, k, v in sorted(items, key=lambda item: item[0])}
    if isinstance(value, list | tuple):
        return [_sorted(v) for v in value]
    return value


def decode(data: bytes) -> Any:
    """Decode CBOR; any problem is ``MalformedCredential``. Trailing bytes are an error."""
    if len(data) > _MAX_INPUT:
        raise MalformedCredential(f"input of {len(data)} bytes is too long for a credential")
    stream = io.BytesIO(data)
    try:
        value = cbor2.CBORDecoder(stream).decode()
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError, RecursionError) as err:
        raise MalformedCredential(f"not valid CBOR: {err}") from err
    if stream.tell() != len(data):
        raise MalformedCredential(f"{len(data) - stream.tell()} bytes after the CBOR item")
    return _plain(value)


_SCALARS = (int, str, bytes, bool, type(None))


def _plain(value: Any) -> Any:
    """Decoded CBOR as plain lists and dicts; only the types our format uses are accepted."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict or kind is list:  # the common case: no conversion of the container type
        items = value.items() if kind is dict else None
        if items is not None:
            for k in value:
                if type(k) not in (int, str, bytes):
                    raise MalformedCredential("map keys must be integers, text or bytes")
            return {k: _plain(v) for k, v in items}
        return [_plain(v) for v in value]
    if isinstance(value, cbor2.CBORTag):
        return cbor2.CBORTag(value.tag, _plain(value.value))
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, int | str | bytes):
                raise MalformedCredential("map keys must be integers, text or bytes")
            out[k] = _plain(v)
        return out
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool | int | str | bytes) or value is None:
        return value
    raise MalformedCredential(f"CBOR value of type {type(value).__name__} is not used here")


def decode_deterministic(data: bytes) -> Any:
    """Decode CBOR that must be in our deterministic encoding (no duplicate keys, shortest forms,
    bytewise-sorted maps); anything else is ``MalformedCredential``."""
    value = decode(data)
    try:
        again = encode(value)
    except (TypeError, ValueError, cbor2.CBOREncodeError) as err:
        raise MalformedCredential("CBOR cannot be encoded deterministically") from err
    if again != data:
        raise MalformedCredential("CBOR is not in deterministic encoding")
    return value


@dataclass(frozen=True, slots=True)
class Sign1:
    """A decoded COSE_Sign1, keeping the exact bytes that were signed."""

    protected_bytes: bytes
    protected: dict[Any, Any]
    unprotected: dict[Any, Any]
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
    def kid(self) -> bytes | None:
        """The key id from the protected header, else the unprotected one."""
        kid = self.protected.get(Header.KID, self.unprotected.get(Header.KID))
        return kid if isinstance(kid, bytes) else None


def sig_structure(protected_bytes: bytes, payload: bytes, external_aad: bytes = b"") -> bytes:
    """``["Signature1", protected, external_aad, payload]`` (RFC 9052 §4.4)."""
    return cbor2.dumps([_SIG_STRUCTURE_CONTEXT, protected_bytes, external_aad, payload])


def sign1(
    payload: bytes,
    key: SigningKey,
    *,
    protected: dict[int, Any],
    unprotected: dict[int, Any] | None = None,
    external_aad: bytes = b"",
) -> bytes:
    """A tagged COSE_Sign1 over ``payload`` with the given headers."""
    protected_bytes = encode(protected) if protected else b""
    signature = key.sign(sig_structure(protected_bytes, payload, external_aad))
    message = [protected_bytes, _sorted(unprotected or {}), payload, signature]
    return bytes(cbor2.dumps(cbor2.CBORTag(_COSE_SIGN1_TAG, message)))


def parse_sign1(data: bytes) -> Sign1:
    """Decode a tagged COSE_Sign1; raises ``MalformedCredential`` with a reason."""
    value = decode(data)
    if not isinstance(value, cbor2.CBORTag) or value.tag != _COSE_SIGN1_TAG:
        raise MalformedCredential("not a COSE_Sign1 message (CBOR tag 18)")
    value = value.value
    if not isinstance(value, list) or len(value) != 4:
        raise MalformedCredential("COSE_Sign1 must be an array of 4 elements")
    protected_bytes, unprotected, payload, signature = value
    if not isinstance(protected_bytes, bytes):
        raise MalformedCredential("protected header must be a byte string")
    if not isinstance(unprotected, dict):
        raise MalformedCredential("unprotected header must be a map")
    if not isinstance(payload, bytes):
        raise MalformedCredential("payload must be a byte string (detached payloads are not used)")
    if not isinstance(signature, bytes):
        raise MalformedCredential("signature must be a byte string")
    protected: Any = {} if protected_bytes == b"" else decode_deterministic(protected_bytes)
    if not isinstance(protected, dict):
        raise MalformedCredential("protected header must encode a map")
    return Sign1(protected_bytes, protected, unprotected, payload, signature)


def verify_signature(message: Sign1, key: VerifyKey, external_aad: bytes = b"") -> bool:
    """Whether the signature verifies under ``key`` over the received bytes."""
    return key.verify(message.to_be_signed(external_aad), message.signature)
