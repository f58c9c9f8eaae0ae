"""An institution's signing keys: create one and register its public key, rotate, mark one
compromised, and list the local key files with what the registry says of each.

The private key file goes under the local ``keys/`` folder (mode 0600, never under the registry or
a published site); the public key is written into the institution's registry file, for a pull
request. Nothing is deleted from the registry: a rotated key gets ``not_after``, a compromised one
``compromised_at``. After each edit the edited file's findings are returned, so that the caller can
show what the bureau's check will say.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from credentials.errors import CredentialsError, RegistryError
from credentials.keys import SigningKey, save_signing_key
from credentials.registry import edit
from credentials.registry.registry import Registry, check_registry
from credentials.registry.validate.findings import Finding


@dataclass(frozen=True, slots=True)
class KeyPlace:
    """Where key files go, and which folders are published (a private key never goes there)."""

    keys_dir: Path
    registry_dir: Path
    public: tuple[Path, ...] = ()
    passphrase: str | None = None


@dataclass(slots=True)
class NewKey:
    """A key that was made: its file, and the registry file it was registered in (if any)."""

    key: SigningKey
    path: Path
    registry_file: Path | None = None
    snippet: str = ""
    ended: list[tuple[str, dt.date]] = field(default_factory=list)  # rotation: (kid, not_after)
    findings: list[Finding] = field(default_factory=list)


def _findings_of(registry_dir: Path, file: Path) -> list[Finding]:
    result = check_registry(registry_dir, keep_institutions=False)
    return [f for f in result.findings if Path(f.file).name == file.name]


def _save(filing: str, place: KeyPlace, out: Path | None) -> tuple[SigningKey, Path]:
    key = SigningKey.generate()
    path = out or place.keys_dir / f"{filing}-{key.kid}.key"
    save_signing_key(
        key,
        path,
        passphrase=place.passphrase,
        institution=filing,
        public=(place.registry_dir, *place.public),
    )
    return key, path


def new_key(
    filing: str,
    place: KeyPlace,
    *,
    not_before: dt.date,
    out: Path | None = None,
    register: bool = True,
) -> NewKey:
    """A new key for ``filing``: the private key file, and its public key in the registry file
    (or, with ``register=False``, the YAML lines to add by hand)."""
    target = edit.institution_file(place.registry_dir, filing) if register else None
    key, path = _save(filing, place, out)
    made = NewKey(key, path, target)
    public = key.public_key.raw
    if target is None:
        made.snippet = edit.key_snippet(kid=key.kid, public_key=public, not_before=not_before)
        return made
    edit.add_key(target, kid=key.kid, public_key=public, not_before=not_before)
    made.findings = _findings_of(place.registry_dir, target)
    return made


def rotate(filing: str, place: KeyPlace, *, start: dt.date, out: Path | None = None) -> NewKey:
    """A new key from ``start``; the institution's open keys end the day before."""
    target = edit.institution_file(place.registry_dir, filing)
    inst = check_registry(place.registry_dir).institutions.get(filing)
    if inst is None:
        raise RegistryError(
            (),
            en=f"{filing} has errors in the registry; fix them first",
            zh=f"{filing} 的备案文件有错误，请先修正",
        )
    key, path = _save(filing, place, out)
    edit.add_key(target, kid=key.kid, public_key=key.public_key.raw, not_before=start)
    made = NewKey(key, path, target)
    end = start - dt.timedelta(days=1)
    for entry in inst.keys:
        if entry.not_after is None and entry.not_before <= end:
            edit.set_key_date(target, kid=entry.kid, field="not_after", day=end)
            made.ended.append((entry.kid, end))
    made.findings = _findings_of(place.registry_dir, target)
    return made


def mark_compromised(kid: str, registry_dir: Path, *, since: dt.date) -> tuple[Path, list[Finding]]:
    """Set ``compromised_at`` of key ``kid`` in whichever institution file registers it."""
    folder = registry_dir / edit.INSTITUTIONS_DIR
    for path in sorted(folder.glob("*.yaml")):
        try:
            mentioned = kid in path.read_text("utf-8", errors="replace")
        except OSError:
            continue
        if mentioned and edit.set_key_date(path, kid=kid, field="compromised_at", day=since):
            return path, _findings_of(registry_dir, path)
    raise CredentialsError(f"no key {kid} in {registry_dir}", zh=f"{registry_dir} 中没有密钥 {kid}")


@dataclass(frozen=True, slots=True)
class LocalKey:
    """A local key file and what the registry says of its key."""

    path: Path
    kid: str | None  # None: the file cannot be read
    institution: str
    encrypted: bool
    state: str


def local_keys(keys_dir: Path, registry_dir: Path, day: dt.date) -> list[LocalKey]:
    """Every ``*.key`` file under ``keys_dir`` (never decrypted: only its public part is read),
    with what the registry (its valid files, even when others have errors) says of each key."""
    registry = None
    if registry_dir.is_dir():
        result = check_registry(registry_dir)
        registry = Registry(result.institutions, result.bureau, result.occupations)
    out = []
    for path in sorted(keys_dir.glob("*.key")) if keys_dir.is_dir() else []:
        try:
            doc = json.loads(path.read_text("utf-8"))
            kid, owner = str(doc["kid"]), str(doc.get("institution") or "?")
            encrypted = bool(doc.get("encryption"))
        except (OSError, ValueError, KeyError, TypeError):
            out.append(LocalKey(path, None, "?", encrypted=False, state="无法读取 unreadable"))
            continue
        found = registry.key(kid) if registry is not None else None
        if found is None:
            state = "未登记 not in the registry"
        else:
            inst, entry = found
            window = f"{entry.not_before} – {entry.not_after or '…'}"
            valid = "有效 valid" if entry.valid_on(day) else "无效 not valid"
            comp = f", 自 {entry.compromised_at} 起泄露 compromised" if entry.compromised_at else ""
            state = f"{inst.filing_number} {window}{comp}: {valid} on {day}"
        out.append(LocalKey(path, kid, owner, encrypted, state))
    return out
