"""What a verifier may be given, and verifying it against a registry or a published snapshot.

``read_input(source)`` turns what a person has into credential bytes: the QR text itself (the
``https://…/v#…`` URL or its digits), a ``.cose`` file, a file holding the QR text, a photo or scan
with the QR code, or standard input (``-``). Anything it cannot read is ``UnreadableInput`` with a
reason (the command line exits 2). ``verify_source(data, …)`` loads the registry (a directory, or
the snapshot a site published: only the shard the credential's number needs, after the manifest's
signature) and runs every check.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from credentials import cose
from credentials.credential import commitment, images, qr
from credentials.credential.claims import number_from_claim
from credentials.credential.lookup import Found, lookup
from credentials.credential.verify import Report, check
from credentials.errors import CredentialsError, MalformedCredential, UnreadableInput
from credentials.registry import snapshot
from credentials.registry.registry import Registry, load_registry
from credentials.registry.validate.check import BUREAU_FILE, load_bureau

MAX_INPUT_BYTES = 32 * 1024 * 1024  # a phone photo is a few MB; a credential under 1 KB


def _unreadable(en: str, zh: str) -> UnreadableInput:
    return UnreadableInput(en, zh=zh)


def _looks_like_text(source: str) -> bool:
    """QR text given on the command line: the URL with a fragment, or the bare digits."""
    return "://" in source or "#" in source or (source.isascii() and source.isdigit())


def _read_file(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_INPUT_BYTES + 1)
    except IsADirectoryError as err:
        raise _unreadable(f"{path} is a directory", f"{path} 是目录，不是文件") from err
    except FileNotFoundError as err:
        raise _unreadable(
            f"{path} is not a file, nor QR text", f"{path} 不是文件，也不是二维码内容"
        ) from err
    except OSError as err:
        raise _unreadable(f"cannot read {path}: {err.strerror}", f"无法读取 {path}") from err
    if len(data) > MAX_INPUT_BYTES:
        raise _unreadable(f"{path} is larger than {MAX_INPUT_BYTES // 2**20} MB", f"{path} 过大")
    return data


def _from_text(text: str) -> bytes:
    try:
        return qr.decode_text(text)
    except MalformedCredential as err:
        raise _unreadable(str(err), err.zh or "二维码内容中没有证书") from err


@dataclass(frozen=True, slots=True)
class Given:
    """What was read: the credential, the QR text it came in (when it came as one), and how many
    other QR codes the picture held (only the first is verified)."""

    data: bytes
    qr_text: str | None = None
    other_codes: int = 0

    def foreign_site(self, site_url: str) -> str | None:
        """The site the QR code points to, when it is not ``site_url`` (a look-alike verifier)."""
        if self.qr_text is None or "://" not in self.qr_text:
            return None
        shown = urlsplit(self.qr_text.strip()).netloc
        return None if shown.lower() == urlsplit(site_url).netloc.lower() else shown


def read_given(source: str, *, stdin: BinaryIO | None = None) -> Given:
    """The credential ``source`` holds or names (see the module docstring)."""
    if source == "-":
        if stdin is None:
            raise _unreadable("no standard input", "没有标准输入")
        data = stdin.read(MAX_INPUT_BYTES + 1)
    elif _looks_like_text(source):
        return Given(_from_text(source), source)
    else:
        if len(os.fsencode(source)) > 4096 or "\0" in source:
            raise _unreadable(
                "the argument is neither a file nor QR text", "参数既不是文件也不是二维码内容"
            )
        data = _read_file(Path(source))
    if not data:
        raise _unreadable("the input is empty", "输入为空")
    if images.looks_like_image(data):
        try:
            texts = images.qr_texts(data)
        except MalformedCredential as err:
            raise _unreadable(str(err), err.zh or "无法读取的图片") from err
        if not texts:
            raise _unreadable("no QR code found in the image", "图片中没有找到二维码")
        return Given(_from_text(texts[0]), texts[0], len(set(texts)) - 1)
    if data[:1] == b"\xd2":  # COSE_Sign1: CBOR tag 18
        return Given(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return Given(data)  # binary: let the verifier say what is wrong with it
    return Given(_from_text(text), text.strip())


def read_input(source: str, *, stdin: BinaryIO | None = None) -> bytes:
    """The credential bytes ``source`` holds or names (``read_given`` without the context)."""
    return read_given(source, stdin=stdin).data


def filing_of(data: bytes) -> str | None:
    """The filing number in the credential's number (which snapshot shard it needs), if readable."""
    try:
        claims = cose.decode(cose.parse_sign1(data).payload)
        number = number_from_claim(claims.get(1)) if isinstance(claims, dict) else ""
    except CredentialsError:
        return None
    return number[:13] or None


