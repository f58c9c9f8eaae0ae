"""Ed25519 keys: key ids and public-key checks.

Primitive: checks only the cryptography, not policy (whether a key is filed or valid on a date is the
registry's business). The only module that imports ``nacl``.

The key id (kid) is the first 8 bytes of SHA-256 over the raw 32-byte public key, written as 16
lowercase hex digits (the EU DCC convention).
"""

from __future__ import annotations

import hashlib

from nacl.bindings import crypto_core_ed25519_is_valid_point

_ED25519_KEY_SIZE = 32
_KID_SIZE = 8


def kid_for(public_key: bytes) -> str:
    """The key id of a raw 32-byte Ed25519 public key."""
    if len(public_key) != _ED25519_KEY_SIZE:
        raise ValueError(
            f"an Ed25519 public key has {_ED25519_KEY_SIZE} bytes, not {len(public_key)}"
        )
    return hashlib.sha256(public_key).digest()[:_KID_SIZE].hex()


def public_key_problem(public_key: bytes) -> str | None:
    """Why ``public_key`` cannot verify signatures (None when it is a usable Ed25519 key).

    Rejects wrong lengths and encodings that are not a point of the curve, or are a point of small
    order (libsodium's ``crypto_core_ed25519_is_valid_point``).
    """
    if len(public_key) != _ED25519_KEY_SIZE:
        return f"{len(public_key)} bytes instead of {_ED25519_KEY_SIZE}"
    if not crypto_core_ed25519_is_valid_point(public_key):
        return "not a point of the curve, or of small order"
    return None
