"""Keys: key ids, public-key validity, key files (plain and encrypted), and the COSE primitive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from credentials import cose
from credentials.errors import CredentialsError, KeyFileError
from credentials.keys import (
    SigningKey,
    kid_for,
    load_signing_key,
    public_key_problem,
    save_signing_key,
)

RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")


def test_kid_is_first_8_bytes_of_sha256() -> None:
    # SHA-256 of the RFC 8032 test key 1 starts 21fe31dfa154a261
    assert kid_for(RFC8032_PUBLIC) == "21fe31dfa154a261"
    with pytest.raises(ValueError, match="32 bytes"):
        kid_for(b"\x00" * 31)


def test_public_key_problems() -> None:
    assert public_key_problem(RFC8032_PUBLIC) is None
    assert public_key_problem(b"\x01" + b"\x00" * 31) is not None  # small order point
    assert public_key_problem(b"\x00" * 31) is not None


def test_key_file_round_trip_plain_and_encrypted(tmp_path: Path) -> None:
    key = SigningKey.generate()
    save_signing_key(key, tmp_path / "plain.key", passphrase=None, institution="Y000041019101")
    assert (tmp_path / "plain.key").stat().st_mode & 0o777 == 0o600
    assert load_signing_key(tmp_path / "plain.key", passphrase=None).kid == key.kid
    save_signing_key(key, tmp_path / "enc.key", passphrase="正确的口令 horse")
    raw = (tmp_path / "enc.key").read_text()
    assert json.loads(raw)["encryption"]["kdf"] == "argon2id"
    assert "seed" not in json.loads(raw)
    assert load_signing_key(tmp_path / "enc.key", passphrase="正确的口令 horse").kid == key.kid
    with pytest.raises(KeyFileError, match="wrong passphrase"):
        load_signing_key(tmp_path / "enc.key", passphrase="wrong")
    with pytest.raises(KeyFileError, match="passphrase is needed"):
        load_signing_key(tmp_path / "enc.key", passphrase=None)


def test_key_file_problems_are_clear_and_never_show_the_key(tmp_path: Path) -> None:
    key = SigningKey.generate()
    path = tmp_path / "k.key"
    save_signing_key(key, path, passphrase=None)
    seed_hex = json.loads(path.read_text())["seed"]
    with pytest.raises(KeyFileError, match="never overwritten"):
        save_signing_key(key, path, passphrase=None)
    path.chmod(0o644)
    with pytest.raises(KeyFileError, match="chmod 600") as info:
        load_signing_key(path, passphrase=None)
    assert seed_hex not in str(info.value)
    path.chmod(0o600)
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(KeyFileError, match="damaged or truncated") as info:
        load_signing_key(path, passphrase=None)
    assert seed_hex[:16] not in str(info.value)
    with pytest.raises(KeyFileError, match="cannot read"):
        load_signing_key(tmp_path / "missing.key", passphrase=None)
    assert seed_hex not in repr(key)
    assert repr(key) == f"SigningKey(kid={key.kid})"


def test_a_private_key_is_never_written_under_a_published_folder(tmp_path: Path) -> None:
    key = SigningKey.generate()
    (tmp_path / "registry").mkdir()
    with pytest.raises(KeyFileError, match="refusing to write a private key"):
        save_signing_key(
            key,
            tmp_path / "registry" / "x" / "k.key",
            passphrase=None,
            public=(tmp_path / "registry",),
        )
    assert not (tmp_path / "registry" / "x").exists()


def test_cose_rejects_non_tag_18() -> None:
    with pytest.raises(CredentialsError, match="tag 18"):
        cose.parse_sign1(cose.encode([b"", {}, b"", b""]))
