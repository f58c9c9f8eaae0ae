"""Fuzzing `skillcert verify` the way a careless user or an attacker feeds it: any text argument,
any file, pictures that are not quite pictures, damaged snapshot folders. Every run ends with exit
code 0, 1 or 2 and no traceback, and never writes a terminal control character."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main
from credentials.credential import qr
from credentials.registry import snapshot
from tests.conftest import VECTORS

pytestmark = pytest.mark.integration
REGISTRY = VECTORS / "registry"
VALID = bytes.fromhex(
    json.loads((VECTORS / "valid-technician-college.json").read_text())["cose_hex"]
)
_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def _run(args: list[str], stdin: bytes | None = None) -> None:
    result = CliRunner().invoke(main, args, input=stdin, catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output[-300:])
    assert "Traceback" not in result.output
    assert "\x1b" not in result.output
    assert "\u202e" not in result.output


_BASE = ["--registry", str(REGISTRY), "--at", "2026-11-21"]


@_SETTINGS
@given(st.one_of(
    st.text(min_size=1, max_size=300),
    st.text(alphabet="0123456789", min_size=1, max_size=20_000),
    st.builds(lambda d: "https://skillcert.example.org/v#" + d, st.text(alphabet="0123456789#", max_size=6000)),
    st.builds(lambda b: qr.payload_text("https://x.example", b), st.binary(max_size=600)),
))  # fmt: skip
def test_any_text_argument(text: str) -> None:
    if text.startswith("-") or "\x00" in text:
        text = "x" + text.replace("\x00", "")
    _run(["verify", text, *_BASE])


@_SETTINGS
@given(st.one_of(
    st.binary(max_size=3000),
    st.builds(lambda b: b"\x89PNG\r\n\x1a\n" + b, st.binary(max_size=2000)),
    st.builds(lambda b: b"\xff\xd8\xff\xe0" + b, st.binary(max_size=2000)),
    st.builds(lambda b: b"\xd2" + b, st.binary(max_size=400)),
    st.builds(lambda i, b: VALID[:i] + b + VALID[i:], st.integers(0, len(VALID)), st.binary(max_size=8)),
))  # fmt: skip
def test_any_file(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input"
        path.write_bytes(data)
        _run(["verify", str(path), *_BASE])
    _run(["verify", "-", *_BASE], stdin=data)


@_SETTINGS
@given(st.integers(1, 3000), st.integers(1, 3000), st.sampled_from(["PNG", "JPEG", "GIF", "BMP"]))
def test_pictures_without_a_code(width: int, height: int, fmt: str) -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L" if fmt != "GIF" else "P", (width, height), 200).save(buf, format=fmt)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "picture"
        path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // (1 + width % 3)])  # some cut short
        _run(["verify", str(path), *_BASE])


_SHARD = st.fixed_dictionaries({
    "path": st.one_of(st.text(max_size=40), st.sampled_from(["/dev/zero", "../../etc/passwd", "41.json"])),
    "sha256": st.text(max_size=64),
}, optional={
    "province": st.one_of(st.text(max_size=3), st.just("41"), st.integers()),
    "from": st.one_of(st.text(max_size=14), st.sampled_from(["", "Y000041019101", "Z"]), st.none()),
})  # fmt: skip
_MANIFEST = st.builds(
    lambda fmt, shards: json.dumps({"format": fmt, "date": "2026-11-21",
                                    "valid_until": "2026-11-28", "shards": shards}).encode(),
    st.sampled_from([3, snapshot.FORMAT]),
    st.dictionaries(st.text(max_size=4), _SHARD, max_size=3),
)  # fmt: skip


@_SETTINGS
@given(st.one_of(st.binary(max_size=400), _MANIFEST), st.binary(max_size=200))
def test_damaged_snapshot_folders(manifest: bytes, signature: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "manifest.json").write_bytes(manifest)
        (folder / "manifest.sig.json").write_bytes(signature)
        (folder / "41.json").write_bytes(b"{}")
        for key in ([], ["--snapshot-key-hex", "00" * 32]):
            _run(["verify", str(folder / "x"), "--snapshot", str(folder), *key, *_BASE])
            cose = folder / "c.cose"
            cose.write_bytes(VALID)
            _run(["verify", str(cose), "--snapshot", str(folder), *key, *_BASE])


# manifests of the current format that are nearly right: each shard's province and first filing
# number present or not, of the right type or not, on the number's side or not
_NEAR_SHARD = st.fixed_dictionaries({
    "path": st.sampled_from(["41.json", "41-2.json", "../41.json"]),
    "sha256": st.sampled_from(["", "0" * 64]),
}, optional={
    "province": st.sampled_from(["41", "41", "41", "4", "", 41, None]),
    "from": st.sampled_from(["Y000041019101", "S000041000001", "Y0000419", "", 7, None, ["Y"]]),
})  # fmt: skip
_NEAR_MANIFEST = st.builds(
    lambda shards: json.dumps({"format": snapshot.FORMAT, "shards": shards}).encode(),
    st.dictionaries(st.sampled_from(["41", "41-2", "x"]), _NEAR_SHARD, max_size=3),
)


@_SETTINGS
@given(
    st.one_of(st.binary(max_size=400), _MANIFEST, _NEAR_MANIFEST, _NEAR_MANIFEST),
    st.one_of(
        st.binary(max_size=200),
        st.just(b"{}"),
        st.just(b'{"occupations":{},"institutions":{"Y000041019101":{}}}'),
    ),
    st.one_of(
        st.sampled_from(["Y000041019101", "Y000041019101263000001", "S000041000002"]),
        st.text(max_size=25),
    ),
    st.booleans(),
)
def test_unsigned_snapshots_fail_only_with_a_snapshot_error(
    manifest: bytes, shard: bytes, filing: str, hashed: bool
) -> None:
    """An unsigned snapshot (local builds) gets past the signature: its manifest's shape, the
    shard choice, the hashes and the shard's contents (``hashed``: the manifest gives the shard's
    true SHA-256, so that its contents are read) must each fail as a ``SnapshotError``."""
    import contextlib
    import hashlib

    from credentials.errors import SnapshotError

    if hashed and manifest.startswith(b'{"format"'):
        doc = json.loads(manifest)
        for info in doc["shards"].values():
            info["path"], info["sha256"] = "41.json", hashlib.sha256(shard).hexdigest()
        manifest = json.dumps(doc).encode()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "manifest.json").write_bytes(manifest)
        (folder / "41.json").write_bytes(shard)
        with contextlib.suppress(SnapshotError):
            snapshot.fetch(str(folder), trusted_key=None, filing=filing)
