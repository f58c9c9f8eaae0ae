"""Key operations without the command line: new, rotate, compromised, and the local list."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from credentials.errors import CredentialsError, KeyFileError
from credentials.issuing.keyring import KeyPlace, local_keys, mark_compromised, new_key, rotate
from credentials.registry.registry import load_registry
from tests.conftest import SAMPLE_REGISTRY

FILING = "Y000041019001"


@pytest.fixture
def place(tmp_path: Path) -> KeyPlace:
    shutil.copytree(SAMPLE_REGISTRY, tmp_path / "registry")
    return KeyPlace(tmp_path / "keys", tmp_path / "registry", (tmp_path / "site",))


def test_new_rotate_compromise_and_list(place: KeyPlace) -> None:
    first = new_key(FILING, place, not_before=dt.date(2025, 1, 1))
    assert first.findings == []
    assert first.path.stat().st_mode & 0o777 == 0o600
    second = rotate(FILING, place, start=dt.date(2026, 1, 1))
    assert (first.key.kid, dt.date(2025, 12, 31)) in second.ended
    path, findings = mark_compromised(second.key.kid, place.registry_dir, since=dt.date(2026, 3, 1))
    assert path.name == f"{FILING}.yaml"
    assert findings == []
    reg = load_registry(place.registry_dir)
    entry = reg.key(second.key.kid)
    assert entry is not None
    assert entry[1].compromised_at == dt.date(2026, 3, 1)
    listed = {
        k.kid: k.state for k in local_keys(place.keys_dir, place.registry_dir, dt.date(2026, 2, 1))
    }
    assert "有效 valid" in listed[second.key.kid]
    assert "无效 not valid" in listed[first.key.kid]


def test_print_only_leaves_the_registry_alone(place: KeyPlace) -> None:
    before = (place.registry_dir / "institutions" / f"{FILING}.yaml").read_bytes()
    made = new_key(FILING, place, not_before=dt.date(2025, 1, 1), register=False)
    assert made.registry_file is None
    assert f'kid: "{made.key.kid}"' in made.snippet
    assert (place.registry_dir / "institutions" / f"{FILING}.yaml").read_bytes() == before


def test_refusals(place: KeyPlace) -> None:
    with pytest.raises(CredentialsError, match="no registry file"):
        new_key("Y000041019999", place, not_before=dt.date(2025, 1, 1))
    with pytest.raises(KeyFileError, match="refusing"):
        new_key(FILING, place, not_before=dt.date(2025, 1, 1), out=place.public[0] / "k.key")
    with pytest.raises(CredentialsError, match="no key"):
        mark_compromised("0123456789abcdef", place.registry_dir, since=dt.date(2025, 1, 1))
