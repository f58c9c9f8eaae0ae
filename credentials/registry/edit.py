"""Editing registry files for a pull request, keeping their comments and layout.

The only module that imports ``ruamel.yaml`` (round-trip mode). Each function reads the file, makes
one change, and replaces the file atomically. Nothing is deleted from an institution's file: keys
get ``not_after`` or ``compromised_at``, revocations and re-issues are appended. New files (a
batch, its notice list, a record) are written whole and never over an existing file; a decided
batch's notice list is the one file removed (it holds personal data for the notice period only).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from credentials.errors import RegistryError

INSTITUTIONS_DIR = "institutions"


def institution_file(registry_dir: Path, filing: str) -> Path:
    """The registry file of an institution; ``RegistryError`` when there is none."""
    path = registry_dir / INSTITUTIONS_DIR / f"{filing}.yaml"
    if not path.is_file():
        raise RegistryError(
            (),
            en=f"no registry file for {filing}: {path} does not exist",
            zh=f"{filing} 没有备案文件：{path} 不存在",
        )
    return path


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    # keep "null" written out (ruamel would leave the value empty)
    y.representer.add_representer(
        type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return y


def _load(path: Path) -> Any:
    try:
        return _yaml().load(path.read_text("utf-8"))
    except OSError as err:
        raise RegistryError(
            (), en=f"cannot read {path}: {err.strerror}", zh=f"无法读取 {path}"
        ) from err
    except (ValueError, YAMLError) as err:
        raise RegistryError(
            (), en=f"{path} is not valid YAML: fix it first", zh=f"{path} 不是有效的 YAML，请先修正"
        ) from err


def _save(path: Path, doc: Any) -> None:
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".yaml")
    except OSError as err:
        raise RegistryError(
            (), en=f"cannot write {path}: {err.strerror}", zh=f"无法写入 {path}"
        ) from err
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            _yaml().dump(doc, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise RegistryError(
            (), en=f"cannot write {path}: {err.strerror}", zh=f"无法写入 {path}"
        ) from err
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def restore(path: Path, original: bytes) -> None:
    """Put back a file's earlier bytes (rolling back an edit), atomically."""
    tmp = path.with_name(f".restore-{path.name}")
    tmp.write_bytes(original)
    os.replace(tmp, path)


def _list(doc: Any, name: str) -> CommentedSeq:
    seq = doc.get(name)
    if isinstance(seq, CommentedSeq):
        return seq
    new = CommentedSeq()
    doc[name] = new
    return new


def add_key(path: Path, *, kid: str, public_key: bytes, not_before: dt.date) -> None:
    """Append a public key entry."""
    doc = _load(path)
    entry = CommentedMap()
    entry["kid"] = DoubleQuotedScalarString(kid)
    entry["public_key"] = DoubleQuotedScalarString(public_key.hex())
    entry["not_before"] = not_before
    _list(doc, "keys").append(entry)
    _save(path, doc)


def key_snippet(*, kid: str, public_key: bytes, not_before: dt.date) -> str:
    """The YAML lines of a key entry, to paste under ``keys:``."""
    return (
        f'  - kid: "{kid}"\n    public_key: "{public_key.hex()}"\n'
        f"    not_before: {not_before.isoformat()}\n"
    )


def set_snapshot_key(path: Path, *, kid: str, public_key: bytes) -> None:
    """Replace the bureau's snapshot-signing public key in ``bureau.yaml``."""
    doc = _load(path)
    entry = doc.get("snapshot_key")
    if not isinstance(entry, CommentedMap):
        entry = CommentedMap()
        doc["snapshot_key"] = entry
    entry["kid"] = DoubleQuotedScalarString(kid)
    entry["public_key"] = DoubleQuotedScalarString(public_key.hex())
    _save(path, doc)


def set_key_date(path: Path, *, kid: str, field: str, day: dt.date) -> bool:
    """Set ``not_after`` or ``compromised_at`` of key ``kid``; False when the key is not there."""
    if field not in ("not_after", "compromised_at"):
        raise ValueError(f"cannot set {field} of a key")
    doc = _load(path)
    for entry in _list(doc, "keys"):
        if str(entry.get("kid")) == kid:
            entry[field] = day
            _save(path, doc)
            return True
    return False


