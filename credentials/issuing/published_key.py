"""Whether the signing key is in the registry the bureau has published, not only in a local copy.

An institution adds its key by pull request; until the bureau merges it and publishes the site,
employers' verifiers do not know the key and say "密钥未登记". ``key_publication`` reads the
bureau's signed snapshot (``site_url``/snapshot/ from ``bureau.yaml``, or a folder or URL given)
and says whether the key is there: ``published``, ``missing`` (the snapshot was read and the key
or the institution is not in it) or ``unknown`` (no snapshot could be read and trusted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from credentials.errors import SnapshotError
from credentials.registry import snapshot
from credentials.registry.registry import Registry

Status = Literal["published", "missing", "unknown"]
OFF = "off"
_TIMEOUT = 8.0  # seconds per file: an unreachable site must not hold up an office for long


@dataclass(frozen=True, slots=True)
class Publication:
    status: Status
    location: str
    as_of: str | None  # the snapshot's data date
    zh: str
    en: str


def default_location(registry: Registry) -> str | None:
    """The bureau's published snapshot: ``site_url``/snapshot/ (None without a bureau file)."""
    if registry.bureau is None or not registry.bureau.site_url:
        return None
    return registry.bureau.site_url.rstrip("/") + "/snapshot/"


def key_publication(kid: str, filing: str, registry: Registry, location: str) -> Publication:
    """Where ``kid`` (of institution ``filing``) stands in the snapshot at ``location``, trusted
    with the bureau's snapshot key from the local ``bureau.yaml``."""
    bureau = registry.bureau
    if bureau is None or not bureau.snapshot_public_key:
        return Publication("unknown", location, None, "bureau.yaml 中没有快照公钥，无法确认已公布的目录",
                           "bureau.yaml has no snapshot key to trust the published registry with")  # fmt: skip
    try:
        published, manifest = snapshot.fetch(location, trusted_key=bureau.snapshot_public_key,
                                             filing=filing, timeout=_TIMEOUT)  # fmt: skip
    except SnapshotError as err:
        return Publication("unknown", location, None, err.zh or str(err), str(err))
    as_of = str(manifest.get("date"))
    inst = published.institutions.get(filing)
    if inst is None:
        return Publication("missing", location, as_of, f"已公布的目录（{as_of}）中还没有机构 {filing}",
                           f"the published registry ({as_of}) has no institution {filing} yet")  # fmt: skip
    if not any(k.kid == kid for k in inst.keys):
        return Publication("missing", location, as_of, f"已公布的目录（{as_of}）中还没有签名密钥 {kid}",
                           f"the published registry ({as_of}) does not have key {kid} yet")  # fmt: skip
    return Publication("published", location, as_of, f"签名密钥 {kid} 已在公布的目录（{as_of}）中",
                       f"key {kid} is in the published registry ({as_of})")  # fmt: skip
