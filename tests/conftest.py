"""Shared fixtures: the sample registry, a copy of it to break, and the CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_REGISTRY = ROOT / "registry"
VECTORS = ROOT / "tests" / "vectors"
EXTERNAL = VECTORS / "external"


@pytest.fixture(scope="session")
def _parse_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("parse-cache")


@pytest.fixture(autouse=True)
def _own_home(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    _parse_cache_folder: Path,
) -> None:
    """Each test has its own skillcert home (the register index), never the user's; issuing does
    not look for the bureau's published snapshot on the network (the sample's site is
    example.org), except in the tests of that check (tests/integration/test_published_key.py).
    The registry parse cache is one for the session, never the user's: every check after the
    first of a file runs from it, so the whole suite also says that a cached parse finds what a
    fresh one does."""
    monkeypatch.setenv("SKILLCERT_HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("SKILLCERT_PUBLISHED", "off")
    monkeypatch.setenv("SKILLCERT_CACHE", str(_parse_cache_folder))


@pytest.fixture
def registry_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample registry."""
    dest = tmp_path / "registry"
    shutil.copytree(SAMPLE_REGISTRY, dest)
    return dest


@pytest.fixture
def runner() -> CliRunner:
    """Click's in-process runner."""
    return CliRunner()


ISSUED_NUMBER = "Y000041039002245000001"
ISSUED_ID_NUMBER = "410102199909091238"


def bureau_site_registry(dest: Path) -> tuple[Path, bytes]:
    """A copy of the sample registry with a bureau snapshot key we hold (``dest/bureau.key``) and a
    key for 洛阳远川高级技工学校; returns the registry and a credential it issued (保育师, 五级)."""
    import datetime as dt

    from credentials.credential import commitment
    from credentials.credential.claims import Credential, IdType
    from credentials.credential.sign import sign
    from credentials.keys import SigningKey, save_signing_key
    from credentials.levels import Level
    from credentials.numbers import parse_number
    from credentials.registry import edit
    from credentials.registry.registry import load_registry

    registry = dest / "registry"
    shutil.copytree(SAMPLE_REGISTRY, registry)
    bureau = SigningKey.generate()
    edit.set_snapshot_key(
        registry / "bureau.yaml", kid=bureau.kid, public_key=bureau.public_key.raw
    )
    save_signing_key(bureau, dest / "bureau.key", passphrase=None)
    key = SigningKey.generate()
    edit.add_key(
        registry / "institutions" / "Y000041039002.yaml",
        kid=key.kid,
        public_key=key.public_key.raw,
        not_before=dt.date(2024, 1, 1),
    )
    cred = Credential(
        parse_number(ISSUED_NUMBER),
        1,
        "张小芳",
        IdType.RESIDENT_ID,
        commitment.commit(IdType.RESIDENT_ID, ISSUED_ID_NUMBER),
        "4-10-01-03",
        None,
        Level.JUNIOR_WORKER,
        dt.date(2024, 6, 28),
    )
    return registry, sign(cred, key, registry=load_registry(registry))
