"""Ed25519 keys, key ids, key files, and the memory-hard hash: everything that needs libsodium.

Primitive: checks only the cryptography, not policy (whether a key is filed, or valid on a date, is
the registry's business). The only module that imports ``nacl`` and ``argon2``.

- The key id (kid) is the first 8 bytes of SHA-256 over the raw 32-byte public key, written as 16
  lowercase hex digits (the EU DCC convention).
- Verification is libsodium's ``crypto_sign_verify_detached``: strict (it rejects S >= L,
  non-canonical and small-order public keys and R), with no ZIP-215 leniency.
- A key file is JSON with a format marker. With a passphrase the 32-byte seed is encrypted with
  XSalsa20-Poly1305 (``SecretBox``) under a key derived by Argon2id; without one it is stored plain
  and the file must not be readable by others (mode 0600).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import argon2.low_level
import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.signing
import nacl.utils
from nacl.bindings import crypto_core_ed25519_is_valid_point

from credentials.errors import KeyFileError

PRIVATE_KEY_MARKER = "skillcert-ed25519-private-key"  # the format marker of a private key file
_ED25519_KEY_SIZE = 32
_SIGNATURE_SIZE = 64
_KID_SIZE = 8
_FILE_VERSION = 1
# Argon2id for key files: libsodium's "moderate" limits (about 0.5 s, 256 MiB) on each unlock.
_FILE_OPSLIMIT = nacl.pwhash.argon2id.OPSLIMIT_MODERATE
_FILE_MEMLIMIT = nacl.pwhash.argon2id.MEMLIMIT_MODERATE


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


@dataclass(frozen=True, slots=True)
class VerifyKey:
    """An Ed25519 public key."""

    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != _ED25519_KEY_SIZE:
            raise ValueError(f"an Ed25519 public key has {_ED25519_KEY_SIZE} bytes")

    @classmethod
    def from_bytes(cls, raw: bytes) -> VerifyKey:
        """From the raw 32 bytes."""
        return cls(bytes(raw))

    @property
    def kid(self) -> str:
        """The key id."""
        return kid_for(self.raw)

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is a valid strict Ed25519 signature of ``message``."""
        if len(signature) != _SIGNATURE_SIZE:
            return False
        try:
            _nacl_verify_key(self.raw).verify(message, signature)
        except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, ValueError):
            return False
        except nacl.exceptions.CryptoError:
            return False
        return True


@functools.lru_cache(maxsize=65536)
def _nacl_verify_key(raw: bytes) -> nacl.signing.VerifyKey:
    return nacl.signing.VerifyKey(raw)


