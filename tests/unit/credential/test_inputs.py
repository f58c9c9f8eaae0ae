"""What a verifier may be given: text, files, images, standard input; and what it cannot read."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest

from credentials.credential import inputs, qr
from credentials.errors import SnapshotError, UnreadableInput
from credentials.registry import snapshot
from tests.conftest import VECTORS

VALID = json.loads((VECTORS / "valid-technician-college.json").read_text("utf-8"))
DATA = bytes.fromhex(VALID["cose_hex"])


def test_every_form_of_the_same_credential(tmp_path: Path) -> None:
    text = VALID["qr_text"]
    assert inputs.read_input(text) == DATA
    assert inputs.read_input(text.rpartition("#")[2]) == DATA  # the bare digits
    (tmp_path / "c.cose").write_bytes(DATA)
    assert inputs.read_input(str(tmp_path / "c.cose")) == DATA
    (tmp_path / "c.txt").write_text(text + "\n")
    assert inputs.read_input(str(tmp_path / "c.txt")) == DATA
    (tmp_path / "c.png").write_bytes(qr.render_png(qr.make("https://skillcert.example.org", DATA)))
    assert inputs.read_input(str(tmp_path / "c.png")) == DATA
    assert inputs.read_input("-", stdin=io.BytesIO(DATA)) == DATA


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("9" * 20_000, "too long"),
        ("x" * 10_000, "neither a file nor QR text"),
        ("https://x.example/v#12a", "no credential"),
        ("https://x.example/v#2", "0x01 marker"),
    ],
)
def test_unreadable_text_says_why(source: str, message: str) -> None:
    with pytest.raises(UnreadableInput, match=message) as info:
        inputs.read_input(source)
    assert info.value.exit_code == 2
    assert info.value.zh


def test_unreadable_files_say_why(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInput, match="is a directory"):
        inputs.read_input(str(tmp_path))
    with pytest.raises(UnreadableInput, match="not a file"):
        inputs.read_input(str(tmp_path / "missing.cose"))
    (tmp_path / "empty").write_bytes(b"")
    with pytest.raises(UnreadableInput, match="empty"):
        inputs.read_input(str(tmp_path / "empty"))
    (tmp_path / "cut.png").write_bytes(qr.render_png(qr.make("https://x", b"\x01"))[:60])
    with pytest.raises(UnreadableInput, match="image"):
        inputs.read_input(str(tmp_path / "cut.png"))


def test_filing_of_names_the_shard() -> None:
    assert inputs.filing_of(DATA) == VALID["inputs"]["credential"]["number"][:13]
    assert inputs.filing_of(b"\xd2\x84") is None


def test_verify_source_from_a_snapshot_reads_only_what_the_signature_covers(tmp_path: Path) -> None:
    snap = tmp_path / "snapshot"
    shutil.copytree(VECTORS / "snapshot", snap)
    key = bytes.fromhex(_bureau_key())
    source = inputs.Source(tmp_path, str(snap), key)
    at = dt.date.fromisoformat(VALID["at"])
    outcome = inputs.verify_source(DATA, source, at=at, id_number=VALID["inputs"]["id_number"])
    assert outcome.report.ok
    assert outcome.id_match is True
    assert outcome.manifest is not None
    # a manifest that names a path outside the snapshot is refused before anything is read
    manifest = json.loads((snap / "manifest.json").read_text())
    manifest["shards"]["41"]["path"] = "../../../../etc/passwd"
    (snap / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SnapshotError, match="signature does not verify"):
        inputs.verify_source(DATA, source, at=at)
    with pytest.raises(SnapshotError, match="damaged"):  # unsigned (local builds): still refused
        snapshot.open_manifest((snap / "manifest.json").read_bytes(), None, trusted_key=None)


def _bureau_key() -> str:
    from tests.vectors.generate import KEYS

    return KEYS["bureau"].public_key.raw.hex()


def test_a_picture_claiming_gigapixels_is_refused_before_decoding(tmp_path: Path) -> None:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 60_000, 60_000, 8, 6, 0, 0, 0)  # 3.6 Gpx RGBA, tiny file
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )
    (tmp_path / "bomb.png").write_bytes(png)
    with pytest.raises(UnreadableInput, match="pixels"):
        inputs.read_input(str(tmp_path / "bomb.png"))