def _has(doc: Any, name: str, number: str, version: int | None) -> bool:
    return any(
        str(e.get("number")) == number and e.get("version") == version
        for e in _list(doc, name)
        if isinstance(e, CommentedMap)
    )


def has_revocation(path: Path, *, number: str, version: int | None) -> bool:
    """Whether the file already revokes this version of the number (None: every version)."""
    return _has(_load(path), "revoked", number, version)


def has_reissue(path: Path, *, number: str, version: int) -> bool:
    """Whether the file already records this re-issue."""
    return _has(_load(path), "reissued", number, version)


def add_revocation(
    path: Path, *, number: str, version: int | None, day: dt.date, reason: str
) -> None:
    """Append a revoked certificate (``version`` None: every version of the number)."""
    doc = _load(path)
    entry = CommentedMap()
    entry["number"] = number
    if version is not None:
        entry["version"] = version
    entry["date"] = day
    entry["reason"] = reason
    _list(doc, "revoked").append(entry)
    _save(path, doc)


def add_reissue(
    path: Path, *, number: str, version: int, day: dt.date, reason: str | None = None
) -> None:
    """Append a re-issue (the new version supersedes the earlier ones), with the holder's reason."""
    doc = _load(path)
    entry = CommentedMap()
    entry["number"] = number
    entry["version"] = version
    entry["date"] = day
    if reason:
        entry["reason"] = reason
    _list(doc, "reissued").append(entry)
    _save(path, doc)


def _plain(value: Any) -> Any:
    """Dicts and lists as ruamel's commented containers (so that they dump in block style)."""
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _plain(v)
        return out
    if isinstance(value, list):
        seq = CommentedSeq()
        seq.extend(_plain(v) for v in value)
        return seq
    return value


def _flow_items(seq: Any) -> None:
    """Write each mapping of a list on one line (``- {a: 1, b: 2}``): one row, one diff line."""
    for item in seq:
        if isinstance(item, CommentedMap):
            item.fa.set_flow_style()


def write_new(path: Path, data: dict[str, Any], *, comment: str, rows: str | None = None) -> None:
    """Write a new registry file (refusing to replace one): ``data`` in block style with
    ``comment`` on top, the list ``rows`` one item a line."""
    if path.exists():
        raise RegistryError(
            (), en=f"{path} exists already; it is not replaced", zh=f"{path} 已存在，不会覆盖"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = _plain(data)
    if rows is not None and rows in doc:
        _flow_items(doc[rows])
    doc.yaml_set_start_comment(comment)
    _save(path, doc)


def write_bytes_new(path: Path, data: bytes) -> None:
    """Write a new file atomically (refusing to replace one)."""
    if path.exists():
        raise RegistryError(
            (), en=f"{path} exists already; it is not replaced", zh=f"{path} 已存在，不会覆盖"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{path.name}")
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise RegistryError(
            (), en=f"cannot write {path}: {err.strerror}", zh=f"无法写入 {path}"
        ) from err


def set_decision(path: Path, decision: dict[str, Any]) -> None:
    """Write the bureau's decision into a batch file (replacing none: a decided batch stays
    decided)."""
    doc = _load(path)
    if not isinstance(doc, CommentedMap):
        raise RegistryError((), en=f"{path} is not a batch file", zh=f"{path} 不是批次文件")
    if doc.get("decision") is not None:
        raise RegistryError(
            (), en=f"{path} is decided already", zh=f"{path} 已经作出决定，不能再改"
        )
    doc["decision"] = _plain(decision)
    if "serials" in doc["decision"]:
        _flow_items(doc["decision"]["serials"])
    _save(path, doc)


def remove(path: Path) -> bool:
    """Delete a file (a notice list once the notice is over); False when it was not there."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as err:
        raise RegistryError(
            (), en=f"cannot delete {path}: {err.strerror}", zh=f"无法删除 {path}"
        ) from err
    return True