class SigningKey:
    """An Ed25519 private key. Never printed: ``repr`` shows the key id only."""

    __slots__ = ("_key",)

    def __init__(self, key: nacl.signing.SigningKey) -> None:
        self._key = key

    @classmethod
    def generate(cls) -> SigningKey:
        """A new random key."""
        return cls(nacl.signing.SigningKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> SigningKey:
        """From a 32-byte seed (RFC 8032 private key)."""
        if len(seed) != _ED25519_KEY_SIZE:
            raise ValueError(f"an Ed25519 seed has {_ED25519_KEY_SIZE} bytes")
        return cls(nacl.signing.SigningKey(seed))

    @property
    def public_key(self) -> VerifyKey:
        """The matching public key."""
        return VerifyKey(bytes(self._key.verify_key))

    @property
    def kid(self) -> str:
        """The key id of the public key."""
        return self.public_key.kid

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message`` (deterministic)."""
        return bytes(self._key.sign(message).signature)

    def __repr__(self) -> str:
        return f"SigningKey(kid={self.kid})"

    # --- key files ---------------------------------------------------------------------------

    def to_file_bytes(self, *, passphrase: str | None, institution: str | None = None) -> bytes:
        """The key file's content, encrypted when a passphrase is given."""
        seed = bytes(self._key)
        doc: dict[str, object] = {
            "format": PRIVATE_KEY_MARKER,
            "version": _FILE_VERSION,
            "kid": self.kid,
            "public_key": self.public_key.raw.hex(),
            "institution": institution,
        }
        if passphrase:
            salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
            box = nacl.secret.SecretBox(_file_key(passphrase, salt, _FILE_OPSLIMIT, _FILE_MEMLIMIT))
            doc["encryption"] = {
                "kdf": "argon2id",
                "salt": salt.hex(),
                "opslimit": _FILE_OPSLIMIT,
                "memlimit": _FILE_MEMLIMIT,
                "cipher": "xsalsa20poly1305",
                "ciphertext": bytes(box.encrypt(seed)).hex(),
            }
        else:
            doc["encryption"] = None
            doc["seed"] = seed.hex()
        return (json.dumps(doc, indent=2) + "\n").encode()

    @classmethod
    def from_file_bytes(cls, data: bytes, *, passphrase: str | None) -> SigningKey:
        """Read a key file's content; wrong passphrase or damage raise ``KeyFileError``."""
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise KeyFileError(
                "key file is damaged or truncated (not valid JSON)", zh="密钥文件已损坏或不完整"
            ) from err
        if not isinstance(doc, dict) or doc.get("format") != PRIVATE_KEY_MARKER:
            raise KeyFileError("not a skillcert private key file", zh="这不是 skillcert 私钥文件")
        enc = doc.get("encryption")
        try:
            if enc is None:
                seed = bytes.fromhex(doc["seed"])
            else:
                if not passphrase:
                    raise KeyFileError(
                        "key file is encrypted: a passphrase is needed",
                        zh="密钥文件已加密，需要口令",
                    )
                box = nacl.secret.SecretBox(
                    _file_key(
                        passphrase,
                        bytes.fromhex(enc["salt"]),
                        int(enc["opslimit"]),
                        int(enc["memlimit"]),
                    )
                )
                seed = box.decrypt(bytes.fromhex(enc["ciphertext"]))
        except nacl.exceptions.CryptoError as err:
            raise KeyFileError(
                "wrong passphrase, or the key file was altered", zh="口令错误，或密钥文件被改动"
            ) from err
        except (KeyError, TypeError, ValueError) as err:
            raise KeyFileError(
                "key file is damaged or truncated (missing fields)", zh="密钥文件已损坏（缺少字段）"
            ) from err
        if len(seed) != _ED25519_KEY_SIZE:
            raise KeyFileError(
                "key file is damaged: the key has the wrong length",
                zh="密钥文件已损坏：密钥长度不对",
            )
        key = cls.from_seed(seed)
        if doc.get("kid") != key.kid:
            raise KeyFileError(
                "key file is damaged: its key id does not match the key",
                zh="密钥文件已损坏：密钥标识与密钥不符",
            )
        return key


def _file_key(passphrase: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    return bytes(
        nacl.pwhash.argon2id.kdf(
            nacl.secret.SecretBox.KEY_SIZE,
            passphrase.encode("utf-8"),
            salt,
            opslimit=opslimit,
            memlimit=memlimit,
        )
    )


def save_signing_key(
    key: SigningKey,
    path: Path,
    *,
    passphrase: str | None,
    institution: str | None = None,
    public: Sequence[Path] = (),
) -> None:
    """Write a key file with mode 0600; refuses to overwrite an existing file, and to write
    anywhere under one of the ``public`` directories (a registry or a site that gets published)."""
    target = path.resolve()
    for folder in public:
        where = folder.resolve()
        if target == where or where in target.parents:
            raise KeyFileError(
                f"refusing to write a private key under {folder} (it is published)",
                zh=f"拒绝把私钥写到 {folder} 下（该目录会被公开）",
            )
    data = key.to_file_bytes(passphrase=passphrase, institution=institution)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as err:
        raise KeyFileError(
            f"{path} exists already; a key file is never overwritten",
            zh=f"{path} 已存在；密钥文件从不覆盖",
        ) from err
    except OSError as err:
        raise KeyFileError(
            f"cannot write key file {path}: {err.strerror}", zh=f"无法写入密钥文件 {path}"
        ) from err
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def load_signing_key(path: Path, *, passphrase: str | None) -> SigningKey:
    """Read a key file; refuses one that others may read."""
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as err:
        raise KeyFileError(
            f"cannot read key file {path}: {err.strerror}", zh=f"无法读取密钥文件 {path}"
        ) from err
    if not stat.S_ISREG(mode):
        raise KeyFileError(f"{path} is not a key file", zh=f"{path} 不是密钥文件")
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"key file {path} is readable by others (mode {stat.S_IMODE(mode):o}); "
            f"run: chmod 600 {path}",
            zh=f"密钥文件 {path} 其他用户可读；请执行 chmod 600 {path}",
        )
    return SigningKey.from_file_bytes(data, passphrase=passphrase)


def memory_hard_hash(password: bytes, salt: bytes, *, opslimit: int, memlimit: int) -> bytes:
    """Argon2id v1.3, 1 lane, ``opslimit`` passes over ``memlimit`` bytes, 16-byte output;
    ``salt`` is 16 bytes. Both implementations give the same bytes (the vectors prove it); which
    one runs was chosen by measurement on two threads (bench/commitment_bench.py): up to 16 MiB the
    reference code through argon2-cffi (libsodium maps fresh memory for every call: 1,111 against
    671 hashes/s at the commitment's 4 MiB), above it libsodium's vectorised code (the lookup
    hash's 64 MiB: 35 against 27/s). Both release the GIL, so threads use every core."""
    if memlimit <= _REFERENCE_UP_TO:
        return argon2.low_level.hash_secret_raw(
            password, salt, time_cost=opslimit, memory_cost=memlimit // 1024, parallelism=1,
            hash_len=16, type=argon2.low_level.Type.ID,
        )  # fmt: skip
    return bytes(nacl.pwhash.argon2id.kdf(16, password, salt, opslimit=opslimit, memlimit=memlimit))


_REFERENCE_UP_TO = 16 * 1024 * 1024


def random_bytes(n: int) -> bytes:
    """``n`` bytes from the system's CSPRNG."""
    return bytes(nacl.utils.random(n))
