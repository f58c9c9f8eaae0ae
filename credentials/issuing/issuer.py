"""Who issues and how: the registry, the signing key and the institution it is filed for.

``Issuer.load`` reads the registry for issuing: what this institution depends on must be free of
errors, other institutions' problems are warnings. ``Options`` are how one roster is issued.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from credentials.errors import IssuanceRefused, RegistryError
from credentials.issuing import files
from credentials.keys import SigningKey
from credentials.registry.batches import Batch
from credentials.registry.model import Institution
from credentials.registry.registry import Registry, check_registry, merge_dates
from credentials.registry.validate.check import BUREAU_FILE, INSTITUTIONS_DIR, OCCUPATIONS_FILE
from credentials.registry.validate.findings import Finding


@dataclass(frozen=True, slots=True)
class Issuer:
    """Who issues: the registry, the signing key and the institution that key is filed for."""

    registry: Registry
    key: SigningKey
    institution: Institution
    seal: Path | None = None  # the institution's seal image in the registry, when filed

    @classmethod
    def of(cls, key: SigningKey, registry: Registry) -> Issuer:
        """The issuer of a registered key; ``IssuanceRefused`` when no institution has it."""
        found = registry.key(key.kid)
        if found is None:
            raise IssuanceRefused(
                f"key {key.kid} is not registered for any institution; add it with skillcert keys new",
                zh=f"密钥 {key.kid} 未在任何机构的备案文件中登记；请用 skillcert keys new 登记",
            )
        return cls(registry, key, found[0])

    @classmethod
    def load(cls, key: SigningKey, registry_dir: Path) -> tuple[Issuer, list[Finding]]:
        """The issuer of ``key`` from a registry folder. What this institution's issuing depends
        on must be free of errors (its own file, ``bureau.yaml``, the occupation data); errors in
        other institutions' files do not stop it and come back as warnings."""
        result = check_registry(registry_dir)
        registry = Registry.of(result, merged=merge_dates(registry_dir, result))
        issuer = cls.of(key, registry)
        own = (
            BUREAU_FILE,
            OCCUPATIONS_FILE,
            f"{INSTITUTIONS_DIR}/{issuer.institution.filing_number}.yaml",
        )
        errors = [f for f in result.findings if f.severity == "error"]
        batches = f"batches/{issuer.institution.filing_number}/"
        blocking = [f for f in errors if f.file.endswith(own) or batches in f.file]
        if blocking:
            raise RegistryError(blocking)
        if issuer.institution.seal is not None:
            issuer = dataclasses.replace(issuer, seal=registry_dir / issuer.institution.seal)
        return issuer, [f for f in errors if f not in blocking]

    def context(self) -> files.Context:
        """What the certificates of this institution share (site URL, names, query URLs, seal)."""
        return files.Context.of(self.registry, self.institution, seal=self.seal)


@dataclass(slots=True)
class Options:
    """How a roster is issued."""

    out: Path
    today: dt.date
    source: str | None = None
    institution: str | None = None  # the filing number the command names (the key must be its)
    batch: Batch | None = None  # the approved batch (the command line always issues inside one)
    batch_key: str | None = None  # "<filing>/<id>" or "<id>" named by the command
    need_batch: bool = False  # find the batch (named, or the one whose roster this is) or refuse
    write_files: bool = True
    progress: Callable[[int], None] | None = None
    after_commit: Callable[[int], None] | None = None  # tests: a hook after each transaction