@dataclass(frozen=True, slots=True)
class Outcome:
    """A verification: the report, the registry it used, the ID check, the snapshot's manifest."""

    report: Report
    registry: Registry
    id_match: bool | None = None
    manifest: dict[str, Any] | None = None
    stale_as_of: str | None = None  # the snapshot's date, when it is past its valid-until


@dataclass(frozen=True, slots=True)
class Source:
    """Where the registry comes from: a directory, or a published snapshot (dir or URL)."""

    registry_dir: Path
    snapshot: str | None = None
    snapshot_key: bytes | None = None  # default: the key in registry_dir/bureau.yaml


def _trusted_key(source: Source) -> bytes:
    if source.snapshot_key is not None:
        return source.snapshot_key
    path = source.registry_dir / BUREAU_FILE
    if not path.is_file():
        raise CredentialsError(
            "no bureau key to check the snapshot with: give --snapshot-key-hex",
            zh="没有用于核对目录快照签名的主管部门公钥：请用 --snapshot-key-hex 提供",
        )
    bureau = load_bureau(path.read_bytes())
    if bureau is None:
        raise CredentialsError(
            "bureau.yaml has errors: give --snapshot-key-hex",
            zh="bureau.yaml 有错误：请用 --snapshot-key-hex 提供主管部门公钥",
        )
    return bureau.snapshot_public_key


def registry_of(source: Source, *, filing: str | None) -> tuple[Registry, dict[str, Any] | None]:
    """The registry ``source`` names (of a snapshot: the shard that holds institution ``filing``
    and its records, read as they are needed), with the snapshot's manifest."""
    if source.snapshot is not None:
        return snapshot.fetch(source.snapshot, trusted_key=_trusted_key(source), filing=filing)
    return load_registry(source.registry_dir, git_dates=True), None


def verify_source(
    data: bytes, source: Source, *, at: dt.date, id_number: str | None = None
) -> Outcome:
    """Check ``data`` against the registry ``source`` names, as of ``at``; with ``id_number``,
    also whether the credential commits to it."""
    registry, manifest = registry_of(source, filing=filing_of(data))
    report = check(data, registry, at=at)
    id_match = None
    if id_number is not None and report.credential is not None:
        cred = report.credential
        id_match = commitment.matches(cred.id_commitment, cred.id_type, id_number)
    stale = snapshot.stale_as_of(manifest, at) if manifest is not None else None
    return Outcome(report, registry, id_match, manifest, stale)


@dataclass(frozen=True, slots=True)
class LookedUp:
    """A lookup by number and ID number, the registry it used and the snapshot's manifest."""

    found: Found
    registry: Registry
    manifest: dict[str, Any] | None = None
    stale_as_of: str | None = None


def lookup_source(number: str, id_number: str, source: Source, *, at: dt.date) -> LookedUp:
    """Confirm a typed (number, ID number) pair against the published records ``source`` names."""
    typed = "".join(number.split()).upper()
    registry, manifest = registry_of(source, filing=typed[:13] if len(typed) == 22 else None)
    found = lookup(typed, id_number, registry, at=at)
    stale = snapshot.stale_as_of(manifest, at) if manifest is not None else None
    return LookedUp(found, registry, manifest, stale)
